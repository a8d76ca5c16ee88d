"""'My work': what my unit and I own, overdue first, then due within 30 days, then the rest."""

from datetime import date, timedelta

import pytest
import time_machine

from apps.goals.models import TargetStatus
from apps.org.models import Person
from apps.safety.models import HazardStatus, Site
from apps.supervision.models import OrderState
from tests.factories import (
    GoalFactory,
    HazardFactory,
    MilestoneFactory,
    ProjectFactory,
    SupervisionOrderFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False):
        yield


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def goal(db):
    return GoalFactory(plan__name="六个创新突破", title="在振兴发展实体经济上创新突破")


@pytest.fixture
def site(db):
    return Site.objects.create(name="黄岛石化区")


def hazard(site, unit, description, deadline, **fields):
    return HazardFactory(
        site=site,
        responsible_unit=unit,
        description=description,
        found_date=days(-60),
        rectification_deadline=deadline,
        **fields,
    )


def sections(response) -> dict[str, list[tuple[str, str]]]:
    return {
        section["key"]: [(item.kind_key, item.title) for item in section["items"]]
        for section in response.context["sections"]
    }


def test_my_work_anonymous_redirects_to_login(client):
    assert client.get("/my-work/")["Location"] == "/accounts/login/?next=/my-work/"


def test_my_work_groups_my_units_items_overdue_first(
    client, staff_a, staff_b, unit_a, unit_b, goal, site
):
    mine = ProjectFactory(name="甲项目", responsible_unit=unit_a)
    MilestoneFactory(project=mine, title="节点逾期", due_date=days(-1))
    MilestoneFactory(project=mine, title="节点今天", due_date=TODAY)
    MilestoneFactory(project=mine, title="节点30天", due_date=days(30))
    MilestoneFactory(project=mine, title="节点31天", due_date=days(31))
    MilestoneFactory(project=mine, title="节点已完成", due_date=days(-9), done_date=days(-9))
    TargetFactory(goal=goal, title="指标逾期", deadline=days(-5), responsible_unit=unit_a)
    TargetFactory(goal=goal, title="指标无期限", responsible_unit=unit_a)
    TargetFactory(
        goal=goal,
        title="指标已完成",
        deadline=days(-5),
        status=TargetStatus.ACHIEVED,
        responsible_unit=unit_a,
    )
    hazard(site, unit_a, "隐患10天", days(10))
    hazard(
        site,
        unit_a,
        "隐患已整改待验收",
        days(-3),
        status=HazardStatus.RECTIFIED,
        rectified_on=days(-4),
    )
    theirs = ProjectFactory(name="乙项目", responsible_unit=unit_b)
    MilestoneFactory(project=theirs, title="别人的节点", due_date=days(-1))
    TargetFactory(goal=goal, title="别人的指标", deadline=days(-1), responsible_unit=unit_b)
    hazard(site, unit_b, "别人的隐患", days(-1))
    hazard(
        site,
        unit_a,
        "已销号隐患",
        days(-2),
        status=HazardStatus.CLOSED,
        rectifier=staff_a,
        rectified_on=days(-3),
        verifier=staff_b,
        closed_on=days(-2),
    )
    client.force_login(staff_a)
    response = client.get("/my-work/")
    assert sections(response) == {
        # A hazard rectified before its deadline has met it: it waits for verification, apart.
        "overdue": [("target", "指标逾期"), ("milestone", "节点逾期")],
        "soon": [("milestone", "节点今天"), ("hazard", "隐患10天"), ("milestone", "节点30天")],
        "later": [
            ("milestone", "节点31天"),
            ("target", "指标无期限"),
        ],
    }
    html = response.content.decode()
    assert f'href="/projects/{mine.pk}/#milestone-' in html
    assert f'href="/projects/milestones/?unit={unit_a.pk}&amp;due=open"' in html
    assert "zone-overdue" not in html


def test_my_work_includes_what_i_lead_or_rectify(client, make_user, unit_a, unit_b, goal, site):
    official = make_user("official_a", unit=unit_a, role=Person.Role.OFFICIAL)
    led = ProjectFactory(
        name="我牵头的项目", responsible_unit=unit_b, leading_official=official.person
    )
    MilestoneFactory(project=led, title="牵头项目节点", due_date=days(3))
    TargetFactory(
        goal=goal,
        title="牵头指标",
        deadline=days(4),
        responsible_unit=unit_b,
        leading_official=official.person,
    )
    hazard(
        site, unit_b, "我整改的隐患", days(5), status=HazardStatus.RECTIFYING, rectifier=official
    )
    client.force_login(official)
    assert sections(client.get("/my-work/"))["soon"] == [
        ("milestone", "牵头项目节点"),
        ("target", "牵头指标"),
        ("hazard", "我整改的隐患"),
    ]


def test_my_work_zone_leader_sees_everything_overdue(client, make_user, unit_a, unit_b, goal, site):
    leader = make_user("leader", unit=unit_a, role=Person.Role.LEADER)
    MilestoneFactory(
        project=ProjectFactory(responsible_unit=unit_b), title="乙逾期节点", due_date=days(-2)
    )
    MilestoneFactory(
        project=ProjectFactory(responsible_unit=unit_b), title="乙未来节点", due_date=days(2)
    )
    TargetFactory(goal=goal, title="乙逾期指标", deadline=days(-1), responsible_unit=unit_b)
    hazard(site, unit_b, "乙逾期隐患", days(-1))
    hazard(
        site, unit_b, "乙已整改隐患", days(-1), status=HazardStatus.RECTIFIED, rectified_on=days(-2)
    )
    SupervisionOrderFactory(unit=unit_b, instruction="乙逾期督办", response_deadline=days(-1))
    SupervisionOrderFactory(
        unit=unit_b,
        instruction="乙已答复督办",
        response_deadline=days(-1),
        state=OrderState.ANSWERED,
    )
    client.force_login(leader)
    response = client.get("/my-work/")
    zone = [[item.title for item in group["items"]] for group in response.context["zone_overdue"]]
    # Rectified (waiting for verification) has met its deadline: not overdue; so has an answer.
    assert zone == [["乙逾期节点"], ["乙逾期指标"], ["乙逾期隐患"], ["乙逾期督办"]]
    assert response.context["sections"][0]["items"] == []
    assert 'href="/safety/hazards/?overdue=1"' in response.content.decode()


def test_my_work_user_without_unit_sees_a_note(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password="pw-Zone-2023!")
    client.force_login(user)
    response = client.get("/my-work/")
    assert response.status_code == 200
    assert "你的账号尚未关联责任单位" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 5])
def test_my_work_query_count_is_constant(
    client, make_user, unit_a, goal, site, django_assert_num_queries, rows
):
    leader = make_user("leader", unit=unit_a, role=Person.Role.LEADER)
    for n in range(rows):
        MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a), due_date=days(n - 2))
        TargetFactory(goal=goal, deadline=days(n - 3), responsible_unit=unit_a)
        hazard(site, unit_a, f"隐患{n}", days(n - 1))
        project = ProjectFactory(responsible_unit=unit_a)
        SupervisionOrderFactory(
            project=project, unit=unit_a, issued_by=leader, response_deadline=days(n - 2)
        )
        SupervisionOrderFactory(
            project=project, unit=unit_a, issued_by=leader, state=OrderState.ANSWERED
        )
    client.force_login(leader)
    # session, user, person, unit; my milestones, targets, hazards, orders; hazards to verify;
    # answers to review; the same four zone-wide.
    with django_assert_num_queries(12):
        response = client.get("/my-work/")
    assert response.context["total"] == 4 * rows
    assert len(response.context["to_review"]) == rows
