"""Fixtures for the reminder tests: a unit with a head and staff, an official, items, a clock."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.org.models import Person
from apps.projects.models import Stage
from apps.reminders import services
from apps.reminders.models import Job
from tests.factories import MilestoneFactory, UnitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int | None = None, minute: int = 0) -> datetime:
    """A moment on `day`; by default 09:05, a dispatch tick just after the send time."""
    if hour is None:
        hour, minute = 9, 5
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def holidays(db):
    services.calendar_load()


@pytest.fixture
def policy(db):
    return services.policy_get()


@pytest.fixture
def no_digest(db):
    """A digest job with no next run: the weekly digest stays out of a test about reminders."""
    Job.objects.create(name=services.DIGEST_JOB, next_run_at=None)


@pytest.fixture
def team(db, make_user):
    """A unit with a head and one member of staff, and a leading official in another unit."""
    unit = UnitFactory(name="投资促进局")
    leaders = UnitFactory(name="工委管委")
    staff = make_user("zhang", unit=unit, role=Person.Role.STAFF).person
    head = make_user("li", unit=unit, role=Person.Role.HEAD).person
    official = make_user("wang", unit=leaders, role=Person.Role.OFFICIAL).person
    unit.head = head
    unit.save(update_fields=["head"])
    return {"unit": unit, "staff": staff, "head": head, "official": official}


@pytest.fixture
def make_milestone(db, team):
    """make_milestone(due, title=...) -> a milestone of a project owned by the team's unit."""

    def make(due, *, unit=None, official=None, **fields):
        return MilestoneFactory(
            project__stage=Stage.UNDER_CONSTRUCTION,
            project__responsible_unit=unit or team["unit"],
            project__leading_official=official if official is not None else team["official"],
            due_date=due,
            **fields,
        )

    return make


@pytest.fixture
def clock():
    """clock(moment) freezes time at an aware datetime; returns the traveller to move it."""
    travellers = []

    def freeze(moment: datetime):
        for traveller in travellers:
            traveller.stop()
        travellers.clear()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return traveller

    yield freeze
    for traveller in travellers:
        traveller.stop()
