"""Inspection and hazard tables. Every column with a meaningful order sorts (apps/core/sorting.py)."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exports import ExportColumn
from apps.core.sorting import Ranked, Text, sort

from .models import Hazard, HazardGrade, HazardStatus, Inspection

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle bg-white"}


class InspectionTable(tables.Table):
    date = tables.DateColumn(
        format="Y-m-d", verbose_name=gettext_lazy("检查日期"), attrs={"td": {"class": "date"}}
    )
    title = tables.Column(
        verbose_name=gettext_lazy("检查内容"),
        linkify=("safety:inspection_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "wrap"}},
    )
    site = tables.Column(verbose_name=gettext_lazy("监管区域"))
    team = tables.Column(verbose_name=gettext_lazy("检查队伍"))
    unit = tables.Column(accessor="responsible_unit", verbose_name=gettext_lazy("责任单位"))
    inspector = tables.Column(verbose_name=gettext_lazy("检查人"))
    hazard_count = tables.Column(
        verbose_name=gettext_lazy("隐患数"), attrs={"td": {"class": "text-end"}}
    )

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

    def order_date(self, queryset, is_descending):
        return sort(queryset, is_descending, "date")

    def order_title(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("title"), "date")

    def order_site(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("site__name"), "date")

    def order_team(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("team__name"), "date")

    def order_unit(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("responsible_unit__name"), "date")

    def order_inspector(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("inspector__person__name"), "date")

    def order_hazard_count(self, queryset, is_descending):
        return sort(queryset, is_descending, "hazard_count", "date")


class HazardTable(tables.Table):
    description = tables.Column(
        verbose_name=gettext_lazy("隐患描述"),
        linkify=("safety:hazard_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "wrap"}},
    )
    grade = tables.Column(verbose_name=gettext_lazy("隐患等级"))
    status = tables.Column(verbose_name=gettext_lazy("状态"))
    site = tables.Column(verbose_name=gettext_lazy("监管区域"))
    location = tables.Column(verbose_name=gettext_lazy("位置"))
    enterprise = tables.Column(verbose_name=gettext_lazy("所属企业"))
    unit = tables.Column(accessor="responsible_unit", verbose_name=gettext_lazy("责任单位"))
    found_date = tables.DateColumn(
        format="Y-m-d", verbose_name=gettext_lazy("发现日期"), attrs={"td": {"class": "date"}}
    )
    rectification_deadline = tables.Column(
        verbose_name=gettext_lazy("整改期限"), attrs={"td": {"class": "date"}}
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

    def order_description(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("description"))

    def order_grade(self, queryset, is_descending):
        # Declared order: general, then major; sorting down puts the major hazards first.
        return sort(queryset, is_descending, Ranked("grade", HazardGrade.values), "found_date")

    def order_status(self, queryset, is_descending):
        # As a hazard moves: found, rectifying, rectified, closed.
        return sort(queryset, is_descending, Ranked("status", HazardStatus.values), "found_date")

    def order_site(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("site__name"), Text("location"))

    def order_location(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("location"))

    def order_enterprise(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("enterprise__name"))

    def order_unit(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("responsible_unit__name"))

    def order_found_date(self, queryset, is_descending):
        return sort(queryset, is_descending, "found_date")

    def order_rectification_deadline(self, queryset, is_descending):
        return sort(queryset, is_descending, "rectification_deadline")
