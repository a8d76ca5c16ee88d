"""The move of the sending state from Delivery rows to Message rows keeps every email's state."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reminders", "0006_delivery_message_key_and_dispatch_lease")]
AFTER = [("reminders", "0009_delivery_sending_state_on_message")]
WHEN = datetime(2025, 3, 13, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_carries_emails_over_with_their_state():
    old = migrate(BEFORE)
    Person, Unit = old.get_model("org", "Person"), old.get_model("org", "Unit")
    Deadline, Delivery = (
        old.get_model("reminders", "Deadline"),
        old.get_model("reminders", "Delivery"),
    )
    unit = Unit.objects.create(name="投资促进局")
    person = Person.objects.create(name="zhang", unit=unit, email="zhang@example.org")
    deadline = Deadline.objects.create(kind="milestone", object_id=1, title="开工")
    pending, sent, sending = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def row(day, status, key, **fields):
        return Delivery.objects.create(
            deadline=deadline,
            recipient=person,
            kind="lead",
            rung_date=date(2025, 3, day),
            status=status,
            message_key=key,
            next_attempt_at=WHEN,
            **fields,
        ).pk

    waiting = [row(1, "pending", pending), row(2, "pending", pending)]
    skipped = row(3, "skipped", pending, last_error="closed before sending")
    sent_row = row(4, "sent", sent, attempts=2, sent_at=WHEN, email="zhang@example.org")
    claimed = row(5, "sending", sending, attempts=1, claimed_at=WHEN, claim_token=uuid.uuid4())
    old_sent = row(6, "sent", None, sent_at=WHEN - timedelta(days=30), subject="【工作提醒】")
    again = row(7, "pending", None)

    new = migrate(AFTER)
    Delivery, Message = (
        new.get_model("reminders", "Delivery"),
        new.get_model("reminders", "Message"),
    )
    rows = {d.pk: d for d in Delivery.objects.all()}
    emails = {m.pk: m for m in Message.objects.all()}

    assert {rows[pk].message_id for pk in [*waiting, skipped]} == {pending}
    assert [rows[pk].status for pk in [*waiting, skipped]] == ["pending", "pending", "skipped"]
    assert (emails[pending].status, emails[pending].attempts) == ("pending", 0)
    assert (emails[sent].status, emails[sent].attempts, emails[sent].sent_at) == ("sent", 2, WHEN)
    assert emails[sent].email == "zhang@example.org"
    assert (rows[claimed].status, emails[sending].status, emails[sending].claimed_at) == (
        "pending",
        "sending",
        WHEN,
    )
    history = emails[rows[old_sent].message_id]
    assert (history.status, history.subject, history.sent_at) == (
        "sent",
        "【工作提醒】",
        WHEN - timedelta(days=30),
    )
    assert (rows[again].status, rows[again].message_id) == ("pending", None)
    assert sent_row in rows and len(emails) == 4
