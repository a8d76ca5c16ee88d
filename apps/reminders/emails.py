"""Reminder and digest emails: one context, rendered to subject, text and HTML templates.

Rendering only: what a digest lists is chosen by the caller (services.delivery_message).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from .models import Deadline, Delivery, DeliveryKind, site_host

DELIVERY_HEADER = "X-Zonetracker-Delivery"


def message_id(key) -> str:
    """The Message-ID of an email, the same on every attempt: a resent copy is recognisable.

    Mail stores and clients drop a second message with a Message-ID they already hold, so the
    one duplicate SMTP cannot rule out (a worker killed after the server took the message and
    before its reply arrived) is not shown twice. The key is the email's rows' message_key, a
    UUID no other email shares.
    """
    return f"<reminder-{uuid.UUID(str(key)).hex}@{site_host()}>"


def recipient_language(person) -> str:
    user = getattr(person, "user", None)
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _item(deadline, today) -> dict:
    days_left = (deadline.due_date - today).days if deadline.due_date else None
    return {
        "deadline": deadline,
        "title": deadline.title,
        "kind_label": deadline.kind_label,
        "due_date": deadline.due_date,
        "deadline_phrase": deadline.deadline_phrase,
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
        "url": deadline.item_url,
        "unit": deadline.responsible_unit,
    }


def _status(item: dict) -> str:
    if item["days_overdue"]:
        days = item["days_overdue"]
        return ngettext("已逾期 %(days)d 天", "已逾期 %(days)d 天", days) % {"days": days}
    if item["days_left"] == 0:
        return gettext("今天到期")
    if item["days_left"] is None:
        return ""
    days = item["days_left"]
    return ngettext("还有 %(days)d 天到期", "还有 %(days)d 天到期", days) % {"days": days}


def _reminder_item(delivery: Delivery, today: date, kinds: dict) -> dict:
    item = _item(delivery.deadline, today)
    due = item["due_date"].strftime("%Y-%m-%d") if item["due_date"] else ""
    if item["deadline_phrase"]:
        due = gettext("%(due)s（%(phrase)s）") % {"due": due, "phrase": item["deadline_phrase"]}
    item.update(
        kind=delivery.kind,
        rung_label=kinds[delivery.kind],
        escalation=delivery.kind == DeliveryKind.ESCALATION,
        due_text=due,
        status=_status(item),
        unit_name=str(item["unit"]) if item["unit"] else "",
    )
    return item


def sort_key(item: dict):
    """Escalations first, then what is overdue, then by due date."""
    due = item["due_date"] or date.max
    return (not item["escalation"], not item["days_overdue"], due, item["deadline"].pk)


def reminders_context(rows: Sequence[Delivery], *, today: date | None = None) -> dict:
    """The context of one person's reminders email: every row, sorted (sort_key)."""
    today = today or timezone.localdate()
    kinds = {kind: str(label) for kind, label in DeliveryKind.choices}
    items = sorted((_reminder_item(row, today, kinds) for row in rows), key=sort_key)
    escalation = all(item["escalation"] for item in items)
    unit = items[0]["unit"] if escalation and items else None
    return {
        "recipient": rows[0].recipient,
        "items": items,
        "item": items[0] if len(items) == 1 else None,
        "escalation": escalation,
        "unit_name": str(unit) if unit else "",
        "overdue_count": sum(1 for item in items if item["days_overdue"]),
        "site_url": settings.SITE_URL,
        "preferences_url": settings.SITE_URL + reverse("reminders:preferences"),
        "today": today,
    }


@dataclass(frozen=True)
class Digest:
    """What a weekly digest lists: the recipient's open items due within the horizon."""

    items: Sequence[Deadline]
    horizon_days: int


def digest_context(delivery: Delivery, *, digest: Digest, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    items = [_item(d, today) for d in digest.items]
    return {
        "delivery": delivery,
        "kind": delivery.kind,
        "recipient": delivery.recipient,
        "site_url": settings.SITE_URL,
        "preferences_url": settings.SITE_URL + reverse("reminders:preferences"),
        "today": today,
        "items": items,
        "horizon_days": digest.horizon_days,
        "overdue_count": sum(1 for item in items if item["days_overdue"]),
    }


def _cc_for(rows: Sequence[Delivery]) -> list[str]:
    """An escalation email copies the unit's head (one unit per escalation email)."""
    if not rows or any(row.kind != DeliveryKind.ESCALATION for row in rows):
        return []
    unit = rows[0].deadline.responsible_unit
    head = unit.head if unit else None
    if head is None or head.pk == rows[0].recipient_id or not head.contact_email:
        return []
    return [head.contact_email]


def _render(name: str, recipient, rows: Sequence[Delivery], context_for) -> EmailMultiAlternatives:
    address = recipient.contact_email
    if not address:
        raise ValueError(f"no email address for {recipient}")
    with translation.override(recipient_language(recipient)):
        context = context_for()
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        cc=_cc_for(rows),
        headers={
            DELIVERY_HEADER: ",".join(str(row.pk) for row in rows),
            "Message-ID": message_id(rows[0].message_key),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build_message(rows: Sequence[Delivery], *, today: date | None = None) -> EmailMultiAlternatives:
    """One email listing every reminder in `rows` (one recipient, one message key), in the
    recipient's language. ValueError when the recipient has no address."""
    if not rows:
        raise TypeError("an email needs at least one reminder")
    return _render(
        "reminder", rows[0].recipient, rows, lambda: reminders_context(rows, today=today)
    )


def build_digest(
    delivery: Delivery, *, digest: Digest, today: date | None = None
) -> EmailMultiAlternatives:
    """The weekly digest email. ValueError when the recipient has no address."""
    return _render(
        "digest",
        delivery.recipient,
        [delivery],
        lambda: digest_context(delivery, digest=digest, today=today),
    )
