"""The 调度 board: one page for the scheduling meeting, and the units' 红黑榜.

Reds first, then yellows, grouped by park, chain or unit (?by=park|chain|unit); each item's
light this round against the last closed round, its red streak, when a red turned yellow, and
the problems and help its unit raised this round. A fixed number of queries, whatever the size.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.rules import Light
from apps.supervision.models import SupervisionOrder

from .models import Punctuality, ReportingRound, RoundLight, Submission, SubmissionState
from .services import current_lights

# How many closed rounds back a streak is counted, and how long a red is a streak.
HISTORY_ROUNDS = 6
STREAK = 3
GROUPINGS = {
    "park": gettext_lazy("按园区"),
    "chain": gettext_lazy("按产业链"),
    "unit": gettext_lazy("按责任单位"),
}
SHOWN = (Light.RED, Light.YELLOW)


@dataclass
class BoardItem:
    submission: Submission
    light: str
    reason: str
    previous: str | None  # the light in the last closed round, None if it was not in it
    streak: int  # rounds running red, this one included
    turned_yellow_in: str | None  # the period in which the last red turned yellow

    @property
    def item(self):
        return self.submission.item

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label)

    @property
    def previous_label(self) -> str:
        return str(Light(self.previous).label) if self.previous else "—"

    @property
    def changed(self) -> bool:
        return self.previous is not None and self.previous != self.light

    @property
    def is_streak(self) -> bool:
        return self.light == Light.RED and self.streak >= STREAK


@dataclass
class Group:
    key: str
    name: str
    link: str
    items: list = field(default_factory=list)

    @property
    def reds(self) -> int:
        return sum(1 for item in self.items if item.light == Light.RED)

    @property
    def yellows(self) -> int:
        return sum(1 for item in self.items if item.light == Light.YELLOW)


@dataclass
class UnitRank:
    unit_id: int | None
    name: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    reds_cleared: int = 0
    orders_overdue: int = 0
    rank: int = 0

    @property
    def on_time_percent(self) -> int:
        return round(self.on_time * 100 / self.due) if self.due else 0


def _key(submission) -> tuple[str, int]:
    return ("p", submission.project_id) if submission.project_id else ("t", submission.target_id)


def _group_of(submission, by: str) -> tuple[str, str, str]:
    """(key, name, link to the rows) of the submission's group."""
    project = submission.project
    if by == "unit":
        unit = submission.responsible_unit
        if unit is None:
            return "", _("未指定责任单位"), ""
        return (
            f"u{unit.pk}",
            unit.name,
            reverse("projects:project_list") + "?" + urlencode({"unit": unit.pk}),
        )
    related = getattr(project, "area" if by == "park" else "chain", None) if project else None
    if related is None:
        return "", _("未归属园区") if by == "park" else _("未归属产业链"), ""
    param = "area" if by == "park" else "chain"
    return (
        f"{param}{related.pk}",
        related.name,
        reverse("projects:project_list") + "?" + urlencode({param: related.pk}),
    )


def _streak_and_turn(now: str, history: list[tuple[str, str | None]]) -> tuple[int, str | None]:
    """history: [(period, light or None)] of the closed rounds, newest first."""
    sequence = [("", now), *history]
    streak = 0
    for _period, light in sequence:
        if light != Light.RED:
            break
        streak += 1
    turned = None
    for (period, light), (_older, before) in zip(sequence, sequence[1:], strict=False):
        if light == Light.YELLOW and before == Light.RED:
            turned = period or None
            break
    return streak, turned


def board_round() -> ReportingRound | None:
    """The round the board shows: the open one, else the last closed one."""
    return (
        ReportingRound.objects.open().first()
        or ReportingRound.objects.closed().order_by("-opens_at", "-id").first()
    )


def board_data(*, by: str = "park", round_: ReportingRound | None = None) -> dict:
    by = by if by in GROUPINGS else "park"
    now = timezone.now()
    current = round_ or board_round()
    if current is None:
        return {"round": None, "by": by}
    history_rounds = list(
        ReportingRound.objects.closed()
        .filter(opens_at__lt=current.opens_at)
        .order_by("-opens_at", "-id")[:HISTORY_ROUNDS]
    )
    previous = history_rounds[0] if history_rounds else None
    submissions = list(
        Submission.objects.with_related()
        .select_related("project__responsible_unit", "target__responsible_unit")
        .filter(round=current)
        .order_by("id")
    )
    if current.is_open:
        lights = current_lights(
            project_ids=[s.project_id for s in submissions if s.project_id],
            target_ids=[s.target_id for s in submissions if s.target_id],
            today=timezone.localdate(now),
        )
    else:
        lights = {
            (("p", row.project_id) if row.project_id else ("t", row.target_id)): (
                row.light,
                row.reason,
            )
            for row in RoundLight.objects.filter(round=current)
        }
    past: dict[int, dict] = defaultdict(dict)
    for row in RoundLight.objects.filter(round__in=history_rounds).only(
        "round_id", "project_id", "target_id", "light"
    ):
        key = ("p", row.project_id) if row.project_id else ("t", row.target_id)
        past[row.round_id][key] = row.light

    groups: dict[str, Group] = {}
    items: list[BoardItem] = []  # every item, whatever its light (the report lists them all)
    ranks: dict[int | None, UnitRank] = {}
    counts = {Light.RED: 0, Light.YELLOW: 0, Light.GREEN: 0, Light.GREY: 0}
    for submission in submissions:
        key = _key(submission)
        light, reason = lights.get(key, (Light.GREY, ""))
        counts[light] = counts.get(light, 0) + 1
        history = [(r.period, past[r.pk].get(key)) for r in history_rounds]
        streak, turned = _streak_and_turn(light, history)
        before = past[previous.pk].get(key) if previous else None
        unit = submission.responsible_unit
        rank = ranks.setdefault(
            unit.pk if unit else None,
            UnitRank(unit.pk if unit else None, unit.name if unit else _("未指定责任单位")),
        )
        rank.due += 1
        punctuality = submission.punctuality(now)
        rank.on_time += punctuality == Punctuality.ON_TIME
        rank.late += punctuality == Punctuality.LATE
        rank.missing += punctuality == Punctuality.MISSING
        if before == Light.RED and light != Light.RED:
            rank.reds_cleared += 1
        items.append(BoardItem(submission, light, reason, before, streak, turned))
        if light not in SHOWN:
            continue
        group_key, name, link = _group_of(submission, by)
        group = groups.setdefault(group_key, Group(group_key, name, link))
        group.items.append(items[-1])

    order = {Light.RED: 0, Light.YELLOW: 1}
    for group in groups.values():
        group.items.sort(key=lambda item: (order[item.light], -item.streak, str(item.item)))
    ordered = sorted(groups.values(), key=lambda g: (-g.reds, -g.yellows, g.key == "", g.name))
    # Overdue 督办 orders count against their unit: awaiting an answer past their response
    # deadline, as they stand when the board is made (the round's deadline day for a closed round).
    day = timezone.localdate(now) if current.is_open else timezone.localdate(current.deadline)
    overdue = (
        SupervisionOrder.objects.overdue(day)
        .filter(unit_id__in=[unit_id for unit_id in ranks if unit_id is not None])
        .values("unit_id")
        .annotate(n=Count("id"))
    )
    for row in overdue:
        ranks[row["unit_id"]].orders_overdue = row["n"]
    ranking = sorted(
        ranks.values(),
        key=lambda r: (
            -r.on_time_percent,
            -r.reds_cleared,
            r.orders_overdue,
            r.missing + r.late,
            r.name,
        ),
    )
    for position, rank in enumerate(ranking, start=1):
        rank.rank = position
    return {
        "round": current,
        "previous": previous,
        "by": by,
        "groups": ordered,
        "counts": counts,
        "ranking": ranking,
        "items": items,
        "history_rounds": history_rounds,
        "streak": STREAK,
        "problems": [
            s
            for s in submissions
            if s.state != SubmissionState.PENDING and (s.problems or s.help_requested)
        ],
    }


def board_view(request):
    data = board_data(by=request.GET.get("by", "park"))
    data["title"] = _("调度会看板")
    data["groupings"] = list(GROUPINGS.items())
    data["project_list"] = reverse("projects:project_list")
    data["target_list"] = reverse("goals:target_list")
    return render(request, "cycle/board.html", data)
