"""Reminder and digest emails: one context, rendered to subject, text and HTML templates.

Rendering only: which rows an email carries is chosen by the caller (services.rows_message). A
reminders email can list hundreds of items, so its rows arrive as plain tuples (ReminderRow,
one query) and its item list is formatted here in Python, once for the text and once for the
HTML; the templates render the frame around it. That keeps an email of 600 items at a few
milliseconds, where a template loop with a translation tag per row took a tenth of a second.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from .models import Deadline, Delivery, DeliveryKind, site_host

# Names the email (its Message's key): one header, however many items the email lists.
EMAIL_HEADER = "X-Zonetracker-Email"


class ReminderRow(NamedTuple):
    """What a reminders email needs of one Delivery and its deadline (ROW_FIELDS, then
    DEADLINE_FIELDS)."""

    pk: int
    kind: str
    due_date: date | None  # the date the reminder was claimed for
    attempts: int  # its email's
    recipient_id: int
    message_key: uuid.UUID  # its email's
    deadline_id: int | None
    title: str
    deadline_kind: str
    deadline_due: date | None  # the deadline's date now
    phrase: str
    is_open: bool
    item_path: str
    unit_id: int | None
    unit_name: str | None


# ReminderRow's fields, in order: the Delivery's own (and its email's attempts), then its
# deadline's, which services.email_rows loads once per deadline rather than once per row.
ROW_FIELDS = (
    "pk",
    "kind",
    "due_date",
    "message__attempts",
    "recipient_id",
    "message_id",
    "deadline_id",
)
DEADLINE_FIELDS = (
    "title",
    "kind",
    "due_date",
    "deadline_phrase",
    "is_open",
    "item_path",
    "responsible_unit_id",
    "responsible_unit__name",
)
NO_DEADLINE = (None,) * len(DEADLINE_FIELDS)


def message_id(key) -> str:
    """The Message-ID of an email, the same on every attempt: a resent copy is recognisable.

    Mail stores and clients drop a second message with a Message-ID they already hold, so the
    one duplicate SMTP cannot rule out (a worker killed after the server took the message and
    before its reply arrived) is not shown twice. The key is the email's (Message.message_key), a
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


def status_text(days_left: int | None) -> str:
    """ "Overdue by 3 days", "Due today", "Due in 5 days", in the active language."""
    if days_left is None:
        return ""
    if days_left < 0:
        days = -days_left
        return ngettext("已逾期 %(days)d 天", "已逾期 %(days)d 天", days) % {"days": days}
    if days_left == 0:
        return gettext("今天到期")
    return ngettext("还有 %(days)d 天到期", "还有 %(days)d 天到期", days_left) % {"days": days_left}


def sort_key(row: ReminderRow, today: date):
    """Escalations first, then what is overdue, then by due date."""
    due = row.deadline_due or date.max
    return (row.kind != DeliveryKind.ESCALATION, due >= today, due, row.deadline_id or 0)


# The groups a reminders email lists its items in, most urgent first (sort_key's order).
ESCALATED, OVERDUE, DUE_TODAY, DUE_SOON = "escalated", "overdue", "today", "soon"


def _group(row: ReminderRow, days_left: int | None) -> str:
    if row.kind == DeliveryKind.ESCALATION:
        return ESCALATED
    if days_left is not None and days_left < 0:
        return OVERDUE
    return DUE_TODAY if days_left == 0 else DUE_SOON


def group_heading(group: str, count: int) -> str:
    """ "Overdue (3 items)", in the active language."""
    if group == ESCALATED:
        text = ngettext("升级督办（%(count)d 项）", "升级督办（%(count)d 项）", count)
    elif group == OVERDUE:
        text = ngettext("已逾期（%(count)d 项）", "已逾期（%(count)d 项）", count)
    elif group == DUE_TODAY:
        text = ngettext("今天到期（%(count)d 项）", "今天到期（%(count)d 项）", count)
    else:
        text = ngettext("即将到期（%(count)d 项）", "即将到期（%(count)d 项）", count)
    return text % {"count": count}


class _Lines:
    """The item list of one email, as text and as HTML table rows, grouped by urgency.

    One line of text and one table row per item (its name, due date, how late or how soon, and
    its link), under a heading per group: a digest of several hundred items stays a few tens of
    kilobytes, and every string that repeats is translated once per email.
    """

    def __init__(self, rows: Sequence[ReminderRow], today: date):
        # How late or soon, and the due date, as text and as HTML: few distinct values per email.
        statuses: dict[int | None, tuple[str, str]] = {}
        dues: dict[tuple, tuple[str, str]] = {}
        phrase_format = gettext("%(due)s（%(phrase)s）")
        site = settings.SITE_URL
        escape = html.escape
        groups: dict[str, tuple[list[str], list[str]]] = {}
        self.overdue = 0
        for number, row in enumerate(rows, 1):
            days_left = (row.deadline_due - today).days if row.deadline_due else None
            late = days_left is not None and days_left < 0
            self.overdue += late
            status_pair = statuses.get(days_left)
            if status_pair is None:
                text_status = status_text(days_left)
                html_status = escape(text_status)
                if late:
                    html_status = f"<strong>{html_status}</strong>"
                status_pair = statuses[days_left] = (text_status, html_status)
            status, status_html = status_pair
            due_pair = dues.get((row.deadline_due, row.phrase))
            if due_pair is None:
                due = row.deadline_due.isoformat() if row.deadline_due else ""
                if row.phrase:
                    due = phrase_format % {"due": due, "phrase": row.phrase}
                due_pair = dues[row.deadline_due, row.phrase] = (due, escape(due))
            due, due_html = due_pair
            url = f"{site}{row.item_path}" if row.item_path else site
            group = _group(row, days_left)
            if group not in groups:
                groups[group] = ([], [])
            text, rows_html = groups[group]
            text.append(f"{number}. {row.title} | {due} | {status} | {url}")
            rows_html.append(
                f'<tr><td><a href="{escape(url)}">{escape(row.title)}</a></td>'
                f"<td>{due_html}</td><td>{status_html}</td></tr>"
            )
        text_parts, html_parts = [], []
        for group, (text, rows_html) in groups.items():
            heading = group_heading(group, len(text))
            text_parts.append(f"{heading}\n" + "\n".join(text) + "\n")
            html_parts.append(
                f'<tr><th colspan="3" align="left">{escape(heading)}</th></tr>\n'
                + "\n".join(rows_html)
                + "\n"
            )
        self.text = "\n".join(text_parts)
        self.html = mark_safe("".join(html_parts))  # noqa: S308 - every value escaped above


def reminders_context(rows: Sequence[ReminderRow], *, recipient, today: date | None = None) -> dict:
    """The context of one person's reminders email: every row, sorted (sort_key)."""
    today = today or timezone.localdate()
    rows = sorted(rows, key=lambda row: sort_key(row, today))
    lines = _Lines(rows, today)
    escalation = all(row.kind == DeliveryKind.ESCALATION for row in rows)
    first = rows[0]
    days_left = (first.deadline_due - today).days if first.deadline_due else None
    item = None
    if len(rows) == 1:
        item = {
            "title": first.title,
            "escalation": escalation,
            "days_left": days_left,
            "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
        }
    return {
        "recipient": recipient,
        "rows": rows,
        "count": len(rows),
        "item": item,
        "escalation": escalation,
        "unit_name": (first.unit_name or "") if escalation else "",
        "overdue_count": lines.overdue,
        "lines_text": lines.text,
        "lines_html": lines.html,
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


# RFC 5322 caps a line at 998 octets: a body with a longer line goes as base64.
MAX_LINE_OCTETS = 998


def _transfer_encoding(content: str, *, eight_bit: bool) -> str:
    if eight_bit and max(map(len, content.encode().splitlines()), default=0) <= MAX_LINE_OCTETS:
        return "8bit"
    return "base64"


class _Email(EmailMultiAlternatives):
    """Text bodies encoded as 8bit (`eight_bit`, for a server that takes them) or base64,
    chosen up front, and the multipart boundary chosen up front too.

    Left to choose, the email package encodes each body twice, as quoted-printable (in pure
    Python) and as base64, to keep the shorter: most of the cost of sending a reminders email
    of several hundred items. For Chinese text base64 is the shorter of those two, and every
    mail client reads it; 8bit, the text as it is, is shorter still (an email a quarter
    smaller) where the mail server announced 8BITMIME. Left to choose a boundary, the
    generator searches the whole serialised email for it with a regular expression.
    """

    eight_bit = False

    def _add_bodies(self, msg):
        contents = [self.body, *(alternative.content for alternative in self.alternatives)]
        msg.set_content(
            self.body,
            subtype="plain",
            charset="utf-8",
            cte=_transfer_encoding(self.body, eight_bit=self.eight_bit),
        )
        for alternative in self.alternatives:
            _maintype, subtype = alternative.mimetype.split("/", 1)
            msg.add_alternative(
                alternative.content,
                subtype=subtype,
                charset="utf-8",
                cte=_transfer_encoding(alternative.content, eight_bit=self.eight_bit),
            )
        if msg.is_multipart():
            boundary = f"=_{uuid.uuid4().hex}"
            while any(boundary in content for content in contents):  # never, but cheap to ask
                boundary = f"=_{uuid.uuid4().hex}"
            msg.set_boundary(boundary)
        return msg


def _render(
    name: str, *, recipient, key, cc: Sequence[str], context_for, eight_bit: bool
) -> EmailMultiAlternatives:
    address = recipient.contact_email
    if not address:
        raise ValueError(f"no email address for {recipient}")
    with translation.override(recipient_language(recipient)):
        context = context_for()
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        body_html = render_to_string(f"emails/{name}-body.html", context)
    message = _Email(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        cc=[address_cc for address_cc in cc if address_cc and address_cc != address],
        headers={
            EMAIL_HEADER: uuid.UUID(str(key)).hex,
            "Message-ID": message_id(key),
        },
    )
    message.eight_bit = eight_bit
    message.attach_alternative(body_html, "text/html")
    return message


def build_message(
    rows: Sequence[ReminderRow],
    *,
    recipient,
    cc: Sequence[str] = (),
    today: date | None = None,
    eight_bit: bool = False,
) -> EmailMultiAlternatives:
    """One email listing every reminder in `rows` (one recipient, one message key), in the
    recipient's language; `cc` for an escalation, the unit head. `eight_bit` when the mail
    server takes 8-bit bodies. ValueError when the recipient has no address."""
    if not rows:
        raise TypeError("an email needs at least one reminder")
    return _render(
        "reminder",
        recipient=recipient,
        key=rows[0].message_key,
        cc=cc,
        context_for=lambda: reminders_context(rows, recipient=recipient, today=today),
        eight_bit=eight_bit,
    )


def build_digest(
    delivery: Delivery, *, digest: Digest, today: date | None = None, eight_bit: bool = False
) -> EmailMultiAlternatives:
    """The weekly digest email. ValueError when the recipient has no address."""
    return _render(
        "digest",
        recipient=delivery.recipient,
        # A digest row written before emails had keys: a key of its own, stable all the same.
        key=delivery.message_id or uuid.uuid5(uuid.NAMESPACE_OID, f"digest:{delivery.pk}"),
        cc=(),
        context_for=lambda: digest_context(delivery, digest=digest, today=today),
        eight_bit=eight_bit,
    )
