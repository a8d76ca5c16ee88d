"""Reminder and digest emails: one context, rendered to subject, text and HTML templates.

Rendering only: what a digest lists is chosen by the caller (services.delivery_message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Deadline, Delivery, DeliveryKind, site_host

DELIVERY_HEADER = "X-Zonetracker-Delivery"


def message_id(delivery: Delivery) -> str:
    """The Message-ID of a delivery, the same on every attempt: a resent copy is recognisable.

    Mail stores and clients drop a second message with a Message-ID they already hold, so the
    one duplicate SMTP cannot rule out (a worker killed after the server took the message and
    before its reply arrived) is not shown twice. The row's creation time keeps ids apart when
    a rebuilt database numbers its rows again.
    """
    created = delivery.created_at.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"<reminder-{delivery.pk}.{created}@{site_host()}>"


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


@dataclass(frozen=True)
class Digest:
    """What a weekly digest lists: the recipient's open items due within the horizon."""

    items: Sequence[Deadline]
    horizon_days: int


def message_context(
    delivery: Delivery, *, today: date | None = None, digest: Digest | None = None
) -> dict:
    today = today or timezone.localdate()
    context = {
        "delivery": delivery,
        "kind": delivery.kind,
        "recipient": delivery.recipient,
        "site_url": settings.SITE_URL,
        "preferences_url": settings.SITE_URL + reverse("reminders:preferences"),
        "today": today,
    }
    if delivery.kind == DeliveryKind.DIGEST:
        if digest is None:
            raise TypeError("a digest email needs its items")
        items = [_item(d, today) for d in digest.items]
        context.update(
            items=items,
            horizon_days=digest.horizon_days,
            overdue_count=sum(1 for item in items if item["days_overdue"]),
        )
    else:
        context["item"] = _item(delivery.deadline, today)
    return context


def _cc_for(delivery: Delivery) -> list[str]:
    if delivery.kind != DeliveryKind.ESCALATION:
        return []
    unit = delivery.deadline.responsible_unit
    head = unit.head if unit else None
    if head is None or head.pk == delivery.recipient_id or not head.contact_email:
        return []
    return [head.contact_email]


def build_message(
    delivery: Delivery, *, today: date | None = None, digest: Digest | None = None
) -> EmailMultiAlternatives:
    """The email for a delivery, in the recipient's language. ValueError when it has no address."""
    address = delivery.recipient.contact_email
    if not address:
        raise ValueError(f"no email address for {delivery.recipient}")
    name = "digest" if delivery.kind == DeliveryKind.DIGEST else "reminder"
    with translation.override(recipient_language(delivery.recipient)):
        context = message_context(delivery, today=today, digest=digest)
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        cc=_cc_for(delivery),
        headers={DELIVERY_HEADER: str(delivery.pk), "Message-ID": message_id(delivery)},
    )
    message.attach_alternative(html, "text/html")
    return message
