"""Issuing, answering, accepting and returning orders: who may, which steps apply, what is kept."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.concurrency import AlreadyRecorded
from apps.supervision import services
from apps.supervision.models import OrderState, OrderStep, StepKind, SupervisionOrder
from tests.factories import HazardFactory, TargetFactory
from tests.supervision.conftest import png

pytestmark = pytest.mark.django_db


def test_order_issue_defaults_to_item_unit_and_records_step(order, leader, unit_a, project):
    assert (order.unit, order.project, order.state, order.issued_by) == (
        unit_a,
        project,
        OrderState.ISSUED,
        leader,
    )
    assert [(s.kind, s.by, s.text) for s in order.steps.all()] == [
        (StepKind.ISSUED, leader, "加快土建施工进度")
    ]
    assert list(SupervisionOrder.objects.on_item(project)) == [order]


def test_order_issue_on_target_and_hazard(leader, unit_a, unit_b):
    target = TargetFactory(responsible_unit=unit_a)
    hazard = HazardFactory(responsible_unit=unit_b)
    due = timezone.localdate()
    on_target = services.order_issue(
        user=leader, item=target, instruction="x", response_deadline=due
    )
    on_hazard = services.order_issue(
        user=leader, item=hazard, instruction="y", response_deadline=due
    )
    assert (on_target.target, on_target.unit) == (target, unit_a)
    assert (on_hazard.hazard, on_hazard.unit) == (hazard, unit_b)
    assert on_hazard.item == hazard


def test_order_issue_staff_refused(staff_a, project):
    with pytest.raises(PermissionDenied):
        services.order_issue(
            user=staff_a, item=project, instruction="x", response_deadline=timezone.localdate()
        )
    assert SupervisionOrder.objects.count() == 0


def test_order_issue_superuser_is_no_leader(superuser, project):
    with pytest.raises(PermissionDenied):
        services.order_issue(
            user=superuser, item=project, instruction="x", response_deadline=timezone.localdate()
        )


def test_order_issue_past_deadline_and_empty_text_refused(leader, project):
    with pytest.raises(ValidationError) as excinfo:
        services.order_issue(
            user=leader,
            item=project,
            instruction="  ",
            response_deadline=timezone.localdate() - timedelta(days=1),
        )
    assert set(excinfo.value.message_dict) == {"instruction", "response_deadline"}


def test_order_issue_item_without_unit_needs_one(leader, unit_b):
    target = TargetFactory(responsible_unit=None)
    with pytest.raises(ValidationError) as excinfo:
        services.order_issue(
            user=leader, item=target, instruction="x", response_deadline=timezone.localdate()
        )
    assert set(excinfo.value.message_dict) == {"unit"}
    order = services.order_issue(
        user=leader,
        item=target,
        instruction="x",
        response_deadline=timezone.localdate(),
        unit=unit_b,
    )
    assert order.unit == unit_b


def test_order_issue_twice_with_same_key_records_one(leader, project):
    key = uuid.uuid4()
    kwargs = {
        "user": leader,
        "item": project,
        "instruction": "x",
        "response_deadline": timezone.localdate(),
        "submission_key": key,
    }
    first = services.order_issue(**kwargs)
    with pytest.raises(AlreadyRecorded) as excinfo:
        services.order_issue(**kwargs)
    assert excinfo.value.instance == first
    assert SupervisionOrder.objects.count() == 1


def test_order_full_cycle_answer_return_answer_accept(order, staff_a, leader):
    services.order_answer(user=staff_a, order=order, text="已增加施工班组", evidence=png())
    assert order.state == OrderState.ANSWERED
    services.order_return(user=leader, order=order, reason="佐证不足")
    assert order.state == OrderState.RETURNED
    services.order_answer(user=staff_a, order=order, text="补充现场照片", evidence=png("b.png"))
    services.order_accept(user=leader, order=order, comment="同意办结")

    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED
    assert order.version == 5
    steps = list(order.steps.order_by("at", "id"))
    assert [(s.kind, s.by, s.text) for s in steps] == [
        (StepKind.ISSUED, leader, "加快土建施工进度"),
        (StepKind.ANSWERED, staff_a, "已增加施工班组"),
        (StepKind.RETURNED, leader, "佐证不足"),
        (StepKind.ANSWERED, staff_a, "补充现场照片"),
        (StepKind.ACCEPTED, leader, "同意办结"),
    ]
    answers = [s for s in steps if s.kind == StepKind.ANSWERED]
    assert all(s.evidence.name.startswith("orders/") for s in answers)
    assert answers[0].evidence.name != answers[1].evidence.name
    assert all(s.at is not None for s in steps)


def test_order_answer_needs_text_and_evidence(order, staff_a):
    with pytest.raises(ValidationError) as excinfo:
        services.order_answer(user=staff_a, order=order, text="", evidence=None)
    assert set(excinfo.value.message_dict) == {"text", "evidence"}


def test_order_answer_another_unit_refused(order, staff_b):
    with pytest.raises(PermissionDenied):
        services.order_answer(user=staff_b, order=order, text="x", evidence=png())
    assert OrderStep.objects.count() == 1


def test_order_answer_leader_of_another_unit_refused(order, leader):
    with pytest.raises(PermissionDenied):
        services.order_answer(user=leader, order=order, text="x", evidence=png())


def test_order_accept_and_return_staff_refused(order, staff_a):
    services.order_answer(user=staff_a, order=order, text="x", evidence=png())
    with pytest.raises(PermissionDenied):
        services.order_accept(user=staff_a, order=order)
    with pytest.raises(PermissionDenied):
        services.order_return(user=staff_a, order=order, reason="x")
    order.refresh_from_db()
    assert order.state == OrderState.ANSWERED


def test_order_accept_before_answer_refused(order, leader):
    with pytest.raises(ValidationError) as excinfo:
        services.order_accept(user=leader, order=order)
    assert excinfo.value.code == "state"


def test_order_return_needs_reason(order, staff_a, leader):
    services.order_answer(user=staff_a, order=order, text="x", evidence=png())
    with pytest.raises(ValidationError) as excinfo:
        services.order_return(user=leader, order=order, reason=" ")
    assert set(excinfo.value.message_dict) == {"reason"}


def test_order_step_stale_version_refused(order, staff_a, leader):
    shown = order.version
    services.order_answer(user=staff_a, order=order, text="x", evidence=png())
    stale = SupervisionOrder.objects.get(pk=order.pk)
    services.order_return(user=leader, order=stale, reason="再补充", version=shown + 1)
    # A colleague's answer form was shown before the return: it is refused, not applied.
    with pytest.raises(services.StaleOrder):
        services.order_answer(
            user=staff_a, order=stale, text="y", evidence=png(), version=shown + 1
        )
    assert OrderStep.objects.filter(kind=StepKind.ANSWERED).count() == 1


def test_order_answer_twice_with_same_key_records_one(order, staff_a):
    key = uuid.uuid4()
    services.order_answer(user=staff_a, order=order, text="x", evidence=png(), submission_key=key)
    with pytest.raises(AlreadyRecorded):
        services.order_answer(
            user=staff_a, order=order, text="x", evidence=png(), submission_key=key
        )
    assert OrderStep.objects.filter(kind=StepKind.ANSWERED).count() == 1
    order.refresh_from_db()
    assert order.version == 2


def test_order_rules_open_overdue_for_unit(order, staff_a, unit_a, unit_b):
    today = timezone.localdate()
    later = today + timedelta(days=8)
    assert list(SupervisionOrder.objects.overdue(later)) == [order]
    assert order.is_overdue(later) is True
    assert order.is_overdue(today) is False
    assert list(SupervisionOrder.objects.for_unit(unit_a).awaiting_answer()) == [order]
    assert list(SupervisionOrder.objects.for_unit(unit_b)) == []
    services.order_answer(user=staff_a, order=order, text="x", evidence=png())
    assert list(SupervisionOrder.objects.overdue(later)) == []
    assert list(SupervisionOrder.objects.awaiting_review()) == [order]
    assert list(SupervisionOrder.objects.open()) == [order]
