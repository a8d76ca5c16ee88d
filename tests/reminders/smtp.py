"""A real SMTP server for the tests (aiosmtpd), which can refuse, delay and count."""

import asyncio
import email
import email.policy
import socket
import threading
import uuid

from aiosmtpd.controller import Controller

from apps.reminders.emails import EMAIL_HEADER


def ids_of(message) -> str:
    """The delivery ids a message carries, "3,7": the rows of the email its header names.

    Takes a received message or one of Django's (mail.outbox).
    """
    from apps.reminders.models import Delivery

    headers = getattr(message, "extra_headers", None)
    key = headers[EMAIL_HEADER] if headers is not None else str(message[EMAIL_HEADER])
    rows = Delivery.objects.filter(message_id=uuid.UUID(key)).exclude(status="skipped")
    return ",".join(str(pk) for pk in rows.order_by("pk").values_list("pk", flat=True))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """Accepts mail and remembers it; `fail_next` DATA commands get a 451 first.

    `reply_delay` keeps every accepted message's 250 back for a moment. `hold` = ("MAIL", n)
    keeps the n-th MAIL FROM waiting before the message is sent; ("DATA", n) stores the n-th
    message and then keeps its 250 back: a client killed meanwhile never learns it was accepted.
    `holding` is set while a hold lasts. `eight_bit=False` leaves 8BITMIME out of the EHLO reply.
    `mail_options` holds each accepted message's MAIL FROM parameters ("BODY=8BITMIME").
    """

    HOLD_SECONDS = 30.0

    def __init__(self, *, fail_next=0, refuse=(), reply_delay=0.0, hold=None, eight_bit=True):
        self.messages: list[email.message.EmailMessage] = []
        self.mail_options: list[list[str]] = []
        self.eight_bit = eight_bit
        self.sessions = 0
        self.fail_next = fail_next
        self.refusals = 0
        self.refuse = set(refuse)
        self.reply_delay = reply_delay
        self.hold = hold
        self.mail_commands = 0
        self.holding = threading.Event()
        self.lock = threading.Lock()

    async def _hold(self):
        self.holding.set()
        await asyncio.sleep(self.HOLD_SECONDS)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        if not self.eight_bit:
            responses = [line for line in responses if "8BITMIME" not in line]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            self.mail_commands += 1
            held = self.hold == ("MAIL", self.mail_commands)
        if held:
            await self._hold()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.refusals += 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)
            self.mail_options.append(list(envelope.mail_options))
            held = self.hold == ("DATA", len(self.messages))
        if held:
            await self._hold()
        elif self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        return "250 Message accepted"

    def delivery_ids(self) -> list[str]:
        """The delivery ids each message carried, one entry per message ("3,7" for two)."""
        with self.lock:
            messages = list(self.messages)
        return [ids_of(m) for m in messages]

    def delivery_rows(self) -> list[str]:
        """Every delivery id of every message, flattened."""
        return [pk for ids in self.delivery_ids() for pk in ids.split(",")]

    def recipients(self) -> list[str]:
        with self.lock:
            return [str(m["To"]) for m in self.messages]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class SMTPServer:
    def __init__(self, handler: Recorder, *, port: int | None = None):
        self.handler = handler
        self.port = port or free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def mailers(self) -> dict:
        return self.mailers_for(self.port)

    @staticmethod
    def mailers_for(port: int) -> dict:
        """MAILERS for a server on this port (or for none: the mail server is down)."""
        return {
            "default": {
                "BACKEND": "apps.core.mail.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
            }
        }
