"""The dashboard's tallies: its figures, kept per group as the rows they count are written.

Each row is one group of the table it counts, with the group's columns under the names the
source uses, so the areas' rules (HazardRules.overdue, MilestoneRules.due_soon) filter these
rows as they filter the source's. apps/overview/tallies.py says what each one counts; the
machinery is apps/core/tallies.py. Never typed: the admin does not show them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.tallies import TallyRow
from apps.goals.models import TargetStatus
from apps.projects.models import Stage
from apps.safety.models import HazardGrade, HazardStatus

# Sums in 亿 of the currency: converted_money's precision, and room for a province's total.
AMOUNT = {"max_digits": 28, "decimal_places": 8, "default": 0}


class ProjectTally(TallyRow):
    stage = models.CharField(max_length=20, choices=Stage.choices)
    chain = models.ForeignKey(
        "org.IndustryChain", null=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    area = models.ForeignKey(
        "org.Area", null=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    currency = models.CharField(max_length=3)
    projects = models.BigIntegerField(default=0)
    total = models.DecimalField(**AMOUNT)
    done = models.DecimalField(**AMOUNT)

    class Meta:
        verbose_name = _("总览汇总：项目")


class MilestoneTally(TallyRow):
    """Open milestones per due date (done_date is always empty here: it is what "open" reads)."""

    due_date = models.DateField(null=True)
    done_date = models.DateField(null=True)
    milestones = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("总览汇总：节点")


class HazardTally(TallyRow):
    """Open hazards per grade, status and rectification deadline."""

    grade = models.CharField(max_length=10, choices=HazardGrade.choices)
    status = models.CharField(max_length=12, choices=HazardStatus.choices)
    rectification_deadline = models.DateField(null=True)
    hazards = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("总览汇总：隐患")


class TargetTally(TallyRow):
    goal = models.ForeignKey("goals.Goal", on_delete=models.DO_NOTHING, db_constraint=False)
    status = models.CharField(max_length=12, choices=TargetStatus.choices)
    targets = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("总览汇总：指标")
