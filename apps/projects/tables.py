"""Tables of the project and milestone lists.

Only indexed columns sort: project name (unique), stage and total investment (Project.Meta.indexes),
and a milestone's due and done dates (projects_milestone_due_idx).
"""

import datetime

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Milestone, Project
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
    light = tables.Column(
        verbose_name=_("状态"), accessor="light_reason", orderable=False, empty_values=()
    )
    name = tables.Column(
        verbose_name=_("项目名称"),
        linkify=("projects:project_detail", [tables.A("pk")]),
        attrs={"td": {"class": "wrap"}},
    )
    kind = tables.Column(verbose_name=_("项目类型"), orderable=False)
    stage = tables.Column(verbose_name=_("阶段"))
    chain = tables.Column(verbose_name=_("产业链"), orderable=False)
    area = tables.Column(verbose_name=_("园区/片区"), orderable=False)
    responsible_unit = tables.Column(verbose_name=_("责任单位"), orderable=False)
    total_investment = tables.Column(
        verbose_name=_("总投资"),
        order_by=("investment_amount", "id"),
        attrs={"td": {"class": "text-end"}},
    )
    percent = tables.Column(verbose_name=_("最新进度"), accessor="light_percent", orderable=False)
    planned_completion = tables.DateColumn(
        verbose_name=_("计划完成"), format="Y-m-d", orderable=False
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
        light = self._light(record)
        return _("%(label)s：%(reason)s") % {"label": light.label, "reason": light.reason}

    def render_total_investment(self, record):
        return record.investment_label or "—"

    def value_total_investment(self, record):
        return record.investment_label

    def render_percent(self, value):
        return f"{value}%"


class MilestoneTable(tables.Table):
    state = tables.Column(
        verbose_name=_("状态"), accessor="due_date", orderable=False, empty_values=()
    )
    project = tables.Column(
        verbose_name=_("项目"),
        linkify=("projects:project_detail", [tables.A("project_id")]),
        orderable=False,
        attrs={"td": {"class": "wrap"}},
    )
    title = tables.Column(verbose_name=_("节点"), orderable=False, attrs={"td": {"class": "wrap"}})
    unit = tables.Column(
        verbose_name=_("责任单位"), accessor="project__responsible_unit", orderable=False
    )
    start_date = tables.DateColumn(verbose_name=_("开始日期"), format="Y-m-d", orderable=False)
    due_date = tables.DateColumn(verbose_name=_("计划完成日期"), format="Y-m-d")
    done_date = tables.DateColumn(verbose_name=_("实际完成日期"), format="Y-m-d")
    deadline_phrase = tables.Column(verbose_name=_("期限表述"), orderable=False)
    action = tables.Column(
        verbose_name="", accessor="pk", orderable=False, exclude_from_export=True, empty_values=()
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
