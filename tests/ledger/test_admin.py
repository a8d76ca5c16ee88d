"""The admin's import (django-import-export) on the project admin: same reader, same rules."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.projects.models import Project

from .conftest import PROJECT_HEADERS, admin_confirm, admin_preview, project_row, xlsx

pytestmark = pytest.mark.django_db


def test_admin_import_previews_then_imports_with_history_user(client, superuser, places, unit_a):
    client.force_login(superuser)
    url = reverse("admin:projects_project_import")
    assert client.get(url).status_code == 200
    data = xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目")]})

    preview = admin_preview(client, "projects_project", data)

    assert preview.status_code == 200
    assert Project.objects.count() == 0
    response = admin_confirm(client, "projects_project", preview)
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.history.get().history_user == superuser


def test_admin_import_refuses_a_formula(client, superuser, places, unit_a):
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(PROJECT_HEADERS)
    workbook.active.append(project_row("甲项目", 总投资="=2*3"))
    out = BytesIO()
    workbook.save(out)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:projects_project_import"),
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("l.xlsx", out.getvalue()),
        },
    )

    assert response.status_code == 200
    assert "公式" in response.content.decode()
    assert Project.objects.count() == 0


def test_admin_project_change_page_keeps_history(client, superuser, places, unit_a):
    client.force_login(superuser)
    assert client.get(reverse("admin:projects_project_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_milestone_changelist")).status_code == 200
