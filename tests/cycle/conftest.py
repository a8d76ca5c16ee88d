"""Fixtures for the reporting cycle: the office, two units' items and a frozen clock."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.org.models import Person
from apps.projects.models import Stage
from tests.factories import ProjectFactory, TargetFactory, UnitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday of ISO week 48; the default deadline is that Thursday at 17:00.
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    """clock(moment) freezes time at an aware datetime."""
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


@pytest.fixture
def office(make_user):
    return make_user("office", unit=UnitFactory(name="调度办公室"), role=Person.Role.OFFICE)


@pytest.fixture
def items(unit_a, unit_b):
    """Two open projects of unit A, one open target of unit B, one finished project."""
    behind = ProjectFactory(
        name="落后项目",
        stage=Stage.UNDER_CONSTRUCTION,
        responsible_unit=unit_a,
        planned_start=date(2026, 1, 1),
        planned_completion=date(2027, 1, 1),
    )
    steady = ProjectFactory(
        name="正常项目", stage=Stage.UNDER_CONSTRUCTION, responsible_unit=unit_a
    )
    target = TargetFactory(title="工业产值", responsible_unit=unit_b)
    done = ProjectFactory(name="已投产项目", stage=Stage.IN_PRODUCTION, responsible_unit=unit_a)
    return {"behind": behind, "steady": steady, "target": target, "done": done}
