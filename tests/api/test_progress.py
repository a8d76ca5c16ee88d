"""The one write: progress, through the staff's service, for the client's own unit only."""

import uuid

import pytest

from apps.api.models import Scope
from apps.api.services import api_client_create
from apps.projects.models import ProgressLog
from tests.factories import ProgressLogFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def post(client, token, project, body=None, **headers):
    return client.post(
        f"/api/v1/projects/{project.pk}/progress",
        body if body is not None else {"text": "主体结构完成", "percent_complete": 60},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def test_api_progress_is_recorded_by_the_client_account(client, writer, unit_a):
    api_client, token = writer
    project = ProjectFactory(responsible_unit=unit_a)

    response = post(client, token, project)

    assert response.status_code == 201, response.content
    log = ProgressLog.objects.get()
    assert (log.project, log.text, log.percent_complete) == (project, "主体结构完成", 60)
    assert log.author == api_client.user
    assert log.history.get().history_user == api_client.user
    assert response.json()["author"] == "甲单位填报"
    project.refresh_from_db()
    assert project.latest_percent == 60  # the same bookkeeping as a log from the UI


def test_api_progress_for_another_units_project_is_403(client, writer, unit_b):
    project = ProjectFactory(responsible_unit=unit_b)

    response = post(client, writer[1], project)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert ProgressLog.objects.count() == 0


def test_api_progress_for_a_project_of_no_unit_is_403(client, writer):
    assert post(client, writer[1], ProjectFactory()).status_code == 403


def test_api_progress_of_unknown_project_is_404(client, writer):
    response = client.post(
        "/api/v1/projects/999999/progress",
        {"text": "x", "percent_complete": 1},
        content_type="application/json",
        headers={"Authorization": f"Bearer {writer[1]}"},
    )

    assert response.status_code == 404


def test_api_progress_lower_than_the_latest_is_refused_unless_confirmed(client, writer, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    ProgressLogFactory(project=project, percent_complete=70)

    refused = post(client, writer[1], project, {"text": "更正", "percent_complete": 50})
    confirmed = post(
        client,
        writer[1],
        project,
        {"text": "更正", "percent_complete": 50, "confirm_decrease": True},
    )

    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "percent_complete"]
    assert confirmed.status_code == 201
    assert project.progress_logs.count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"text": "", "percent_complete": 10},
        {"text": "x", "percent_complete": 101},
        {"text": "x"},
        {"text": "x", "percent_complete": 10, "investment_completed": "-1"},
        {"text": "x", "percent_complete": 10, "investment_completed": "NaN"},
        {"text": "x", "percent_complete": 10, "investment_unit": "euro"},
        {"text": "   ", "percent_complete": 10},
        {"text": "a\x00b", "percent_complete": 10},
    ],
)
def test_api_progress_invalid_body_is_422(client, writer, unit_a, body):
    project = ProjectFactory(responsible_unit=unit_a)

    response = post(client, writer[1], project, body)

    assert response.status_code == 422, response.content
    assert ProgressLog.objects.count() == 0


def test_api_progress_sent_twice_with_one_key_is_recorded_once(client, writer, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    key = str(uuid.uuid4())

    first = post(client, writer[1], project, **{"Idempotency-Key": key})
    second = post(client, writer[1], project, **{"Idempotency-Key": key})

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert ProgressLog.objects.count() == 1


def test_api_progress_key_of_another_client_is_refused(client, writer, unit_a, superuser):
    project = ProjectFactory(responsible_unit=unit_a)
    _, other = api_client_create(
        name="甲单位第二接口", unit=unit_a, scope=Scope.PROGRESS_WRITE, created_by=superuser
    )
    key = str(uuid.uuid4())
    post(client, writer[1], project, **{"Idempotency-Key": key})

    response = post(client, other, project, **{"Idempotency-Key": key})

    assert response.status_code == 422
    assert ProgressLog.objects.count() == 1


def test_api_writer_reads_like_any_client(client, writer):
    response = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {writer[1]}"})

    assert response.status_code == 200


def test_api_writer_needs_a_unit():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        api_client_create(name="无单位", scope=Scope.PROGRESS_WRITE)


def test_api_progress_needs_no_csrf_token_but_a_session_alone_cannot_post(writer, unit_a, staff_a):
    """The token is the credential: CSRF protects cookies, and the API reads no cookie."""
    from django.test import Client

    project = ProjectFactory(responsible_unit=unit_a)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_a)

    with_session_only = browser.post(
        f"/api/v1/projects/{project.pk}/progress",
        {"text": "x", "percent_complete": 5},
        content_type="application/json",
    )
    with_token = post(browser, writer[1], project)

    assert with_session_only.status_code == 401
    assert with_token.status_code == 201


def test_api_progress_with_a_lone_surrogate_is_422(client, writer, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)

    response = client.post(
        f"/api/v1/projects/{project.pk}/progress",
        '{"text": "\\ud800", "percent_complete": 10}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {writer[1]}"},
    )

    assert response.status_code == 422
    assert ProgressLog.objects.count() == 0
