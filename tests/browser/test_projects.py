"""Logging progress and completing milestones on a project in the browser, on a desktop and a phone."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.org.models import Area
from apps.projects.models import ProgressLog, ProjectKind, Stage
from tests.factories import AreaFactory, IndustryChainFactory, MilestoneFactory, ProjectFactory

from .conftest import DESKTOP, PHONE, go_by_nav, login


@pytest.fixture
def project(unit_a):
    today = timezone.localdate()
    return ProjectFactory(
        name="京东方物联网移动显示端口器件项目",
        stage=Stage.UNDER_CONSTRUCTION,
        total_investment=Decimal("81.7"),
        chain=IndustryChainFactory(name="新型显示"),
        area=AreaFactory(name="光电产业园", kind=Area.Kind.INDUSTRIAL_PARK),
        responsible_unit=unit_a,
        planned_start=today - timedelta(days=100),
        planned_completion=today + timedelta(days=265),
    )


def log_items(page):
    return page.get_by_test_id("progress-logs").locator("li")


def chain_row(page, chain):
    """The dashboard's row for one industry chain in "investment by chain", opened."""
    section = page.get_by_test_id("investment-by-chain")
    section.locator("summary").click()
    return section.locator("tbody tr").filter(has=page.get_by_role("link", name=chain, exact=True))


def chain_chart_done(page, chain):
    """Completed investment of the chain as the dashboard's chart draws it (from its JSON)."""
    config = json.loads(page.locator("#chain-chart").text_content())
    index = config["data"]["labels"].index(chain)
    return config["data"]["datasets"][1]["data"][index]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_progress_log_shows_on_project_page(new_context, live_server, staff_a, project, viewport):
    page = new_context(viewport=viewport).new_page()
    login(page, live_server, "staff_a")
    # Before: the dashboard counts the project's investment, none of it completed yet.
    expect(chain_row(page, "新型显示").locator("td")).to_have_text(["新型显示", "1", "81.7", "0.0"])
    assert chain_chart_done(page, "新型显示") == 0
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.get_by_test_id("latest-percent")).to_have_text("—")

    page.get_by_test_id("log-progress").click()
    form = page.get_by_test_id("progress-form")
    form.get_by_label("进展情况").fill("主体结构完成，开始设备安装。")
    form.get_by_label("完成百分比").fill("45")
    form.get_by_label("累计完成投资").fill("12.5")
    form.get_by_role("button", name="提交").click()

    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator("main .alert-success")).to_contain_text("进展已记录。")
    expect(page.get_by_test_id("latest-percent")).to_have_text("45%")
    expect(log_items(page)).to_have_count(1)
    entry = log_items(page).first
    today = timezone.localdate().isoformat()
    expect(entry).to_contain_text(f"{today} · staff_a")
    expect(entry).to_contain_text("完成 45% · 累计完成投资 12.5 亿元")
    expect(entry.locator("p")).to_have_text("主体结构完成，开始设备安装。")
    # The investment-over-time chart is drawn once a log reports investment.
    expect(page.locator("canvas[data-chart='investment-chart']")).to_have_attribute(
        "data-drawn", "1"
    )
    # After: the dashboard's completed investment for the chain is the logged figure, in its
    # table and in its chart, and the figure links to the filtered project list.
    go_by_nav(page, "总览")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(chain_row(page, "新型显示").locator("td")).to_have_text(
        ["新型显示", "1", "81.7", "12.5"]
    )
    expect(page.locator("canvas[data-chart='chain-chart']")).to_have_attribute("data-drawn", "1")
    assert chain_chart_done(page, "新型显示") == 12.5
    page.get_by_test_id("investment-by-chain").get_by_role("link", name="新型显示").click()
    expect(page).to_have_url(f"{live_server.url}/projects/?chain={project.chain_id}")
    expect(page.get_by_role("link", name=project.name)).to_be_visible()
    log = ProgressLog.objects.get(project=project)
    assert (log.percent_complete, log.investment_completed, log.author_id) == (
        45,
        Decimal("12.5"),
        staff_a.pk,
    )


@pytest.mark.browser
def test_progress_log_missing_text_is_refused_and_keeps_input(page, live_server, staff_a, project):
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/projects/{project.pk}/progress/")
    form = page.get_by_test_id("progress-form")

    form.get_by_label("完成百分比").fill("30")
    form.get_by_label("累计完成投资").fill("8")
    form.get_by_role("button", name="提交").click()

    expect(form.locator(".invalid-feedback")).to_have_text(["请填写进展情况。"])
    expect(form.get_by_label("完成百分比")).to_have_value("30")
    expect(form.get_by_label("累计完成投资")).to_have_value("8")
    assert ProgressLog.objects.filter(project=project).count() == 0


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_milestone_complete_in_row_turns_light_green(
    new_context, live_server, staff_a, unit_a, viewport
):
    today = timezone.localdate()
    # Not begun and not under construction, so only the overdue milestone makes it red.
    project = ProjectFactory(
        name="中德生态园氢能产业园",
        kind=ProjectKind.PARK,
        stage=Stage.STARTED,
        responsible_unit=unit_a,
        planned_start=today + timedelta(days=10),
        planned_completion=today + timedelta(days=400),
    )
    milestone = MilestoneFactory(
        project=project, title="完成土地摘牌", due_date=today - timedelta(days=3)
    )
    page = new_context(viewport=viewport).new_page()
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    light = page.get_by_test_id("project-light")
    expect(light).to_contain_text("滞后")
    row = page.locator(f"#milestone-{milestone.pk}")

    row.get_by_role("link", name="完成", exact=True).click()
    done = row.get_by_label("实际完成日期")
    expect(done).to_have_value(today.isoformat())
    tomorrow = (today + timedelta(days=1)).isoformat()
    done.fill(tomorrow)
    row.get_by_role("button", name="确认完成").click()
    expect(row.locator(".invalid-feedback")).to_have_text(["实际完成日期不能晚于今天。"])
    expect(done).to_have_value(tomorrow)

    done.fill(today.isoformat())
    row.get_by_role("button", name="确认完成").click()

    expect(row.locator("td").nth(4)).to_have_text(today.isoformat())
    expect(row.get_by_role("link", name="完成", exact=True)).to_have_count(0)
    expect(light).to_contain_text("正常")
    expect(light).to_contain_text("按计划推进。")
    page.reload()
    expect(page.locator(f"#milestone-{milestone.pk} td").nth(4)).to_have_text(today.isoformat())
    expect(page.get_by_test_id("project-light")).to_contain_text("正常")
    milestone.refresh_from_db()
    assert milestone.done_date == today
