"""Building blocks shared by the list pages of every area."""

import math

from django.contrib import messages
from django.core.paginator import EmptyPage
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin
from django_tables2.paginators import LazyPaginator
from django_tables2.rows import BoundRows

from .exports import SafeTableExport

PER_PAGE = 25
MAX_PER_PAGE = 100
# No list comes near this many rows; a page further on is past the end without asking the database.
MAX_OFFSET = 2**31 - 1


class PageByKeys:
    """A queryset that hands out a page as `pk IN (the page's pks, LIMIT/OFFSET)`, in one query.

    With a plain LIMIT/OFFSET the database builds every row it skips: its joins and its
    annotations (a project's status light), so page 100 costs a hundred pages' rows. Here only
    the inner query walks past the skipped rows, and it selects only the keys (with whatever
    joins its WHERE and ORDER BY need); the rows, their joins and annotations are built for the
    page alone. The outer query keeps the queryset's order.
    """

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    @staticmethod
    def applies(queryset) -> bool:
        """Model rows, not grouped, unioned, distinct or already sliced."""
        query = getattr(queryset, "query", None)
        return (
            isinstance(queryset, QuerySet)
            and queryset._iterable_class is ModelIterable
            and query.group_by is None
            and not query.combinator
            and not query.distinct
            and not query.is_sliced
        )

    def __len__(self):
        return self.queryset.count()

    def __iter__(self):
        return iter(self.queryset)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self.queryset[key]
        return self.queryset.filter(pk__in=self.queryset.values("pk")[key])


def _by_page_keys(object_list):
    """`object_list` (a queryset, or a table's rows over one) paged through PageByKeys."""
    if isinstance(object_list, BoundRows):
        data = getattr(object_list.data, "data", None)
        if PageByKeys.applies(data):
            return BoundRows(PageByKeys(data), object_list.table, object_list.pinned_data)
    elif PageByKeys.applies(object_list):
        return PageByKeys(object_list)
    return object_list


class ZonePaginator(LazyPaginator):
    """LazyPaginator that copes with whatever page and per_page a visitor types in the URL.

    A per_page below 1 or above MAX_PER_PAGE falls back to the default; a page past the end
    shows the last page (the only time the rows are counted); a page below 1 shows the first.
    A page's rows are fetched by their keys (PageByKeys), so a deep page costs what the first
    does, but for the keys skipped.
    """

    def __init__(self, object_list, per_page, **kwargs):
        if not 1 <= per_page <= MAX_PER_PAGE:
            per_page = PER_PAGE
        super().__init__(_by_page_keys(object_list), per_page, **kwargs)

    def page(self, number):
        number = self.validate_number(number or 1)
        if (number - 1) * self.per_page > MAX_OFFSET:
            return self._last_page()
        try:
            return super().page(number)
        except EmptyPage:
            return self._last_page()

    def _last_page(self):
        count = len(self.object_list)  # a COUNT(*) for a queryset
        return super().page(max(1, math.ceil(count / self.per_page)))


class ZoneListView(ExportMixin, SingleTableMixin, FilterView):
    """A sortable, filterable, paginated list exportable to CSV and XLSX.

    ZonePaginator (a LazyPaginator) avoids a COUNT(*) over the whole table on every page.
    Subclasses set `model`, `table_class`, `filterset_class`, `title` and select_related in
    `get_queryset`.
    """

    template_name = "core/list.html"
    paginator_class = ZonePaginator
    table_pagination = {"per_page": PER_PAGE}
    export_class = SafeTableExport
    export_formats = (SafeTableExport.CSV, SafeTableExport.XLSX)
    title = ""

    def get_export_title(self) -> str:
        return str(self.title or self.model._meta.verbose_name_plural)

    def get_export_filename(self, export_format):
        """The list's title and today's date: 重点项目-2026-12-02.xlsx."""
        return f"{self.get_export_title()}-{timezone.localdate().isoformat()}.{export_format}"

    def create_export(self, export_format):
        exporter = self.export_class(
            export_format=export_format,
            table=self.get_table(**self.get_table_kwargs()),
            exclude_columns=self.exclude_columns,
            dataset_kwargs={"title": self.get_export_title()},
        )
        # Clients that cannot read a UTF-8 file name get the English one.
        with translation.override("en"):
            ascii_filename = self.get_export_filename(export_format)
        return exporter.response(
            filename=self.get_export_filename(export_format), ascii_filename=ascii_filename
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title or self.model._meta.verbose_name_plural
        context["export_formats"] = self.export_formats
        return context

    def render_to_response(self, context, **kwargs):
        # django-tables2 would export to any format tablib knows (or fail on one it lacks).
        export_format = self.request.GET.get(self.export_trigger_param)
        if export_format and export_format not in self.export_formats:
            messages.error(self.request, _("只能导出为 CSV 或 XLSX 格式。"))
            response = super(ExportMixin, self).render_to_response(context, **kwargs)
            response.status_code = 400
            return response
        return super().render_to_response(context, **kwargs)
