"""One hazard, milestone or target reads the same everywhere: its list's filter, its own page's
badge, my work, the dashboard's counts, the export, the reminder registry and the calendar feed.

Each case is an edge of the rules: due today, rectified on the deadline day, rectified late,
waiting for verification, reopened after a rejected rectification, done or achieved.
"""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from apps.goals.models import TargetStatus
from apps.reminders import services as reminders
from apps.reminders.models import Deadline
from apps.safety.models import HazardStatus
from tests.factories import MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 14)  # a Friday


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2024-06-14 10:00 +0800", tick=False):
        yield


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def _csv_first_column(response) -> list[str]:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[0] for row in rows[1:]]


def _my_work(client, user) -> dict[str, list[str]]:
    client.force_login(user)
    context = client.get(reverse("my_work")).context
    found = {section["key"]: [i.title for i in section["items"]] for section in context["sections"]}
    found["verify"] = [item.title for item in context["to_verify"]]
    return found


def _bucket(found: dict[str, list[str]], title: str) -> str | None:
    buckets = [key for key, titles in found.items() if title in titles]
    assert len(buckets) <= 1, buckets
    return buckets[0] if buckets else None


def _calendar_titles(client, user) -> list[str]:
    preference = reminders.preference_get(person=user.person)
    body = client.get(reverse("reminders:calendar_feed", args=[preference.calendar_token]))
    return body.content.decode()


HAZARD_CASES = [
    # (name, fields, overdue, my-work bucket of the unit's staff, reminded)
    ("due today", {"rectification_deadline": TODAY}, False, "soon", True),
    ("a day late", {"rectification_deadline": days(-1)}, True, "overdue", True),
    (
        "rectified on the deadline day",
        {
            "rectification_deadline": days(-2),
            "status": HazardStatus.RECTIFIED,
            "rectified_on": days(-2),
        },
        False,
        "verify",
        False,
    ),
    (
        "rectified late",
        {
            "rectification_deadline": days(-5),
            "status": HazardStatus.RECTIFIED,
            "rectified_on": days(-1),
        },
        False,
        "verify",
        False,
    ),
    (
        "reopened after the deadline",
        {"rectification_deadline": days(-3), "status": HazardStatus.RECTIFYING},
        True,
        "overdue",
        True,
    ),
]


@pytest.mark.parametrize(
    ("name", "fields", "overdue", "bucket", "reminded"),
    HAZARD_CASES,
    ids=[case[0] for case in HAZARD_CASES],
)
def test_hazard_reads_the_same_everywhere(
    client, staff_a, unit_a, hazard_factory, name, fields, overdue, bucket, reminded
):
    hazard = hazard_factory(unit=unit_a, description=f"隐患：{name}", **fields)
    hazards = reverse("safety:hazard_list")

    listed = client.get  # the same client, signed in below
    client.force_login(staff_a)
    in_list = [row.record.pk for row in listed(hazards, {"overdue": "1"}).context["table"].rows]
    exported = _csv_first_column(listed(hazards, {"overdue": "1", "_export": "csv"}))
    dashboard = listed(reverse("dashboard")).context["hazards_overdue"]
    page = listed(hazard.get_absolute_url()).context["overdue"]
    deadline = Deadline.objects.get(kind="hazard", object_id=hazard.pk)

    assert hazard.is_overdue(TODAY) is overdue
    assert (hazard.pk in in_list) is overdue
    assert (hazard.description in exported) is overdue
    assert dashboard == (1 if overdue else 0)
    assert page is overdue
    assert deadline.is_open is reminded
    assert (f"hazard-{hazard.pk}@" in _calendar_titles(client, staff_a)) is reminded
    assert _bucket(_my_work(client, staff_a), hazard.description) == bucket
    assert hazard.rectified_late is (name == "rectified late")


MILESTONE_CASES = [
    ("due today", {"due_date": TODAY}, False, "soon", True),
    ("a day late", {"due_date": days(-1)}, True, "overdue", True),
    ("done late", {"due_date": days(-3), "done_date": days(-1)}, False, None, False),
]


@pytest.mark.parametrize(
    ("name", "fields", "overdue", "bucket", "is_open"),
    MILESTONE_CASES,
    ids=[case[0] for case in MILESTONE_CASES],
)
def test_milestone_reads_the_same_everywhere(
    client, staff_a, unit_a, name, fields, overdue, bucket, is_open
):
    milestone = MilestoneFactory(
        project=ProjectFactory(responsible_unit=unit_a), title=name, **fields
    )
    milestones = reverse("projects:milestone_list")
    client.force_login(staff_a)

    in_list = client.get(milestones, {"due": "overdue"}).context["table"].rows
    exported = client.get(milestones, {"due": "overdue", "_export": "csv"}).content.decode()
    dashboard = client.get(reverse("dashboard")).context["milestones"]["overdue"]
    deadline = Deadline.objects.get(kind="milestone", object_id=milestone.pk)

    assert milestone.is_overdue(TODAY) is overdue
    assert (milestone.pk in [row.record.pk for row in in_list]) is overdue
    assert (name in exported) is overdue
    assert dashboard == (1 if overdue else 0)
    assert milestone.is_open is is_open
    assert deadline.is_open is is_open
    assert (f"milestone-{milestone.pk}@" in _calendar_titles(client, staff_a)) is is_open
    assert _bucket(_my_work(client, staff_a), name) == bucket


TARGET_CASES = [
    ("due today", {"deadline": TODAY}, False, "soon", True),
    ("a day late", {"deadline": days(-1)}, True, "overdue", True),
    ("achieved late", {"deadline": days(-1), "status": TargetStatus.ACHIEVED}, False, None, False),
]


@pytest.mark.parametrize(
    ("name", "fields", "overdue", "bucket", "is_open"),
    TARGET_CASES,
    ids=[case[0] for case in TARGET_CASES],
)
def test_target_reads_the_same_everywhere(
    client, staff_a, unit_a, target_factory, name, fields, overdue, bucket, is_open
):
    target = target_factory(unit=unit_a, title=f"指标：{name}", **fields)
    client.force_login(staff_a)
    deadline = Deadline.objects.get(kind="target", object_id=target.pk)
    zone_overdue = type(target).objects.overdue(TODAY)

    assert target.is_overdue(TODAY) is overdue
    assert (target in zone_overdue) is overdue
    assert target.is_open is is_open
    assert deadline.is_open is is_open
    assert (f"target-{target.pk}@" in _calendar_titles(client, staff_a)) is is_open
    assert _bucket(_my_work(client, staff_a), target.title) == bucket
