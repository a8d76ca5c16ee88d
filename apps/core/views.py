"""Building blocks shared by the list pages of every area."""

from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin
from django_tables2.paginators import LazyPaginator

from .exports import SafeTableExport


class ZoneListView(ExportMixin, SingleTableMixin, FilterView):
    """A sortable, filterable, paginated list exportable to CSV and XLSX.

    LazyPaginator avoids a COUNT(*) over the whole table on every page. Subclasses set `model`,
    `table_class`, `filterset_class`, `title` and select_related in `get_queryset`.
    """

    template_name = "core/list.html"
    paginator_class = LazyPaginator
    table_pagination = {"per_page": 25}
    export_class = SafeTableExport
    export_formats = (SafeTableExport.CSV, SafeTableExport.XLSX)
    title = ""

    def get_export_filename(self, export_format):
        return f"{self.model._meta.model_name}.{export_format}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title or self.model._meta.verbose_name_plural
        context["export_formats"] = self.export_formats
        return context
