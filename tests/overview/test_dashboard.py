"""The dashboard's figures, each with the link to the list behind it, in a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from apps.goals.models import TargetStatus
from apps.org.models import Area, IndustryChain
from apps.projects.models import Stage
from apps.safety.models import HazardGrade, HazardStatus
from tests.factories import (
    AreaFactory,
    GoalFactory,
    HazardFactory,
    IndustryChainFactory,
    MilestoneFactory,
    PlanFactory,
    ProgressLogFactory,
    ProjectFactory,
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
def signed_in(client, staff_a):
    client.force_login(staff_a)
    return client


def bars(response, key):
    return [(bar.label, bar.value, bar.url) for bar in response.context[key]]


def test_dashboard_projects_by_stage_link_to_filtered_list(signed_in):
    ProjectFactory(stage=Stage.UNDER_CONSTRUCTION)
    ProjectFactory(stage=Stage.UNDER_CONSTRUCTION)
    ProjectFactory(stage=Stage.SIGNED)
    response = signed_in.get("/")
    assert bars(response, "stages") == [
        ("签约", 1, "/projects/?stage=signed"),
        ("在建", 2, "/projects/?stage=construction"),
    ]
    html = response.content.decode()
    assert 'href="/projects/?stage=construction"' in html
    chart = response.context["stage_chart"]
    assert (chart["data"]["datasets"][0]["data"], chart["links"]) == (
        [1, 2],
        ["/projects/?stage=signed", "/projects/?stage=construction"],
    )


def test_dashboard_projects_not_assessed_are_a_grey_bar_last(signed_in):
    ProjectFactory(stage=Stage.NOT_ASSESSED)
    ProjectFactory(stage=Stage.STRUCTURE_BUILT)
    response = signed_in.get("/")
    assert bars(response, "stages") == [
        ("主体施工", 1, "/projects/?stage=structure"),
        ("未评估", 1, "/projects/?stage=not_assessed"),
    ]
    chart = response.context["stage_chart"]
    assert chart["data"]["datasets"][0]["backgroundColor"] == ["#0d6efd", "#adb5bd"]


def test_dashboard_targets_not_assessed_are_a_grey_column(signed_in):
    goal = GoalFactory(plan=PlanFactory(name="六个创新突破"), order=1)
    TargetFactory.create_batch(2, goal=goal, status=TargetStatus.NOT_ASSESSED)
    TargetFactory(goal=goal, status=TargetStatus.NOT_STARTED)
    response = signed_in.get("/")
    cells = response.context["targets"]["rows"][0]["cells"]
    assert [(cell["label"], cell["count"]) for cell in cells if cell["count"]] == [
        ("未开始", 1),
        ("未评估", 2),
    ]
    assert response.context["targets"]["statuses"][-1] == ("not_assessed", "未评估")
    dataset = response.context["targets_chart"]["data"]["datasets"][-1]
    assert (dataset["label"], dataset["data"], dataset["backgroundColor"]) == (
        "未评估",
        [2],
        "#adb5bd",
    )
    link = f"/goals/targets/?goal={goal.pk}&amp;status=not_assessed"
    assert '<th class="text-end">未评估</th>' in response.content.decode()
    assert f'href="{link}">2</a>' in response.content.decode()


def test_dashboard_investment_by_chain_converts_units_and_takes_latest_log(signed_in):
    chain = IndustryChain.objects.create(name="新型显示")
    first = ProjectFactory(chain=chain, total_investment=Decimal("81.7"))
    second = ProjectFactory(chain=chain, total_investment=Decimal("5000"), investment_unit="wan")
    ProgressLogFactory(project=first, date=days(-30), investment_completed=Decimal("10"))
    ProgressLogFactory(project=first, date=days(-2), investment_completed=Decimal("20"))
    # The newest log without an investment figure does not hide the previous figure.
    ProgressLogFactory(project=first, date=days(-1), percent_complete=50)
    ProgressLogFactory(
        project=second, date=days(-3), investment_completed=Decimal("2500"), investment_unit="wan"
    )
    ProjectFactory(total_investment=Decimal("3"))
    usd = ProjectFactory(
        chain=chain, total_investment=Decimal("5000"), investment_unit="wan", currency="USD"
    )
    ProgressLogFactory(
        project=usd, date=days(-1), investment_completed=Decimal("1000"), investment_unit="wan"
    )
    response = signed_in.get("/")
    rows = [
        (
            bar.label,
            bar.value,
            bar.extra["done"],
            bar.extra["total_usd"],
            bar.extra["done_usd"],
            bar.url,
        )
        for bar in response.context["investment_groups"][0]["bars"]
    ]
    assert rows == [
        ("新型显示", 82.2, 20.25, 0.5, 0.1, f"/projects/?chain={chain.pk}"),
        ("未指定", 3.0, 0.0, 0.0, 0.0, "/projects/?chain=null"),
    ]
    assert response.context["has_usd"] is True


def test_dashboard_investment_by_area_links_to_area_filter(signed_in):
    area = Area.objects.create(name="王台片区", kind=Area.Kind.AREA)
    ProjectFactory(area=area, total_investment=Decimal("12.5"))
    response = signed_in.get("/")
    groups = response.context["investment_groups"]
    assert groups[1]["key"] == "area"
    assert [(b.label, b.value, b.url) for b in groups[1]["bars"]] == [
        ("王台片区", 12.5, f"/projects/?area={area.pk}")
    ]
    assert groups[1]["chart"]["links"] == [f"/projects/?area={area.pk}"]
    assert f'href="/projects/?area={area.pk}"' in response.content.decode()


def test_dashboard_targets_by_goal_and_status_for_the_six_breakthroughs(signed_in):
    plan = PlanFactory(name="2023年“六个创新突破”")
    first = GoalFactory(plan=plan, order=1, title="在振兴发展实体经济上创新突破")
    second = GoalFactory(plan=plan, order=2, title="在实施更高水平开放上创新突破")
    elsewhere = GoalFactory(plan__name="414计划", plan__year=2022)
    TargetFactory.create_batch(2, goal=first, status=TargetStatus.AT_RISK)
    TargetFactory(goal=first, status=TargetStatus.ON_TRACK)
    TargetFactory(goal=elsewhere, status=TargetStatus.AT_RISK)
    response = signed_in.get("/")
    rows = response.context["targets"]["rows"]
    assert [(row["goal"]["id"], row["total"]) for row in rows] == [(first.pk, 3), (second.pk, 0)]
    assert [(cell["status"], cell["count"]) for cell in rows[0]["cells"]] == [
        ("not_started", 0),
        ("on_track", 1),
        ("at_risk", 2),
        ("off_track", 0),
        ("achieved", 0),
        ("not_assessed", 0),
    ]
    link = f"/goals/targets/?goal={first.pk}&status=at_risk"
    assert rows[0]["cells"][2]["url"] == link
    assert f'href="{link.replace("&", "&amp;")}"' in response.content.decode()
    chart = response.context["targets_chart"]
    assert chart["data"]["labels"] == ["1. 振兴发展实体经济", "2. 实施更高水平开放"]
    assert chart["data"]["datasets"][2]["data"] == [2, 0]
    assert chart["datasetLinks"][2] == [link, f"/goals/targets/?goal={second.pk}&status=at_risk"]


def test_dashboard_open_hazards_by_grade_exclude_closed(signed_in, staff_b, superuser):
    HazardFactory(grade=HazardGrade.MAJOR)
    HazardFactory(grade=HazardGrade.MAJOR, status=HazardStatus.RECTIFIED, rectified_on=days(-3))
    HazardFactory(grade=HazardGrade.GENERAL, status=HazardStatus.RECTIFYING)
    HazardFactory(
        grade=HazardGrade.GENERAL,
        status=HazardStatus.CLOSED,
        rectifier=staff_b,
        rectified_on=days(-5),
        verifier=superuser,
        closed_on=days(-4),
    )
    response = signed_in.get("/")
    assert bars(response, "hazards") == [
        ("一般隐患", 1, "/safety/hazards/?grade=general&status=open"),
        ("重大隐患", 2, "/safety/hazards/?grade=major&status=open"),
    ]
    assert response.context["hazards_open"] == 3
    assert 'href="/safety/hazards/?grade=major&amp;status=open"' in response.content.decode()


def test_dashboard_milestones_overdue_and_next_30_days_at_their_edges(signed_in):
    project = ProjectFactory(name="光电产业园")
    MilestoneFactory(project=project, title="昨天到期", due_date=days(-1))
    MilestoneFactory(project=project, title="今天到期", due_date=TODAY)
    MilestoneFactory(project=project, title="30天后到期", due_date=days(30))
    MilestoneFactory(project=project, title="31天后到期", due_date=days(31))
    MilestoneFactory(project=project, title="已完成", due_date=days(-3), done_date=days(-4))
    response = signed_in.get("/")
    milestones = response.context["milestones"]
    assert (milestones["overdue"], milestones["next30"]) == (1, 2)
    assert [m.title for m in milestones["overdue_list"]] == ["昨天到期"]
    assert [m.title for m in milestones["next30_list"]] == ["今天到期", "30天后到期"]
    html = response.content.decode()
    assert 'href="/projects/milestones/?due=overdue"' in html
    assert 'href="/projects/milestones/?due=next30"' in html


def test_dashboard_without_data_renders_empty_states(signed_in):
    html = signed_in.get("/").content.decode()
    assert "尚无项目。" in html
    assert "尚未录入“六个创新突破”的目标。" in html


@pytest.mark.parametrize("rows", [1, 5])
def test_dashboard_query_count_is_constant(signed_in, django_assert_num_queries, rows):
    plan = PlanFactory(name="六个创新突破")
    for n in range(rows):
        project = ProjectFactory(
            chain=IndustryChainFactory(), area=AreaFactory(), total_investment=Decimal(n + 1)
        )
        ProgressLogFactory(project=project, date=days(-n), investment_completed=Decimal(n))
        MilestoneFactory(project=project, due_date=days(n - 2))
        TargetFactory(goal__plan=plan, status=TargetStatus.ON_TRACK)
        HazardFactory(grade=HazardGrade.MAJOR if n % 2 else HazardGrade.GENERAL)
    # session, user, stages, chains, areas, goals, targets, hazards, milestone counts, two lists.
    with django_assert_num_queries(11):
        response = signed_in.get("/")
    assert len(response.context["investment_groups"][0]["bars"]) == rows


def test_dashboard_figures_kept_until_a_watched_row_is_written(
    signed_in, django_assert_num_queries
):
    HazardFactory(grade=HazardGrade.MAJOR)
    first = signed_in.get("/")

    # session and user only: the figures are those computed by the first view.
    with django_assert_num_queries(2):
        again = signed_in.get("/")
    HazardFactory(grade=HazardGrade.MAJOR)
    after_write = signed_in.get("/")

    assert (first.context["hazards_open"], again.context["hazards_open"]) == (1, 1)
    assert after_write.context["hazards_open"] == 2


def test_dashboard_figures_kept_apart_per_language_and_per_day(signed_in):
    ProjectFactory(stage=Stage.SIGNED)
    chinese = signed_in.get("/")
    english = signed_in.get("/", headers={"accept-language": "en"})
    with time_machine.travel("2024-06-16 10:00 +0800", tick=False):
        tomorrow = signed_in.get("/")

    assert [bar.label for bar in chinese.context["stages"]] == ["签约"]
    assert [bar.label for bar in english.context["stages"]] == ["Signed"]
    assert (chinese.context["today"], tomorrow.context["today"]) == (TODAY, days(1))
