"""Recording inspections and the hazard workflow: who may act, which steps apply, what is kept."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.org.models import Person
from apps.safety.models import Hazard, HazardGrade, HazardStatus, Inspection, Site
from apps.safety.services import (
    hazard_mark_rectified,
    hazard_reject,
    hazard_start_rectification,
    hazard_verify_close,
    inspection_create,
)
from tests.factories import InspectionTeamFactory

pytestmark = pytest.mark.django_db

FOUND = date(2023, 3, 1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="after.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def site():
    return Site.objects.create(name="黄岛石化区")


@pytest.fixture
def colleague_a(make_user, unit_a):
    return make_user("colleague_a", unit=unit_a)


@pytest.fixture
def leader(make_user, unit_b):
    return make_user("leader", unit=unit_b, role=Person.Role.LEADER)


def hazard_data(**overrides):
    data = {
        "description": "储罐区消防通道堵塞",
        "grade": HazardGrade.MAJOR,
        "location": "3号罐区",
        "enterprise": None,
        "rectification_deadline": None,
        "photo_before": None,
    }
    data.update(overrides)
    return data


# --- inspections --------------------------------------------------------------------------------


def test_inspection_create_for_own_unit_with_hazards(staff_a, unit_a, unit_b, site):
    inspection = inspection_create(
        user=staff_a,
        site=site,
        date=FOUND,
        title="节前安全检查",
        responsible_unit=unit_b,  # ignored: staff record for their own unit
        hazards=[hazard_data(), hazard_data(description="配电箱未接地", grade=HazardGrade.GENERAL)],
    )

    assert (inspection.responsible_unit, inspection.inspector) == (unit_a, staff_a)
    hazards = list(inspection.hazards.order_by("id"))
    assert [
        (h.description, h.site, h.found_date, h.responsible_unit, h.status) for h in hazards
    ] == [
        ("储罐区消防通道堵塞", site, FOUND, unit_a, HazardStatus.FOUND),
        ("配电箱未接地", site, FOUND, unit_a, HazardStatus.FOUND),
    ]


def test_inspection_create_stores_before_photo(staff_a, site):
    inspection = inspection_create(
        user=staff_a,
        site=site,
        date=FOUND,
        title="检查",
        hazards=[hazard_data(photo_before=png("before.png"))],
    )

    hazard = inspection.hazards.get()
    assert hazard.photo_before.name.startswith("hazards/")
    assert hazard.photo_before.name.endswith(".png")


def test_inspection_create_superuser_must_choose_unit(superuser, site):
    with pytest.raises(ValidationError) as caught:
        inspection_create(user=superuser, site=site, date=FOUND, title="检查")

    assert caught.value.message_dict == {"responsible_unit": ["请选择责任单位。"]}


def test_inspection_create_superuser_chosen_unit(superuser, unit_b, site):
    inspection = inspection_create(
        user=superuser, site=site, date=FOUND, title="检查", responsible_unit=unit_b
    )
    assert inspection.responsible_unit == unit_b


def test_inspection_create_user_without_unit_refused(make_user, site):
    loner = make_user("loner")
    with pytest.raises(PermissionDenied):
        inspection_create(user=loner, site=site, date=FOUND, title="检查")


def test_inspection_create_team_of_other_site_refused(staff_a, site):
    other_site = Site.objects.create(name="另一园区")
    team = InspectionTeamFactory(site=other_site)

    with pytest.raises(ValidationError) as caught:
        inspection_create(user=staff_a, site=site, team=team, date=FOUND, title="检查")

    assert caught.value.message_dict == {"team": ["该检查队伍不属于所选监管区域。"]}


def test_inspection_create_future_date_refused(staff_a, site):
    with pytest.raises(ValidationError) as caught:
        inspection_create(
            user=staff_a, site=site, date=timezone.localdate() + timedelta(days=1), title="检查"
        )
    assert caught.value.message_dict == {"date": ["检查日期不能晚于今天。"]}


def test_inspection_create_bad_hazard_saves_nothing(staff_a, site):
    with pytest.raises(ValidationError) as caught:
        inspection_create(
            user=staff_a,
            site=site,
            date=FOUND,
            title="检查",
            hazards=[
                hazard_data(),
                hazard_data(rectification_deadline=FOUND - timedelta(days=1)),
            ],
        )

    assert caught.value.message_dict == {"hazards-1": ["整改期限不能早于发现日期。"]}
    assert (Inspection.objects.count(), Hazard.objects.count()) == (0, 0)


# --- the hazard workflow ------------------------------------------------------------------------


def rectifying(hazard_factory, unit, user):
    hazard = hazard_factory(unit=unit, found_date=FOUND)
    return hazard_start_rectification(user=user, hazard=hazard, measures="清理通道")


def rectified(hazard_factory, unit, user, on=FOUND):
    hazard = rectifying(hazard_factory, unit, user)
    return hazard_mark_rectified(user=user, hazard=hazard, rectified_on=on, photo_after=png())


def test_hazard_start_rectification_sets_rectifier_and_measures(staff_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a)

    hazard_start_rectification(user=staff_a, hazard=hazard, measures="  加装防护栏  ")

    hazard.refresh_from_db()
    assert (hazard.status, hazard.rectifier, hazard.rectification_measures) == (
        HazardStatus.RECTIFYING,
        staff_a,
        "加装防护栏",
    )


def test_hazard_start_rectification_needs_measures(staff_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a)

    with pytest.raises(ValidationError) as caught:
        hazard_start_rectification(user=staff_a, hazard=hazard, measures=" ")

    assert caught.value.message_dict == {"measures": ["请填写整改措施。"]}
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND


def test_hazard_start_rectification_other_unit_refused(staff_b, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a)

    with pytest.raises(PermissionDenied):
        hazard_start_rectification(user=staff_b, hazard=hazard, measures="清理")

    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND


def test_hazard_start_rectification_twice_refused_with_message(staff_a, unit_a, hazard_factory):
    hazard = rectifying(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_start_rectification(user=staff_a, hazard=hazard, measures="再来一次")

    assert caught.value.messages == ["该隐患当前状态为“整改中”，不能开始整改。"]


def test_hazard_mark_rectified_on_found_date_accepted(staff_a, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a, on=FOUND)

    hazard.refresh_from_db()
    assert (hazard.status, hazard.rectified_on) == (HazardStatus.RECTIFIED, FOUND)
    assert hazard.photo_after.name.endswith(".png")


def test_hazard_mark_rectified_before_found_date_refused(staff_a, unit_a, hazard_factory):
    hazard = rectifying(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_mark_rectified(
            user=staff_a, hazard=hazard, rectified_on=FOUND - timedelta(days=1), photo_after=png()
        )

    assert caught.value.message_dict == {
        "rectified_on": ["整改完成日期不能早于发现日期（2023-03-01）。"]
    }


def test_hazard_mark_rectified_in_future_refused(staff_a, unit_a, hazard_factory):
    hazard = rectifying(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_mark_rectified(
            user=staff_a,
            hazard=hazard,
            rectified_on=timezone.localdate() + timedelta(days=1),
            photo_after=png(),
        )

    assert caught.value.message_dict == {"rectified_on": ["日期不能晚于今天。"]}


def test_hazard_mark_rectified_needs_after_photo(staff_a, unit_a, hazard_factory):
    hazard = rectifying(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND)

    assert caught.value.message_dict == {"photo_after": ["请上传整改后照片。"]}
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING


def test_hazard_mark_rectified_when_found_refused(staff_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a)

    with pytest.raises(ValidationError) as caught:
        hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND, photo_after=png())

    assert caught.value.messages == ["该隐患当前状态为“已发现”，不能标记为已整改。"]


def test_hazard_mark_rectified_other_unit_refused(staff_a, staff_b, unit_a, hazard_factory):
    hazard = rectifying(hazard_factory, unit_a, staff_a)

    with pytest.raises(PermissionDenied):
        hazard_mark_rectified(user=staff_b, hazard=hazard, rectified_on=FOUND, photo_after=png())


def test_hazard_verify_close_by_rectifier_refused(staff_a, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_verify_close(user=staff_a, hazard=hazard, closed_on=FOUND)

    assert caught.value.messages == ["验收人不能是整改人本人：请由整改人以外的人员验收。"]
    hazard.refresh_from_db()
    assert (hazard.status, hazard.verifier) == (HazardStatus.RECTIFIED, None)


def test_hazard_verify_close_by_colleague(staff_a, colleague_a, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    hazard_verify_close(user=colleague_a, hazard=hazard, closed_on=FOUND)

    hazard.refresh_from_db()
    assert (hazard.status, hazard.verifier, hazard.closed_on) == (
        HazardStatus.CLOSED,
        colleague_a,
        FOUND,
    )


def test_hazard_verify_close_by_zone_leader_of_other_unit(staff_a, leader, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    hazard_verify_close(user=leader, hazard=hazard)

    hazard.refresh_from_db()
    assert (hazard.status, hazard.verifier, hazard.closed_on) == (
        HazardStatus.CLOSED,
        leader,
        timezone.localdate(),
    )


def test_hazard_verify_close_by_other_unit_staff_refused(staff_a, staff_b, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    with pytest.raises(PermissionDenied):
        hazard_verify_close(user=staff_b, hazard=hazard)


def test_hazard_verify_close_before_rectified_refused(staff_a, colleague_a, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a, on=FOUND + timedelta(days=5))

    with pytest.raises(ValidationError) as caught:
        hazard_verify_close(user=colleague_a, hazard=hazard, closed_on=FOUND + timedelta(days=4))

    assert caught.value.message_dict == {
        "closed_on": ["验收销号日期不能早于整改完成日期（2023-03-06）。"]
    }


def test_hazard_verify_close_when_rectifying_refused(staff_a, colleague_a, unit_a, hazard_factory):
    hazard = rectifying(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_verify_close(user=colleague_a, hazard=hazard)

    assert caught.value.messages == ["该隐患当前状态为“整改中”，不能验收销号。"]


def test_hazard_reject_sends_back_with_reason(staff_a, colleague_a, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    hazard_reject(user=colleague_a, hazard=hazard, reason="照片看不清通道")

    hazard.refresh_from_db()
    assert (hazard.status, hazard.rectified_on, hazard.verifier) == (
        HazardStatus.RECTIFYING,
        None,
        None,
    )
    latest = hazard.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (colleague_a, "照片看不清通道")


def test_hazard_reject_needs_reason(staff_a, colleague_a, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_reject(user=colleague_a, hazard=hazard, reason="")

    assert caught.value.message_dict == {"reason": ["请填写退回原因。"]}


def test_hazard_reject_reason_of_100_characters_accepted(
    staff_a, colleague_a, unit_a, hazard_factory
):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    hazard_reject(user=colleague_a, hazard=hazard, reason="字" * 100)

    latest = hazard.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "字" * 100


def test_hazard_reject_reason_of_101_characters_refused(
    staff_a, colleague_a, unit_a, hazard_factory
):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_reject(user=colleague_a, hazard=hazard, reason="字" * 101)

    assert caught.value.message_dict == {"reason": ["退回原因不能超过 100 个字。"]}
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED


def test_hazard_reject_by_rectifier_refused(staff_a, unit_a, hazard_factory):
    hazard = rectified(hazard_factory, unit_a, staff_a)

    with pytest.raises(ValidationError) as caught:
        hazard_reject(user=staff_a, hazard=hazard, reason="自己退回")

    assert caught.value.messages == ["验收人不能是整改人本人：请由整改人以外的人员验收。"]


def test_hazard_rectified_again_after_reject_keeps_earlier_photo(
    staff_a, colleague_a, unit_a, hazard_factory
):
    hazard = rectified(hazard_factory, unit_a, staff_a)
    hazard_reject(user=colleague_a, hazard=hazard, reason="再清理一次")

    hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND)

    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED
    assert hazard.photo_after.name.endswith(".png")


def test_hazard_workflow_history_records_each_step_with_user(
    staff_a, colleague_a, unit_a, hazard_factory
):
    hazard = rectified(hazard_factory, unit_a, staff_a)
    hazard_verify_close(user=colleague_a, hazard=hazard)

    steps = [
        (record.status, record.history_user)
        for record in hazard.history.order_by("history_date", "history_id")
    ]
    assert steps == [
        (HazardStatus.FOUND, None),
        (HazardStatus.RECTIFYING, staff_a),
        (HazardStatus.RECTIFIED, staff_a),
        (HazardStatus.CLOSED, colleague_a),
    ]
