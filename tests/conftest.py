"""Shared fixtures: units, people and logins with the roles the permission rules know.

They are built by the factories in tests/factories/, which new tests can use directly.
"""

import pytest
from django.core.cache import cache

from apps.org.models import Person
from tests.factories import (
    PASSWORD,
    HazardFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
    reset_sequences,
)


@pytest.fixture(autouse=True)
def _factory_sequences():
    reset_sequences()


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """What one test cached (the dashboard's figures, say) is neither another test's nor another
    test run's: each test gets an empty cache in this process, whatever the settings share."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    cache.clear()


@pytest.fixture
def make_user(db):
    """make_user("alice", unit=unit, role=Person.Role.STAFF) -> a User linked to a Person."""

    def make(username, *, unit=None, role=Person.Role.STAFF, password=PASSWORD, **extra):
        return UserFactory(username=username, unit=unit, role=role, password=password, **extra)

    return make


@pytest.fixture
def unit_a(db):
    return UnitFactory(name="甲单位")


@pytest.fixture
def unit_b(db):
    return UnitFactory(name="乙单位")


@pytest.fixture
def staff_a(make_user, unit_a):
    return make_user("staff_a", unit=unit_a)


@pytest.fixture
def staff_b(make_user, unit_b):
    return make_user("staff_b", unit=unit_b)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", superuser=True)


@pytest.fixture
def target_factory(db):
    """target_factory(unit=unit_a, **fields) -> a Target under a fresh goal of the test plan."""

    def make(*, unit=None, goal=None, **fields):
        if goal is not None:
            fields["goal"] = goal
        return TargetFactory(responsible_unit=unit, **fields)

    return make


@pytest.fixture
def hazard_factory(db):
    """hazard_factory(unit=unit_a, **fields) -> a Hazard found at the shared test site."""

    def make(*, unit=None, site=None, **fields):
        if site is not None:
            fields["site"] = site
        return HazardFactory(responsible_unit=unit, **fields)

    return make
