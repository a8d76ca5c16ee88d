"""Check-ins at the same moment: a check-in form sent twice records one check-in, and a check-in
moves the target's version on."""

import re
import uuid
from decimal import Decimal

import pytest

from apps.core.concurrency import AlreadyRecorded
from apps.goals.models import CheckIn, TargetStatus
from apps.goals.services import checkin_create

pytestmark = pytest.mark.django_db

ALREADY_RECORDED = "这次提交已经记录过了，没有重复保存。"
HX = {"HX-Request": "true"}


def checkin_url(target):
    return f"/goals/targets/{target.pk}/checkins/"


def shown_key(content: str) -> str:
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', content).group(1)


def test_checkin_form_posted_twice_records_one_checkin(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    client.force_login(staff_a)
    key = shown_key(client.get(f"/goals/targets/{target.pk}/").content.decode())
    data = {"value": "7", "status": "on_track", "comment": "", "submission_key": key}

    first = client.post(checkin_url(target), data, follow=True)
    second = client.post(checkin_url(target), data)

    assert first.redirect_chain == [(f"/goals/targets/{target.pk}/", 302)]
    assert (second.status_code, second["Location"]) == (302, f"/goals/targets/{target.pk}/")
    assert [str(m) for m in second.wsgi_request._messages] == [ALREADY_RECORDED]
    checkin = CheckIn.objects.get()
    assert (checkin.value, checkin.submission_key) == (Decimal("7"), uuid.UUID(key))
    target.refresh_from_db()
    assert target.version == 2


def test_checkin_htmx_posted_twice_records_one_and_says_so(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    client.force_login(staff_a)
    data = {"value": "7", "status": "at_risk", "comment": "原材料涨价"}
    data["submission_key"] = str(uuid.uuid4())

    first = client.post(checkin_url(target), data, headers=HX).content.decode()
    second = client.post(checkin_url(target), data, headers=HX).content.decode()

    assert "已记录本次填报。" in first
    assert ALREADY_RECORDED in second
    assert "已记录本次填报。" not in second
    # Each answer offers a fresh form, with a key of its own.
    assert len({data["submission_key"], shown_key(first), shown_key(second)}) == 3
    assert CheckIn.objects.count() == 1


def test_checkin_create_same_key_returns_first_and_leaves_target_alone(
    staff_a, unit_a, target_factory
):
    target = target_factory(unit=unit_a)
    key = uuid.uuid4()
    first = checkin_create(
        user=staff_a,
        target=target,
        status=TargetStatus.ON_TRACK,
        value=Decimal("7"),
        submission_key=key,
    )

    with pytest.raises(AlreadyRecorded) as recorded:
        checkin_create(
            user=staff_a,
            target=target,
            status=TargetStatus.ON_TRACK,
            value=Decimal("7"),
            submission_key=key,
        )

    assert recorded.value.instance == first
    target.refresh_from_db()
    assert (target.current_value, target.version) == (Decimal("7"), 2)
