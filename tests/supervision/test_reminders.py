"""An order awaiting its answer is a deadline of the reminder pipeline: the unit is reminded, an
unanswered order escalates to the leader who issued it, an answer stops the ladder, a return
restarts it. Time is frozen."""

from datetime import date

import pytest
from django.core import mail

from apps.org.models import Person
from apps.reminders import services as reminders
from apps.reminders.models import Deadline, Delivery, DeliveryKind, DeliveryStatus
from apps.supervision import services
from tests.factories import ProjectFactory, UnitFactory
from tests.reminders.conftest import at, clock, no_digest, policy  # noqa: F401 (fixtures)
from tests.supervision.conftest import png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest", "policy")]


@pytest.fixture
def team(make_user):
    unit = UnitFactory(name="建设局")
    staff = make_user("zhang", unit=unit)
    head = make_user("li", unit=unit, role=Person.Role.HEAD)
    unit.head = head.person
    unit.save(update_fields=["head"])
    leader = make_user("wang", unit=UnitFactory(name="工委管委"), role=Person.Role.LEADER)
    return {"unit": unit, "staff": staff, "head": head, "leader": leader}


@pytest.fixture
def issued(clock, team):  # noqa: F811
    clock(at(date(2025, 2, 1)))
    project = ProjectFactory(name="港口物流园", responsible_unit=team["unit"])
    return services.order_issue(
        user=team["leader"],
        item=project,
        instruction="报送征地进展",
        response_deadline=date(2025, 3, 20),  # a Thursday
    )


def test_order_registers_a_deadline_owned_by_unit_led_by_issuer(issued, team):
    deadline = Deadline.objects.get(kind="order", object_id=issued.pk)
    assert (deadline.due_date, deadline.is_open) == (date(2025, 3, 20), True)
    assert deadline.responsible_unit_id == team["unit"].pk
    assert deadline.leading_official_id == team["leader"].person.pk
    assert deadline.title == "港口物流园：报送征地进展"
    assert deadline.item_path == f"/orders/{issued.pk}/"


def test_unanswered_order_escalates_to_issuing_leader(clock, issued, team):  # noqa: F811
    clock(at(date(2025, 3, 20)))
    reminders.send_pending()
    due = Delivery.objects.filter(kind=DeliveryKind.DUE)
    assert sorted(d.recipient.name for d in due) == ["li", "zhang"]

    clock(at(date(2025, 4, 3)))  # 14 days overdue: the policy's escalation
    reminders.send_pending()

    escalation = Delivery.objects.get(kind=DeliveryKind.ESCALATION)
    assert escalation.recipient == team["leader"].person
    assert escalation.state == DeliveryStatus.SENT
    assert escalation.message.cc == "li@example.org"
    message = next(m for m in mail.outbox if m.to == ["wang@example.org"])
    assert message.cc == ["li@example.org"]
    assert "港口物流园：报送征地进展" in message.subject
    assert f"/orders/{issued.pk}/" in message.body


def test_answered_order_stops_reminders_and_return_restarts_them(clock, issued, team):  # noqa: F811
    clock(at(date(2025, 3, 19)))
    services.order_answer(user=team["staff"], order=issued, text="已报送", evidence=png())
    deadline = Deadline.objects.get(kind="order", object_id=issued.pk)
    assert (deadline.is_open, deadline.next_reminder_at) == (False, None)

    clock(at(date(2025, 4, 3)))
    reminders.send_pending()
    assert Delivery.objects.filter(kind=DeliveryKind.ESCALATION).count() == 0

    services.order_return(user=team["leader"], order=issued, reason="材料不全")
    deadline.refresh_from_db()
    assert deadline.is_open is True
    assert deadline.next_reminder_at is not None
    reminders.send_pending()
    assert Delivery.objects.filter(kind=DeliveryKind.ESCALATION).count() == 1
