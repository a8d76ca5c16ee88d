"""What the dashboard's tallies count (the rows are apps/overview/models.py)."""

from decimal import Decimal

from django.db.models import DecimalField, Value
from django.db.models.functions import Coalesce

from apps.core import tallies
from apps.core.models import converted_money
from apps.goals.models import Target
from apps.projects.models import Milestone, MilestoneRules, Project
from apps.safety.models import Hazard, HazardRules

from .models import HazardTally, MilestoneTally, ProjectTally, TargetTally

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=28, decimal_places=8))

PROJECTS = tallies.Tally(
    model=ProjectTally,
    source=Project,
    group=("stage", "chain_id", "area_id", "currency"),
    sums={
        "projects": Value(1),
        # A project's latest investment completed is a column of its own (refresh_progress).
        "total": Coalesce(converted_money("total_investment", "investment_unit"), ZERO),
        "done": Coalesce(
            converted_money("latest_investment_completed", "latest_investment_unit"), ZERO
        ),
    },
)
MILESTONES = tallies.Tally(
    model=MilestoneTally,
    source=Milestone,
    group=("due_date", "done_date"),
    sums={"milestones": Value(1)},
    where=MilestoneRules.OPEN,
)
HAZARDS = tallies.Tally(
    model=HazardTally,
    source=Hazard,
    group=("grade", "status", "rectification_deadline"),
    sums={"hazards": Value(1)},
    where=HazardRules.OPEN,
)
TARGETS = tallies.Tally(
    model=TargetTally,
    source=Target,
    group=("goal_id", "status"),
    sums={"targets": Value(1)},
)
ALL = (PROJECTS, MILESTONES, HAZARDS, TARGETS)


def register() -> None:
    for tally in ALL:
        tallies.register(tally)
