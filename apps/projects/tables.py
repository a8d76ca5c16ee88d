"""Tables of the project and milestone lists.

Every column with a meaningful order sorts (apps/core/sorting.py: empty values last, names by
pinyin). The sorts a big list is asked for most (investment, planned completion, latest progress,
due date) have indexes of their own (Project.Meta.indexes, Milestone.Meta.indexes).
"""

import datetime
from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.exports import ExportColumn, Percent
from apps.core.models import money_label
from apps.core.sorting import Ranked, Text, sort

from .models import Milestone, Project, ProjectKind, Stage
from .status import YELLOW_DAYS_BEFORE_DUE, light_of


def light_html(colour: str, label: str, reason: str = ""):
    return format_html(
        '<span class="status-light status-{}" title="{}" aria-hidden="true"></span> '
        '<span class="small">{}</span>',
        colour,
        reason,
        label,
    )


class ProjectTable(tables.Table):
    light = tables.Column(verbose_name=_("状态"), accessor="light_reason", empty_values=())
    name = tables.Column(
        verbose_name=_("项目名称"),
        linkify=("projects:project_detail", [tables.A("pk")]),
        attrs={"td": {"class": "wrap"}},
    )
    kind = tables.Column(verbose_name=_("项目类型"))
    stage = tables.Column(verbose_name=_("阶段"))
    chain = tables.Column(verbose_name=_("产业链"))
    area = tables.Column(verbose_name=_("园区/片区"))
    responsible_unit = tables.Column(verbose_name=_("责任单位"))
    total_investment = tables.Column(
        verbose_name=_("总投资"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    percent = tables.Column(verbose_name=_("最新进度"), accessor="light_percent")
    planned_completion = tables.DateColumn(
        verbose_name=_("计划完成"), format="Y-m-d", attrs={"td": {"class": "date"}}
    )

    class Meta:
        model = Project
        fields = []
        sequence = (
            "light",
            "name",
            "kind",
            "stage",
            "chain",
            "area",
            "responsible_unit",
            "total_investment",
            "percent",
            "planned_completion",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("没有符合条件的项目。")

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def _light(self, record):
        return light_of(record, self.today)

    def render_light(self, record):
        light = self._light(record)
        return light_html(light.light, light.label, light.reason)

    def value_light(self, record):
        return self._light(record).label

    def render_total_investment(self, record):
        return record.investment_label or "—"

    def value_total_investment(self, record):
        return record.total_investment

    def render_percent(self, value):
        return progress_bar(value, _("最新进度"))

    def order_light(self, queryset, is_descending):
        # The stored rank (Project.light_rank: red, yellow, grey, then green), on an index.
        return sort(queryset, is_descending, "light_rank")

    def order_name(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("name"))

    def order_kind(self, queryset, is_descending):
        return sort(queryset, is_descending, Ranked("kind", ProjectKind.values))

    def order_stage(self, queryset, is_descending):
        return sort(queryset, is_descending, Ranked("stage", Stage.values))

    def order_chain(self, queryset, is_descending):
        # Chains have an order of their own (IndustryChain.order), the one the dashboard uses.
        return sort(queryset, is_descending, "chain__order", Text("chain__name"))

    def order_area(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("area__name"))

    def order_responsible_unit(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("responsible_unit__name"))

    def order_total_investment(self, queryset, is_descending):
        # In one currency unit (the generated column), so 1.2 亿元 sorts above 5000 万元.
        return sort(queryset, is_descending, "investment_amount")

    def order_percent(self, queryset, is_descending):
        return sort(queryset, is_descending, "light_percent")

    def order_planned_completion(self, queryset, is_descending):
        return sort(queryset, is_descending, "planned_completion")

    # Exports: the plain values, and the parts a page shows in one cell as columns of their own.
    light_reason = ExportColumn(verbose_name=_("状态说明"), after="light")
    investment_unit = ExportColumn(verbose_name=_("金额单位"), after="total_investment")

    def value_light_reason(self, record):
        return self._light(record).reason

    def value_investment_unit(self, record):
        if record.total_investment is None:
            return None
        return money_unit_label(record.investment_unit, record.currency)

    def value_percent(self, value):
        return Percent(value)

    def value_planned_completion(self, value):
        return value


def progress_bar(percent: int | None, label: str):
    """A bar with its percentage written on it; '—' when no progress log gives one."""
    if percent is None:
        return "—"
    percent = max(0, min(100, int(percent)))
    # The fill is a class in steps of 5 % (app.css): the page's CSP allows no inline style.
    return format_html(
        '<div class="progress project-progress" role="progressbar" aria-label="{}" '
        'aria-valuenow="{}" aria-valuemin="0" aria-valuemax="100">'
        '<div class="progress-bar fill-{}"></div><span class="progress-text">{}%</span></div>',
        label,
        percent,
        5 * round(percent / 5),
        percent,
    )


class MilestoneTable(tables.Table):
    state = tables.Column(
        verbose_name=_("状态"), accessor="due_date", orderable=False, empty_values=()
    )
    project = tables.Column(
        verbose_name=_("项目"),
        linkify=("projects:project_detail", [tables.A("project_id")]),
        attrs={"td": {"class": "wrap"}},
    )
    title = tables.Column(verbose_name=_("节点"), attrs={"td": {"class": "wrap"}})
    unit = tables.Column(verbose_name=_("责任单位"), accessor="project__responsible_unit")
    start_date = tables.DateColumn(
        verbose_name=_("开始日期"), format="Y-m-d", attrs={"td": {"class": "date"}}
    )
    due_date = tables.DateColumn(
        verbose_name=_("计划完成日期"), format="Y-m-d", attrs={"td": {"class": "date"}}
    )
    done_date = tables.DateColumn(
        verbose_name=_("实际完成日期"), format="Y-m-d", attrs={"td": {"class": "date"}}
    )
    deadline_phrase = tables.Column(verbose_name=_("期限表述"))
    action = tables.Column(
        verbose_name="",
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
        attrs={"td": {"class": "action"}},
    )

    class Meta:
        model = Milestone
        fields = []
        sequence = (
            "state",
            "project",
            "title",
            "unit",
            "start_date",
            "due_date",
            "done_date",
            "deadline_phrase",
            "action",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("没有符合条件的节点。")

    def __init__(self, *args, today=None, editable_unit_id=None, edit_all=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.editable_unit_id = editable_unit_id
        self.edit_all = edit_all

    def render_state(self, record):
        state = milestone_state(record, self.today)
        return light_html(state[0], state[1])

    def value_state(self, record):
        return milestone_state(record, self.today)[1]

    def render_action(self, record):
        if record.done_date is not None:
            return ""
        if not self.edit_all and record.project.responsible_unit_id != self.editable_unit_id:
            return ""
        return format_html(
            '<a class="btn btn-outline-primary btn-sm" href="{}">{}</a>',
            reverse("projects:milestone_complete", args=[record.pk]),
            _("完成"),
        )

    # Exports: dates as dates.
    def value_start_date(self, value):
        return value

    def value_due_date(self, value):
        return value

    def value_done_date(self, value):
        return value

    def order_project(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("project__name"), "due_date")

    def order_title(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("title"))

    def order_unit(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("project__responsible_unit__name"), "due_date")

    def order_start_date(self, queryset, is_descending):
        return sort(queryset, is_descending, "start_date")

    def order_due_date(self, queryset, is_descending):
        return sort(queryset, is_descending, "due_date")

    def order_done_date(self, queryset, is_descending):
        return sort(queryset, is_descending, "done_date")

    def order_deadline_phrase(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("deadline_phrase"))


def money_unit_label(unit: str, currency: str) -> str:
    """'亿元', '万美元': what money_label writes after the amount."""
    return money_label(Decimal(1), unit, currency).removeprefix("1").strip()


def milestone_state(milestone: Milestone, today: datetime.date) -> tuple[str, str]:
    """(colour, words) for a milestone: done, overdue, due within 7 days, later, or undated.

    The same 7 days as the project light's "due soon" rule (apps/projects/status.py).
    """
    if milestone.done_date is not None:
        return "green", str(
            _("已于 %(date)s 完成") % {"date": date_format(milestone.done_date, "Y-m-d")}
        )
    if milestone.due_date is None:
        return "grey", str(_("未定期限"))
    days = (milestone.due_date - today).days
    if days < 0:
        return "red", ngettext("逾期 %(days)d 天", "逾期 %(days)d 天", -days) % {"days": -days}
    if days == 0:
        return "yellow", str(_("今天到期"))
    if days <= YELLOW_DAYS_BEFORE_DUE:
        return "yellow", ngettext("%(days)d 天后到期", "%(days)d 天后到期", days) % {"days": days}
    return "green", str(_("未到期"))
