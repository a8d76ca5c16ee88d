"""A dispatch tick costs in proportion to what is due, not to every deadline stored."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.reminders import services
from apps.reminders.models import Deadline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest")]


def make_deadlines(unit, count, *, due, start):
    now = timezone.now()
    Deadline.objects.bulk_create(
        Deadline(
            kind="milestone",
            object_id=start + n,
            title=f"deadline {start + n}",
            due_date=timezone.localdate() + timedelta(days=1 if due else 60),
            responsible_unit=unit,
            next_reminder_at=now - timedelta(minutes=1) if due else now + timedelta(days=30),
        )
        for n in range(count)
    )


def tick_queries() -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        result = services.dispatch()
    return len(captured), result.deadlines


def test_dispatch_query_count_does_not_grow_with_not_due_deadlines(policy, team):
    services.work_calendar()
    services.dispatch()  # the first dispatch ever creates its lease row
    make_deadlines(team["unit"], 5, due=True, start=1)
    make_deadlines(team["unit"], 10, due=False, start=100)
    small = tick_queries()

    Deadline.objects.filter(object_id__lt=100).update(
        next_reminder_at=timezone.now() - timedelta(minutes=1), last_dispatched_at=None
    )
    make_deadlines(team["unit"], 500, due=False, start=1000)
    large = tick_queries()

    assert small[1] == large[1] == 5
    assert small[0] == large[0]
