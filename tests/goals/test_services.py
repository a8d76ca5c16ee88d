"""Checking in on a target: who may, what it records, what it refuses."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.goals.models import CheckIn, TargetStatus
from apps.goals.services import checkin_create

pytestmark = pytest.mark.django_db


def test_checkin_create_records_checkin_and_updates_target(staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a, current_value=Decimal("10"))

    checkin = checkin_create(
        user=staff_a,
        target=target,
        value=Decimal("42.5"),
        status=TargetStatus.ON_TRACK,
        comment="按计划推进",
    )

    target.refresh_from_db()
    assert (checkin.date, checkin.value, checkin.author) == (
        timezone.localdate(),
        Decimal("42.5"),
        staff_a,
    )
    assert (target.current_value, target.status) == (Decimal("42.5"), TargetStatus.ON_TRACK)


def test_checkin_create_without_value_keeps_current_value(staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a, current_value=Decimal("7"))

    checkin_create(user=staff_a, target=target, value=None, status=TargetStatus.ON_TRACK)

    target.refresh_from_db()
    assert target.current_value == Decimal("7")
    assert CheckIn.objects.get(target=target).value is None


def test_checkin_create_records_history_with_user(staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)

    checkin_create(user=staff_a, target=target, value=Decimal("1"), status=TargetStatus.ON_TRACK)

    latest = target.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.status) == (staff_a, TargetStatus.ON_TRACK)


def test_checkin_create_other_unit_refused(staff_b, unit_a, target_factory):
    target = target_factory(unit=unit_a)

    with pytest.raises(PermissionDenied):
        checkin_create(user=staff_b, target=target, status=TargetStatus.ON_TRACK)

    assert CheckIn.objects.count() == 0


def test_checkin_create_superuser_allowed(superuser, unit_a, target_factory):
    target = target_factory(unit=unit_a)

    checkin_create(user=superuser, target=target, status=TargetStatus.ACHIEVED)

    target.refresh_from_db()
    assert target.status == TargetStatus.ACHIEVED


def test_checkin_create_target_without_unit_refused_for_staff(staff_a, target_factory):
    target = target_factory(unit=None)

    with pytest.raises(PermissionDenied):
        checkin_create(user=staff_a, target=target, status=TargetStatus.ON_TRACK)


@pytest.mark.parametrize("status", [TargetStatus.AT_RISK, TargetStatus.OFF_TRACK])
def test_checkin_create_risk_without_comment_refused(staff_a, unit_a, target_factory, status):
    target = target_factory(unit=unit_a)

    with pytest.raises(ValidationError) as caught:
        checkin_create(user=staff_a, target=target, status=status, comment="  ")

    assert caught.value.message_dict == {
        "comment": ["状态为“存在风险”或“滞后”时，请在说明中写明原因。"]
    }
    target.refresh_from_db()
    assert target.status == TargetStatus.NOT_STARTED
    assert CheckIn.objects.count() == 0


def test_checkin_create_unknown_status_refused(staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)

    with pytest.raises(ValidationError) as caught:
        checkin_create(user=staff_a, target=target, status="finished")

    assert list(caught.value.message_dict) == ["status"]
    assert CheckIn.objects.count() == 0
