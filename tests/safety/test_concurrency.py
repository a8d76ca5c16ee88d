"""Safety work at the same moment: an inspection form sent twice records one inspection, and
each hazard workflow step moves the hazard's version on."""

import io
import re
import uuid
from datetime import date
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from apps.core.concurrency import AlreadyRecorded
from apps.safety import services
from apps.safety.models import Hazard, Inspection, Site
from tests.threads import at_once

ALREADY_RECORDED = "这次提交已经记录过了，没有重复保存。"
NEW = "/safety/inspections/new/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def site(db):
    return Site.objects.create(name="黄岛石化区")


def form_data(site, key: str) -> dict:
    return {
        "site": site.pk,
        "team": "",
        "campaign": "",
        "date": "2023-03-01",
        "title": "节前安全大检查",
        "notes": "",
        "submission_key": key,
        "hazards-TOTAL_FORMS": "1",
        "hazards-INITIAL_FORMS": "0",
        "hazards-MIN_NUM_FORMS": "0",
        "hazards-MAX_NUM_FORMS": "50",
        "hazards-0-description": "消防通道堵塞",
        "hazards-0-grade": "major",
        "hazards-0-location": "3号罐区",
        "hazards-0-enterprise": "",
        "hazards-0-rectification_deadline": "2023-03-10",
    }


@pytest.mark.django_db
def test_inspection_form_posted_twice_records_one_inspection(client, staff_a, site):
    client.force_login(staff_a)
    page = client.get(NEW).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)

    first = client.post(NEW, form_data(site, key), follow=True)
    second = client.post(NEW, form_data(site, key))

    inspection = Inspection.objects.get()
    assert first.redirect_chain == [(f"/safety/inspections/{inspection.pk}/", 302)]
    assert (second.status_code, second["Location"]) == (
        302,
        f"/safety/inspections/{inspection.pk}/",
    )
    assert [str(m) for m in second.wsgi_request._messages] == [ALREADY_RECORDED]
    assert inspection.submission_key == uuid.UUID(key)
    assert Hazard.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers on one file lock, so two threads never race; "
    "the race this test is about needs PostgreSQL's concurrent transactions",
)
def test_inspection_create_same_key_from_two_threads_records_one(staff_a, site):
    for trial in range(10):
        key = uuid.uuid4()
        record = partial(
            services.inspection_create,
            user=staff_a,
            site=site,
            date=timezone.localdate(),
            title=f"节前安全大检查{trial}",
            hazards=[{"description": "消防通道堵塞", "grade": "major"}],
            submission_key=key,
        )

        outcomes = at_once(record, record)

        made = [o for o in outcomes if isinstance(o, Inspection)]
        recorded = [o.instance for o in outcomes if isinstance(o, AlreadyRecorded)]
        assert (len(made), recorded) == (1, made), outcomes
        assert Inspection.objects.filter(submission_key=key).count() == 1
        assert Hazard.objects.filter(inspection=made[0]).count() == 1


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile("after.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_hazard_workflow_steps_each_move_the_version_on(make_user, staff_a, unit_a, hazard_factory):
    colleague = make_user("colleague_a", unit=unit_a)
    hazard = hazard_factory(unit=unit_a, found_date=date(2023, 3, 1))
    versions = [hazard.version]

    services.hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理通道")
    versions.append(Hazard.objects.get(pk=hazard.pk).version)
    services.hazard_mark_rectified(
        user=staff_a, hazard=hazard, rectified_on=date(2023, 3, 5), photo_after=png()
    )
    versions.append(Hazard.objects.get(pk=hazard.pk).version)
    services.hazard_reject(user=colleague, hazard=hazard, reason="通道仍有杂物")
    versions.append(Hazard.objects.get(pk=hazard.pk).version)
    services.hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=date(2023, 3, 6))
    services.hazard_verify_close(user=colleague, hazard=hazard)
    versions.append(Hazard.objects.get(pk=hazard.pk).version)

    assert versions == [1, 2, 3, 4, 6]
    assert hazard.version == 6  # the caller's instance is brought up to date too
