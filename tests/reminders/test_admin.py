"""The reminders back office: policy, calendar, deadlines and the delivery log with failures."""

import uuid
from datetime import date

import pytest
from django.urls import reverse

from apps.reminders.models import (
    CalendarDay,
    Deadline,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    LeadTime,
    Message,
    Policy,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_zh(client, superuser):
    client.force_login(superuser)
    client.cookies["django_language"] = "zh-hans"
    return client


def make_deliveries(team, deadline, count, status=DeliveryStatus.SENT):
    """`count` reminders about `deadline`, each in an email of its own with `status`."""
    error = "550 5.1.1 No such mailbox" if status == DeliveryStatus.FAILED else ""
    for n in range(count):
        recipient = team["staff"] if n % 2 else team["head"]
        message = Message.objects.create(
            message_key=uuid.uuid4(),
            recipient=recipient,
            status=status,
            email=recipient.contact_email,
            attempts=1,
            next_attempt_at=deadline.updated_at,
            sent_at=deadline.updated_at if status == DeliveryStatus.SENT else None,
            last_error=error,
        )
        Delivery.objects.create(
            deadline=deadline,
            recipient=recipient,
            kind=DeliveryKind.LEAD,
            rung_date=date(2025, 1, 1 + n),
            # A failed email's rows fail with it; the rows of one sent follow it.
            status=DeliveryStatus.FAILED if error else DeliveryStatus.PENDING,
            message=message,
            last_error=error,
        )


@pytest.mark.parametrize(
    "name", ["policy", "calendarday", "deadline", "delivery", "message", "preference", "job"]
)
def test_admin_changelist_renders(admin_client_zh, policy, holidays, name):
    response = admin_client_zh.get(reverse(f"admin:reminders_{name}_changelist"))
    assert response.status_code == 200


def test_admin_delivery_changelist_shows_failures(admin_client_zh, team, make_milestone):
    deadline = Deadline.objects.get(object_id=make_milestone(date(2025, 3, 20)).pk)
    make_deliveries(team, deadline, 1, status=DeliveryStatus.FAILED)

    response = admin_client_zh.get(
        reverse("admin:reminders_delivery_changelist"), {"state": "failed"}
    )

    assert response.status_code == 200
    assert "550 5.1.1 No such mailbox" in response.content.decode()


def test_admin_delivery_changelist_filters_by_the_emails_status(
    admin_client_zh, team, make_milestone
):
    deadline = Deadline.objects.get(object_id=make_milestone(date(2025, 3, 20)).pk)
    make_deliveries(team, deadline, 2)
    Delivery.objects.filter(rung_date=date(2025, 1, 2)).update(status=DeliveryStatus.SKIPPED)
    url = reverse("admin:reminders_delivery_changelist")

    sent = admin_client_zh.get(url, {"state": "sent"}).context["cl"].result_list
    skipped = admin_client_zh.get(url, {"state": "skipped"}).context["cl"].result_list

    assert [row.rung_date for row in sent] == [date(2025, 1, 1)]
    assert [row.rung_date for row in skipped] == [date(2025, 1, 2)]


@pytest.mark.parametrize("name", ["delivery", "message", "deadline"])
def test_admin_changelist_queries_same_with_two_and_eight_rows(
    admin_client_zh, team, make_milestone, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"admin:reminders_{name}_changelist")
    counts = []
    for size in (1, 4):
        for _ in range(size):
            deadline = Deadline.objects.get(object_id=make_milestone(date(2025, 3, 20)).pk)
            make_deliveries(team, deadline, 2)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client_zh.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_admin_deadline_change_page_shows_delivery_inline(admin_client_zh, team, make_milestone):
    deadline = Deadline.objects.get(object_id=make_milestone(date(2025, 3, 20)).pk)
    make_deliveries(team, deadline, 2)
    response = admin_client_zh.get(reverse("admin:reminders_deadline_change", args=[deadline.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("提前提醒") >= 2


def test_admin_send_again_action_requeues_failed(admin_client_zh, team, make_milestone):
    deadline = Deadline.objects.get(object_id=make_milestone(date(2025, 3, 20)).pk)
    make_deliveries(team, deadline, 1, status=DeliveryStatus.FAILED)
    failed = Delivery.objects.get()

    admin_client_zh.post(
        reverse("admin:reminders_delivery_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk]},
    )

    failed.refresh_from_db()
    assert (failed.status, failed.message_id, failed.last_error) == (
        DeliveryStatus.PENDING,
        None,
        "",
    )
    assert Message.objects.get().status == DeliveryStatus.FAILED  # the old email's history


def test_admin_policy_edit_with_lead_time_inline(
    admin_client_zh, policy, django_capture_on_commit_callbacks
):
    url = reverse("admin:reminders_policy_change", args=[policy.pk])
    leads = list(policy.lead_times.order_by("-days_before"))
    data = {
        "send_time": "08:00",
        "overdue_every_days": 5,
        "escalate_after_days": 10,
        "digest_weekday": 0,
        "digest_time": "08:30",
        "digest_horizon_days": 14,
        "working_days_only": "on",
        "lead_times-TOTAL_FORMS": len(leads) + 1,
        "lead_times-INITIAL_FORMS": len(leads),
        "lead_times-MIN_NUM_FORMS": 0,
        "lead_times-MAX_NUM_FORMS": 1000,
        f"lead_times-{len(leads)}-id": "",
        f"lead_times-{len(leads)}-days_before": 3,
        f"lead_times-{len(leads)}-policy": policy.pk,
    }
    for index, lead in enumerate(leads):
        data[f"lead_times-{index}-id"] = lead.pk
        data[f"lead_times-{index}-policy"] = policy.pk
        data[f"lead_times-{index}-days_before"] = lead.days_before

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client_zh.post(url, data)

    assert response.status_code == 302
    policy = Policy.objects.get()
    assert (policy.overdue_every_days, policy.escalate_after_days) == (5, 10)
    assert sorted(LeadTime.objects.values_list("days_before", flat=True)) == [0, 1, 3, 7, 30]
    assert len(callbacks) == 1  # the reschedule task, queued after the commit


def test_admin_calendar_day_refuses_duplicate_date(admin_client_zh, holidays):
    response = admin_client_zh.post(
        reverse("admin:reminders_calendarday_add"),
        {"date": "2025-10-01", "kind": "holiday", "name": "国庆节", "source": ""},
    )
    assert response.status_code == 200
    assert CalendarDay.objects.filter(date=date(2025, 10, 1)).count() == 1


def test_admin_deadline_changelist_names_and_filters_kinds_by_label(
    admin_client_zh, team, make_milestone, hazard_factory
):
    make_milestone(date(2025, 3, 20), title="主体封顶")
    hazard_factory(
        unit=team["unit"], description="消防通道堵塞", rectification_deadline=date(2025, 3, 20)
    )
    url = reverse("admin:reminders_deadline_changelist")

    everything = admin_client_zh.get(url)
    hazards = admin_client_zh.get(url, {"kind": "hazard"})

    html = everything.content.decode()
    filter_spec = everything.context["cl"].filter_specs[0]
    assert [(kind, str(label)) for kind, label in filter_spec.lookup_choices] == [
        ("milestone", "项目节点"),
        ("target", "指标任务"),
        ("hazard", "隐患整改"),
        ("order", "督办单"),
        ("submission", "填报"),
    ]
    assert '<td class="field-kind_label">项目节点</td>' in html
    assert '<td class="field-kind_label">隐患整改</td>' in html
    assert [d.title for d in hazards.context["cl"].result_list] == ["消防通道堵塞"]


def test_admin_delivery_changelist_filters_by_kind_of_deadline(
    admin_client_zh, team, make_milestone, hazard_factory
):
    milestone = Deadline.objects.get(object_id=make_milestone(date(2025, 3, 20)).pk)
    hazard_factory(unit=team["unit"], rectification_deadline=date(2025, 3, 20))
    hazard = Deadline.objects.get(kind="hazard")
    make_deliveries(team, milestone, 1)
    make_deliveries(team, hazard, 2)

    response = admin_client_zh.get(
        reverse("admin:reminders_delivery_changelist"), {"deadline__kind": "hazard"}
    )

    assert response.status_code == 200
    assert {d.deadline for d in response.context["cl"].result_list} == {hazard}
