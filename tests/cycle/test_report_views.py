"""The report downloads from the board: signed-in users only."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.cycle.report_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(unit_a, unit_b):
    return build_world(unit_a, unit_b)


def test_board_links_to_both_report_files(client, world, staff_b):
    client.force_login(staff_b)
    html = client.get(reverse("cycle:board")).content.decode()
    pk = world["w48"].pk
    assert f'href="/cycle/board/report.pdf?round={pk}"' in html
    assert f'href="/cycle/board/report.xlsx?round={pk}"' in html


@pytest.mark.parametrize(
    ("name", "content_type", "magic"),
    [
        ("cycle:report_pdf", "application/pdf", b"%PDF"),
        (
            "cycle:report_xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            b"PK",
        ),
    ],
)
def test_report_downloads_for_a_signed_in_user(client, world, staff_b, name, content_type, magic):
    client.force_login(staff_b)
    response = client.get(reverse(name), {"round": world["w47"].pk})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    extension = name.rsplit("_", 1)[1]
    assert response["Content-Disposition"] == (
        f'attachment; filename="report-2026-W47.{extension}"; '
        f"filename*=UTF-8''%E8%B0%83%E5%BA%A6%E6%8A%A5%E5%91%8A-2026-W47.{extension}"
    )


def test_report_download_defaults_to_the_boards_round(client, world, staff_b):
    client.force_login(staff_b)
    response = client.get(reverse("cycle:report_xlsx"))
    summary = load_workbook(io.BytesIO(response.content))["概况"]
    assert summary["B3"].value == "2026-W48"


def test_report_download_in_the_readers_language(client, world, staff_b, settings):
    client.force_login(staff_b)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("cycle:report_xlsx"))
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Summary"


@pytest.mark.parametrize("name", ["cycle:report_pdf", "cycle:report_xlsx"])
def test_report_download_refused_to_anonymous_visitors(client, world, name):
    response = client.get(reverse(name), {"round": world["w48"].pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_report_download_of_an_unknown_round_is_not_found(client, world, staff_b):
    client.force_login(staff_b)
    assert client.get(reverse("cycle:report_pdf"), {"round": 999999}).status_code == 404


def test_report_download_without_rounds_is_not_found(client, staff_b):
    client.force_login(staff_b)
    assert client.get(reverse("cycle:report_pdf")).status_code == 404


@pytest.mark.parametrize("value", ["abc", "²", "-1", "1" * 40])
def test_report_download_ignores_a_round_that_is_not_an_id(client, world, staff_b, value):
    client.force_login(staff_b)
    response = client.get(reverse("cycle:report_xlsx"), {"round": value})
    assert response.status_code == 200
    summary = load_workbook(io.BytesIO(response.content))["概况"]
    assert summary["B3"].value == "2026-W48"


def test_report_download_refuses_a_post(client, world, staff_b):
    client.force_login(staff_b)
    assert client.post(reverse("cycle:report_pdf")).status_code == 405
