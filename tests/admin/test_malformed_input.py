"""The admin answers malformed input with a message, for every model registered, ours or a
library's: related-row ids that are not ids, NUL and over-long searches and filters, a date
drill-down past the year 9999, actions on selections that are not rows, history pages of ids
that are not ids. And axes' clean-up action runs from the admin."""

import json
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group

from apps.core.admin_site import (
    SEARCH_MAX_LENGTH,
    CheckedInputAdminMixin,
    KeyCheckedFieldsMixin,
)
from apps.org.models import Unit
from apps.projects.models import Milestone
from apps.safety.models import Hazard
from tests.factories import HazardFactory, MilestoneFactory, UnitFactory

pytestmark = pytest.mark.django_db

WORD_AND_HUGE = ["abc", "a\x00b", "9" * 20, str(2**63)]
NOT_A_CHOICE = "选择一个有效的选项： 该选择不在可用的选项中。"
NUL_REFUSED = "不允许是用空字符串。"  # Django's own Chinese for "Null characters are not allowed."


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_every_registered_admin_and_inline_gets_the_checks():
    assert [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, CheckedInputAdminMixin)
        or not all(issubclass(inline, KeyCheckedFieldsMixin) for inline in model_admin.inlines)
    ] == []


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("abc", NOT_A_CHOICE),
        ("a\x00b", NUL_REFUSED),
        ("9" * 20, NOT_A_CHOICE),
        (str(2**63), NOT_A_CHOICE),
    ],
)
def test_autocomplete_field_with_a_value_that_is_no_id_is_a_form_error(
    admin_client_zh, value, error
):
    milestone = MilestoneFactory()
    url = f"/admin/projects/milestone/{milestone.pk}/change/"

    response = admin_client_zh.post(url, {"project": value, "title": milestone.title})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["project"] == [error]
    assert Milestone.objects.get().project_id == milestone.project_id


@pytest.mark.parametrize("value", WORD_AND_HUGE)
def test_many_to_many_field_with_a_value_that_is_no_id_is_a_form_error(admin_client_zh, value):
    response = admin_client_zh.post("/admin/auth/group/add/", {"name": "组", "permissions": value})

    assert response.status_code == 200
    assert "permissions" in response.context["adminform"].form.errors
    assert Group.objects.count() == 0


def test_search_too_long_finds_nothing_and_says_why(admin_client_zh):
    UnitFactory(name="a")

    response = admin_client_zh.get("/admin/org/unit/", {"q": "长" * (SEARCH_MAX_LENGTH + 1)})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert messages_of(response) == ["搜索词不能超过 200 个字。"]


def test_search_with_nul_is_refused_by_djangos_search_form(admin_client_zh):
    unit = UnitFactory(name="a")

    response = admin_client_zh.get("/admin/org/unit/", {"q": "a\x00b"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [unit]
    assert messages_of(response) == [NUL_REFUSED]


def test_search_of_the_longest_allowed_term_runs(admin_client_zh):
    UnitFactory(name="长" * 100)

    response = admin_client_zh.get("/admin/org/unit/", {"q": "长" * SEARCH_MAX_LENGTH})

    assert response.status_code == 200
    assert messages_of(response) == []


@pytest.mark.parametrize("term", ["a\x00b", "a" * 100_000])
def test_autocomplete_with_a_nul_or_huge_term_finds_nothing(admin_client_zh, term):
    UnitFactory(name="a")
    query = {
        "app_label": "projects",
        "model_name": "project",
        "field_name": "responsible_unit",
        "term": term,
    }

    response = admin_client_zh.get("/admin/autocomplete/?" + urlencode(query))

    assert response.status_code == 200
    assert json.loads(response.content)["results"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"responsible_unit__id__exact": "a\x00b"},
        {"status__exact": "a\x00b"},
        {"found_date__year": "9" * 20},
        {"found_date__year": "2023", "found_date__month": str(-(2**63))},
    ],
)
def test_filter_with_nul_or_a_date_out_of_range_goes_back_to_the_list(admin_client_zh, query):
    response = admin_client_zh.get("/admin/safety/hazard/?" + urlencode(query))

    assert (response.status_code, response["Location"]) == (302, "/admin/safety/hazard/?e=1")


@pytest.mark.parametrize("selected", ["abc", "", "a\x00b", "9" * 20])
def test_action_on_a_selection_that_is_no_row_changes_nothing_and_says_so(
    admin_client_zh, selected
):
    unit = UnitFactory()

    response = admin_client_zh.post(
        "/admin/org/unit/",
        {"action": "delete_selected", "_selected_action": [str(unit.pk), selected]},
        follow=True,
    )

    assert response.status_code == 200
    assert messages_of(response) == ["所选条目无效，未执行任何操作。"]
    assert Unit.objects.filter(pk=unit.pk).exists()


@pytest.mark.parametrize("bad", ["abc", "a%00b", "%FF"])
def test_history_with_an_id_that_is_no_id_is_404(admin_client_zh, bad):
    hazard = HazardFactory()
    history_id = hazard.history.get().history_id

    assert admin_client_zh.get(f"/admin/safety/hazard/{bad}/history/").status_code == 404
    assert (
        admin_client_zh.get(f"/admin/safety/hazard/{hazard.pk}/history/{bad}/").status_code == 404
    )
    assert (
        admin_client_zh.get(f"/admin/safety/hazard/{hazard.pk}/history/{history_id}/").status_code
        == 200
    )
    assert Hazard.objects.count() == 1


def test_axes_cleanup_of_expired_attempts_runs_from_the_admin(admin_client_zh):
    attempt = AccessAttempt.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="ua", failures_since_start=2
    )

    response = admin_client_zh.post(
        "/admin/axes/accessattempt/",
        {"action": "cleanup_expired_attempts", "_selected_action": [str(attempt.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    assert messages_of(response) == ["Cleaned up 0 expired access attempts."]
