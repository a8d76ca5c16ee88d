"""Sending over a real SMTP server: temporary refusals retried, permanent ones recorded."""

from datetime import date, datetime

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from apps.reminders import services
from apps.reminders.models import Delivery, DeliveryStatus, Message
from apps.reminders.tasks import send_emails
from tests.reminders.conftest import SHANGHAI, at
from tests.reminders.smtp import Recorder, SMTPServer, free_port, ids_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest")]


@pytest.fixture
def smtp(settings):
    def start(**options):
        server = SMTPServer(Recorder(**options))
        server.__enter__()
        started.append(server)
        settings.MAILERS = server.mailers
        return server.handler

    started = []
    yield start
    for server in started:
        server.__exit__(None, None, None)


@pytest.fixture
def closed_port(settings):
    """The default mailer points at a port nobody listens on: the mail server is down."""
    port = free_port()
    settings.MAILERS = SMTPServer.mailers_for(port)
    return port


@pytest.fixture
def three_due(clock, policy, team, make_milestone, make_user):
    """Three reminders due: a milestone 7 days ahead, for the unit's two people and one more."""
    from apps.org.models import Person

    make_user("zhao", unit=team["unit"], role=Person.Role.STAFF)
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))
    result = services.dispatch()
    assert len(result.queued) == 3  # one email each, with one reminder
    return [str(key) for key in result.queued]


def pk_of(key) -> int:
    return Delivery.objects.get(message_id=key).pk


def email_of(pk) -> Message:
    """The email a reminder row goes out in."""
    return Delivery.objects.select_related("message").get(pk=pk).message


def emails_in_order() -> list[Message]:
    """The emails, in the order of their rows (one row each here)."""
    return [row.message for row in Delivery.objects.select_related("message").order_by("pk")]


@pytest.fixture
def three_ids(three_due) -> list[int]:
    return [pk_of(key) for key in three_due]


def test_send_task_retries_after_temporary_refusals_and_delivers_each_once(
    smtp, three_due, three_ids
):
    server = smtp(fail_next=2)

    send_emails.apply(args=[three_due])

    assert server.refusals == 2
    assert sorted(server.delivery_ids()) == sorted(str(pk) for pk in three_ids)
    emails = emails_in_order()
    assert [(m.status, m.attempts) for m in emails] == [
        (DeliveryStatus.SENT, 3),
        (DeliveryStatus.SENT, 1),
        (DeliveryStatus.SENT, 1),
    ]
    assert emails[0].last_error == ""
    # Sending wrote the emails, not the reminder rows: those are as they were inserted.
    assert set(Delivery.objects.values_list("status", "last_error")) == {
        (DeliveryStatus.PENDING, "")
    }


def test_send_temporary_failure_waits_for_the_next_tick_then_delivers(
    smtp, three_due, three_ids, clock, settings
):
    server = smtp(fail_next=1)

    with pytest.raises(services.TemporarySendError) as raised:
        services.emails_send(keys=three_due)
    first = email_of(three_ids[0])
    assert (first.status, first.attempts) == (DeliveryStatus.PENDING, 1)
    assert first.last_error.startswith("SMTPDataError: (451")
    assert raised.value.retry_after == settings.REMINDERS_RETRY_BASE_SECONDS

    # Within the backoff the refused row waits; the rows the batch never reached do not.
    clock(datetime(2025, 3, 13, 9, 5, 10, tzinfo=SHANGHAI))
    assert [str(key) for key in services.dispatch().queued] == three_due[1:]
    clock(at(date(2025, 3, 13), 10, 5))
    services.send_pending()
    services.send_pending()

    assert sorted(server.delivery_ids()) == sorted(str(pk) for pk in three_ids)
    assert {row.state for row in Delivery.objects.all()} == {DeliveryStatus.SENT}


def test_send_permanent_refusal_is_recorded_as_failed_and_the_rest_go_out(smtp, three_due):
    server = smtp(refuse={"zhang@example.org"})

    result = services.emails_send(keys=three_due)

    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.recipient.name == "zhang"
    assert "550" in failed.last_error
    assert (failed.message.status, failed.message.last_error) == (
        DeliveryStatus.FAILED,
        failed.last_error,
    )
    assert result.failed == [failed.pk]
    assert len(result.sent) == 2
    assert len(server.messages) == 2
    assert server.sessions == 1  # one connection for the whole batch


def test_send_gives_up_after_max_attempts(smtp, three_due, three_ids, settings):
    settings.REMINDERS_MAX_ATTEMPTS = 2
    smtp(fail_next=5)

    send_emails.apply(args=[three_due])

    first = Delivery.objects.get(pk=three_ids[0])
    assert (first.status, first.message.status) == (DeliveryStatus.FAILED, DeliveryStatus.FAILED)
    assert "gave up after 2 attempts" in first.last_error


def test_send_skips_rows_already_claimed(smtp, three_due, three_ids):
    server = smtp()
    Message.objects.filter(pk=three_due[0]).update(status=DeliveryStatus.SENDING)

    result = services.emails_send(keys=three_due)

    assert sorted(result.sent) == sorted(three_ids[1:])
    assert len(server.messages) == 2


def body_options(server) -> list[list[str]]:
    """Each message's MAIL FROM parameters but SIZE (which smtplib adds when it may)."""
    return [[o for o in options if not o.startswith("SIZE=")] for options in server.mail_options]


def bodies(message) -> list[tuple[str, str, str]]:
    """Each text part of a received message: its type, transfer encoding and decoded text."""
    return [
        (part.get_content_type(), part["Content-Transfer-Encoding"], part.get_content())
        for part in message.walk()
        if part.get_content_maintype() == "text"
    ]


def test_send_to_a_server_announcing_8bitmime_sends_8bit_bodies_and_declares_them(smtp, three_due):
    server = smtp()

    services.emails_send(keys=three_due)

    assert len(server.messages) == 3
    assert body_options(server) == [["BODY=8BITMIME"]] * 3
    for message in server.messages:
        parts = bodies(message)
        assert [(kind, cte) for kind, cte, _text in parts] == [
            ("text/plain", "8bit"),
            ("text/html", "8bit"),
        ]
        assert "即将到期（1 项）" in parts[0][2]
        assert ">即将到期（1 项）</th>" in parts[1][2]


def test_send_to_a_server_without_8bitmime_sends_base64_bodies(smtp, three_due):
    server = smtp(eight_bit=False)

    services.emails_send(keys=three_due)

    assert len(server.messages) == 3
    assert body_options(server) == [[]] * 3
    for message in server.messages:
        parts = bodies(message)
        assert [(kind, cte) for kind, cte, _text in parts] == [
            ("text/plain", "base64"),
            ("text/html", "base64"),
        ]
        assert "即将到期（1 项）" in parts[0][2]
        assert ">即将到期（1 项）</th>" in parts[1][2]


def test_send_a_body_with_a_line_over_998_octets_as_base64_even_to_an_8bitmime_server(
    smtp, three_due
):
    from apps.reminders.models import Deadline

    title = "𠮷" * 300  # the longest title, 1,200 octets in UTF-8: its line and its row pass 998
    Deadline.objects.update(title=title)
    server = smtp()

    services.emails_send(keys=three_due)

    assert len(server.messages) == 3
    for message in server.messages:
        parts = bodies(message)
        assert [(kind, cte) for kind, cte, _text in parts] == [
            ("text/plain", "base64"),
            ("text/html", "base64"),
        ]
        assert f"1. {title} | " in parts[0][2]
        assert f">{title}</a>" in parts[1][2]


def test_sweep_takes_back_claims_left_sending(clock, three_ids, settings):
    Message.objects.filter(pk=email_of(three_ids[0]).pk).update(
        status=DeliveryStatus.SENDING, claimed_at=at(date(2025, 3, 13), 10)
    )
    clock(at(date(2025, 3, 13), 10, 9))
    assert services.deliveries_sweep(now=at(date(2025, 3, 13), 10, 9)) == 0
    later = at(date(2025, 3, 13), 10, 11)
    assert services.deliveries_sweep(now=later) == 1
    assert email_of(three_ids[0]).status == DeliveryStatus.PENDING


class ProbeBackend(BaseEmailBackend):
    """Notes, as each message goes out, the status every row has at that moment."""

    seen: list[tuple[int, dict[int, str]]] = []

    def send_messages(self, email_messages):
        for message in email_messages:
            statuses = {row.pk: row.state for row in Delivery.objects.select_related("message")}
            ProbeBackend.seen.append((int(ids_of(message)), statuses))
        return len(email_messages)


def test_send_claims_the_batch_then_records_each_email_sent_before_the_next_goes_out(
    three_due, three_ids, settings, monkeypatch
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.ProbeBackend"}}
    monkeypatch.setattr(ProbeBackend, "seen", [])
    first, second, third = three_ids
    SENDING, SENT = DeliveryStatus.SENDING, DeliveryStatus.SENT

    services.emails_send(keys=three_due)

    assert ProbeBackend.seen == [
        (first, {first: SENDING, second: SENDING, third: SENDING}),
        (second, {first: SENT, second: SENDING, third: SENDING}),
        (third, {first: SENT, second: SENT, third: SENDING}),
    ]


def test_send_again_after_a_lost_reply_reuses_the_message_id(
    smtp, three_due, three_ids, clock, settings
):
    settings.SITE_URL = "https://zone.example.org"
    server = smtp()
    services.emails_send(keys=three_due)
    # The server took the first message but its worker died before recording it: the claim is
    # taken back after the timeout and the message goes out again.
    Message.objects.filter(pk=email_of(three_ids[0]).pk).update(
        status=DeliveryStatus.SENDING, claimed_at=at(date(2025, 3, 13), 10)
    )
    clock(at(date(2025, 3, 13), 10, 11))

    dispatched, sent = services.send_pending()

    resent = Delivery.objects.get(pk=three_ids[0])
    message_ids = [str(m["Message-ID"]) for m in server.messages]
    assert (dispatched.swept, sent.sent) == (1, [resent.pk])
    assert server.delivery_ids() == [str(pk) for pk in [*three_ids, three_ids[0]]]
    assert message_ids[0] == f"<reminder-{resent.message_id.hex}@zone.example.org>"
    assert message_ids[3] == message_ids[0]
    assert len(set(message_ids)) == 3


def test_send_mail_server_unreachable_claims_nothing(closed_port, three_due):
    before = list(Message.objects.order_by("pk").values("status", "attempts", "next_attempt_at"))

    with pytest.raises(services.MailServerUnavailable) as raised:
        services.emails_send(keys=three_due)

    assert str(raised.value) == (
        f"could not reach the mail server 127.0.0.1:{closed_port}: [Errno 111] Connection refused"
    )
    assert raised.value.retry_after is None
    after = list(Message.objects.order_by("pk").values("status", "attempts", "next_attempt_at"))
    assert after == before
    assert {d["status"] for d in after} == {DeliveryStatus.PENDING}


def test_send_task_against_a_server_that_stays_down_gives_up_and_keeps_every_row(
    closed_port, three_due, settings
):
    settings.REMINDERS_MAX_ATTEMPTS = 3

    sent = send_emails.apply(args=[three_due]).get()

    assert sent == 0
    assert [(m.status, m.attempts, m.claim_token) for m in emails_in_order()] == [
        (DeliveryStatus.PENDING, 0, None)
    ] * 3
