"""Due and missing submissions go through the reminder pipeline like every other deadline."""

from datetime import date

import pytest

from apps.cycle import services
from apps.reminders import services as reminders
from apps.reminders.models import Deadline, Delivery, DeliveryKind, Job
from tests.cycle.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_digest(db):
    Job.objects.create(name=reminders.DIGEST_JOB, next_run_at=None)


def delivered(kind):
    return sorted(
        (delivery.deadline.title, delivery.recipient.name)
        for delivery in Delivery.objects.filter(
            kind=kind, deadline__kind="submission"
        ).select_related("deadline", "recipient")
    )


def test_due_and_missing_submissions_are_reminded_until_sent(
    clock, no_digest, office, staff_a, staff_b, items
):
    clock(MONDAY)
    round_ = services.round_open(user=office).round
    deadlines = Deadline.objects.filter(kind="submission")
    assert deadlines.count() == 3
    assert {d.due_date for d in deadlines} == {date(2026, 11, 26)}
    assert all(d.is_open for d in deadlines)

    # Unit A sends one of its two reports on Wednesday; that deadline closes.
    clock(at(date(2026, 11, 25), 10))
    sent = round_.submissions.get(project=items["behind"])
    services.submission_submit(
        user=staff_a,
        submission=sent,
        version=sent.version,
        progress="已开工",
        investment_completed=None,
        problems="",
        help_requested="",
    )
    assert Deadline.objects.get(kind="submission", object_id=sent.pk).is_open is False

    # On the deadline day the two missing reports are reminded to their units' staff.
    clock(at(date(2026, 11, 26), 9, 5))
    reminders.send_pending()
    assert delivered(DeliveryKind.DUE) == [
        ("2026-W48 填报：工业产值", "staff_b"),
        ("2026-W48 填报：正常项目", "staff_a"),
    ]

    # A week late, still missing: an overdue reminder, as for any other deadline.
    clock(at(date(2026, 12, 3), 9, 5))
    reminders.send_pending()
    assert [title for title, _name in delivered(DeliveryKind.OVERDUE)] == [
        "2026-W48 填报：工业产值",
        "2026-W48 填报：正常项目",
    ]

    # Closing the round ends the reminders: nothing is owed any more.
    services.round_close(user=office, round_=round_)
    assert not Deadline.objects.filter(kind="submission", is_open=True).exists()


def test_returned_submission_is_due_again(clock, no_digest, office, staff_a, items):
    clock(MONDAY)
    round_ = services.round_open(user=office).round
    submission = round_.submissions.get(project=items["behind"])
    services.submission_submit(
        user=staff_a,
        submission=submission,
        version=submission.version,
        progress="初稿",
        investment_completed=None,
        problems="",
        help_requested="",
    )
    submission.refresh_from_db()
    services.submission_return(
        user=office, submission=submission, version=submission.version, reason="补充"
    )
    assert Deadline.objects.get(kind="submission", object_id=submission.pk).is_open is True
