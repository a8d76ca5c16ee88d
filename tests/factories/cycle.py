"""Reporting rounds, their submissions and the lights kept when a round closed."""

import datetime
from zoneinfo import ZoneInfo

import factory

from apps.core.rules import Light
from apps.cycle.models import (
    Cadence,
    ReportingRound,
    RoundLight,
    RoundState,
    Submission,
    period_label,
)

from .base import Factory
from .projects import ProjectFactory

# The Monday of ISO week 1 of 2026: round n opens n - 1 weeks later.
FIRST_MONDAY = datetime.datetime(2025, 12, 29, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class ReportingRoundFactory(Factory):
    """A weekly round of a week of its own, closed the day after its Thursday 17:00 deadline.

    Pass state=RoundState.OPEN (and closed_at=None) for the open one: only one may be open.
    """

    class Meta:
        model = ReportingRound

    opens_at = factory.Sequence(lambda n: FIRST_MONDAY + datetime.timedelta(weeks=n - 1))
    period = factory.LazyAttribute(lambda o: period_label(o.opens_at.date(), Cadence.WEEKLY))
    kind = Cadence.WEEKLY
    deadline = factory.LazyAttribute(lambda o: o.opens_at + datetime.timedelta(days=3, hours=8))
    state = RoundState.CLOSED
    closed_at = factory.LazyAttribute(
        lambda o: o.deadline + datetime.timedelta(days=1) if o.state == RoundState.CLOSED else None
    )


class SubmissionFactory(Factory):
    """A pending submission on a fresh project, owed by the project's unit.

    For a target: project=None, target=TargetFactory(...).
    """

    class Meta:
        model = Submission

    round = factory.SubFactory(ReportingRoundFactory)
    project = factory.SubFactory(ProjectFactory)
    target = None
    responsible_unit = factory.LazyAttribute(lambda o: (o.project or o.target).responsible_unit)


class RoundLightFactory(Factory):
    """A green light on a fresh project in a fresh closed round."""

    class Meta:
        model = RoundLight

    round = factory.SubFactory(ReportingRoundFactory)
    project = factory.SubFactory(ProjectFactory)
    target = None
    light = Light.GREEN
