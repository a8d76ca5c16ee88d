"""The lists' page, per_page and export parameters, whatever a visitor types in the URL."""

import pytest
import time_machine

from apps.core.views import PER_PAGE
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(db):
    """30 projects: a first page of 25 and a last page of 5."""
    return ProjectFactory.create_batch(30)


def shown(client, query):
    response = client.get("/projects/?" + query)
    assert response.status_code == 200
    page = response.context["table"].page
    return page.number, len(page.object_list)


@pytest.mark.parametrize("per_page", ["0", "-5", "-9223372036854775808", "101", "9" * 20])
def test_list_per_page_out_of_range_falls_back_to_the_default(client, staff_a, projects, per_page):
    client.force_login(staff_a)

    assert shown(client, f"per_page={per_page}") == (1, PER_PAGE)


def test_list_per_page_in_range_is_used(client, staff_a, projects):
    client.force_login(staff_a)

    assert shown(client, "per_page=10&page=3") == (3, 10)


@pytest.mark.parametrize("page", ["3", "99", "9" * 20, "9223372036854775808"])
def test_list_page_past_the_end_shows_the_last_page(client, staff_a, projects, page):
    client.force_login(staff_a)

    assert shown(client, f"page={page}") == (2, 5)


@pytest.mark.parametrize("page", ["0", "-1", "-9223372036854775808", "abc", "1e309"])
def test_list_page_below_one_or_not_a_number_shows_the_first_page(client, staff_a, projects, page):
    client.force_login(staff_a)

    assert shown(client, f"page={page}") == (1, PER_PAGE)


def test_list_page_within_the_list_is_counted_by_no_query(
    client, staff_a, projects, django_assert_num_queries
):
    client.force_login(staff_a)
    client.get("/projects/")  # sessions and caches warm

    with django_assert_num_queries(6):
        client.get("/projects/?page=2")


@pytest.mark.parametrize("export", ["ods", "xls", "yaml", "json", "tsv", "latex", "html", "CSV"])
def test_list_export_to_another_format_is_refused_with_a_message(client, staff_a, export):
    client.force_login(staff_a)

    response = client.get(f"/projects/?_export={export}")

    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert [str(m) for m in response.context["messages"]] == ["只能导出为 CSV 或 XLSX 格式。"]


@pytest.mark.parametrize(
    ("export", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_list_export_to_csv_and_xlsx_is_served(client, staff_a, projects, export, content_type):
    client.force_login(staff_a)

    with time_machine.travel("2026-12-02 07:30 +0800", tick=False):
        response = client.get(f"/projects/?_export={export}&page=99&per_page=-1")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="Key projects-2026-12-02.{export}"; '
        f"filename*=UTF-8''%E9%87%8D%E7%82%B9%E9%A1%B9%E7%9B%AE-2026-12-02.{export}"
    )


@pytest.mark.parametrize(
    "url", ["/projects/", "/projects/milestones/", "/goals/targets/", "/safety/hazards/"]
)
def test_list_keyword_longer_than_100_characters_is_refused_on_the_form(client, staff_a, url):
    client.force_login(staff_a)

    response = client.get(url, {"q": "长" * 100_000})

    assert response.status_code == 200
    assert response.context["filter"].form.errors == {
        "q": ["确保该变量包含不超过 100 字符 (目前字符数 100000)。"]
    }
    assert list(response.context["table"].page.object_list) == []
