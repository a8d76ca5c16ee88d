"""The milestone timeline in a real browser: markers drawn left to right by date, in Chinese and
in English, with screenshots in test-artifacts/screenshots/ for people to look at."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import AreaFactory, IndustryChainFactory, MilestoneFactory, ProjectFactory

from .conftest import ARTIFACTS, go_by_nav, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture
def projects(unit_a):
    year = timezone.localdate().year
    east, west = AreaFactory(name="中德生态园"), AreaFactory(name="古镇口融合区")
    chain = IndustryChainFactory(name="新型显示")
    display = ProjectFactory(
        name="京东方物联网移动显示端口器件", area=east, chain=chain, responsible_unit=unit_a
    )
    MilestoneFactory(
        project=display, title="开工", due_date=date(year, 1, 20), done_date=date(year, 2, 3)
    )
    MilestoneFactory(
        project=display,
        title="主体封顶",
        start_date=date(year, 2, 10),
        due_date=date(year, 6, 30),
    )
    MilestoneFactory(project=display, title="竣工投产", due_date=date(year, 11, 30))
    park = ProjectFactory(name="光电产业园", area=west, responsible_unit=unit_a)
    MilestoneFactory(project=park, title="土地摘牌", due_date=date(year, 4, 15))
    MilestoneFactory(
        project=park, title="设备进场", due_date=date(year, 9, 1), done_date=date(year, 8, 20)
    )
    return display, park


def marker_positions(page) -> list[tuple[str, float]]:
    """(date, centre x on screen) of each marker."""
    markers = page.get_by_test_id("milestone-marker")
    expect(markers.first).to_be_visible()
    positions = []
    for i in range(markers.count()):
        marker = markers.nth(i)
        box = marker.bounding_box()
        positions.append((marker.get_attribute("data-date"), box["x"] + box["width"] / 2))
    return positions


def assert_left_to_right(positions):
    by_date = [x for _, x in sorted(positions)]
    assert by_date == sorted(by_date)
    assert len(set(by_date)) == len(by_date)


@pytest.mark.parametrize(("language", "button"), [("zh", None), ("en", "English")])
def test_timeline_page_draws_markers_by_date(
    page, live_server, staff_a, projects, language, button
):
    login(page, live_server, "staff_a")
    if button:
        page.get_by_test_id("language-switch").get_by_role("button", name=button).click()
    go_by_nav(page, {"zh": "进度图", "en": "Timeline"}[language])

    expect(page.get_by_test_id("timeline")).to_be_visible()
    positions = marker_positions(page)
    assert len(positions) == 7  # 5 planned dates, 2 done dates
    assert_left_to_right(positions)
    expect(page.get_by_test_id("timeline-group")).to_have_text(["中德生态园", "古镇口融合区"])
    first = page.get_by_test_id("milestone-marker").first
    label = {"zh": "开工：计划完成", "en": "开工: planned for"}[language]
    assert first.get_attribute("aria-label").startswith(label)
    expect(page.get_by_test_id("timeline-table").locator("tbody tr")).to_have_count(5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"timeline-{language}.png", full_page=True)


def test_project_page_timeline_and_its_link(page, live_server, staff_a, projects):
    display, _ = projects
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/projects/{display.pk}/")

    section = page.get_by_test_id("project-timeline")
    expect(section.get_by_test_id("milestone-marker")).to_have_count(4)
    assert_left_to_right(marker_positions(section))
    section.screenshot(path=SCREENSHOTS / "project-timeline-zh.png")

    section.get_by_test_id("timeline-link").click()
    expect(page).to_have_url(f"{live_server.url}/projects/timeline/?area={display.area_id}")
    expect(page.get_by_test_id("timeline").locator("a text")).to_have_count(1)
