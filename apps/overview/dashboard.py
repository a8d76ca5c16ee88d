"""The dashboard's figures, each with the link to the list behind it.

Each figure is read from a tally (apps/overview/tallies.py): a few rows per stage, chain, grade
or due date, moved by every write to the rows they count. Neither the number of queries nor
their cost depends on the number of projects. The areas' own rules (what is open, overdue, due
soon) filter the tally rows. Money is summed in 亿 (10^8) of the project's currency: the amount
times its unit's factor. Projects in US dollars are summed apart, never added to yuan.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.core import versions
from apps.core.links import url_with
from apps.core.models import Currency
from apps.goals.models import Goal, TargetStatus
from apps.projects.filters import Due
from apps.projects.models import Milestone, MilestoneRules, Stage
from apps.safety.models import HazardGrade, HazardRules

from .models import HazardTally, MilestoneTally, ProjectTally, TargetTally

SIX_BREAKTHROUGHS = "六个创新突破"
# Grey is "not assessed", as on the status light; "not started" is a known state, so it is not.
NOT_ASSESSED_COLOUR = "#adb5bd"
TARGET_STATUS_COLOURS = {
    TargetStatus.NOT_STARTED: "#6f42c1",
    TargetStatus.ON_TRACK: "#198754",
    TargetStatus.AT_RISK: "#ffc107",
    TargetStatus.OFF_TRACK: "#dc3545",
    TargetStatus.ACHIEVED: "#0d6efd",
    TargetStatus.NOT_ASSESSED: NOT_ASSESSED_COLOUR,
}
HAZARD_GRADE_COLOURS = {HazardGrade.GENERAL: "#ffc107", HazardGrade.MAJOR: "#dc3545"}


def _round(value) -> float:
    return float(round(Decimal(value or 0), 2))


@dataclass
class Bar:
    label: str
    value: float
    url: str
    extra: dict = field(default_factory=dict)


def projects_by_stage() -> list[Bar]:
    counts = dict(
        ProjectTally.objects.order_by()
        .values_list("stage")
        .annotate(n=Sum("projects"))
        .values_list("stage", "n")
    )
    projects = reverse("projects:project_list")
    return [
        Bar(
            str(stage.label),
            counts.get(stage.value, 0),
            url_with(projects, stage=stage.value),
            {"colour": NOT_ASSESSED_COLOUR} if stage == Stage.NOT_ASSESSED else {},
        )
        for stage in Stage
        if counts.get(stage.value)
    ]


def investment_by(group: str) -> list[Bar]:
    """Total and completed investment per chain or area, in 亿元 (and 亿美元 apart)."""
    if group not in {"chain", "area"}:
        raise ValueError(group)
    cny, usd = Q(currency=Currency.CNY), Q(currency=Currency.USD)
    rows = (
        ProjectTally.objects.order_by()
        .values(f"{group}_id", f"{group}__name")
        .annotate(
            n=Sum("projects"),
            cny_total=Sum("total", filter=cny),
            cny_done=Sum("done", filter=cny),
            usd_total=Sum("total", filter=usd),
            usd_done=Sum("done", filter=usd),
        )
    )
    projects = reverse("projects:project_list")
    bars = []
    for row in rows:
        if not row["n"]:
            continue  # every project of the group has moved on or gone
        key = row[f"{group}_id"]
        bars.append(
            Bar(
                row[f"{group}__name"] or _("未指定"),
                _round(row["cny_total"]),
                url_with(projects, **{group: key if key is not None else "null"}),
                {
                    "done": _round(row["cny_done"]),
                    "projects": row["n"],
                    "total_usd": _round(row["usd_total"]),
                    "done_usd": _round(row["usd_done"]),
                },
            )
        )
    bars.sort(key=lambda bar: (-bar.value, bar.label))
    return bars


def targets_by_goal() -> dict:
    """Targets per status for each goal of the 六个创新突破 plan: goals, statuses, counts, links."""
    goals = list(
        Goal.objects.filter(plan__name__contains=SIX_BREAKTHROUGHS)
        .order_by("plan__year", "plan_id", "order")
        .values("id", "order", "title")
    )
    counts = {
        (row["goal_id"], row["status"]): row["n"]
        for row in TargetTally.objects.filter(goal__plan__name__contains=SIX_BREAKTHROUGHS)
        .order_by()
        .values("goal_id", "status")
        .annotate(n=Sum("targets"))
    }
    targets = reverse("goals:target_list")
    rows = []
    for goal in goals:
        cells = [
            {
                "status": status.value,
                "label": str(status.label),
                "count": counts.get((goal["id"], status.value), 0),
                "url": url_with(targets, goal=goal["id"], status=status.value),
            }
            for status in TargetStatus
        ]
        rows.append(
            {
                "goal": goal,
                "cells": cells,
                "total": sum(cell["count"] for cell in cells),
                "url": url_with(targets, goal=goal["id"]),
            }
        )
    return {"rows": rows, "statuses": [(s.value, str(s.label)) for s in TargetStatus]}


def open_hazards_by_grade(today: datetime.date) -> list[Bar]:
    """Open hazards per grade, each bar also counting those whose rectification is overdue."""
    counts = {
        row["grade"]: row
        for row in HazardTally.objects.order_by()
        .values("grade")
        .annotate(
            n=Coalesce(Sum("hazards", filter=HazardRules.OPEN), 0),
            overdue=Coalesce(Sum("hazards", filter=HazardRules.overdue(today)), 0),
        )
    }
    hazards = reverse("safety:hazard_list")
    return [
        Bar(
            str(grade.label),
            counts.get(grade.value, {}).get("n", 0),
            url_with(hazards, grade=grade.value, status="open"),
            {
                "colour": HAZARD_GRADE_COLOURS[grade],
                "overdue": counts.get(grade.value, {}).get("overdue", 0),
            },
        )
        for grade in HazardGrade
    ]


def milestone_deadlines(today: datetime.date, sample: int = 5) -> dict:
    overdue, soon = MilestoneRules.overdue(today), MilestoneRules.due_soon(today)
    counts = MilestoneTally.objects.aggregate(
        overdue=Coalesce(Sum("milestones", filter=overdue), 0),
        next30=Coalesce(Sum("milestones", filter=soon), 0),
    )
    ordered = Milestone.objects.select_related("project").order_by("due_date", "id")
    milestones = reverse("projects:milestone_list")
    return {
        "overdue": counts["overdue"],
        "next30": counts["next30"],
        # The longest-overdue first; then what falls due soonest.
        "overdue_list": list(ordered.filter(overdue)[:sample]),
        "next30_list": list(ordered.filter(soon)[:sample]),
        "overdue_url": url_with(milestones, due=Due.OVERDUE),
        "next30_url": url_with(milestones, due=Due.NEXT30),
    }


def bar_chart(bars: list[Bar], label: str, colour: str = "#0d6efd") -> dict:
    return {
        "type": "bar",
        "data": {
            "labels": [bar.label for bar in bars],
            "datasets": [
                {
                    "label": label,
                    "data": [bar.value for bar in bars],
                    "backgroundColor": [bar.extra.get("colour", colour) for bar in bars],
                }
            ],
        },
        "options": {
            # Drawn at once: a dashboard read on a phone should not wait for bars to grow.
            "animation": False,
            "plugins": {"legend": {"display": False}},
            "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}},
        },
        "links": [bar.url for bar in bars],
    }


def investment_bars_chart(bars: list[Bar]) -> dict:
    return {
        "type": "bar",
        "data": {
            "labels": [bar.label for bar in bars],
            "datasets": [
                {
                    "label": _("总投资（亿元）"),
                    "data": [bar.value for bar in bars],
                    "backgroundColor": "#9ec5fe",
                },
                {
                    "label": _("已完成投资（亿元）"),
                    "data": [bar.extra["done"] for bar in bars],
                    "backgroundColor": "#0d6efd",
                },
            ],
        },
        "options": {"animation": False, "scales": {"y": {"beginAtZero": True}}},
        "links": [bar.url for bar in bars],
    }


def short(text: str, length: int = 9) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def goal_label(goal: dict) -> str:
    """'1. 振兴发展实体经济…' from '在振兴发展实体经济、打造现代产业体系上创新突破': fits a phone."""
    title = goal["title"].removeprefix("在").removesuffix("上创新突破")
    return f"{goal['order']}. {short(title)}"


def targets_chart(data: dict) -> dict:
    rows = data["rows"]
    return {
        "type": "bar",
        "data": {
            "labels": [goal_label(row["goal"]) for row in rows],
            "datasets": [
                {
                    "label": label,
                    "data": [row["cells"][index]["count"] for row in rows],
                    "backgroundColor": TARGET_STATUS_COLOURS[status],
                }
                for index, (status, label) in enumerate(data["statuses"])
            ],
        },
        "options": {
            # Drawn at once: a dashboard read on a phone should not wait for bars to grow.
            "animation": False,
            "indexAxis": "y",
            "scales": {
                "x": {"stacked": True, "beginAtZero": True, "ticks": {"precision": 0}},
                "y": {"stacked": True},
            },
        },
        "links": [row["url"] for row in rows],
        "datasetLinks": [
            [row["cells"][index]["url"] for row in rows] for index in range(len(data["statuses"]))
        ],
    }


def dashboard_context(today: datetime.date) -> dict:
    stages = projects_by_stage()
    chains = investment_by("chain")
    areas = investment_by("area")
    targets = targets_by_goal()
    hazards = open_hazards_by_grade(today)
    milestones = milestone_deadlines(today)
    return {
        "stages": stages,
        "stage_chart": bar_chart(stages, _("项目数")),
        "project_total": sum(bar.value for bar in stages),
        "investment_groups": [
            {
                "key": key,
                "title": title,
                "column": column,
                "bars": bars,
                "chart": investment_bars_chart(bars),
                "chart_id": f"{key}-chart",
            }
            for key, title, column, bars in (
                ("chain", _("投资（按产业链）"), _("产业链"), chains),
                ("area", _("投资（按园区/片区）"), _("园区/片区"), areas),
            )
        ],
        "has_usd": any(bar.extra["total_usd"] for bar in chains),
        "targets": targets,
        "targets_chart": targets_chart(targets),
        "hazards": hazards,
        "hazard_chart": bar_chart(hazards, _("未销号隐患")),
        "hazards_open": sum(bar.value for bar in hazards),
        "hazards_open_url": url_with(reverse("safety:hazard_list"), status="open"),
        "hazards_overdue": sum(bar.extra["overdue"] for bar in hazards),
        "hazards_overdue_url": url_with(reverse("safety:hazard_list"), overdue=1),
        "milestones": milestones,
        "milestone_boxes": [
            {
                "key": "overdue",
                "title": _("逾期未完成的节点"),
                "count": milestones["overdue"],
                "items": milestones["overdue_list"],
                "url": milestones["overdue_url"],
                "badge": "text-bg-danger",
                "empty": _("没有逾期节点。"),
            },
            {
                "key": "next30",
                "title": _("30天内到期的节点"),
                "count": milestones["next30"],
                "items": milestones["next30_list"],
                "url": milestones["next30_url"],
                "badge": "text-bg-warning",
                "empty": _("30天内没有到期的节点。"),
            },
        ],
        "today": today,
    }


# --- Kept between writes ----------------------------------------------------------------------
# The figures change only when one of these is written, so they are computed once per write (and
# per day and language), not per view: the dashboard's cost stops growing with the rows. Every
# save and delete of a watched model, committed, starts a new generation; the old entries expire.
# A write that bypasses the signals (a bulk insert) shows after CACHE_SECONDS at the latest.
CACHE_SECONDS = 600
GENERATION_KEY = "dashboard:generation"
WATCHED_MODELS = (
    "projects.Project",
    "projects.Milestone",
    "projects.ProgressLog",
    "goals.Goal",
    "goals.Target",
    "safety.Hazard",
    "org.IndustryChain",
    "org.Area",
)


def _generation() -> str:
    return versions.current(GENERATION_KEY)[0]


def _new_generation() -> None:
    versions.bump(GENERATION_KEY)


def figures_changed(**kwargs) -> None:
    """A watched row was written: the next view recomputes. Now, and again once the write is
    committed, since a view in between would cache figures without the uncommitted row."""
    _new_generation()
    transaction.on_commit(_new_generation)


def kept_dashboard_context(today: datetime.date) -> dict:
    key = f"dashboard:{_generation()}:{today.isoformat()}:{get_language()}"
    context = cache.get(key)
    if context is None:
        context = dashboard_context(today)
        cache.set(key, context, CACHE_SECONDS)
    return context


def connect_signals() -> None:
    for label in WATCHED_MODELS:
        model = apps.get_model(label)
        uid = f"dashboard-{model._meta.label_lower}"
        post_save.connect(figures_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(figures_changed, sender=model, dispatch_uid=f"{uid}-delete")
