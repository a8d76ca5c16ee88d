"""The dispatch task: a run of batches, each queuing the next, then one send task per chunk of
emails."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.reminders import tasks
from apps.reminders.models import Delivery, DeliveryStatus, Message
from tests.reminders.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest")]


@pytest.fixture
def sent_tasks(monkeypatch):
    """The message key lists send_emails is queued with, instead of a broker."""
    queued = []
    monkeypatch.setattr(tasks.send_emails, "delay", lambda keys: queued.append(keys))
    return queued


@pytest.fixture
def next_batches(monkeypatch):
    """The runs the dispatch task queues its next batch for, instead of a broker."""
    queued = []
    monkeypatch.setattr(tasks.dispatch, "delay", lambda run: queued.append(run))
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

    keys = [
        str(key) for key in Delivery.objects.order_by("pk").values_list("message_id", flat=True)
    ]
    assert (count, queued_before_commit) == (2, [])
    assert sent_tasks == [[keys[0]], [keys[1]]]


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
    assert set(Message.objects.values_list("status", "next_attempt_at")) == {
        (DeliveryStatus.PENDING, held_until)
    }


def test_dispatch_task_chains_batches_until_the_backlog_is_drained(
    settings,
    clock,
    policy,
    team,
    make_milestone,
    sent_tasks,
    next_batches,
    django_capture_on_commit_callbacks,
):
    settings.REMINDERS_BATCH_SIZE = 2
    clock(at(date(2025, 2, 1)))
    for n in range(5):
        make_milestone(date(2025, 3, 20) + timedelta(days=n % 2))
    clock(at(date(2025, 3, 14)))

    with django_capture_on_commit_callbacks(execute=True):
        counts = [tasks.dispatch()]
    while len(next_batches) >= len(counts):  # what a worker does with the queued batches
        with django_capture_on_commit_callbacks(execute=True):
            counts.append(tasks.dispatch(next_batches[len(counts) - 1]))

    # Five deadlines in batches of two: three batches, the last one queues the two emails.
    assert counts == [0, 0, 2]
    assert len(set(next_batches)) == 1
    assert len(sent_tasks) == 1
    keys = sent_tasks[0]
    rows = Delivery.objects.filter(message__in=keys)
    assert sorted(rows.values_list("recipient", flat=True)) == sorted(
        [team["staff"].pk] * 5 + [team["head"].pk] * 5
    )
    assert rows.in_state(DeliveryStatus.PENDING).count() == 10
    # The run is over: the next tick starts a new one and finds nothing due.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch() == 0
    assert len(sent_tasks) == 1


def test_dispatch_task_does_nothing_while_another_run_holds_the_lease(
    settings, two_due, sent_tasks, next_batches, django_capture_on_commit_callbacks
):
    from apps.reminders import services

    run = services.dispatch_lease(now=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch() == 0
    assert Delivery.objects.count() == 0
    # The holder goes on and finishes: its batch claims and queues both emails.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch(str(run)) == 2
    assert (len(sent_tasks), next_batches) == (1, [])
