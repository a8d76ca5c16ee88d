"""End to end: real Celery workers and beats on Redis, a real SMTP server, an outage and SIGKILL.

The processes run against the live test database (a file on SQLite, the test database on
PostgreSQL), so these tests use transaction=True and commit their data. Each test has a Celery
queue and a Redis key prefix of its own (tests/reminders/e2e_app.py): runs sharing a Redis never
see each other's tasks, and a test deletes only its own keys. Every wait is for a condition, with
a ceiling generous enough for a busy machine.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.projects.models import Stage
from apps.reminders import services
from apps.reminders.models import Delivery, DeliveryStatus, Job, Policy
from tests.factories import MilestoneFactory, PersonFactory, ProjectFactory
from tests.reminders.smtp import Recorder, SMTPServer, free_port, ids_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.getenv("REDIS_URL", "redis://127.0.0.1:6379/11")
CELERY = Path(sys.executable).with_name("celery")
CEILING = 180  # seconds: a wait this long has failed, however busy the machine
SENT_BY_TASK = re.compile(r"send_emails\[[^\]]+\] succeeded in [\d.]+s: (\d+)")


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Process:
    """A `celery` process of the end-to-end app in its own process group, logging to a file."""

    def __init__(self, log_path: Path, command: list[str], env: dict):
        self.log_path = log_path
        self.command = command
        self.env = env
        self.process = None

    def start(self):
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self):
        """SIGKILL the process and its children: no chance to ack, record or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: the pool finishes first
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()

    def lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()

    def count(self, text: str) -> int:
        return sum(1 for line in self.lines() if text in line)

    def log_tail(self) -> str:
        return f"--- {self.log_path.name}\n" + "\n".join(self.lines()[-40:])


class Worker(Process):
    def ready(self) -> bool:
        return self.count(" ready.") >= 1

    def dispatch_ticks(self) -> int:
        return sum(
            1
            for line in self.lines()
            if "apps.reminders.tasks.dispatch[" in line and "succeeded" in line
        )

    def sent(self) -> int:
        """How many emails this worker's send tasks reported sent."""
        return sum(int(m.group(1)) for line in self.lines() if (m := SENT_BY_TASK.search(line)))


class Beat(Process):
    def ticks(self) -> int:
        return self.count("Sending due task reminders-dispatch")


class Run:
    """One test's Celery processes, on a queue and a Redis key prefix no other run uses."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.queue = f"e2e-{uuid.uuid4().hex}"
        self.prefix = f"{self.queue}:"
        self.processes: list[Process] = []

    def env(self, smtp_port: int, overrides: dict) -> dict:
        return (
            os.environ
            | {
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": REDIS_URL,
                "CELERY_VISIBILITY_TIMEOUT": "60",
                "E2E_CELERY_QUEUE": self.queue,
                "E2E_REDIS_PREFIX": self.prefix,
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp_port),
                "EMAIL_TIMEOUT": "60",  # longer than a held reply (Recorder.HOLD_SECONDS)
                "ZONETRACKER_VAR_DIR": str(self.tmp_path / "var"),
                "SECRET_KEY": "e2e-secret-key",
                "DEBUG": "False",
                "CELERY_TASK_ALWAYS_EAGER": "False",
                "REMINDERS_TICK_SECONDS": "1",
                # Longer than any send takes on a busy machine: a live claim is never taken back.
                "REMINDERS_CLAIM_TIMEOUT_SECONDS": "60",
                "REMINDERS_SEND_CHUNK": "10",
                "REMINDERS_RETRY_BASE_SECONDS": "1",
                # The whole day after the midnight send time (the owner fixture) is its window.
                "REMINDERS_SEND_WINDOW_MINUTES": "1440",
                "PYTHONUNBUFFERED": "1",
            }
            | overrides
        )

    def _command(self, *args: str) -> list[str]:
        return [str(CELERY), "-A", "tests.reminders.e2e_app", *args, "--loglevel=INFO"]

    def worker(self, name: str, smtp_port: int, *, beat=True, concurrency=1, **env) -> Worker:
        command = self._command(
            "worker",
            f"--concurrency={concurrency}",
            f"--hostname={self.queue}-{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        )
        if beat:
            command += ["--beat", f"--schedule={self.tmp_path / f'{name}-schedule'}"]
        return self._start(Worker(self.tmp_path / f"{name}.log", command, self.env(smtp_port, env)))

    def beat(self, name: str) -> Beat:
        command = self._command("beat", f"--schedule={self.tmp_path / f'{name}-schedule'}")
        return self._start(Beat(self.tmp_path / f"{name}.log", command, self.env(0, {})))

    def _start(self, process):
        self.processes.append(process)
        return process.start()

    def wait_for(self, predicate, what: str):
        deadline = time.monotonic() + CEILING
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.2)
        logs = "\n".join(p.log_tail() for p in self.processes)
        raise AssertionError(f"timed out after {CEILING}s waiting for {what}\n{logs}")

    def close(self):
        for process in self.processes:
            process.stop()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{self.prefix}*", count=500))
        if keys:
            client.delete(*keys)


@pytest.fixture
def run(tmp_path):
    e2e = Run(tmp_path)
    yield e2e
    e2e.close()


@pytest.fixture
def owner(db, settings):
    """One person who owns everything; reminders go out at midnight on every day and may go all
    day long, so any rung is due today."""
    services.policy_get()
    Policy.objects.update(send_time=clock_time(0, 0), working_days_only=False)
    settings.REMINDERS_SEND_WINDOW_MINUTES = 1440
    Job.objects.create(name=services.DIGEST_JOB, next_run_at=None)
    return PersonFactory(name="端到端", unit__name="端到端测试单位", email="e2e@example.org")


def milestones_due_tomorrow(person, count):
    """`count` reminders due now, committed together so one tick sees them all."""
    with transaction.atomic():
        project = ProjectFactory(
            name="端到端测试项目", stage=Stage.UNDER_CONSTRUCTION, responsible_unit=person.unit
        )
        tomorrow = timezone.localdate() + timedelta(days=1)
        for n in range(count):
            MilestoneFactory(project=project, title=f"节点{n}", due_date=tomorrow)


def colleagues(person, count):
    """`count` more people in the person's unit: each gets an email of their own."""
    return [
        PersonFactory(name=f"同事{n}", unit=person.unit, email=f"e2e-{n}@example.org")
        for n in range(count)
    ]


def sent_count() -> int:
    return Delivery.objects.in_state(DeliveryStatus.SENT).count()


def rows_by_email() -> dict[str, list[str]]:
    """The delivery ids each recipient's reminders have, as the email header lists them."""
    rows: dict[str, list[str]] = {}
    for pk, address in Delivery.objects.order_by("pk").values_list("pk", "recipient__email"):
        rows.setdefault(address, []).append(str(pk))
    return rows


def all_delivery_ids() -> list[str]:
    return sorted(str(pk) for pk in Delivery.objects.values_list("pk", flat=True))


def all_delivery_ids_by_pk() -> list[str]:
    return [str(pk) for pk in Delivery.objects.order_by("pk").values_list("pk", flat=True)]


def test_e2e_worker_with_beat_delivers_reminder_once(run, owner):
    milestones_due_tomorrow(owner, 1)
    recorder = Recorder()
    with SMTPServer(recorder) as smtp:
        worker = run.worker("a", smtp.port)
        run.wait_for(lambda: recorder.count() == 1, "the reminder")
        ticks = worker.dispatch_ticks()
        # Two more beat ticks pass after the send: none of them may send it again.
        run.wait_for(lambda: worker.dispatch_ticks() >= ticks + 2, "two more ticks")
        worker.stop()

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryStatus.SENT
    assert recorder.delivery_ids() == [str(delivery.pk)]
    message = recorder.messages[0]
    assert message["To"] == "e2e@example.org"
    assert message["Subject"].startswith("【")
    assert "端到端测试项目：节点0" in message["Subject"]
    assert str(message["Message-ID"]).startswith(f"<reminder-{delivery.message_id.hex}@")


def test_e2e_one_email_per_person_lists_every_item_and_a_second_dispatch_sends_nothing(run, owner):
    colleagues(owner, 2)
    milestones_due_tomorrow(owner, 25)
    recorder = Recorder()
    # Batches of 10 deadlines: the run chains three batches before it queues the emails.
    with SMTPServer(recorder) as smtp:
        worker = run.worker("a", smtp.port, REMINDERS_BATCH_SIZE="10")
        run.wait_for(lambda: sent_count() == 75, "all 75 reminders sent")
        ticks = worker.dispatch_ticks()
        run.wait_for(lambda: worker.dispatch_ticks() >= ticks + 2, "two more ticks")
        worker.stop()

    expected = rows_by_email()
    assert sorted(recorder.recipients()) == sorted(expected)
    assert len(recorder.messages) == 3
    for message in recorder.messages:
        assert ids_of(message).split(",") == expected[str(message["To"])]
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = message.get_body(("html",)).get_content()
        for n in range(25):
            assert f". 端到端测试项目：节点{n} | " in text
            assert f">端到端测试项目：节点{n}</a>" in html
        assert message["Subject"] == "【工作提醒】25 项工作即将到期"
    assert worker.sent() == 3


def test_e2e_two_workers_share_the_batches_and_deliver_each_once(run, owner):
    colleagues(owner, 15)  # sixteen people, sixteen emails of two reminders each
    recorder = Recorder(
        reply_delay=0.2
    )  # each batch takes a while: the other worker takes the next
    with SMTPServer(recorder) as smtp:
        first = run.worker("first", smtp.port, REMINDERS_SEND_CHUNK="2")
        second = run.worker("second", smtp.port, beat=False, REMINDERS_SEND_CHUNK="2")
        run.wait_for(lambda: first.ready() and second.ready(), "both workers ready")
        milestones_due_tomorrow(owner, 2)
        run.wait_for(lambda: sent_count() == 32, "all 32 reminders sent")
        ticks = first.dispatch_ticks() + second.dispatch_ticks()
        run.wait_for(
            lambda: first.dispatch_ticks() + second.dispatch_ticks() >= ticks + 2, "two more ticks"
        )
        first.stop()
        second.stop()

    assert sorted(recorder.delivery_rows()) == all_delivery_ids()
    assert len(all_delivery_ids()) == 32
    assert sorted(recorder.delivery_ids()) == sorted(",".join(r) for r in rows_by_email().values())
    assert first.sent() + second.sent() == 16
    assert first.sent() > 0
    assert second.sent() > 0


def test_e2e_two_beats_dispatching_at_once_deliver_each_once(run, owner):
    recorder = Recorder()
    with SMTPServer(recorder) as smtp:
        # Two pool processes, so the two beats' ticks are dispatched at the same time.
        worker = run.worker("worker", smtp.port, beat=False, concurrency=2)
        beats = [run.beat("beat-1"), run.beat("beat-2")]
        run.wait_for(
            lambda: worker.ready() and all(beat.ticks() >= 1 for beat in beats),
            "the worker ready and both beats ticking",
        )
        milestones_due_tomorrow(owner, 8)
        run.wait_for(lambda: sent_count() == 8, "all 8 reminders sent, in one email")
        ticks = [beat.ticks() for beat in beats]
        run.wait_for(
            lambda: all(beat.ticks() >= n + 3 for beat, n in zip(beats, ticks, strict=True)),
            "three more ticks from each beat",
        )
        ticked = worker.dispatch_ticks()
        run.wait_for(lambda: worker.dispatch_ticks() >= ticked + 2, "those ticks dispatched")
        for process in [*beats, worker]:
            process.stop()

    assert recorder.delivery_ids() == [",".join(all_delivery_ids_by_pk())]
    assert len(all_delivery_ids()) == 8


def test_e2e_mail_server_down_then_up_delivers_each_once_when_it_returns(run, owner):
    milestones_due_tomorrow(owner, 3)
    port = free_port()  # nothing listens here yet: the mail server is down
    worker = run.worker("a", port)
    run.wait_for(
        lambda: worker.count(f"could not reach the mail server 127.0.0.1:{port}") >= 2,
        "two sends to find the mail server down",
    )
    assert (
        list(Delivery.objects.values_list("message__status", "message__attempts"))
        == [(DeliveryStatus.PENDING, 0)] * 3
    )

    recorder = Recorder()
    with SMTPServer(recorder, port=port):
        run.wait_for(lambda: sent_count() == 3, "all 3 reminders sent once the server is back")
        ticks = worker.dispatch_ticks()
        run.wait_for(lambda: worker.dispatch_ticks() >= ticks + 2, "two more ticks")
        worker.stop()

    assert recorder.delivery_ids() == [",".join(all_delivery_ids_by_pk())]
    assert (
        list(Delivery.objects.values_list("message__status", "message__attempts"))
        == [(DeliveryStatus.SENT, 1)] * 3
    )


@pytest.mark.parametrize(
    ("hold", "duplicates"),
    [
        pytest.param("MAIL", 0, id="before-the-server-took-it"),
        pytest.param("DATA", 1, id="after-the-server-took-it-before-its-reply"),
    ],
)
def test_e2e_worker_killed_mid_message_then_restarted_delivers_each_once_or_a_marked_copy(
    run, owner, hold, duplicates
):
    colleagues(owner, 11)  # twelve people: twelve emails of two reminders each
    milestones_due_tomorrow(owner, 2)
    # The 5th email is held at MAIL FROM (claimed, not yet sent) or after DATA (stored, not
    # answered): the worker is killed between the claim and recording the send.
    recorder = Recorder(hold=(hold, 5))
    fast_sweep = {"REMINDERS_CLAIM_TIMEOUT_SECONDS": "5"}  # one worker at a time: no live claim
    with SMTPServer(recorder) as smtp:
        first = run.worker("first", smtp.port, **fast_sweep)
        run.wait_for(recorder.holding.is_set, "the 5th email held in flight")
        first.kill()
        first.stop()
        statuses = Counter(row.state for row in Delivery.objects.select_related("message"))
        # Each email the server answered was recorded at once. The batch of ten emails was
        # claimed before the first went out: the one in flight and the five after it are still
        # claimed, the last two emails (another batch) still pending.
        assert recorder.count() == 4 + duplicates
        assert (
            statuses[DeliveryStatus.SENT],
            statuses[DeliveryStatus.SENDING],
            statuses[DeliveryStatus.PENDING],
        ) == (8, 12, 4)

        second = run.worker("second", smtp.port, **fast_sweep)
        run.wait_for(lambda: sent_count() == 24, "all 24 reminders sent")
        ticks = second.dispatch_ticks()
        run.wait_for(lambda: second.dispatch_ticks() >= ticks + 2, "two more ticks")
        second.stop()

    emails = recorder.delivery_ids()
    assert sorted(set(emails)) == sorted(",".join(r) for r in rows_by_email().values())
    assert len(emails) == 12 + duplicates
    assert sorted(set(recorder.delivery_rows())) == all_delivery_ids()
    copies = [ids for ids, n in Counter(emails).items() if n > 1]
    assert len(copies) == duplicates
    for ids in copies:
        # The copy carries the first email's Message-ID: mail stores keep one of the two.
        message_ids = {
            mid for mid, e in zip(recorder.message_ids(), emails, strict=True) if e == ids
        }
        assert len(message_ids) == 1
