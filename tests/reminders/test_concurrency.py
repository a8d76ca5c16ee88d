"""Dispatch from two threads at once: each reminder is sent exactly once, each person gets one
email (PostgreSQL)."""

import threading
from datetime import time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from apps.reminders import services
from apps.reminders.models import Delivery, DeliveryStatus, Job, Policy
from tests.reminders.smtp import ids_of


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers on one file lock, so two threads never race; "
    "the race this test is about needs PostgreSQL's concurrent transactions",
)
def test_dispatch_concurrently_from_two_threads_sends_each_reminder_once(
    team, make_milestone, settings
):
    services.policy_get()
    # Sent at midnight on every day and all day long after it: whenever the test runs, it sends.
    Policy.objects.update(send_time=time(0, 0), working_days_only=False)
    settings.REMINDERS_SEND_WINDOW_MINUTES = 1440
    Job.objects.create(name=services.DIGEST_JOB, next_run_at=None)
    tomorrow = timezone.localdate() + timedelta(days=1)
    for n in range(20):
        make_milestone(tomorrow, title=f"并发节点{n}")
    expected = 40  # two owners each, in one email each

    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            for _ in range(3):
                services.send_pending()
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    emails = [ids_of(m) for m in mail.outbox]
    ids = [pk for email in emails for pk in email.split(",")]
    assert len(emails) == 2
    assert len(ids) == expected
    assert len(set(ids)) == expected
    assert Delivery.objects.in_state(DeliveryStatus.SENT).count() == expected
