"""The reporting rounds: their figures as the board counts them, submissions and lights, filters,
pages, JSON errors and a fixed number of queries per page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.api.services import api_client_revoke
from apps.core.rules import Light
from apps.cycle.board import board_data
from apps.cycle.models import RoundState, SubmissionState
from tests.factories import (
    ProjectFactory,
    ReportingRoundFactory,
    RoundLightFactory,
    SubmissionFactory,
    TargetFactory,
    UnitFactory,
)

from .test_lists import get, walk

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def closed_round(unit_a, unit_b):
    """A closed round: on time and accepted, late and returned, never sent; red, yellow, green."""
    round_ = ReportingRoundFactory()
    on_time = SubmissionFactory(
        round=round_,
        project=ProjectFactory(responsible_unit=unit_a),
        state=SubmissionState.ACCEPTED,
        first_submitted_at=round_.deadline - HOUR,
        submitted_at=round_.deadline - HOUR,
        progress="主体完工",
        investment_completed=Decimal("12.50"),
        problems="用地未批",
        help_requested="请协调自然资源局",
    )
    late = SubmissionFactory(
        round=round_,
        project=None,
        target=TargetFactory(responsible_unit=unit_b),
        state=SubmissionState.RETURNED,
        first_submitted_at=round_.deadline + HOUR,
        submitted_at=round_.deadline + 2 * HOUR,
    )
    missing = SubmissionFactory(round=round_, project=ProjectFactory(responsible_unit=unit_a))
    lights = {
        "red": RoundLightFactory(round=round_, project=on_time.project, light=Light.RED),
        "yellow": RoundLightFactory(
            round=round_, project=None, target=late.target, light=Light.YELLOW
        ),
        "green": RoundLightFactory(round=round_, project=missing.project, light=Light.GREEN),
    }
    return round_, {"on_time": on_time, "late": late, "missing": missing}, lights


def test_api_round_detail_counts_as_the_board_does(client, reader, unit_a, unit_b):
    round_, _submissions, _lights = closed_round(unit_a, unit_b)

    body = get(client, reader[1], f"/api/v1/rounds/{round_.pk}")

    assert body["period"] == round_.period
    assert body["status"] == "closed"
    assert datetime.datetime.fromisoformat(body["deadline"]) == round_.deadline
    assert body["counts"] == {
        "expected": 3,
        "submitted": 2,
        "on_time": 1,
        "late": 1,
        "missing": 1,
        "accepted": 1,
        "returned": 1,
    }
    assert body["lights"] == {"red": 1, "yellow": 1, "green": 1, "grey": 0}
    board = board_data(round_=round_)
    ranking = board["ranking"]
    assert sum(rank.on_time for rank in ranking) == body["counts"]["on_time"]
    assert sum(rank.late for rank in ranking) == body["counts"]["late"]
    assert sum(rank.missing for rank in ranking) == body["counts"]["missing"]
    assert {str(light): n for light, n in board["counts"].items()} == body["lights"]


def test_api_open_round_has_no_lights_and_nothing_missing_before_its_deadline(client, reader):
    now = timezone.now()
    round_ = ReportingRoundFactory(
        state=RoundState.OPEN, opens_at=now - 24 * HOUR, deadline=now + 48 * HOUR
    )
    SubmissionFactory(round=round_)

    body = get(client, reader[1], f"/api/v1/rounds/{round_.pk}")
    rows = get(client, reader[1], f"/api/v1/rounds/{round_.pk}/submissions")["items"]

    assert body["status"] == "open"
    assert body["lights"] is None
    assert (body["counts"]["expected"], body["counts"]["missing"]) == (1, 0)
    assert [row["punctuality"] for row in rows] == ["waiting"]


def test_api_round_list_walks_and_filters(client, reader):
    rounds = [ReportingRoundFactory() for _ in range(4)]
    now = timezone.now()
    open_round = ReportingRoundFactory(
        state=RoundState.OPEN, opens_at=now - HOUR, deadline=now + 24 * HOUR
    )
    token = reader[1]
    url = "/api/v1/rounds"

    assert walk(client, token, url, limit=2) == [r.pk for r in [*rounds, open_round]]
    assert walk(client, token, url, status="open") == [open_round.pk]
    assert walk(client, token, url, status="closed") == [r.pk for r in rounds]
    assert walk(client, token, url, period=rounds[1].period) == [rounds[1].pk]
    # Any day of the round's week finds it, the Sunday after its deadline too.
    sunday = rounds[2].opens_at.date() + datetime.timedelta(days=6)
    assert walk(client, token, url, date=sunday.isoformat()) == [rounds[2].pk]
    assert walk(client, token, url, period="2030-W01") == []


@pytest.mark.parametrize(
    "params", [{"period": "W48"}, {"status": "done"}, {"date": "2026-13-01"}, {"cursor": "x"}]
)
def test_api_round_list_refuses_bad_filters_with_json(client, reader, auth, params):
    response = client.get("/api/v1/rounds", params, headers=auth(reader[1]))

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")


def test_api_round_cursor_of_another_list_is_refused(client, reader, auth):
    ProjectFactory(), ProjectFactory()
    ReportingRoundFactory()
    cursor = get(client, reader[1], "/api/v1/projects", limit=1)["next_cursor"]

    response = client.get("/api/v1/rounds", {"cursor": cursor}, headers=auth(reader[1]))

    assert response.status_code == 422


def test_api_round_submissions_show_the_current_version(client, reader, unit_a, unit_b):
    round_, submissions, _lights = closed_round(unit_a, unit_b)
    token = reader[1]
    url = f"/api/v1/rounds/{round_.pk}/submissions"

    rows = {row["id"]: row for row in get(client, token, url)["items"]}

    on_time = rows[submissions["on_time"].pk]
    assert on_time["item"] == {
        "kind": "project",
        "id": submissions["on_time"].project_id,
        "name": submissions["on_time"].project.name,
    }
    assert on_time["unit"] == {"id": unit_a.pk, "name": unit_a.name}
    assert (on_time["status"], on_time["punctuality"]) == ("accepted", "on_time")
    assert (on_time["progress"], on_time["investment_completed"]) == ("主体完工", "12.5")
    assert (on_time["problems"], on_time["help_requested"]) == ("用地未批", "请协调自然资源局")
    late = rows[submissions["late"].pk]
    assert (late["item"]["kind"], late["item"]["id"]) == ("target", submissions["late"].target_id)
    assert (late["status"], late["punctuality"]) == ("returned", "late")
    assert datetime.datetime.fromisoformat(late["submitted_at"]) == round_.deadline + 2 * HOUR
    missing = rows[submissions["missing"].pk]
    assert (missing["punctuality"], missing["submitted_at"]) == ("missing", None)
    assert sorted(walk(client, token, url, unit=unit_a.pk, limit=1)) == sorted(
        [submissions["on_time"].pk, submissions["missing"].pk]
    )
    assert walk(client, token, url, status="returned") == [submissions["late"].pk]
    assert walk(client, token, url, unit=unit_b.pk, status="accepted") == []


def test_api_round_lights_name_the_unit_that_reported(client, reader, unit_a, unit_b):
    round_, submissions, lights = closed_round(unit_a, unit_b)
    # The project has changed hands since the round: the light stays with the unit of then.
    project = submissions["on_time"].project
    project.responsible_unit = UnitFactory()
    project.save()
    token = reader[1]
    url = f"/api/v1/rounds/{round_.pk}/lights"

    rows = {row["id"]: row for row in get(client, token, url)["items"]}

    red = rows[lights["red"].pk]
    assert red["item"] == {"kind": "project", "id": project.pk, "name": project.name}
    assert (red["unit"], red["light"]) == ({"id": unit_a.pk, "name": unit_a.name}, "red")
    assert rows[lights["yellow"].pk]["item"]["kind"] == "target"
    assert rows[lights["yellow"].pk]["unit"]["id"] == unit_b.pk
    assert walk(client, token, url, light="yellow") == [lights["yellow"].pk]
    assert walk(client, token, url, unit=unit_a.pk) == [lights["red"].pk, lights["green"].pk]
    assert walk(client, token, url, unit=unit_a.pk, light="yellow") == []


@pytest.mark.parametrize("tail", ["", "/submissions", "/lights"])
def test_api_unknown_round_is_404_json(client, reader, auth, tail):
    ReportingRoundFactory()

    response = client.get(f"/api/v1/rounds/999999{tail}", headers=auth(reader[1]))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.parametrize("tail", ["", "/submissions", "/lights"])
def test_api_rounds_refuse_a_revoked_token(client, reader, auth, superuser, tail):
    api_client, token = reader
    round_ = ReportingRoundFactory()
    url = f"/api/v1/rounds/{round_.pk}{tail}" if tail else "/api/v1/rounds"
    assert client.get(url, headers=auth(token)).status_code == 200

    api_client_revoke(client=api_client, user=superuser)
    response = client.get(url, headers=auth(token))

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_api_rounds_are_rate_limited(client, reader, auth, settings):
    settings.API_RATE_LIMIT = 2
    token = reader[1]

    statuses = [client.get("/api/v1/rounds", headers=auth(token)).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def _grow_rounds(round_, unit):
    ReportingRoundFactory()
    closed = ReportingRoundFactory()
    SubmissionFactory(round=closed, project=ProjectFactory(responsible_unit=unit))
    RoundLightFactory(round=closed)


def _grow_submissions(round_, unit):
    SubmissionFactory(
        round=round_,
        project=ProjectFactory(responsible_unit=unit),
        first_submitted_at=round_.deadline,
    )
    SubmissionFactory(round=round_, project=None, target=TargetFactory(responsible_unit=unit))


def _grow_lights(round_, unit):
    submission = SubmissionFactory(round=round_, project=ProjectFactory(responsible_unit=unit))
    RoundLightFactory(round=round_, project=submission.project, light=Light.RED)
    target = TargetFactory(responsible_unit=unit)
    RoundLightFactory(round=round_, project=None, target=target, light=Light.GREY)


@pytest.mark.parametrize(
    ("tail", "grow"),
    [("rounds", _grow_rounds), ("submissions", _grow_submissions), ("lights", _grow_lights)],
)
def test_api_round_lists_query_same_per_page_at_two_sizes(client, reader, unit_a, tail, grow):
    token = reader[1]
    round_ = ReportingRoundFactory()
    url = "/api/v1/rounds" if tail == "rounds" else f"/api/v1/rounds/{round_.pk}/{tail}"
    grow(round_, unit_a)
    get(client, token, url)  # the window's first request also notes when the client was used

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            page = get(client, token, url, limit=200)
        return len(page["items"]), [query["sql"] for query in ctx.captured_queries]

    small, few = queries()
    for _ in range(3):
        grow(round_, unit_a)
    large, many = queries()

    assert large > small > 0
    assert len(few) == len(many), "\n".join(many)
    assert len(few) <= 4  # the client by its token, (the round,) the page, its figures


def test_api_round_detail_queries_are_fixed(client, reader, unit_a, unit_b):
    round_, _submissions, _lights = closed_round(unit_a, unit_b)
    token = reader[1]
    get(client, token, "/api/v1/rounds")

    with CaptureQueriesContext(connection) as ctx:
        get(client, token, f"/api/v1/rounds/{round_.pk}")

    assert len(ctx.captured_queries) == 4  # the client, the round, its counts, its lights
