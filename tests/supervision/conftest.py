"""Fixtures for the supervision tests: a leader, a project of unit A, an order on it, a photo."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.org.models import Person
from apps.projects.models import Stage
from apps.supervision import services
from tests.factories import ProjectFactory, UnitFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="evidence.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def leader(make_user):
    return make_user("leader", unit=UnitFactory(name="工委管委"), role=Person.Role.LEADER)


@pytest.fixture
def project(unit_a):
    return ProjectFactory(name="测试项目", stage=Stage.UNDER_CONSTRUCTION, responsible_unit=unit_a)


@pytest.fixture
def order(leader, project):
    return services.order_issue(
        user=leader,
        item=project,
        instruction="加快土建施工进度",
        response_deadline=timezone.localdate() + timedelta(days=7),
    )
