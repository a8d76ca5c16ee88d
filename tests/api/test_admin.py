"""API clients in the admin: the token shown once on creation, revoking and rotating, history."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.api.models import ApiClient, Scope, token_hash

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"zt_[A-Za-z0-9_-]{43}")


def tokens_in(response) -> list[str]:
    return [t for m in get_messages(response.wsgi_request) for t in TOKEN.findall(str(m))]


def test_admin_add_shows_the_token_once_and_stores_its_hash(staff_admin, superuser, unit_a):
    response = staff_admin.post(
        reverse("admin:api_apiclient_add"),
        {"name": "省商务厅", "unit": unit_a.pk, "scope": Scope.PROGRESS_WRITE},
        follow=True,
    )

    assert response.status_code == 200
    (token,) = set(TOKEN.findall(response.content.decode()))
    api_client = ApiClient.objects.get()
    assert api_client.token_hash == token_hash(token)
    assert api_client.created_by == superuser
    assert api_client.history.get().history_user == superuser
    page = staff_admin.get(reverse("admin:api_apiclient_change", args=[api_client.pk]))
    assert token not in page.content.decode()
    assert api_client.token_prefix in page.content.decode()


def test_admin_add_refuses_a_writer_without_a_unit(staff_admin):
    response = staff_admin.post(
        reverse("admin:api_apiclient_add"), {"name": "无单位", "scope": Scope.PROGRESS_WRITE}
    )

    assert response.status_code == 200
    assert ApiClient.objects.count() == 0
    assert response.context["adminform"].form.errors


def test_admin_revoke_action_refuses_the_token(staff_admin, client, reader, superuser):
    api_client, token = reader

    staff_admin.post(
        reverse("admin:api_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [api_client.pk]},
    )

    api_client.refresh_from_db()
    assert api_client.revoked_at is not None
    assert api_client.history.latest().history_user == superuser
    response = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_admin_rotate_action_shows_a_new_token(staff_admin, reader):
    api_client, old = reader

    response = staff_admin.post(
        reverse("admin:api_apiclient_changelist"),
        {"action": "rotate", "_selected_action": [api_client.pk]},
        follow=False,
    )

    (new,) = tokens_in(response)
    api_client.refresh_from_db()
    assert new != old
    assert api_client.token_hash == token_hash(new)


def test_admin_cannot_delete_a_client(staff_admin, reader):
    api_client, _ = reader

    response = staff_admin.get(reverse("admin:api_apiclient_delete", args=[api_client.pk]))

    assert response.status_code == 403


def test_admin_rename_renames_the_author_of_its_progress(staff_admin, writer, unit_a):
    api_client, _ = writer

    response = staff_admin.post(
        reverse("admin:api_apiclient_change", args=[api_client.pk]),
        {"name": "甲单位新接口", "unit": unit_a.pk, "scope": Scope.PROGRESS_WRITE},
    )

    assert response.status_code == 302
    api_client.user.refresh_from_db()
    assert api_client.user.get_full_name() == "甲单位新接口"
