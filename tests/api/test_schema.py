"""The OpenAPI schema is valid, and requests generated from it never make a server error."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from tests.factories import (
    HazardFactory,
    MilestoneFactory,
    ProjectFactory,
    ReportingRoundFactory,
    RoundLightFactory,
    SubmissionFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

# The schema as the app serves it (no database needed), its requests sent to the app in-process.
# A few examples per operation by default; with ZONETRACKER_FUZZ_FULL=1 (as for tests/fuzz) also
# schemathesis' coverage phase, hundreds of boundary and wrong-type requests per operation.
FULL = os.getenv("ZONETRACKER_FUZZ_FULL") == "1"
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json",
    get_wsgi_application(),
    config=SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": FULL}, "stateful": {"enabled": False}}}
    ),
)


@pytest.fixture
def _keep_connection():
    """Like Django's test client, keep the connection open between requests: the test's
    transaction holds its rows."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api_schema_validates(client):
    document = client.get("/api/openapi.json").json()

    validate(document)
    assert set(document["paths"]) == {
        "/api/v1/projects",
        "/api/v1/projects/{pk}",
        "/api/v1/projects/{pk}/progress",
        "/api/v1/milestones",
        "/api/v1/milestones/{pk}",
        "/api/v1/targets",
        "/api/v1/targets/{pk}",
        "/api/v1/hazards",
        "/api/v1/hazards/{pk}",
        "/api/v1/rounds",
        "/api/v1/rounds/{pk}",
        "/api/v1/rounds/{pk}/submissions",
        "/api/v1/rounds/{pk}/lights",
    }


@pytest.fixture
def world(writer, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    MilestoneFactory(project=project)
    TargetFactory(responsible_unit=unit_a)
    HazardFactory(responsible_unit=unit_a)
    round_ = ReportingRoundFactory(id=1)  # generated ids are small: some find it
    SubmissionFactory(round=round_, project=project, first_submitted_at=round_.deadline)
    RoundLightFactory(round=round_, project=project)
    return writer[1]


@schema.parametrize()
@settings(
    max_examples=100 if FULL else 8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_generated_requests_make_no_server_error(case, world, settings, _keep_connection):
    settings.API_RATE_LIMIT = 10_000
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world}"}, checks=[not_a_server_error]
    )
