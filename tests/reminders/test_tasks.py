"""The beat tick's task: it claims through the service and queues one send task per batch."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.reminders import tasks
from apps.reminders.models import Delivery, DeliveryStatus
from tests.reminders.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest")]


@pytest.fixture
def sent_tasks(monkeypatch):
    """The id lists send_deliveries is queued with, instead of a broker."""
    queued = []
    monkeypatch.setattr(tasks.send_deliveries, "delay", lambda ids: queued.append(ids))
    return queued


@pytest.fixture
def two_due(clock, policy, team, make_milestone):
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))


def test_dispatch_task_queues_a_send_task_per_batch_after_the_commit(
    settings, two_due, sent_tasks, django_capture_on_commit_callbacks
):
    settings.REMINDERS_SEND_CHUNK = 1

    with django_capture_on_commit_callbacks() as callbacks:
        count = tasks.dispatch()
        queued_before_commit = list(sent_tasks)
    for callback in callbacks:
        callback()

    pending = sorted(Delivery.objects.values_list("pk", flat=True))
    assert (count, queued_before_commit) == (2, [])
    assert sent_tasks == [[pending[0]], [pending[1]]]


def test_dispatch_task_holds_queued_rows_until_the_claim_timeout(
    settings, two_due, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.dispatch()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.dispatch()

    held_until = timezone.now() + timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT_SECONDS)
    assert second == 0
    assert len(sent_tasks) == 1
    assert set(Delivery.objects.values_list("status", "next_attempt_at")) == {
        (DeliveryStatus.PENDING, held_until)
    }
