"""Plans, goals, targets and their check-ins, indicators, evaluations, rankings and awards."""

from decimal import Decimal

import factory
from django.utils import timezone

from apps.goals.models import (
    Award,
    CheckIn,
    Evaluation,
    Event,
    Goal,
    Indicator,
    Measure,
    Plan,
    Ranking,
    Target,
    TargetStatus,
)

from .base import Factory

TEST_PLAN = "测试计划"


class PlanFactory(Factory):
    """A 2023 plan; asked for by an existing name, it is that plan."""

    class Meta:
        model = Plan
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"计划{n}")
    year = 2023


class GoalFactory(Factory):
    """A goal of the shared test plan (测试计划) unless another plan is given."""

    class Meta:
        model = Goal

    plan = factory.SubFactory(PlanFactory, name=TEST_PLAN)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"测试目标{n}")


class TargetFactory(Factory):
    """A target not started, under a fresh goal of the test plan."""

    class Meta:
        model = Target

    goal = factory.SubFactory(GoalFactory)
    title = factory.Sequence(lambda n: f"测试指标{n}")


class CheckInFactory(Factory):
    class Meta:
        model = CheckIn

    target = factory.SubFactory(TargetFactory)
    date = factory.LazyFunction(timezone.localdate)
    status = TargetStatus.ON_TRACK


class IndicatorFactory(Factory):
    class Meta:
        model = Indicator

    name = factory.Sequence(lambda n: f"统计{n}")
    value = Decimal("1")
    unit = "项"


class EvaluationFactory(Factory):
    class Meta:
        model = Evaluation

    name = factory.Sequence(lambda n: f"考核评价{n}")
    published_year = 2023
    data_year = 2022


class RankingFactory(Factory):
    class Meta:
        model = Ranking

    evaluation = factory.SubFactory(EvaluationFactory)
    subject = factory.Sequence(lambda n: f"排名{n}")
    rank = 1


class AwardFactory(Factory):
    class Meta:
        model = Award

    name = factory.Sequence(lambda n: f"荣誉{n}")


class EventFactory(Factory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"活动{n}")
    role = Event.Role.HELD


class MeasureFactory(Factory):
    class Meta:
        model = Measure

    name = factory.Sequence(lambda n: f"举措{n}")
    kind = Measure.Kind.INITIATIVE
