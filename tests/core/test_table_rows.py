"""The lists' fast paths: rows written by {% table_rows %} and pages fetched by their keys.

Each must give what django-tables2's own path gives (the same HTML, the same rows in the same
order), and a deep page must cost the queries of the first, at two sizes.
"""

import datetime
import re

import pytest
from django.template import engines
from django.test import RequestFactory

from tests.factories import (
    HazardFactory,
    InspectionFactory,
    MilestoneFactory,
    ProgressLogFactory,
    ProjectFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

LISTS = ["/projects/", "/projects/milestones/", "/goals/targets/", "/safety/inspections/"]
LISTS += ["/safety/hazards/"]

# includes/table.html as it was before {% table_rows %}: django-tables2's per-cell loop.
LIBRARY_ROWS = """{% extends "includes/table.html" %}{% load django_tables2 l10n %}
{% block table.tbody %}
<tbody {{ table.attrs.tbody.as_html }}>
{% for row in table.paginated_rows %}
<tr {{ row.attrs.as_html }}>
  {% for column, cell in row.items %}
  <td {{ column.attrs.td.as_html }}{% if column.header %} data-label="{{ column.header }}"{% endif %}>{% if column.localize == None %}{{ cell }}{% else %}{% if column.localize %}{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}</td>
  {% endfor %}
</tr>
{% empty %}
{% if table.empty_text %}<tr><td colspan="{{ table.columns|length }}">{{ table.empty_text }}</td></tr>{% endif %}
{% endfor %}
</tbody>
{% endblock table.tbody %}"""


def days(n: int) -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=n)


@pytest.fixture
def rows(unit_a):
    """A few rows of every list, with empty and filled values, lights of every colour."""
    for n in range(4):
        project = ProjectFactory(
            responsible_unit=unit_a if n % 2 else None,
            planned_start=days(-100),
            planned_completion=days(30 * n - 40) if n else None,
            total_investment=n * 10 or None,
        )
        MilestoneFactory(
            project=project, due_date=days(5 * n - 8), start_date=days(-10 - n) if n else None
        )
        MilestoneFactory(project=project, due_date=None, done_date=days(-1) if n == 2 else None)
        ProgressLogFactory(project=project, date=days(-n * 20), percent_complete=25 * n)
        TargetFactory(deadline=days(n * 40 - 50) if n else None)
        HazardFactory(rectification_deadline=days(n - 2) if n else None)
        InspectionFactory()


def tbody(html: str) -> str:
    body = re.search(r"<tbody.*?</tbody>", html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", body))


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("query", ["", "?per_page=3&page=2"])
def test_table_rows_writes_what_django_tables2_writes(client, staff_a, rows, url, query):
    client.force_login(staff_a)
    response = client.get(url + query)
    assert response.status_code == 200
    table = response.context["table"]
    request = RequestFactory().get(url + query)
    request.user = staff_a

    library = engines["django"].from_string(LIBRARY_ROWS).render({"table": table}, request)

    assert tbody(response.content.decode()) == tbody(library)
    assert "<td " in tbody(library)


@pytest.mark.parametrize("url", LISTS)
def test_table_rows_writes_the_empty_text_when_nothing_matches(client, staff_a, url):
    client.force_login(staff_a)

    response = client.get(url)

    table = response.context["table"]
    assert f'<tr><td colspan="{len(table.columns)}">{table.empty_text}</td></tr>' in tbody(
        response.content.decode()
    )


@pytest.mark.parametrize(
    "sort", ["name", "-planned_completion", "percent", "-light", "chain", "-total_investment"]
)
def test_page_by_keys_gives_the_rows_a_plain_slice_gives(client, staff_a, rows, sort):
    for n in range(12):
        ProjectFactory(planned_completion=days(n % 5) if n % 3 else None)
    client.force_login(staff_a)
    pages = []
    for page in (1, 2, 3, 4):
        response = client.get(f"/projects/?sort={sort}&per_page=5&page={page}")
        pages.append([row.record.pk for row in response.context["table"].paginated_rows])
    response = client.get(f"/projects/?sort={sort}&per_page=100")
    everything = [row.record.pk for row in response.context["table"].paginated_rows]

    assert [pk for page in pages for pk in page] == everything[:16]
    assert len(everything) == 16


@pytest.mark.parametrize("size", [30, 60])
@pytest.mark.parametrize(
    ("url", "queries"),
    [("/projects/?page=2", 6), ("/projects/?sort=-planned_completion&page=2", 6)]
    + [("/projects/milestones/?page=2", 4), ("/projects/milestones/?sort=-due_date&page=2", 4)],
)
def test_deep_page_costs_the_first_pages_queries(
    client, staff_a, django_assert_num_queries, size, url, queries
):
    for n in range(size):
        MilestoneFactory(project=ProjectFactory(planned_completion=days(n)), due_date=days(n))
    client.force_login(staff_a)
    client.get(url)  # sessions and caches warm

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert len(response.context["table"].paginated_rows) == (5 if size == 30 else 25)
