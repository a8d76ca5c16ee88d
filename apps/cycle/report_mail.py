"""Mail each closed round's report (PDF and XLSX attached) to the zone leaders, once each.

Claim, then send: a leader's ReportMailing row (unique per round and person) is inserted before
the message goes out, so a second run or a second worker sends nothing. When the mail server
cannot be reached nothing is claimed; when a send fails its claim is given back, and the next
run tries again. Only rounds closed within REPORTS_MAIL_WINDOW_DAYS are mailed, so a new
deployment or a new leader does not receive every old round.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.org.models import Person
from apps.reminders.emails import recipient_language

from .models import ReportingRound, ReportMailing
from .reports import (
    XLSX_TYPE,
    build_report,
    download_filename,
    report_pdf,
    report_xlsx,
)

logger = logging.getLogger(__name__)


class MailServerUnavailable(Exception):
    """The mail connection could not be opened: nothing was claimed."""


def zone_leaders():
    """Zone leaders (Person role leader) with an email address, theirs or their login's."""
    return (
        Person.objects.filter(role=Person.Role.LEADER)
        .filter(Q(email__gt="") | Q(user__email__gt=""))
        .exclude(user__is_active=False)
        .select_related("user")
        .order_by("pk")
    )


def rounds_to_mail(now: datetime.datetime):
    since = now - datetime.timedelta(days=settings.REPORTS_MAIL_WINDOW_DAYS)
    return ReportingRound.objects.closed().filter(closed_at__gte=since).order_by("closed_at", "pk")


def _claim(round_: ReportingRound, person: Person, now) -> ReportMailing | None:
    try:
        with transaction.atomic():
            return ReportMailing.objects.create(
                round=round_, person=person, email=person.contact_email, claimed_at=now
            )
    except IntegrityError:  # another run claimed this leader first
        return None


def report_message(round_: ReportingRound, person: Person, files: dict) -> EmailMultiAlternatives:
    """The email to one leader, in their language, with the report attached as PDF and XLSX."""
    with translation.override(recipient_language(person)):
        report = files["report"]
        context = {
            "person": person,
            "round": round_,
            "report": report,
            "board_url": settings.SITE_URL + reverse("cycle:board"),
            "counts": report.counts,
            "totals": report.totals,
        }
        subject = " ".join(render_to_string("emails/report-subject.txt", context).split())
        text = render_to_string("emails/report-body.txt", context)
        html = render_to_string("emails/report-body.html", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.contact_email],
        )
        message.attach_alternative(html, "text/html")
        message.attach(download_filename(round_, "pdf"), files["pdf"], "application/pdf")
        message.attach(download_filename(round_, "xlsx"), files["xlsx"], XLSX_TYPE)
    return message


def _files(round_: ReportingRound, language: str, now) -> dict:
    with translation.override(language):
        report = build_report(round_, now=now)
        return {"report": report, "pdf": report_pdf(report), "xlsx": report_xlsx(report)}


def reports_mail(*, now: datetime.datetime | None = None) -> int:
    """Mail every recently closed round's report to the leaders who have not had it; how many."""
    now = now or timezone.now()
    leaders = list(zone_leaders())
    if not leaders:
        return 0
    sent = 0
    for round_ in rounds_to_mail(now):
        claimed = set(
            ReportMailing.objects.filter(round=round_).values_list("person_id", flat=True)
        )
        waiting = [person for person in leaders if person.pk not in claimed]
        if waiting:
            sent += _mail_round(round_, waiting, now)
    return sent


def _mail_round(round_: ReportingRound, people: list[Person], now) -> int:
    connection = mailers.default
    try:
        connection.open()
    except OSError as error:
        raise MailServerUnavailable(str(error)) from error
    files: dict[str, dict] = {}  # one build per language
    sent = 0
    try:
        for person in people:
            claim = _claim(round_, person, now)
            if claim is None:
                continue
            language = recipient_language(person)
            try:
                if language not in files:
                    files[language] = _files(round_, language, now)
                connection.send_messages([report_message(round_, person, files[language])])
            except Exception:
                # Not sent: give the claim back so that the next run tries this leader again.
                claim.delete()
                raise
            ReportMailing.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
            sent += 1
            logger.info("reports: %s mailed to %s", round_.period, claim.email)
    finally:
        try:
            connection.close()
        except Exception:  # closing after the work is done; nothing left to report
            logger.debug("closing the mail connection failed", exc_info=True)
    return sent
