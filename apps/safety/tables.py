"""Inspection and hazard tables. Sortable columns are served by an index; the rest are not."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exports import ExportColumn

from .models import Hazard, Inspection

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle bg-white"}


class InspectionTable(tables.Table):
    # Sorting by date follows the index on -date.
    date = tables.DateColumn(
        format="Y-m-d", verbose_name=gettext_lazy("检查日期"), order_by=("date", "id")
    )
    title = tables.Column(
        verbose_name=gettext_lazy("检查内容"),
        orderable=False,
        linkify=("safety:inspection_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "wrap"}},
    )
    site = tables.Column(verbose_name=gettext_lazy("监管区域"), orderable=False)
    team = tables.Column(verbose_name=gettext_lazy("检查队伍"), orderable=False)
    unit = tables.Column(
        accessor="responsible_unit", verbose_name=gettext_lazy("责任单位"), orderable=False
    )
    inspector = tables.Column(verbose_name=gettext_lazy("检查人"), orderable=False)
    hazard_count = tables.Column(verbose_name=gettext_lazy("隐患数"), orderable=False)

    class Meta:
        model = Inspection
        fields = ()
        sequence = ("date", "title", "site", "team", "unit", "inspector", "hazard_count")
        attrs = TABLE_ATTRS
        empty_text = gettext_lazy("没有符合条件的安全检查。")

    def render_inspector(self, value):
        person = getattr(value, "person", None)
        return person.name if person else (value.get_full_name() or value.username)

    def value_inspector(self, value):
        return self.render_inspector(value)

    def value_date(self, value):
        return value


class HazardTable(tables.Table):
    description = tables.Column(
        verbose_name=gettext_lazy("隐患描述"),
        orderable=False,
        linkify=("safety:hazard_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "wrap"}},
    )
    grade = tables.Column(verbose_name=gettext_lazy("隐患等级"), order_by=("grade", "id"))
    # Sorting by status follows the index on (status, grade).
    status = tables.Column(verbose_name=gettext_lazy("状态"), order_by=("status", "grade"))
    site = tables.Column(verbose_name=gettext_lazy("监管区域"), orderable=False)
    location = tables.Column(verbose_name=gettext_lazy("位置"), orderable=False)
    enterprise = tables.Column(verbose_name=gettext_lazy("所属企业"), orderable=False)
    unit = tables.Column(
        accessor="responsible_unit", verbose_name=gettext_lazy("责任单位"), orderable=False
    )
    found_date = tables.DateColumn(
        format="Y-m-d", verbose_name=gettext_lazy("发现日期"), order_by=("found_date", "id")
    )
    rectification_deadline = tables.Column(
        verbose_name=gettext_lazy("整改期限"), order_by=("rectification_deadline", "id")
    )

    class Meta:
        model = Hazard
        fields = ()
        sequence = (
            "description",
            "grade",
            "status",
            "site",
            "location",
            "enterprise",
            "unit",
            "found_date",
            "rectification_deadline",
        )
        attrs = TABLE_ATTRS
        empty_text = gettext_lazy("没有符合条件的安全隐患。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_description(self, value):
        return Truncator(value).chars(40)

    def render_grade(self, record, value):
        if record.grade == "major":
            return format_html('<span class="badge text-bg-danger">{}</span>', value)
        return value

    def render_rectification_deadline(self, record, value):
        if record.is_overdue(self.today):
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span>', value.isoformat(), _("逾期")
            )
        return value.isoformat()

    def value_rectification_deadline(self, value):
        return value

    # Exports: the whole description, the grade's words, dates as dates, overdue as a column.
    overdue = ExportColumn(verbose_name=gettext_lazy("是否逾期"), after="rectification_deadline")

    def value_description(self, value):
        return value

    def value_grade(self, value):
        return value

    def value_found_date(self, value):
        return value

    def value_overdue(self, record):
        return _("逾期") if record.is_overdue(self.today) else None
