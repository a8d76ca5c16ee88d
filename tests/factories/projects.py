"""Key projects with their phases, milestones, shops and progress logs, and portfolios."""

import factory
from django.utils import timezone

from apps.projects.models import (
    Milestone,
    Portfolio,
    ProgressLog,
    Project,
    ProjectKind,
    ProjectPhase,
    Shop,
    Stage,
)

from .base import Factory


class PortfolioFactory(Factory):
    class Meta:
        model = Portfolio

    name = factory.Sequence(lambda n: f"项目汇总{n}")


class ProjectFactory(Factory):
    """An industrial project at the signed stage, owned by no unit unless one is given."""

    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"测试项目{n}")
    kind = ProjectKind.INDUSTRIAL
    stage = Stage.SIGNED


class ProjectPhaseFactory(Factory):
    class Meta:
        model = ProjectPhase

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"{n}期")
    stage = Stage.STARTED


class ShopFactory(Factory):
    class Meta:
        model = Shop

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"店面{n}")


class MilestoneFactory(Factory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"测试节点{n}")


class ProgressLogFactory(Factory):
    """A progress log of today (the frozen day where a test freezes time)."""

    class Meta:
        model = ProgressLog

    project = factory.SubFactory(ProjectFactory)
    date = factory.LazyFunction(timezone.localdate)
    text = "按计划推进"
