"""A target's status light (green / yellow / red / grey), derived from its schedule, never typed.

The rules, checked in this order (the first that applies decides; "today" is the local date):

1. **Green** – the target's status is 已完成 (achieved). Done is done, with or without a deadline.
2. **Grey** – the status is 未评估 (not assessed): the document gives no state and nobody has
   checked in, so there is nothing to judge, whatever the schedule says.
3. **Grey** – no deadline (完成期限): there is no schedule to judge the target against.
4. **Red** – any of:
   a. the deadline has passed: ``deadline < today`` (on the deadline day itself it is not red yet);
   b. the target's status is 滞后 (off track). Each check-in sets the status, so this is what the
      latest check-in said (or what an editor set when no check-in exists yet);
   c. check-ins are missed: more than ``MISSED_CHECKIN_DAYS`` (60) days since the last check-in
      (``today - last > 60``; exactly 60 days is not missed yet);
   d. not started long after its start: the status is 未开始 and the start date is
      ``unstarted_months`` (default 3) whole months or more ago;
   e. time runs ahead of progress (序时进度, see 5b) by more than ``red_points`` (default 30).
5. **Yellow** – any of:
   a. the status is 存在风险 (at risk);
   b. time runs ahead of progress: the elapsed share of ``start_date → deadline`` exceeds the
      progress share ``(current − baseline) / (target − baseline)`` by more than
      ``yellow_points`` (a gap of exactly the threshold is not over it). Only
      judged when start date, baseline, target value and current value are all known, the
      deadline is after the start date and the target value differs from the baseline. The
      elapsed share is clamped to 0..1 (before the start date nothing has elapsed); the progress
      share is not clamped (a falling target such as energy use per unit works the same way,
      since both differences are negative). Exact fractions, no floating point. The thresholds
      (``yellow_points`` default 10, ``red_points`` default 30, ``unstarted_months`` default 3)
      are apps.core.models.LightThresholds, edited in the admin;
   c. a check-in is late: more than ``LATE_CHECKIN_DAYS`` (30) days since the last check-in.
6. **Green** – otherwise.

"Since the last check-in" counts from the date of the latest check-in; a target with none counts
from the day it began to be tracked: the later of its start date and the day it was entered
(``created_at``), so a target loaded today is not reported as having missed months of check-ins.
A start date in the future means nothing can be missed yet. The fixtures carry no timestamps, so a
target loaded from the document was entered when seed wrote it, not on a date the document gives.

Why 60/30 days: the zone reports on its targets monthly (月调度). One month without a report
(30 days) is a warning; two missed reports (60 days) mean nobody is following the target.

Computing a page of lights costs no query per row: ``with_light_inputs(queryset)`` annotates
each target with the date of its latest check-in (a subquery served by the index on
``(target, -date)``), and ``target_light`` reads only the row's own fields.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.models import LightThresholds, threshold_values
from apps.core.rules import Light

from .models import CheckIn, TargetStatus

MISSED_CHECKIN_DAYS = 60
LATE_CHECKIN_DAYS = 30
LAG_THRESHOLD = Fraction(LightThresholds.DEFAULT_YELLOW_POINTS, 100)


@dataclass(frozen=True)
class TargetLight:
    color: str  # one of Light.GREEN / YELLOW / RED / GREY
    reason: str

    @property
    def label(self) -> str:
        return str(Light(self.color).label)

    @property
    def css_class(self) -> str:
        return f"status-{self.color}"


def with_light_inputs(queryset: QuerySet) -> QuerySet:
    """Annotate targets with `last_checkin_on`, the date of their latest check-in (or None)."""
    latest = CheckIn.objects.filter(target=OuterRef("pk")).order_by("-date", "-id")
    return queryset.annotate(
        last_checkin_on=Subquery(latest.values("date")[:1]), **threshold_values()
    )


def _whole_months(start: date, today: date) -> int:
    """Whole months from `start` to `today`: a month counts once its day of the month is reached."""
    return (today.year - start.year) * 12 + today.month - start.month - (today.day < start.day)


def _share(numerator, denominator) -> Fraction:
    return Fraction(numerator) / Fraction(denominator)


def _percent(value: Fraction) -> str:
    return f"{round(value * 100)}%"


def compute_light(
    *,
    status: str,
    deadline: date | None,
    start_date: date | None,
    baseline: Decimal | None,
    target_value: Decimal | None,
    current_value: Decimal | None,
    last_checkin_on: date | None,
    tracked_since: date | None,
    today: date,
    yellow_points: int = LightThresholds.DEFAULT_YELLOW_POINTS,
    red_points: int = LightThresholds.DEFAULT_RED_POINTS,
    unstarted_months: int = LightThresholds.DEFAULT_UNSTARTED_MONTHS,
) -> TargetLight:
    """The light for one target's values; see the module docstring for the rules."""
    if status == TargetStatus.ACHIEVED:
        return TargetLight(Light.GREEN, _("已完成。"))
    if status == TargetStatus.NOT_ASSESSED:
        return TargetLight(Light.GREY, _("状态未评估：文件未给出其状态，也还没有人填报。"))
    if deadline is None:
        return TargetLight(Light.GREY, _("未设完成期限，无法按进度判断。"))
    if deadline < today:
        return TargetLight(
            Light.RED,
            _("完成期限 %(deadline)s 已过，仍未完成。") % {"deadline": deadline.isoformat()},
        )
    if status == TargetStatus.OFF_TRACK:
        return TargetLight(Light.RED, _("最近一次填报的状态为“滞后”。"))

    reference = last_checkin_on
    if reference is None:
        starts = [d for d in (start_date, tracked_since) if d is not None]
        reference = max(starts) if starts else None
    silent_days = (today - reference).days if reference is not None else 0
    if silent_days > MISSED_CHECKIN_DAYS:
        return TargetLight(
            Light.RED,
            ngettext(
                "已 %(days)d 天未填报（超过 %(limit)d 天）。",
                "已 %(days)d 天未填报（超过 %(limit)d 天）。",
                silent_days,
            )
            % {"days": silent_days, "limit": MISSED_CHECKIN_DAYS},
        )

    if (
        status == TargetStatus.NOT_STARTED
        and start_date is not None
        and _whole_months(start_date, today) >= unstarted_months
    ):
        return TargetLight(
            Light.RED,
            ngettext(
                "起算日期 %(date)s 已满 %(months)d 个月仍未开始。",
                "起算日期 %(date)s 已满 %(months)d 个月仍未开始。",
                unstarted_months,
            )
            % {"date": start_date.isoformat(), "months": unstarted_months},
        )
    lag = None
    if (
        start_date is not None
        and deadline > start_date
        and None not in (baseline, target_value, current_value)
        and target_value != baseline
    ):
        elapsed = _share((today - start_date).days, (deadline - start_date).days)
        elapsed = min(max(elapsed, Fraction(0)), Fraction(1))
        progress = _share(current_value - baseline, target_value - baseline)
        lag = elapsed - progress
    for light, points in ((Light.RED, red_points), (Light.YELLOW, yellow_points)):
        if lag is not None and lag > Fraction(points, 100):
            return TargetLight(
                light,
                _("时间已过 %(elapsed)s，完成进度 %(progress)s，落后超过 %(limit)d 个百分点。")
                % {
                    "elapsed": _percent(elapsed),
                    "progress": _percent(progress),
                    "limit": points,
                },
            )
    if status == TargetStatus.AT_RISK:
        return TargetLight(Light.YELLOW, _("最近一次填报的状态为“存在风险”。"))
    if silent_days > LATE_CHECKIN_DAYS:
        return TargetLight(
            Light.YELLOW,
            ngettext(
                "已 %(days)d 天未填报（超过 %(limit)d 天）。",
                "已 %(days)d 天未填报（超过 %(limit)d 天）。",
                silent_days,
            )
            % {"days": silent_days, "limit": LATE_CHECKIN_DAYS},
        )
    return TargetLight(Light.GREEN, _("按计划推进。"))


def target_light(target, *, today: date | None = None) -> TargetLight:
    """The light of a target fetched through `with_light_inputs` (no query of its own)."""
    if not hasattr(target, "last_checkin_on"):
        raise ValueError("Fetch targets through with_light_inputs() to compute their light.")
    return compute_light(
        status=target.status,
        deadline=target.deadline,
        start_date=target.start_date,
        baseline=target.baseline,
        target_value=target.target_value,
        current_value=target.current_value,
        last_checkin_on=target.last_checkin_on,
        tracked_since=timezone.localdate(target.created_at) if target.created_at else None,
        today=today or timezone.localdate(),
        yellow_points=target.light_yellow_points,
        red_points=target.light_red_points,
        unstarted_months=target.light_unstarted_months,
    )


def targets_with_light(queryset: QuerySet, color: str, *, today: date | None = None) -> QuerySet:
    """Restrict targets to those whose light is `color`, in one query over the candidates.

    The light is a rule in Python, not a column, so the candidates' few fields are read once and
    the matching ids are handed back as a filter the list can still sort and paginate.
    """
    today = today or timezone.localdate()
    rows = with_light_inputs(queryset.order_by()).values(
        "pk",
        "status",
        "deadline",
        "start_date",
        "baseline",
        "target_value",
        "current_value",
        "last_checkin_on",
        "created_at",
        "light_yellow_points",
        "light_red_points",
        "light_unstarted_months",
    )
    matching = [
        row["pk"]
        for row in rows
        if compute_light(
            status=row["status"],
            deadline=row["deadline"],
            start_date=row["start_date"],
            baseline=row["baseline"],
            target_value=row["target_value"],
            current_value=row["current_value"],
            last_checkin_on=row["last_checkin_on"],
            tracked_since=timezone.localdate(row["created_at"]) if row["created_at"] else None,
            today=today,
            yellow_points=row["light_yellow_points"],
            red_points=row["light_red_points"],
            unstarted_months=row["light_unstarted_months"],
        ).color
        == color
    ]
    return queryset.filter(pk__in=matching)
