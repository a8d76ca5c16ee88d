"""One Message row per email carries the sending state its Delivery rows carried each.

The rows of one email (one message_key) become a Message with their common status, address,
subject, attempts and claim; a pending or sending email stays so and goes out exactly once,
under the same Message-ID. A row sent, failed or skipped before emails had keys keeps its
history in an email of its own. Rows sent again from the admin and not yet grouped wait, as
before, for the next dispatch to put them in an email.
"""

import uuid

from django.db import migrations
from django.db.models import F

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
# The email's status, from the statuses of its rows: what went out wins.
PRECEDENCE = [SENT, SENDING, PENDING, FAILED, SKIPPED]
FIELDS = [
    "pk",
    "recipient_id",
    "kind",
    "status",
    "message_key",
    "email",
    "cc",
    "subject",
    "attempts",
    "next_attempt_at",
    "claim_token",
    "claimed_at",
    "sent_at",
    "last_error",
    "created_at",
]


def _message(Message, key, rows):
    statuses = {row["status"] for row in rows}
    status = next(s for s in PRECEDENCE if s in statuses)
    main = [row for row in rows if row["status"] == status]
    first = max(main, key=lambda row: (row["sent_at"] is not None, row["sent_at"] or 0, row["pk"]))
    return Message(
        message_key=key,
        recipient_id=first["recipient_id"],
        status=status,
        email=first["email"],
        cc=first["cc"],
        subject=first["subject"],
        attempts=max(row["attempts"] for row in rows),
        next_attempt_at=min(row["next_attempt_at"] for row in main),
        claim_token=first["claim_token"] if status == SENDING else None,
        claimed_at=first["claimed_at"] if status == SENDING else None,
        sent_at=first["sent_at"],
        last_error=first["last_error"] if status in (FAILED, PENDING) else "",
        created_at=min(row["created_at"] for row in rows),
    )


def carry_over(apps, schema_editor):
    Delivery = apps.get_model("reminders", "Delivery")
    Message = apps.get_model("reminders", "Message")
    keyed: dict[uuid.UUID, list[dict]] = {}
    alone: list[dict] = []
    for row in Delivery.objects.order_by("pk").values(*FIELDS).iterator(chunk_size=2000):
        if row["message_key"] is not None:
            keyed.setdefault(row["message_key"], []).append(row)
        elif row["status"] in (SENT, FAILED, SKIPPED):
            alone.append(row)
    messages = [_message(Message, key, rows) for key, rows in keyed.items()]
    own = {}
    for row in alone:
        group = "digest" if row["kind"] == "digest" else "delivery"
        key = uuid.uuid5(uuid.NAMESPACE_OID, f"{group}:{row['pk']}")
        messages.append(_message(Message, key, [row]))
        own[row["pk"]] = key
    created = [message.created_at for message in messages]
    Message.objects.bulk_create(messages, batch_size=1000)
    # auto_now_add set created_at on insert: the email is as old as its rows.
    for message, created_at in zip(messages, created, strict=True):
        message.created_at = created_at
    Message.objects.bulk_update(messages, ["created_at"], batch_size=500)
    Delivery.objects.filter(message_key__isnull=False).update(message_id=F("message_key"))
    for pk, key in own.items():
        Delivery.objects.filter(pk=pk).update(message_id=key)
    # A row pending or being sent follows its email from now on; one with no email yet waits,
    # pending, for the next dispatch to group it.
    Delivery.objects.filter(status=SENDING).update(status=PENDING)


class Migration(migrations.Migration):
    dependencies = [("reminders", "0007_message")]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop, elidable=False),
    ]
