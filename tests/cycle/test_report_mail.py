"""The report mailed to the zone leaders when a round closes: once per leader and round."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail

from apps.cycle import report_mail, tasks
from apps.cycle.models import ReportMailing
from apps.org.models import Person
from tests.cycle.report_world import ZONE, build_world
from tests.factories import PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=ZONE)  # a day after W48 closed


@pytest.fixture
def world(unit_a, unit_b):
    return build_world(unit_a, unit_b)


@pytest.fixture
def leaders(make_user):
    office = UnitFactory(name="管委会")
    lin = make_user("lin", unit=office, role=Person.Role.LEADER)
    wang = make_user("wang", unit=office, role=Person.Role.LEADER, language="en")
    PersonFactory(name="无邮箱领导", unit=office, role=Person.Role.LEADER)
    make_user("staff_c", unit=office)  # not a leader: gets nothing
    return [lin.person, wang.person]


def mail_now():
    with time_machine.travel(NOW, tick=False):
        return tasks.mail_reports()


def test_mail_job_sends_each_leader_the_report_with_both_attachments(world, leaders):
    assert mail_now() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["lin@example.org", "wang@example.org"]
    for message in mail.outbox:
        assert [(name, kind) for name, _content, kind in message.attachments] in (
            [
                ("调度报告-2026-W48.pdf", "application/pdf"),
                (
                    "调度报告-2026-W48.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ],
            [
                ("report-2026-W48.pdf", "application/pdf"),
                (
                    "report-2026-W48.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ],
        )
        assert message.attachments[0][1].startswith(b"%PDF")
        assert message.attachments[1][1].startswith(b"PK")
    assert ReportMailing.objects.filter(sent_at__isnull=False).count() == 2


def test_mail_job_writes_in_each_leaders_language(world, leaders):
    mail_now()
    by_address = {m.to[0]: m for m in mail.outbox}
    chinese, english = by_address["lin@example.org"], by_address["wang@example.org"]
    assert chinese.subject == "[zonetracker] 调度周报 2026-W48"
    assert "2026-W48 轮填报已结束" in chinese.body
    assert "生成于 2026-11-28 09:00，2026-W48 轮次" in chinese.body
    assert english.subject == "[zonetracker] Weekly report 2026-W48"
    assert "Round 2026-W48 has closed" in english.body
    assert "Made at 2026-11-28 09:00 for round 2026-W48" in english.body


def test_mail_job_run_twice_sends_once(world, leaders):
    assert mail_now() == 2
    mail.outbox.clear()
    assert mail_now() == 0
    assert mail.outbox == []
    assert ReportMailing.objects.count() == 2


def test_mail_job_skips_rounds_closed_long_ago(world, leaders):
    with time_machine.travel(NOW + datetime.timedelta(days=30), tick=False):
        assert tasks.mail_reports() == 0
    assert mail.outbox == []


def test_mail_job_sends_nothing_without_leaders(world):
    assert mail_now() == 0
    assert mail.outbox == []


def test_mail_job_claims_nothing_when_the_server_is_down(world, leaders, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    assert mail_now() == 0
    assert ReportMailing.objects.count() == 0


class RefusingBackend:
    """A mail server that takes the connection and refuses every message."""

    def __init__(self, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")


def test_mail_job_gives_the_claim_back_when_a_send_fails(world, leaders, settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    with pytest.raises(smtplib.SMTPServerDisconnected), time_machine.travel(NOW, tick=False):
        report_mail.reports_mail()
    assert ReportMailing.objects.count() == 0
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert mail_now() == 2


def test_mail_job_is_on_the_beat_schedule(settings):
    tasks_scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "apps.cycle.tasks.mail_reports" in tasks_scheduled
