"""Safety work at the same moment: each hazard workflow step moves the hazard's version on."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.safety import services
from apps.safety.models import Hazard


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
