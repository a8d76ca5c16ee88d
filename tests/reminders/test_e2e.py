"""End to end: a real Celery worker with beat on Redis, a real SMTP server, and a SIGKILL.

The worker runs as a subprocess against the live test database (a file on SQLite, the test
database on PostgreSQL), so these tests use transaction=True and commit their data.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.projects.models import Stage
from apps.reminders import services
from apps.reminders.models import Delivery, DeliveryStatus, Job, Policy
from tests.factories import MilestoneFactory, PersonFactory, ProjectFactory
from tests.reminders.smtp import Recorder, SMTPServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.getenv("REDIS_URL", "redis://127.0.0.1:6379/11")
CELERY = Path(sys.executable).with_name("celery")


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(predicate, *, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    log = worker.log_tail() if worker else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{log}")


class Worker:
    """`celery -A zonetracker worker --beat` in its own process group."""

    def __init__(self, tmp_path: Path, smtp_port: int, name: str):
        self.log_path = tmp_path / f"{name}.log"
        self.env = os.environ | {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": "60",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "ZONETRACKER_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": "e2e-secret-key",
            "DEBUG": "False",
            "CELERY_TASK_ALWAYS_EAGER": "False",
            "REMINDERS_TICK_SECONDS": "1",
            "REMINDERS_CLAIM_TIMEOUT_SECONDS": "3",
            "REMINDERS_SEND_CHUNK": "10",
            "REMINDERS_RETRY_BASE_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.command = [
            str(CELERY),
            "-A",
            "zonetracker",
            "worker",
            "--beat",
            f"--schedule={tmp_path / 'celerybeat-schedule'}",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--hostname=e2e-{name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
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
        """SIGKILL the worker, its pool child and its beat: no chance to ack or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: the main process stops its pool
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()

    def dispatch_ticks(self) -> int:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return sum(
            1 for line in lines if "apps.reminders.tasks.dispatch[" in line and "succeeded" in line
        )

    def log_tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-40:])


@pytest.fixture
def broker():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield
    client.flushdb()


@pytest.fixture
def owner(db):
    """One person who owns everything; reminders go out at midnight, so any rung is due today."""
    services.policy_get()
    Policy.objects.update(send_time=clock_time(0, 0))
    Job.objects.create(name=services.DIGEST_JOB, next_run_at=None)
    return PersonFactory(name="端到端", unit__name="端到端测试单位", email="e2e@example.org")


def milestones_due_tomorrow(person, count):
    project = ProjectFactory(
        name="端到端测试项目", stage=Stage.UNDER_CONSTRUCTION, responsible_unit=person.unit
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    for n in range(count):
        MilestoneFactory(project=project, title=f"节点{n}", due_date=tomorrow)


def test_e2e_worker_with_beat_delivers_reminder_once(tmp_path, broker, owner):
    milestones_due_tomorrow(owner, 1)
    recorder = Recorder()
    with SMTPServer(recorder) as smtp:
        worker = Worker(tmp_path, smtp.port, "a").start()
        try:
            wait_for(
                lambda: len(recorder.messages) >= 1, timeout=40, what="the reminder", worker=worker
            )
            ticks = worker.dispatch_ticks()
            # Two more beat ticks pass after the send: none of them may send it again.
            wait_for(
                lambda: worker.dispatch_ticks() >= ticks + 2,
                timeout=20,
                what="two more ticks",
                worker=worker,
            )
        finally:
            worker.stop()

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    assert recorder.delivery_ids() == [str(delivery.pk)]
    message = recorder.messages[0]
    assert message["To"] == "e2e@example.org"
    assert message["Subject"].startswith("【")
    assert "端到端测试项目：节点0" in message["Subject"]


def test_e2e_worker_killed_mid_batch_then_restarted_delivers_each_once(tmp_path, broker, owner):
    milestones_due_tomorrow(owner, 30)
    # Each message waits in MAIL FROM for a moment, so a kill lands while one is in flight.
    recorder = Recorder(delay=0.3)
    with SMTPServer(recorder) as smtp:
        first = Worker(tmp_path, smtp.port, "first").start()
        try:
            wait_for(
                lambda: len(recorder.messages) >= 5 and recorder.in_mail.is_set(),
                timeout=40,
                what="five messages and one in flight",
                worker=first,
            )
            first.kill()
        finally:
            first.stop()
        received_before_restart = len(recorder.messages)
        statuses = list(Delivery.objects.values_list("status", flat=True))
        assert 5 <= received_before_restart < 30
        assert statuses.count(DeliveryStatus.SENDING) == 1  # the one killed in flight
        assert statuses.count(DeliveryStatus.SENT) == received_before_restart

        second = Worker(tmp_path, smtp.port, "second").start()
        try:
            wait_for(
                lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 30,
                timeout=50,
                what="all 30 reminders sent",
                worker=second,
            )
        finally:
            second.stop()

    ids = recorder.delivery_ids()
    assert len(ids) == 30
    assert sorted(ids) == sorted(str(pk) for pk in Delivery.objects.values_list("pk", flat=True))
