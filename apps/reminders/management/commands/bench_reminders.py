"""Benchmark the reminders: a dispatch tick at two database sizes, or a backlog drained.

By default: one dispatch tick with 10,000 and 100,000 open deadlines and the same number due.
Everything is written inside one transaction that is rolled back at the end, so the database is
left exactly as it was (and no send task is ever queued).

With --backlog N: N deadlines due at once for about 50 people, drained by one dispatch run (its
chained batches, in the foreground as one worker runs them) and sent into a local SMTP server
(aiosmtpd, a development dependency). The sending commits, as it does in production, so these
rows are committed and deleted afterwards; the command refuses a database with reminders due.
"""

import importlib.util
import smtplib
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from apps.org.models import Person, Unit
from apps.reminders import services
from apps.reminders.models import Deadline, Delivery, DeliveryStatus, Job, Message

BENCH_OBJECT_ID_BASE = 10**15  # far above any real primary key
BENCH_KIND = "bench"  # no area registers it: the rows are never mistaken for real items


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark the reminder dispatch tick at two database sizes (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default="10000,100000", help="Open deadlines, comma-separated."
        )
        parser.add_argument("--due", type=int, default=100, help="Deadlines due in each tick.")
        parser.add_argument("--repeat", type=int, default=3, help="Ticks timed at each size.")
        parser.add_argument(
            "--backlog",
            type=int,
            default=0,
            help="Instead: this many deadlines due at once, dispatched and sent into a local "
            "SMTP server; prints emails, people, seconds, emails/s and queries per email.",
        )

    def handle(self, *args, sizes, due, repeat, backlog=0, **options):
        if backlog:
            Backlog(self.stdout, verbosity=options["verbosity"]).run(backlog)
            return
        sizes = sorted(int(size) for size in sizes.split(","))
        results = []
        try:
            with transaction.atomic():
                results = self._run(sizes, due, repeat)
                raise _Rollback
        except _Rollback:
            pass
        for size, seconds, queries in results:
            self.stdout.write(
                f"{size:>8} open deadlines, {due} due: tick {seconds * 1000:8.1f} ms, "
                f"{queries} queries"
            )
        if len(results) >= 2:
            ratio = results[-1][1] / results[0][1]
            self.stdout.write(
                f"ratio {results[-1][0]}/{results[0][0]}: {ratio:.2f}x "
                f"for {results[-1][0] / results[0][0]:.0f}x the deadlines"
            )
        self.stdout.write("all benchmark rows rolled back")

    def _run(self, sizes, due, repeat):
        now = timezone.now()
        today = timezone.localdate(now)
        services.policy_get()
        unit = Unit.objects.create(name=f"bench-unit-{now.timestamp()}")
        Person.objects.create(name="bench", unit=unit, email="bench@example.org")
        created, results = 0, []
        for size in sizes:
            batch = []
            for n in range(created, size):
                is_due = n < due
                batch.append(
                    Deadline(
                        kind=BENCH_KIND,
                        object_id=BENCH_OBJECT_ID_BASE + n,
                        title=f"bench {n}",
                        due_date=today + timedelta(days=1 if is_due else 40 + n % 300),
                        responsible_unit=unit,
                        next_reminder_at=now - timedelta(minutes=1)
                        if is_due
                        else now + timedelta(days=10 + n % 300),
                    )
                )
            Deadline.objects.bulk_create(batch, batch_size=5000)
            created = size
            self._analyze()
            timings, queries = [], 0
            for _ in range(repeat):
                self._reset(unit, due, now)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    result = services.dispatch(now=now, hold=True)
                    timings.append(time.perf_counter() - started)
                queries = len(captured)
                if result.deadlines != due:
                    raise CommandError(
                        f"expected {due} deadlines due, dispatch saw {result.deadlines}"
                    )
            results.append((size, statistics.median(timings), queries))
        return results

    def _reset(self, unit, due, now):
        Delivery.objects.filter(deadline__responsible_unit=unit).delete()
        Deadline.objects.filter(
            responsible_unit=unit, object_id__lt=BENCH_OBJECT_ID_BASE + due
        ).update(next_reminder_at=now - timedelta(minutes=1), last_dispatched_at=None)

    def _analyze(self):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Deadline._meta.db_table}")


# The backlog's people: 15 units of two staff and a head, and 5 leading officials.
BACKLOG_UNITS = 15
BACKLOG_STAFF = 2
BACKLOG_OFFICIALS = 5


def _smtp_server(port: int) -> subprocess.Popen:
    """aiosmtpd in a process of its own, accepting and discarding every message: the mail
    server's own work does not count against the sender's time, as in production."""
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
        + ["-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise CommandError("the local SMTP server (aiosmtpd) did not start")


class Backlog:
    def __init__(self, stdout, verbosity=1):
        self.stdout = stdout
        self.verbosity = verbosity
        self.tag = f"bench-{uuid.uuid4().hex[:8]}"

    def run(self, size: int) -> None:
        if importlib.util.find_spec("aiosmtpd") is None:
            raise CommandError("--backlog needs aiosmtpd (pip install -e '.[dev]')")
        policy, cal = services.policy_snapshot(), services.work_calendar()
        day = cal.on_or_before(timezone.localdate())
        if policy.working_days_only:
            while not cal.is_working_day(day):
                day -= timedelta(days=1)
        # A minute after the send time of the last working day: every rung due is in its window.
        now = policy.at(day) + timedelta(minutes=1)
        self._refuse_if_busy(now)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = _smtp_server(port)
        mailers = {
            "default": {
                "BACKEND": "apps.core.mail.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 30},
            }
        }
        try:
            people = self._build(size, day, now)
            # A worker loads the URL configuration (every app's views) once, at its first
            # email; a process of its own that has not sent one yet is not what is measured.
            reverse("reminders:preferences")
            sizes: list[int] = []
            sendmail = smtplib.SMTP.sendmail

            def counted(smtp, from_addr, to_addrs, msg, *args, **kwargs):
                sizes.append(len(msg))  # the bytes the server is given, headers and all
                return sendmail(smtp, from_addr, to_addrs, msg, *args, **kwargs)

            with (
                override_settings(MAILERS=mailers),
                mock.patch.object(smtplib.SMTP, "sendmail", counted),
                CaptureQueriesContext(connection) as queries,
            ):
                started, cpu_started = time.perf_counter(), time.process_time()
                dispatched = services.dispatch(now=now)
                planned, cpu_planned = time.perf_counter(), time.process_time()
                sent = services.SendResult()
                for batch in dispatched.batches():
                    sent.add(services.emails_send(keys=batch))
                finished, cpu_finished = time.perf_counter(), time.process_time()
            again = services.dispatch(now=now)
        finally:
            server.terminate()
            server.wait(timeout=30)
            self._clean()
        seconds = finished - started
        emails = sent.emails
        self.stdout.write(
            f"backlog {size} deadlines due, {people} people: one dispatch in "
            f"{dispatched.steps} batches of {settings.REMINDERS_BATCH_SIZE}"
        )
        self.stdout.write(
            f"emails sent: {emails}, listing {len(sent.sent)} reminders, to "
            f"{len({*self.recipients})} people"
        )
        self.stdout.write(
            f"seconds: {seconds:.2f} (claiming {planned - started:.2f}, "
            f"sending {finished - planned:.2f})"
        )
        # On a shared machine the wall clock counts other work too; this process's CPU does not.
        self.stdout.write(
            f"CPU seconds of this process: {cpu_finished - cpu_started:.2f} (claiming "
            f"{cpu_planned - cpu_started:.2f}, sending {cpu_finished - cpu_planned:.2f})"
        )
        self.stdout.write(
            f"emails/s: {emails / seconds:.1f} overall, "
            f"{emails / max(finished - planned, 1e-9):.1f} while sending"
        )
        self.stdout.write(f"queries: {len(queries)}, {len(queries) / max(emails, 1):.1f} per email")
        if sizes:
            self.stdout.write(
                f"email size: {statistics.mean(sizes) / 1000:.1f} kB on average, "
                f"{max(sizes) / 1000:.1f} kB the largest, {sum(sizes) / 1e6:.1f} MB in all"
            )
        self.stdout.write(f"a second dispatch: {len(again.queued)} emails queued")
        if self.verbosity > 1:
            by_time = defaultdict(lambda: [0, 0.0])
            for query in queries.captured_queries:
                shape = query["sql"][:90]
                by_time[shape][0] += 1
                by_time[shape][1] += float(query["time"])
            for shape, (count, spent) in sorted(by_time.items(), key=lambda i: -i[1][1])[:8]:
                self.stdout.write(f"  {spent:7.2f} s {count:6d}x {shape}")
        self.stdout.write("all benchmark rows deleted")

    def _refuse_if_busy(self, now) -> None:
        if (
            Deadline.objects.filter(next_reminder_at__lte=now).exists()
            or Message.objects.filter(status=DeliveryStatus.PENDING).exists()
            or Delivery.objects.filter(status=DeliveryStatus.PENDING, message=None).exists()
            or Job.objects.filter(name=services.DIGEST_JOB, next_run_at__lte=now).exists()
        ):
            raise CommandError(
                "this database has reminders due: they would be sent into the benchmark's "
                "SMTP server. Run --backlog on a database of its own."
            )

    def _build(self, size: int, day, now) -> int:
        officials = [
            Person(name=f"{self.tag}-official-{n}", email=f"{self.tag}-o{n}@example.invalid")
            for n in range(BACKLOG_OFFICIALS)
        ]
        leaders = Unit.objects.create(name=f"{self.tag}-leaders")
        for person in officials:
            person.unit = leaders
            person.role = Person.Role.OFFICIAL
        Person.objects.bulk_create(officials)
        units = Unit.objects.bulk_create(
            [Unit(name=f"{self.tag}-unit-{n}") for n in range(BACKLOG_UNITS)]
        )
        staff = []
        for unit in units:
            head = Person(
                name=f"{self.tag}-head-{unit.pk}",
                unit=unit,
                role=Person.Role.HEAD,
                email=f"{self.tag}-h{unit.pk}@example.invalid",
            )
            staff.append(head)
            staff += [
                Person(
                    name=f"{self.tag}-staff-{unit.pk}-{n}",
                    unit=unit,
                    role=Person.Role.STAFF,
                    email=f"{self.tag}-s{unit.pk}-{n}@example.invalid",
                )
                for n in range(BACKLOG_STAFF)
            ]
        Person.objects.bulk_create(staff)
        heads = {person.unit_id: person for person in staff if person.role == Person.Role.HEAD}
        for unit in units:
            unit.head = heads[unit.pk]
        Unit.objects.bulk_update(units, ["head"])
        self.recipients = [p.pk for p in officials + staff]
        Deadline.objects.bulk_create(
            [
                Deadline(
                    kind=BENCH_KIND,
                    object_id=BENCH_OBJECT_ID_BASE + n,
                    title=f"{self.tag} deadline {n}",
                    # From 40 days overdue (escalated) to 20 days ahead: every kind of rung.
                    due_date=day + timedelta(days=n % 61 - 40),
                    responsible_unit=units[n % BACKLOG_UNITS],
                    leading_official=officials[n % BACKLOG_OFFICIALS],
                    next_reminder_at=now - timedelta(minutes=1),
                )
                for n in range(size)
            ],
            batch_size=2000,
        )
        return len(self.recipients)

    def _clean(self) -> None:
        Deadline.objects.filter(kind=BENCH_KIND).delete()
        Delivery.objects.filter(recipient__name__startswith=self.tag).delete()
        Message.objects.filter(recipient__name__startswith=self.tag).delete()
        units = Unit.objects.filter(name__startswith=self.tag)
        units.update(head=None)
        Person.objects.filter(name__startswith=self.tag).delete()
        units.delete()
