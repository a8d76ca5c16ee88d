"""send_reminders (with and without --dry-run), load_holidays, sync_deadlines, bench_reminders."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from apps.reminders.models import CalendarDay, Deadline, Delivery, DeliveryStatus
from tests.reminders.conftest import at
from tests.reminders.smtp import Recorder, SMTPServer, free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest")]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_send_reminders_dry_run_sends_nothing_and_prints_the_plan(
    clock, policy, team, make_milestone
):
    clock(at(date(2025, 2, 1)))
    milestone = make_milestone(date(2025, 3, 20), title="竣工")
    clock(at(date(2025, 3, 13)))
    deadline_before = Deadline.objects.values().get()

    output = run("send_reminders", "--dry-run")

    title = f"{milestone.project.name}：竣工"
    assert output.splitlines() == [
        f"[lead] zhang@example.org: 【到期提醒】{title}还有 7 天到期",
        f"[lead] li@example.org: 【到期提醒】{title}还有 7 天到期",
        "（演练）将发送 2 封邮件，实际未发送。",
    ]
    assert mail.outbox == []
    assert Delivery.objects.count() == 0
    assert Deadline.objects.values().get() == deadline_before


def test_send_reminders_sends_in_the_foreground(clock, policy, team, make_milestone):
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))

    first = run("send_reminders")
    second = run("send_reminders")

    assert "sent: 2;" in first
    assert "sent: 0;" in second
    assert len(mail.outbox) == 2


def test_send_reminders_with_the_mail_server_down_fails_in_one_line_and_keeps_them(
    clock, policy, team, make_milestone, settings
):
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))
    port = free_port()
    settings.MAILERS = SMTPServer.mailers_for(port)
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("send_reminders", stdout=out)

    assert str(raised.value) == (
        f"无法连接邮件服务器 127.0.0.1:{port}：[Errno 111] Connection refused。"
        "未发出的提醒将在下次运行时重试。"
    )
    assert raised.value.returncode == 1
    assert out.getvalue() == ""
    assert list(Delivery.objects.values_list("message__status", "message__attempts")) == [
        (DeliveryStatus.PENDING, 0),
        (DeliveryStatus.PENDING, 0),
    ]

    # The server comes back on the same port: the next run sends both, once.
    recorder = Recorder()
    with SMTPServer(recorder, port=port):
        output = run("send_reminders")
    assert "sent: 2;" in output
    assert sorted(recorder.delivery_ids()) == sorted(
        str(pk) for pk in Delivery.objects.values_list("pk", flat=True)
    )


def test_send_reminders_deferred_by_the_mail_server_fails_in_one_line_and_keeps_them(
    clock, policy, team, make_milestone, settings
):
    clock(at(date(2025, 2, 1)))
    make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))
    recorder = Recorder(fail_next=1)

    with SMTPServer(recorder) as smtp, pytest.raises(CommandError) as raised:
        settings.MAILERS = smtp.mailers
        call_command("send_reminders", stdout=StringIO())

    assert str(raised.value) == (
        "邮件服务器暂时拒收：(451, b'4.3.0 Try again later')。未发出的提醒将在下次运行时重试。"
    )
    assert recorder.delivery_ids() == []
    assert list(
        Delivery.objects.order_by("pk").values_list("message__status", "message__attempts")
    ) == [
        (DeliveryStatus.PENDING, 1),
        (DeliveryStatus.PENDING, 0),
    ]


def test_load_holidays_is_idempotent(db):
    count = CalendarDay.objects.count()
    output = run("load_holidays")
    assert output.startswith(
        "calendar days created: 0, updated: 0, deleted: 0; kept as set in the admin: 0;"
    )
    assert CalendarDay.objects.count() == count


def test_sync_deadlines_rebuilds_missing_rows(team, make_milestone):
    make_milestone(date(2025, 3, 20))
    make_milestone(None)
    Deadline.objects.all().delete()

    output = run("sync_deadlines")

    # The undated milestone is registered too (it is open work), with nothing to send.
    assert output.strip() == "deadlines in step: 2"
    assert Deadline.objects.get(due_date__isnull=False).due_date == date(2025, 3, 20)
    assert Deadline.objects.get(due_date__isnull=True).next_reminder_at is None


def test_bench_reminders_reports_both_sizes_and_leaves_no_rows(team):
    output = run("bench_reminders", "--sizes", "50,200", "--due", "5", "--repeat", "1")

    lines = output.splitlines()
    assert lines[0].split()[:5] == ["50", "open", "deadlines,", "5", "due:"]
    assert lines[1].split()[:5] == ["200", "open", "deadlines,", "5", "due:"]
    assert lines[2].startswith("ratio 200/50: ")
    assert lines[3] == "all benchmark rows rolled back"
    assert Deadline.objects.count() == 0


def test_sync_deadlines_removes_rows_of_deleted_items(team, make_milestone):
    kept = make_milestone(date(2025, 3, 20))
    gone = make_milestone(date(2025, 3, 21))
    gone_pk = gone.pk
    # A bulk delete bypasses the post_delete signal of each row.
    type(gone).objects.filter(pk=gone_pk)._raw_delete(using="default")

    run("sync_deadlines")

    assert list(Deadline.objects.values_list("object_id", flat=True)) == [kept.pk]
