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
