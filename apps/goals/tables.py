"""The targets table. Every column with a meaningful order sorts (apps/core/sorting.py)."""

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exports import ExportColumn
from apps.core.sorting import Ranked, Text, sort

from .models import Target, TargetStatus
from .status import target_light


def number(value: Decimal | None) -> str:
    """1200.0000 -> '1200', 3.5000 -> '3.5'."""
    if value is None:
        return ""
    return f"{value.normalize():f}"


def target_values(target: Target) -> str:
    """'基数 100 · 当前 120 / 目标 200 亿元' with only the parts that are known."""
    parts = []
    if target.baseline is not None:
        parts.append(_("基数 %(v)s") % {"v": number(target.baseline)})
    if target.current_value is not None:
        parts.append(_("当前 %(v)s") % {"v": number(target.current_value)})
    text = " · ".join(parts)
    if target.target_value is not None:
        goal = _("目标 %(v)s") % {"v": number(target.target_value)}
        text = f"{text} / {goal}" if text else goal
    if text and target.metric_unit:
        text = f"{text} {target.metric_unit}"
    return text


def deadline_text(target: Target) -> str:
    """'2026-01-28（三年行动）'; a phrase whose start the document does not give stays a phrase:
    '三年成形（起算日期文件未载明）'."""
    date = target.deadline.isoformat() if target.deadline else ""
    if target.deadline_phrase:
        if date:
            return _("%(date)s（%(phrase)s）") % {"date": date, "phrase": target.deadline_phrase}
        if target.start_date is None:
            return _("%(phrase)s（起算日期文件未载明）") % {"phrase": target.deadline_phrase}
        return target.deadline_phrase
    return date


class TargetTable(tables.Table):
    plan = tables.Column(accessor="goal__plan", verbose_name=gettext_lazy("计划"))
    goal = tables.Column(verbose_name=gettext_lazy("目标"), attrs={"td": {"class": "wrap"}})
    title = tables.Column(
        verbose_name=gettext_lazy("指标/任务"),
        linkify=("goals:target_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "wrap"}},
    )
    values = tables.Column(
        verbose_name=gettext_lazy("指标值"), accessor="pk", orderable=False, empty_values=()
    )
    deadline = tables.Column(verbose_name=gettext_lazy("完成期限"), empty_values=())
    unit = tables.Column(accessor="responsible_unit", verbose_name=gettext_lazy("责任单位"))
    leading_official = tables.Column(verbose_name=gettext_lazy("牵头领导"))
    status = tables.Column(verbose_name=gettext_lazy("状态"))
    light = tables.Column(
        verbose_name=gettext_lazy("状态灯"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta:
        model = Target
        fields = ()
        # What a phone shows first: the target, its light and status; context follows.
        sequence = (
            "title",
            "light",
            "status",
            "values",
            "deadline",
            "unit",
            "leading_official",
            "goal",
            "plan",
        )
        attrs = {"class": "table table-sm table-hover align-middle bg-white"}
        empty_text = gettext_lazy("没有符合条件的指标任务。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_goal(self, record):
        url = reverse("goals:target_list") + f"?goal={record.goal_id}"
        return format_html('<a href="{}">{}</a>', url, record.goal)

    def value_goal(self, record):
        return str(record.goal)

    def render_values(self, record):
        return target_values(record) or "—"

    def value_values(self, record):
        return target_values(record)

    def render_deadline(self, record):
        return deadline_text(record) or "—"

    def value_deadline(self, record):
        return record.deadline

    def render_leading_official(self, value):
        # The unit has its own column; the name alone keeps the table narrow.
        return value.name

    def value_leading_official(self, value):
        return value.name

    def render_light(self, record):
        light = target_light(record, today=self.today)
        return format_html(
            '<span class="status-light {}" title="{}"></span> <span class="small">{}</span>',
            light.css_class,
            light.reason,
            light.label,
        )

    def value_light(self, record):
        return target_light(record, today=self.today).label

    # Exports: the deadline as a date, and its phrase in a column of its own.
    deadline_words = ExportColumn(verbose_name=gettext_lazy("期限表述"), after="deadline")

    def value_deadline_words(self, record):
        """The part of deadline_text after the date."""
        if not record.deadline_phrase:
            return None
        if record.deadline is None and record.start_date is None:
            return _("%(phrase)s（起算日期文件未载明）") % {"phrase": record.deadline_phrase}
        return record.deadline_phrase

    def order_plan(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("goal__plan__name"), "goal__order", Text("title"))

    def order_goal(self, queryset, is_descending):
        # Goals in the document's order (their number within the plan), then targets by name.
        return sort(queryset, is_descending, "goal__plan_id", "goal__order", Text("title"))

    def order_title(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("title"))

    def order_deadline(self, queryset, is_descending):
        return sort(queryset, is_descending, "deadline", Text("deadline_phrase"))

    def order_unit(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("responsible_unit__name"), "deadline")

    def order_leading_official(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("leading_official__name"), "deadline")

    def order_status(self, queryset, is_descending):
        return sort(queryset, is_descending, Ranked("status", TargetStatus.values), "deadline")
