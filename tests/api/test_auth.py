"""Tokens: none, wrong or revoked is a 401 in JSON; a read-only token cannot write; the limit."""

import pytest
from django.urls import reverse

from apps.api.models import ApiClient, token_hash
from apps.api.services import api_client_revoke, api_client_rotate, client_by_token
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects"


def assert_json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_api_without_token_is_401_json_not_a_login_redirect(client):
    response = client.get(LIST)

    assert_json_error(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="zonetracker"'


@pytest.mark.parametrize(
    "header",
    ["Bearer zt_wrong", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000],
)
def test_api_with_bad_token_is_401_json(client, reader, header):
    assert_json_error(client.get(LIST, headers={"Authorization": header}), 401)


def test_api_with_revoked_token_is_401_json(client, reader, auth, superuser):
    api_client, token = reader
    assert client.get(LIST, headers=auth(token)).status_code == 200

    api_client_revoke(client=api_client, user=superuser)

    assert_json_error(client.get(LIST, headers=auth(token)), 401)
    assert api_client.history.latest().history_user == superuser


def test_api_rotated_token_replaces_the_old_one(client, reader, auth):
    api_client, old = reader

    new = api_client_rotate(client=api_client)

    assert_json_error(client.get(LIST, headers=auth(old)), 401)
    assert client.get(LIST, headers=auth(new)).status_code == 200


def test_api_token_is_stored_only_as_its_hash(reader):
    api_client, token = reader

    stored = ApiClient.objects.values().get(pk=api_client.pk)

    assert token not in {str(value) for value in stored.values()}
    assert stored["token_hash"] == token_hash(token)
    assert client_by_token(token) == api_client


def test_api_client_account_cannot_sign_in(reader):
    api_client, _token = reader

    assert api_client.user.has_usable_password() is False


def test_api_read_only_token_cannot_write_progress(client, reader, auth, unit_a):
    _, token = reader
    project = ProjectFactory(responsible_unit=unit_a)

    response = client.post(
        f"/api/v1/projects/{project.pk}/progress",
        {"text": "进展", "percent_complete": 10},
        content_type="application/json",
        headers=auth(token),
    )

    assert_json_error(response, 403)
    assert project.progress_logs.count() == 0


def test_api_rate_limit_is_429_json_with_retry_after(client, reader, auth, settings):
    settings.API_RATE_LIMIT = 3
    _, token = reader

    statuses = [client.get(LIST, headers=auth(token)).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get(LIST, headers=auth(token))
    assert_json_error(response, 429)
    assert 1 <= int(response["Retry-After"]) <= settings.API_RATE_WINDOW_SECONDS


def test_api_rate_limit_counts_each_token_apart(client, reader, writer, auth, settings):
    settings.API_RATE_LIMIT = 1
    assert client.get(LIST, headers=auth(reader[1])).status_code == 200

    assert client.get(LIST, headers=auth(writer[1])).status_code == 200
    assert client.get(LIST, headers=auth(reader[1])).status_code == 429


def test_api_rate_limit_window_ends(client, reader, auth, settings, time_machine):
    settings.API_RATE_LIMIT = 1
    time_machine.move_to("2026-03-02 10:00:05+08:00", tick=False)
    assert client.get(LIST, headers=auth(reader[1])).status_code == 200
    assert client.get(LIST, headers=auth(reader[1])).status_code == 429

    time_machine.move_to("2026-03-02 10:01:00+08:00", tick=False)

    assert client.get(LIST, headers=auth(reader[1])).status_code == 200


def test_api_records_when_a_client_was_last_used(client, reader, auth):
    api_client, token = reader

    client.get(LIST, headers=auth(token))

    api_client.refresh_from_db()
    assert api_client.last_used_at is not None


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/", 404),
        ("get", "/api/v1/nothing-here", 404),
        ("get", "/api/v1/projects/", 404),
        ("get", "/api/v1/projects/0", 422),
        ("get", "/api/v1/projects/99999", 404),
        ("get", "/api/v1/projects?limit=0", 422),
        ("get", "/api/v1/projects?stage=nonsense", 422),
        ("get", "/api/v1/projects?cursor=not-a-cursor", 422),
        ("get", "/api/v1/projects?updated_since=0001-01-01T00:00:00", 422),
        ("delete", "/api/v1/projects", 405),
        ("put", "/api/v1/projects/1/progress", 405),
    ],
)
def test_api_errors_are_json(client, reader, auth, method, url, status):
    response = getattr(client, method)(url, headers=auth(reader[1]))

    assert_json_error(response, status)


def test_api_server_error_is_json(client, reader, auth, monkeypatch):
    from apps.api import api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "_project", broken)
    ProjectFactory()

    response = client.get(LIST, headers=auth(reader[1]))

    assert_json_error(response, 500)


def test_api_schema_is_public_and_holds_no_data(client):
    ProjectFactory(name="不应出现的项目")

    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert "不应出现的项目" not in response.content.decode()
    assert reverse("api:openapi-json") == "/api/openapi.json"


def test_api_messages_follow_the_language_asked_for(client):
    response = client.get(LIST, headers={"Accept-Language": "en"})

    assert response.json() == {"detail": "A valid access token is required."}
