"""The lists' filter bars come from the cache, and a change to what their selects list shows at once.

These run outside a test transaction (transaction=True): a bar is cached only outside one, and
a model's version moves when its write commits.
"""

import re

import django_filters
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.filterbar import choice_sources
from apps.org.models import Unit
from apps.projects.filters import MilestoneFilter, ProjectFilter
from tests.factories import AreaFactory, UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

LISTS = ["/projects/", "/projects/milestones/", "/goals/targets/", "/safety/inspections/"]
LISTS += ["/safety/hazards/", "/orders/", "/projects/timeline/"]


def bar(html: str) -> str:
    return re.search(r'<form method="get" class="[^"]*filter-form.*?</form>', html, re.S).group(0)


def unit_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if 'FROM "org_unit"' in q["sql"] and "ORDER BY" in q["sql"]]


@pytest.mark.parametrize("url", LISTS)
def test_a_second_page_takes_the_bar_from_the_cache(client, staff_a, url):
    client.force_login(staff_a)
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)
    assert bar(second.text) == bar(first.text)
    assert unit_queries(captured) == []


def test_a_unit_added_renamed_or_deleted_shows_on_the_next_page(client, staff_a):
    client.force_login(staff_a)
    assert "丙单位" not in bar(client.get("/projects/").text)
    unit = UnitFactory(name="丙单位")
    assert f'<option value="{unit.pk}">丙单位</option>' in bar(client.get("/projects/").text)
    unit.name = "丁单位"
    unit.save()
    page = bar(client.get("/projects/").text)
    assert "丙单位" not in page
    assert f'<option value="{unit.pk}">丁单位</option>' in page
    Unit.objects.filter(pk=unit.pk).delete()
    assert "丁单位" not in bar(client.get("/projects/").text)


def test_a_change_to_one_model_keeps_the_other_lists_cached(client, staff_a):
    client.force_login(staff_a)
    client.get("/safety/hazards/")
    AreaFactory(name="新片区")  # the hazard list's bar lists no areas
    with CaptureQueriesContext(connection) as captured:
        client.get("/safety/hazards/")
    assert unit_queries(captured) == []
    assert "新片区" in bar(client.get("/projects/").text)


def test_the_bar_shows_the_values_and_errors_asked_for(client, staff_a, unit_a):
    client.force_login(staff_a)
    plain = bar(client.get("/projects/").text)
    chosen = bar(client.get(f"/projects/?unit={unit_a.pk}&q=港").text)
    assert f'<option value="{unit_a.pk}" selected>甲单位</option>' in chosen
    assert 'value="港"' in chosen
    assert "selected>甲单位" not in plain
    wrong = bar(client.get("/projects/?unit=999999").text)
    assert "invalid-feedback" in wrong
    # The page number and the sort are not the bar's: they share the plain bar.
    assert bar(client.get("/projects/?page=1&sort=name").text).count("selected") == plain.count(
        "selected"
    )


def test_each_language_has_its_own_bar(client, staff_a):
    client.force_login(staff_a)
    chinese = bar(client.get("/projects/").text)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = bar(client.get("/projects/").text)
    assert "筛选" in chinese
    assert "Filter" in english and "筛选" not in english


def test_the_bar_of_a_request_dependent_select_is_not_shared():
    class PerRequest(django_filters.FilterSet):
        unit = django_filters.ModelChoiceFilter(queryset=lambda request: Unit.objects.all())

    assert choice_sources(PerRequest) is None
    assert [model.__name__ for model in choice_sources(ProjectFilter)] == [
        "Area",
        "IndustryChain",
        "Unit",
    ]
    assert "Project" in [model.__name__ for model in choice_sources(MilestoneFilter)]
