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

Everything is one SQL expression (`light_reason_expression`) over the project's own columns (the
next open milestone's due date, the latest percent and the latest log's date, kept current by
`Project.objects.refresh_progress` whenever a milestone or log is written). It is stored on each
project as light_reason (and its sort order light_rank) by `Project.objects.refresh_light`: after
every refresh_progress, after a change of the thresholds and hourly, as the date moves on
(apps.projects.tasks.refresh_lights). The list filters and sorts on those indexed columns;
`annotate_light` computes the light for any given day, in the query that fetches the rows.
`light_of` turns the annotations into a `StatusLight` with a reason in the user's language.
"""

import datetime
from dataclasses import dataclass

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
from django.db.models.lookups import GreaterThan, IsNull, LessThan
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.models import LightThresholds, threshold_values
from apps.core.rules import Light

from .models import LIGHT_OF_REASON, Reason, Stage

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


def light_reason_expression(today: datetime.date) -> Case:
    """The rules above as one SQL expression giving the reason code, for `today`.

    It reads only the project's own columns and the thresholds' row, so it serves both a SELECT
    (annotate_light) and the UPDATE that stores it (ProjectQuerySet.refresh_light).
    """
    thresholds = threshold_values()
    today_day = Value(_day(today), output_field=IntegerField())
    # The inputs are the project's own columns, kept by Project.objects.refresh_progress: no
    # subquery per row, so a deep page or a filter by light costs what a plain column does.
    light_start = Coalesce("actual_start", "planned_start")
    start = DayNumber(light_start)
    end = DayNumber("planned_completion")
    percent = Coalesce("latest_percent", Value(0), output_field=IntegerField())

    def lag_over(points) -> Q:
        # elapsed / span * 100 > percent + points  <=>  elapsed * 100 > (percent + points) * span.
        return Q(
            GreaterThan((today_day - start) * Value(100), (percent + points) * (end - start)),
            IsNull(light_start, False),
            GreaterThan(F("planned_completion"), light_start),
            LessThan(light_start, Value(today)),
            planned_completion__isnull=False,
        )

    # Whole months from the planned start to today (a month counts once its day is reached).
    months_since_start = (
        Value(today.year * 12 + today.month)
        - (ExtractYear("planned_start") * Value(12) + ExtractMonth("planned_start"))
        - Case(When(GreaterThan(ExtractDay("planned_start"), today.day), then=1), default=0)
    )
    not_started = (Q(latest_percent__isnull=True) | Q(latest_percent=0)) & Q(
        GreaterThan(months_since_start + Value(1), thresholds["light_unstarted_months"]),
        stage__in=NOT_STARTED_STAGES,
        actual_start__isnull=True,
        planned_start__isnull=False,
    )
    return Case(
        When(next_open_due__lt=today, then=Value(Reason.MILESTONE_OVERDUE.value)),
        When(
            Q(actual_completion__isnull=False) | Q(stage__in=DONE_STAGES),
            then=Value(Reason.DONE.value),
        ),
        When(stage=Stage.NOT_ASSESSED, then=Value(Reason.NOT_ASSESSED.value)),
        When(planned_completion__lt=today, then=Value(Reason.PAST_PLANNED.value)),
        When(not_started, then=Value(Reason.NOT_STARTED.value)),
        When(lag_over(thresholds["light_red_points"]), then=Value(Reason.FAR_BEHIND.value)),
        When(lag_over(thresholds["light_yellow_points"]), then=Value(Reason.BEHIND.value)),
        When(
            next_open_due__lte=today + datetime.timedelta(days=YELLOW_DAYS_BEFORE_DUE),
            then=Value(Reason.DUE_SOON.value),
        ),
        When(
            Q(stage=Stage.UNDER_CONSTRUCTION)
            & (
                Q(last_progress_date__isnull=True)
                | Q(last_progress_date__lt=today - datetime.timedelta(days=STALE_LOG_DAYS))
            ),
            then=Value(Reason.STALE.value),
        ),
        When(
            Q(planned_completion__isnull=True)
            & Q(next_open_due__isnull=True)
            & ~Q(stage=Stage.UNDER_CONSTRUCTION),
            then=Value(Reason.NO_DATES.value),
        ),
        default=Value(Reason.ON_TRACK.value),
        output_field=CharField(),
    )


def annotate_light(queryset: QuerySet, today: datetime.date, *, stored: bool = False) -> QuerySet:
    """Add what `light_of` reads to a Project queryset: light_next_due, light_percent,
    light_last_log, light_start and the thresholds, and the reason computed for `today` as
    computed_light_reason.

    With `stored`, the reason is the stored column (light_reason, kept by refresh_light for the
    current date) and nothing is computed: what the list shows is then what it filters and sorts
    on.
    """
    queryset = queryset.annotate(
        light_next_due=F("next_open_due"),
        light_percent=F("latest_percent"),
        light_last_log=F("last_progress_date"),
        light_start=Coalesce("actual_start", "planned_start"),
        **threshold_values(),
    )
    if stored:
        return queryset
    return queryset.annotate(computed_light_reason=light_reason_expression(today))


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
    """The light of a project fetched through `annotate_light`, with its reason in words.

    The reason computed for the given day when the queryset computed one, else the stored one.
    """
    code = Reason(getattr(project, "computed_light_reason", None) or project.light_reason)
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
