"""Shared fixtures: units, people and logins with the roles the permission rules know."""

import pytest

from apps.org.models import Person, Unit, User


@pytest.fixture
def make_user(db):
    """make_user("alice", unit=unit, role=Person.Role.STAFF) -> a User linked to a Person."""

    def make(username, *, unit=None, role=Person.Role.STAFF, password="pw-Zone-2023!", **extra):
        user = User.objects.create_user(
            username=username, email=f"{username}@example.org", password=password, **extra
        )
        if unit is not None:
            Person.objects.create(name=username, unit=unit, role=role, user=user, email=user.email)
        return user

    return make


@pytest.fixture
def unit_a(db):
    return Unit.objects.create(name="甲单位")


@pytest.fixture
def unit_b(db):
    return Unit.objects.create(name="乙单位")


@pytest.fixture
def staff_a(make_user, unit_a):
    return make_user("staff_a", unit=unit_a)


@pytest.fixture
def staff_b(make_user, unit_b):
    return make_user("staff_b", unit=unit_b)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "pw-Zone-2023!")


@pytest.fixture
def target_factory(db):
    """target_factory(unit=unit_a, **fields) -> a Target under a fresh plan and goal."""
    from apps.goals.models import Goal, Plan, Target

    counter = {"n": 0}

    def make(*, unit=None, goal=None, **fields):
        counter["n"] += 1
        n = counter["n"]
        if goal is None:
            plan, _ = Plan.objects.get_or_create(name="测试计划", defaults={"year": 2023})
            goal = Goal.objects.create(plan=plan, order=n, title=f"测试目标{n}")
        fields.setdefault("title", f"测试指标{n}")
        return Target.objects.create(goal=goal, responsible_unit=unit, **fields)

    return make


@pytest.fixture
def hazard_factory(db):
    """hazard_factory(unit=unit_a, **fields) -> a Hazard found at a shared test site."""
    from datetime import date

    from apps.safety.models import Hazard, Site

    counter = {"n": 0}

    def make(*, unit=None, site=None, **fields):
        counter["n"] += 1
        if site is None:
            site, _ = Site.objects.get_or_create(name="测试监管区域")
        fields.setdefault("description", f"测试隐患{counter['n']}")
        fields.setdefault("found_date", date(2023, 3, 1))
        return Hazard.objects.create(site=site, responsible_unit=unit, **fields)

    return make
