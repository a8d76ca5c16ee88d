"""The admin answers malformed input with a message, for every model registered, ours or a
library's: here, related-row ids that are not ids."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from apps.core.admin_site import (
    CheckedInputAdminMixin,
    KeyCheckedFieldsMixin,
)
from apps.projects.models import Milestone
from tests.factories import MilestoneFactory

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
