"""Dispatch with time frozen: each rung on its day and only then, escalation, the digest, and once."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail

from apps.reminders import services
from apps.reminders.models import Deadline, Delivery, DeliveryKind, DeliveryStatus, Preference
from tests.factories import HazardFactory
from tests.reminders.conftest import at
from tests.reminders.smtp import ids_of

# The weekly digest has its own tests (test_digest.py); here it stays out of the outbox.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest")]


def run_days(clock, start: date, end: date, hours=(3, 9, 16)):
    """Dispatch and send several times a day (before, at and after the send time); return
    {day: [(kind, rung_date, recipient)]}.

    The weekly digest is left out: it has its own test.
    """
    fired = {}
    day = start
    while day <= end:
        for hour in hours:
            clock(at(day, hour))
            before = set(Delivery.objects.values_list("pk", flat=True))
            services.send_pending()
            new = (
                Delivery.objects.exclude(pk__in=before)
                .exclude(kind=DeliveryKind.DIGEST)
                .select_related("recipient")
            )
            for delivery in new.order_by("kind", "recipient__name"):
                fired.setdefault(day, []).append(
                    (delivery.kind, delivery.rung_date, delivery.recipient.name)
                )
        day += timedelta(days=1)
    return fired


def test_dispatch_each_rung_fires_on_its_day_and_only_then(clock, policy, team, make_milestone):
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))  # a Thursday; no holiday near it in 2025

    fired = run_days(clock, date(2025, 2, 10), date(2025, 4, 12))

    owners = lambda kind, rung: [(kind, rung, "li"), (kind, rung, "zhang")]  # noqa: E731
    assert fired == {
        date(2025, 2, 18): owners("lead", date(2025, 2, 18)),
        date(2025, 3, 13): owners("lead", date(2025, 3, 13)),
        date(2025, 3, 19): owners("lead", date(2025, 3, 19)),
        date(2025, 3, 20): owners("due", date(2025, 3, 20)),
        date(2025, 3, 27): owners("overdue", date(2025, 3, 27)),
        date(2025, 4, 3): [("escalation", date(2025, 4, 3), "wang")]
        + owners("overdue", date(2025, 4, 3)),
        date(2025, 4, 10): [("escalation", date(2025, 4, 10), "wang")]
        + owners("overdue", date(2025, 4, 10)),
    }
    reminders = Delivery.objects.exclude(kind=DeliveryKind.DIGEST)
    assert reminders.count() == 16
    assert {row.state for row in reminders.select_related("message")} == {DeliveryStatus.SENT}
    assert len(mail.outbox) == Delivery.objects.count()


def test_dispatch_shifts_rungs_to_working_days(clock, holidays, policy, team, make_milestone):
    clock(at(date(2024, 9, 1)))
    make_milestone(date(2024, 10, 19))  # a Saturday, a week after the National Day holidays

    fired = run_days(clock, date(2024, 9, 15), date(2024, 10, 29), hours=(9,))

    assert {day: sorted({kind for kind, _rung, _who in rows}) for day, rows in fired.items()} == {
        date(2024, 9, 19): ["lead"],
        date(2024, 10, 12): ["lead"],  # an adjusted working Saturday
        date(2024, 10, 18): ["due"],  # Friday, for the Saturday deadline
        date(2024, 10, 28): ["overdue"],  # Saturday 26th moves to Monday
    }


def test_dispatch_before_send_time_sends_nothing(clock, policy, team, make_milestone):
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 2, 18)))
    services.send_pending()  # the 30-days-before rung
    mail.outbox.clear()
    clock(at(date(2025, 3, 13), 8, 59))
    services.send_pending()
    assert mail.outbox == []
    clock(at(date(2025, 3, 13), 9, 0))
    services.send_pending()
    assert len(mail.outbox) == 2


def test_dispatch_escalates_to_leading_official_copied_to_unit_head(
    clock, policy, team, make_milestone
):
    clock(at(date(2025, 2, 1)))
    milestone = make_milestone(date(2025, 3, 20), title="主体封顶")
    # The official turned every optional reminder off; escalations still reach him.
    Preference.objects.create(person=team["official"], lead=False, overdue=False, digest=False)

    clock(at(date(2025, 4, 3)))
    services.send_pending()

    escalation = Delivery.objects.get(kind=DeliveryKind.ESCALATION)
    assert escalation.recipient == team["official"]
    assert escalation.state == DeliveryStatus.SENT
    assert escalation.message.cc == "li@example.org"
    message = next(m for m in mail.outbox if ids_of(m) == str(escalation.pk))
    assert message.to == ["wang@example.org"]
    assert message.cc == ["li@example.org"]
    assert message.subject == f"【督办】{milestone.project.name}：主体封顶已逾期 14 天"
    assert f"/projects/{milestone.project_id}/" in message.body


def test_dispatch_escalation_goes_to_unit_head_without_leading_official(
    clock, policy, team, make_user
):
    clock(at(date(2025, 2, 1)))
    HazardFactory(
        found_date=date(2025, 3, 1),
        rectification_deadline=date(2025, 3, 20),
        responsible_unit=team["unit"],
    )
    clock(at(date(2025, 4, 3)))
    services.send_pending()
    escalation = Delivery.objects.get(kind=DeliveryKind.ESCALATION)
    assert (escalation.recipient, escalation.message.cc) == (team["head"], "")


def test_dispatch_respects_preferences_but_not_for_escalation(clock, policy, team, make_milestone):
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    Preference.objects.create(person=team["staff"], lead=False, overdue=True, digest=True)
    clock(at(date(2025, 3, 13)))
    services.send_pending()
    assert [m.to for m in mail.outbox] == [["li@example.org"]]


def test_dispatch_skips_closed_items_and_stops_their_ladder(clock, policy, team, make_milestone):
    clock(at(date(2025, 2, 1)))
    milestone = make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))
    services.dispatch()  # claimed, not yet sent
    milestone.done_date = date(2025, 3, 13)
    milestone.save()

    services.send_pending()

    assert mail.outbox == []
    assert {row.state for row in Delivery.objects.select_related("message")} == {
        DeliveryStatus.SKIPPED
    }
    assert Deadline.objects.get().next_reminder_at is None


def test_dispatch_twice_sends_each_reminder_once(clock, policy, team, make_milestone):
    clock(at(date(2025, 2, 1)))
    for n in range(3):
        make_milestone(date(2025, 3, 20) + timedelta(days=n))
    clock(at(date(2025, 3, 14)))

    services.dispatch()
    services.dispatch()
    services.send_pending()
    services.send_pending()

    # One email each for the unit's two people, listing the three items.
    sent = Delivery.objects.in_state(DeliveryStatus.SENT)
    expected = {
        person.contact_email: ",".join(
            str(pk)
            for pk in sent.filter(recipient=person).order_by("pk").values_list("pk", flat=True)
        )
        for person in (team["staff"], team["head"])
    }
    assert {m.to[0]: ids_of(m) for m in mail.outbox} == expected
    assert len(mail.outbox) == 2
    assert sent.count() == 6


def test_dispatch_after_an_outage_sends_the_current_rung_not_the_stale_ones(
    clock, policy, team, make_milestone
):
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 17)))  # nothing ran since 1 February

    services.send_pending()

    reminders = Delivery.objects.exclude(kind=DeliveryKind.DIGEST)
    assert set(reminders.values_list("kind", "rung_date")) == {("lead", date(2025, 3, 13))}


def test_dispatch_moved_deadline_restarts_its_ladder(clock, policy, team, make_milestone):
    clock(at(date(2025, 2, 1)))
    milestone = make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))
    services.send_pending()
    milestone.due_date = date(2025, 3, 17)
    milestone.save()

    services.send_pending()

    reminders = Delivery.objects.exclude(kind=DeliveryKind.DIGEST)
    assert set(reminders.values_list("kind", "rung_date", "due_date")) == {
        ("lead", date(2025, 3, 10), date(2025, 3, 17)),
        ("lead", date(2025, 3, 13), date(2025, 3, 20)),
    }


def test_dispatch_emails_in_the_recipients_language(clock, policy, team, make_milestone):
    user = team["staff"].user
    user.language = "en"
    user.save(update_fields=["language"])
    clock(at(date(2025, 2, 1)))
    milestone = make_milestone(date(2025, 3, 20), title="封顶")
    clock(at(date(2025, 3, 13)))

    services.send_pending()

    by_address = {m.to[0]: m for m in mail.outbox}
    title = f"{milestone.project.name}：封顶"
    assert by_address["li@example.org"].subject == f"【到期提醒】{title}还有 7 天到期"
    assert by_address["zhang@example.org"].subject == f"[Reminder] {title} is due in 7 days"
    url = f"{settings.SITE_URL}/projects/{milestone.project_id}/"
    assert f"即将到期（1 项）\n1. {title} | 2025-03-20 | 还有 7 天到期 | {url}" in (
        by_address["li@example.org"].body
    )
    assert f"Due soon (1 item)\n1. {title} | " in by_address["zhang@example.org"].body
    html, mimetype = by_address["zhang@example.org"].alternatives[0]
    assert mimetype == "text/html"
    assert f"{settings.SITE_URL}/projects/{milestone.project_id}/" in html


def test_dispatch_records_person_without_email_as_failed(clock, policy, team, make_milestone):
    team["staff"].email = ""
    team["staff"].save(update_fields=["email"])
    team["staff"].user.email = ""
    team["staff"].user.save(update_fields=["email"])
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))

    services.send_pending()

    failed = Delivery.objects.get(recipient=team["staff"])
    assert failed.status == DeliveryStatus.FAILED
    assert failed.last_error.startswith("no email address")
    assert [m.to for m in mail.outbox] == [["li@example.org"]]
