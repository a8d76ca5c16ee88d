"""The lists: every row once across the pages, the filters, a fixed number of queries per page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.goals.models import TargetStatus
from apps.projects.models import Project, Stage
from apps.safety.models import HazardGrade, HazardStatus
from tests.factories import (
    AreaFactory,
    EnterpriseFactory,
    HazardFactory,
    IndustryChainFactory,
    MilestoneFactory,
    PersonFactory,
    ProjectFactory,
    TargetFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

LISTS = ["projects", "milestones", "targets", "hazards"]


def get(client, token, url, **params):
    response = client.get(url, params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    return response.json()


def walk(client, token, url, cursor=None, **params) -> list[int]:
    ids = []
    while True:
        page = get(client, token, url, **params, **({"cursor": cursor} if cursor else {}))
        ids += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def full_project(unit=None):
    """A project with every related row the list shows."""
    unit = unit or UnitFactory()
    return ProjectFactory(
        responsible_unit=unit,
        enterprise=EnterpriseFactory(),
        chain=IndustryChainFactory(),
        area=AreaFactory(),
        leading_official=PersonFactory(unit=unit),
    )


def make(kind: str):
    if kind == "projects":
        return full_project()
    if kind == "milestones":
        return MilestoneFactory(project=full_project())
    if kind == "targets":
        return TargetFactory(responsible_unit=UnitFactory())
    return HazardFactory(responsible_unit=UnitFactory(), enterprise=EnterpriseFactory())


def test_api_cursor_walks_every_row_exactly_once(client, reader):
    projects = [ProjectFactory() for _ in range(7)]
    # Rows saved in the same microsecond still come in a fixed order (the id breaks ties).
    Project.objects.update(updated_at=timezone.now())

    ids = walk(client, reader[1], "/api/v1/projects", limit=3)

    assert sorted(ids) == sorted(p.pk for p in projects)
    assert len(ids) == len(set(ids)) == 7


def test_api_cursor_sees_rows_changed_after_the_walk_began(client, reader):
    first, second = ProjectFactory(), ProjectFactory()
    page = get(client, reader[1], "/api/v1/projects", limit=1)
    assert [row["id"] for row in page["items"]] == [first.pk]

    first.save()  # changed since: it comes again, after the rest
    ids = walk(client, reader[1], "/api/v1/projects", limit=1, cursor=page["next_cursor"])

    assert ids == [second.pk, first.pk]


@pytest.mark.parametrize("kind", LISTS)
def test_api_list_walks_every_row_of_each_kind(client, reader, kind):
    rows = [make(kind) for _ in range(5)]

    ids = walk(client, reader[1], f"/api/v1/{kind}", limit=2)

    assert sorted(ids) == sorted(row.pk for row in rows)


@pytest.mark.parametrize("kind", LISTS)
def test_api_list_queries_same_per_page_at_two_sizes(client, reader, kind):
    token = reader[1]
    url = f"/api/v1/{kind}"
    get(client, token, url)  # the window's first request also notes when the client was used

    def queries(rows):
        while len(get(client, token, url, limit=200)["items"]) < rows:
            make(kind)
        with CaptureQueriesContext(connection) as ctx:
            page = get(client, token, url, limit=200)
        assert len(page["items"]) == rows
        return [query["sql"] for query in ctx.captured_queries]

    one, five = queries(1), queries(5)

    assert len(one) == len(five), "\n".join(five)
    assert len(one) <= 2  # the client by its token, then the page


@pytest.mark.parametrize("kind", LISTS)
def test_api_detail_shows_one_row(client, reader, kind):
    row = make(kind)

    body = get(client, reader[1], f"/api/v1/{kind}/{row.pk}")

    assert body["id"] == row.pk


def test_api_project_filters(client, reader):
    unit, chain, park = UnitFactory(), IndustryChainFactory(), AreaFactory()
    match = ProjectFactory(
        responsible_unit=unit, chain=chain, area=park, stage=Stage.UNDER_CONSTRUCTION
    )
    ProjectFactory(responsible_unit=unit, chain=chain, area=park, stage=Stage.SIGNED)
    ProjectFactory(responsible_unit=UnitFactory(), stage=Stage.UNDER_CONSTRUCTION)
    token = reader[1]

    def ids(**params):
        return walk(client, token, "/api/v1/projects", **params)

    assert ids(unit=unit.pk, stage="construction") == [match.pk]
    assert ids(chain=chain.pk, park=park.pk, stage="construction") == [match.pk]
    assert len(ids(unit=unit.pk)) == 2
    assert ids(unit=UnitFactory().pk) == []


def test_api_updated_since_filter(client, reader):
    old, new = ProjectFactory(), ProjectFactory()
    moment = timezone.now()
    Project.objects.filter(pk=old.pk).update(updated_at=moment - datetime.timedelta(days=2))
    Project.objects.filter(pk=new.pk).update(updated_at=moment)
    since = (moment - datetime.timedelta(days=1)).isoformat()

    assert walk(client, reader[1], "/api/v1/projects", updated_since=since) == [new.pk]


def test_api_milestone_filters(client, reader, unit_a):
    today = timezone.localdate()
    project = ProjectFactory(responsible_unit=unit_a)
    overdue = MilestoneFactory(project=project, due_date=today - datetime.timedelta(days=1))
    done = MilestoneFactory(project=project, due_date=today, done_date=today)
    MilestoneFactory(due_date=today - datetime.timedelta(days=1))
    token = reader[1]

    def ids(**params):
        return sorted(walk(client, token, "/api/v1/milestones", **params))

    assert ids(unit=unit_a.pk, status="overdue") == [overdue.pk]
    assert ids(project=project.pk, status="done") == [done.pk]
    assert ids(project=project.pk, status="open") == [overdue.pk]


def test_api_target_and_hazard_filters(client, reader, unit_a):
    target = TargetFactory(responsible_unit=unit_a, status=TargetStatus.AT_RISK)
    TargetFactory(responsible_unit=unit_a, status=TargetStatus.ON_TRACK)
    major = HazardFactory(responsible_unit=unit_a, grade=HazardGrade.MAJOR)
    rectifying = HazardFactory(responsible_unit=unit_a, status=HazardStatus.RECTIFYING)
    token = reader[1]

    assert walk(client, token, "/api/v1/targets", unit=unit_a.pk, status="at_risk") == [target.pk]
    assert walk(client, token, "/api/v1/hazards", unit=unit_a.pk, grade="major") == [major.pk]
    assert walk(client, token, "/api/v1/hazards", status="rectifying") == [rectifying.pk]
    assert len(walk(client, token, "/api/v1/hazards", unit=unit_a.pk, status="open")) == 2


def test_api_project_shows_amounts_exactly(client, reader):
    from decimal import Decimal

    project = ProjectFactory(total_investment=Decimal("81.7000"))

    body = get(client, reader[1], f"/api/v1/projects/{project.pk}")

    assert (body["total_investment"], body["investment_unit"]) == ("81.7", "yi")


@pytest.mark.parametrize("offset", ["+23:59", "-23:00", "+08:00"])
def test_api_updated_since_takes_any_iso_offset(client, reader, offset):
    project = ProjectFactory()
    since = f"2000-01-01T00:00:00{offset}"

    assert walk(client, reader[1], "/api/v1/projects", updated_since=since) == [project.pk]


def test_api_cursor_with_a_far_offset_is_read(client, reader):
    from apps.api import pagination

    first, second = ProjectFactory(), ProjectFactory()
    moment = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=23)))
    cursor = pagination.encode(moment, first.pk)

    assert walk(client, reader[1], "/api/v1/projects", cursor=cursor) == [first.pk, second.pk]
