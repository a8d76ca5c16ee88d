"""The staff import page: upload, preview, confirm; who may use it; the downloads."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.org.models import Person
from apps.projects.models import Project
from tests.factories import ProjectFactory, UnitFactory, UserFactory

from .conftest import PROJECT_HEADERS, project_row, xlsx

pytestmark = pytest.mark.django_db

LEDGER_URLS = ["ledger:import", "ledger:template", "ledger:export"]


def upload(client, data, name="ledger.xlsx"):
    return client.post(reverse("ledger:import"), {"file": _file(data, name)})


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.fixture
def office(make_user):
    return make_user("office", unit=UnitFactory(name="调度办公室"), role=Person.Role.OFFICE)


def test_preview_then_confirm_imports_once(client, office, places, unit_a):
    client.force_login(office)
    data = xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目"), project_row("乙项目")]})

    preview = upload(client, data)

    assert preview.status_code == 200
    assert Project.objects.count() == 0
    token = preview.context["token"]
    assert token
    assert [r["row"].status for r in preview.context["rows"]] == ["new", "new"]
    confirm = client.post(reverse("ledger:import_confirm"), {"token": token})
    assert confirm.status_code == 302
    assert Project.objects.count() == 2
    again = client.post(reverse("ledger:import_confirm"), {"token": token}, follow=True)
    assert again.status_code == 200
    assert Project.objects.count() == 2
    assert Project.history.filter(history_user=office).count() == 2


def test_preview_lists_errors_with_row_and_column_in_english(client, office, places, unit_a):
    client.force_login(office)
    client.cookies["django_language"] = "en"
    data = xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目", 阶段="快完了")]})

    response = upload(client, data, "ledger.xlsx")

    assert response.context["token"] == ""
    errors = response.context["errors"]
    assert [(e["error"].row, e["error"].column) for e in errors] == [(2, "阶段")]
    assert errors[0]["error"].message.startswith("“快完了” is not a valid choice")
    assert "Row 2" in errors[0]["place"]
    assert b"The file was not imported" in response.content
    assert Project.objects.count() == 0


def test_unit_staff_import_only_their_own_units_rows(client, staff_a, places, unit_a, unit_b):
    ProjectFactory(name="乙的项目", responsible_unit=unit_b)
    client.force_login(staff_a)
    data = xlsx(
        {
            "项目": [
                PROJECT_HEADERS,
                project_row("甲的新项目", 责任单位="甲单位"),
                project_row("乙的项目", 责任单位="甲单位"),
                project_row("乙的新项目", 责任单位="乙单位"),
            ]
        }
    )

    response = upload(client, data)

    refused = [(e["error"].row, e["error"].column) for e in response.context["errors"]]
    assert refused == [(3, "责任单位"), (4, "责任单位")]
    assert response.context["token"] == ""


def test_unit_staff_import_their_own_rows(client, staff_a, places, unit_a):
    client.force_login(staff_a)
    response = upload(client, xlsx({"项目": [PROJECT_HEADERS, project_row("甲的新项目")]}))
    assert response.context["errors"] == []
    client.post(reverse("ledger:import_confirm"), {"token": response.context["token"]})
    assert Project.objects.get().responsible_unit == unit_a


@pytest.mark.parametrize("name", LEDGER_URLS)
def test_ledger_pages_refuse_a_login_without_unit_or_office(client, name):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse(name)).status_code == 403


def test_confirm_refuses_a_login_without_unit_or_office(client):
    client.force_login(UserFactory(username="nobody"))
    assert client.post(reverse("ledger:import_confirm"), {"token": "x"}).status_code == 403


def test_confirm_of_another_sessions_token_imports_nothing(client, office, places, unit_a):
    client.force_login(office)
    response = client.post(reverse("ledger:import_confirm"), {"token": "made-up"})
    assert response.status_code == 302
    assert Project.objects.count() == 0


def test_template_download_has_instructions_and_choices(client, office, places, unit_a):
    client.force_login(office)
    response = client.get(reverse("ledger:template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明", "项目", "节点", "目标任务", "隐患", "可选值"]
    assert [c.value for c in book["项目"][1]][:3] == ["项目名称", "项目类型", "阶段"]
    choices = {
        col[0].value: [c.value for c in col[1:] if c.value] for col in book["可选值"].columns
    }
    assert "万美元" in choices["金额单位"]
    assert "在建" in choices["阶段"]
    assert choices["责任单位"] == ["甲单位", "调度办公室"]
    assert choices["隐患等级"] == ["一般隐患", "重大隐患"]
    assert [c.value for c in book["隐患"][1]][:2] == ["隐患编号", "监管区域"]
    assert book["项目"].max_row == 1


def test_unconfirmed_uploads_are_dropped_after_a_day(client, office, places, unit_a):
    import os
    import time

    from apps.ledger.views import KEEP_UPLOADS, upload_dir

    old = upload_dir() / "old-token.xlsx"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - KEEP_UPLOADS - 60,) * 2)
    client.force_login(office)

    upload(client, xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目")]}))

    assert not old.exists()
