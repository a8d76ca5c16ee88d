"""A project's status light (green / yellow / red / grey), computed from its schedule, never typed.

The rules, checked in this order; the first that matches decides the light and its reason
("today" is the zone's local date; "open" means a milestone without a done date):

1. red, ``milestone_overdue``: an open milestone's due date is before today (due today is not
   overdue yet).
2. green, ``done``: the project has an actual completion date, or its stage is 竣工, 投用 or 投产.
3. grey, ``not_assessed``: the stage is 未评估 (not assessed): the document names the project
   without saying where it stands, so there is nothing to judge its dates against.
4. red, ``past_planned``: the planned completion date is before today and there is no actual
   completion date.
5. red, ``not_started``: the stage is before 开工 (洽谈, 签约, 落地), there is no actual start, no
   progress above 0 % is reported and the planned start is `unstarted_months` (default 3) whole
   months or more ago.
6. red, ``far_behind`` / yellow, ``behind``: the elapsed share of the schedule (序时进度) exceeds
   the latest reported percent complete by MORE than `red_points` (default 30) / `yellow_points`
   (default 10) points. The schedule runs from the actual start (else the planned start) to the
   planned completion; it must be at least one day long and have begun (today after the start).
   Elapsed share = (today - start) / (completion - start) x 100. The latest percent is that of
   the newest progress log that gives one; no such log counts as 0 %. A gap of exactly the
   threshold is not over it. The thresholds are apps.core.models.LightThresholds, edited in the
   admin and read in the same query.
7. yellow, ``due_soon``: an open milestone is due within the next 7 days (today up to and
   including today + 7).
8. yellow, ``stale``: the project is under construction (在建) and has no progress log dated in
   the last 45 days (a log exactly 45 days old still counts; 46 days old does not).
9. grey, ``no_dates``: there is nothing to judge: no planned completion, no open milestone with
   a due date, and the project is not under construction (a start date alone sets no pace).
10. green, ``on_track``: none of the above.

Everything is one SQL expression (`annotate_light`) over the project's own columns (the next open
milestone's due date, the latest percent and the latest log's date, kept current by
`Project.objects.refresh_progress` whenever a milestone or log is written), so a whole page of
projects gets its lights in the same query that fetches the rows, and the list can filter on the
light. `light_of` turns
the annotations into a `StatusLight` with a reason in the user's language.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core.models import LightThresholds, threshold_values
from apps.core.rules import Light

from .models import Stage

# The defaults of the admin-edited thresholds (apps.core.models.LightThresholds).
LAG_POINTS = LightThresholds.DEFAULT_YELLOW_POINTS
RED_LAG_POINTS = LightThresholds.DEFAULT_RED_POINTS
UNSTARTED_MONTHS = LightThresholds.DEFAULT_UNSTARTED_MONTHS
# Stages before work begins on site: a project still here long after its planned start is red.
NOT_STARTED_STAGES = (Stage.NEGOTIATING, Stage.SIGNED, Stage.LANDED)
# A milestone this close to its due date turns its project's light (and its own) yellow.
YELLOW_DAYS_BEFORE_DUE = 7
STALE_LOG_DAYS = 45
DONE_STAGES = (Stage.COMPLETED, Stage.IN_USE, Stage.IN_PRODUCTION)
_EPOCH = datetime.date(1970, 1, 1)


class Reason(models.TextChoices):
    MILESTONE_OVERDUE = "milestone_overdue", gettext_lazy("节点逾期")
    DONE = "done", gettext_lazy("已完成")
    NOT_ASSESSED = "not_assessed", gettext_lazy("阶段未评估")
    PAST_PLANNED = "past_planned", gettext_lazy("超过计划完成日期")
    NOT_STARTED = "not_started", gettext_lazy("逾期未开工")
    FAR_BEHIND = "far_behind", gettext_lazy("严重落后于序时进度")
    BEHIND = "behind", gettext_lazy("进度落后于时间")
    DUE_SOON = "due_soon", gettext_lazy("节点即将到期")
    STALE = "stale", gettext_lazy("长期未填报进展")
    NO_DATES = "no_dates", gettext_lazy("无计划日期")
    ON_TRACK = "on_track", gettext_lazy("按计划推进")


LIGHT_OF_REASON = {
    Reason.MILESTONE_OVERDUE: Light.RED,
    Reason.PAST_PLANNED: Light.RED,
    Reason.NOT_STARTED: Light.RED,
    Reason.FAR_BEHIND: Light.RED,
    Reason.BEHIND: Light.YELLOW,
    Reason.DUE_SOON: Light.YELLOW,
    Reason.STALE: Light.YELLOW,
    Reason.NOT_ASSESSED: Light.GREY,
    Reason.NO_DATES: Light.GREY,
    Reason.DONE: Light.GREEN,
    Reason.ON_TRACK: Light.GREEN,
}


def reasons_for(light: str) -> list[str]:
    """The reason codes that give `light`, for filtering a list by its light."""
    return [reason.value for reason, colour in LIGHT_OF_REASON.items() if colour == light]


class DayNumber(Func):
    """Days since 1970-01-01 as an integer, so schedule shares compare exactly on both databases."""

    output_field = IntegerField()
    template = "(%(expressions)s - DATE '1970-01-01')"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra_context,
        )


def _day(value: datetime.date) -> int:
    return (value - _EPOCH).days


def annotate_light(queryset: QuerySet, today: datetime.date) -> QuerySet:
    """Add light_next_due, light_percent, light_last_log and light_reason to a Project queryset."""
    today_day = Value(_day(today), output_field=IntegerField())
    # The inputs are the project's own columns, kept by Project.objects.refresh_progress: no
    # subquery per row, so a deep page or a filter by light costs what a plain column does.
    queryset = queryset.annotate(
        light_next_due=F("next_open_due"),
        light_percent=F("latest_percent"),
        light_last_log=F("last_progress_date"),
        light_start=Coalesce("actual_start", "planned_start"),
    )
    queryset = queryset.annotate(**threshold_values())
    start = DayNumber("light_start")
    end = DayNumber("planned_completion")
    percent = Coalesce("light_percent", Value(0), output_field=IntegerField())

    def lag_over(points) -> Q:
        # elapsed / span * 100 > percent + points  <=>  elapsed * 100 > (percent + points) * span.
        return Q(
            GreaterThan((today_day - start) * Value(100), (percent + points) * (end - start)),
            light_start__isnull=False,
            planned_completion__isnull=False,
            planned_completion__gt=F("light_start"),
            light_start__lt=today,
        )

    # Whole months from the planned start to today (a month counts once its day is reached).
    months_since_start = (
        Value(today.year * 12 + today.month)
        - (ExtractYear("planned_start") * Value(12) + ExtractMonth("planned_start"))
        - Case(When(GreaterThan(ExtractDay("planned_start"), today.day), then=1), default=0)
    )
    not_started = (Q(light_percent__isnull=True) | Q(light_percent=0)) & Q(
        GreaterThan(months_since_start + Value(1), F("light_unstarted_months")),
        stage__in=NOT_STARTED_STAGES,
        actual_start__isnull=True,
        planned_start__isnull=False,
    )
    return queryset.annotate(
        light_reason=Case(
            When(light_next_due__lt=today, then=Value(Reason.MILESTONE_OVERDUE.value)),
            When(
                Q(actual_completion__isnull=False) | Q(stage__in=DONE_STAGES),
                then=Value(Reason.DONE.value),
            ),
            When(stage=Stage.NOT_ASSESSED, then=Value(Reason.NOT_ASSESSED.value)),
            When(planned_completion__lt=today, then=Value(Reason.PAST_PLANNED.value)),
            When(not_started, then=Value(Reason.NOT_STARTED.value)),
            When(lag_over(F("light_red_points")), then=Value(Reason.FAR_BEHIND.value)),
            When(lag_over(F("light_yellow_points")), then=Value(Reason.BEHIND.value)),
            When(
                light_next_due__lte=today + datetime.timedelta(days=YELLOW_DAYS_BEFORE_DUE),
                then=Value(Reason.DUE_SOON.value),
            ),
            When(
                Q(stage=Stage.UNDER_CONSTRUCTION)
                & (
                    Q(light_last_log__isnull=True)
                    | Q(light_last_log__lt=today - datetime.timedelta(days=STALE_LOG_DAYS))
                ),
                then=Value(Reason.STALE.value),
            ),
            When(
                Q(planned_completion__isnull=True)
                & Q(light_next_due__isnull=True)
                & ~Q(stage=Stage.UNDER_CONSTRUCTION),
                then=Value(Reason.NO_DATES.value),
            ),
            default=Value(Reason.ON_TRACK.value),
            output_field=CharField(),
        )
    )


@dataclass(frozen=True)
class StatusLight:
    light: str
    reason_code: str
    reason: str

    @property
    def label(self) -> str:
        return str(Light(self.light).label)

    @property
    def css_class(self) -> str:
        return f"status-{self.light}"


def _date(value) -> str:
    return date_format(value, "Y-m-d") if value else ""


def elapsed_share(project, today: datetime.date) -> int | None:
    """Elapsed share of the schedule in whole percent (rounded down), or None without a schedule."""
    start, end = project.light_start, project.planned_completion
    if not start or not end or end <= start:
        return None
    share = (today - start).days * 100 // (end - start).days
    return max(0, min(100, share))


def light_of(project, today: datetime.date) -> StatusLight:
    """The light of a project fetched through `annotate_light`, with its reason in words."""
    code = Reason(project.light_reason)
    if code == Reason.MILESTONE_OVERDUE:
        reason = _("有节点逾期未完成（最早应于 %(date)s 完成）。") % {
            "date": _date(project.light_next_due)
        }
    elif code == Reason.DONE:
        if project.actual_completion:
            reason = _("已于 %(date)s 完成。") % {"date": _date(project.actual_completion)}
        else:
            reason = _("项目已处于“%(stage)s”阶段。") % {"stage": project.get_stage_display()}
    elif code == Reason.NOT_ASSESSED:
        reason = _("阶段未评估：文件未给出项目所处阶段，也还没有人填写。")
    elif code == Reason.PAST_PLANNED:
        reason = _("计划 %(date)s 完成，至今未完成。") % {"date": _date(project.planned_completion)}
    elif code in (Reason.BEHIND, Reason.FAR_BEHIND):
        reason = _(
            "计划工期已过 %(elapsed)s%%，完成进度 %(percent)s%%，落后超过 %(lag)s 个百分点。"
        ) % {
            "elapsed": elapsed_share(project, today),
            "percent": project.light_percent or 0,
            "lag": project.light_red_points
            if code == Reason.FAR_BEHIND
            else project.light_yellow_points,
        }
    elif code == Reason.NOT_STARTED:
        reason = ngettext(
            "计划 %(date)s 开工，已满 %(months)d 个月仍未开工。",
            "计划 %(date)s 开工，已满 %(months)d 个月仍未开工。",
            project.light_unstarted_months,
        ) % {"date": _date(project.planned_start), "months": project.light_unstarted_months}
    elif code == Reason.DUE_SOON:
        reason = ngettext(
            "有节点将于 %(date)s 到期（%(days)d 天内）。",
            "有节点将于 %(date)s 到期（%(days)d 天内）。",
            YELLOW_DAYS_BEFORE_DUE,
        ) % {
            "date": _date(project.light_next_due),
            "days": YELLOW_DAYS_BEFORE_DUE,
        }
    elif code == Reason.STALE:
        if project.light_last_log:
            days = (today - project.light_last_log).days
            reason = ngettext(
                "在建项目已 %(days)d 天未填报进展（超过 %(limit)d 天）。",
                "在建项目已 %(days)d 天未填报进展（超过 %(limit)d 天）。",
                days,
            ) % {
                "days": days,
                "limit": STALE_LOG_DAYS,
            }
        else:
            reason = _("在建项目尚无进展记录。")
    elif code == Reason.NO_DATES:
        reason = _("没有计划日期和节点，无法判断。")
    else:
        reason = _("按计划推进。")
    return StatusLight(LIGHT_OF_REASON[code].value, code.value, reason)
