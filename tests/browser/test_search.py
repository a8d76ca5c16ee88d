"""The top bar's search box in a real browser: type, press Enter, follow a result."""

import pytest
from playwright.sync_api import expect

from tests.factories import HazardFactory, MilestoneFactory, ProjectFactory, UnitFactory

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_box_finds_and_opens_a_project(page, live_server, staff_a):
    unit = UnitFactory(name="项目推进局")
    project = ProjectFactory(name="光电产业园", responsible_unit=unit)
    MilestoneFactory(project=project, title="主体封顶")
    HazardFactory(description="光电车间消防通道堵塞", responsible_unit=unit)
    login(page, live_server, "staff_a")

    box = page.get_by_label("搜索", exact=True)
    box.fill("光电")
    box.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/search/?q=%E5%85%89%E7%94%B5")
    counts = {
        kind: page.get_by_test_id(f"search-group-{kind}").get_by_test_id("search-count")
        for kind in ("project", "milestone", "target", "hazard", "enterprise")
    }
    for kind, expected in [
        ("project", "1"),
        ("milestone", "1"),
        ("target", "0"),
        ("hazard", "1"),
        ("enterprise", "0"),
    ]:
        expect(counts[kind]).to_have_text(expected)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / "search-zh.png", full_page=True)

    page.get_by_test_id("search-group-project").get_by_role("link", name="光电产业园").click()

    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/")
