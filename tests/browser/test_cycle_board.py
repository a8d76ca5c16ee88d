"""The 调度 board in Chromium: reds first with their streak at desktop and phone width, nothing
wider than a phone, and the print layout without the navigation bar."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.cycle.models import ReportingRound, RoundLight, Submission
from apps.projects.models import Stage
from tests.factories import ProjectFactory

from .conftest import DESKTOP, PHONE, login


@pytest.fixture
def board_rounds(unit_a):
    """Two closed rounds and the open one; 长期滞后项目 red in all three, 转好项目 red then yellow."""
    now = timezone.now()
    red = ProjectFactory(
        name="长期滞后项目",
        stage=Stage.UNDER_CONSTRUCTION,
        responsible_unit=unit_a,
        planned_start=date(2025, 1, 1),
        planned_completion=timezone.localdate() + timedelta(days=30),
    )
    yellow = ProjectFactory(
        name="转好项目", stage=Stage.UNDER_CONSTRUCTION, responsible_unit=unit_a
    )
    for weeks, period in ((2, "2000-W01"), (1, "2000-W02")):
        opens = now - timedelta(weeks=weeks)
        round_ = ReportingRound.objects.create(
            period=period,
            kind="weekly",
            opens_at=opens,
            deadline=opens + timedelta(days=3),
            state="closed",
        )
        for project in (red, yellow):
            RoundLight.objects.create(round=round_, project=project, light="red")
            Submission.objects.create(round=round_, project=project, responsible_unit=unit_a)
    current = ReportingRound.objects.create(
        period="2000-W03", kind="weekly", opens_at=now, deadline=now + timedelta(days=3)
    )
    for project in (red, yellow):
        Submission.objects.create(
            round=current,
            project=project,
            responsible_unit=unit_a,
            state="submitted",
            first_submitted_at=now,
            submitted_at=now,
            progress="推进中",
            problems="征地拆迁未完成",
            help_requested="请协调拆迁",
        )
    return current


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_board_shows_reds_first_and_fits_the_screen(
    new_context, live_server, staff_a, board_rounds, viewport
):
    page = new_context(viewport=viewport).new_page()
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/cycle/board/?by=unit")

    items = page.get_by_test_id("board-item")
    expect(items).to_have_count(2)
    expect(items.first).to_have_attribute("data-light", "red")
    expect(items.first.get_by_test_id("streak")).to_have_text("连续 3 轮红灯")
    expect(items.nth(1).get_by_test_id("turned-yellow")).to_be_visible()
    expect(page.get_by_test_id("board-problems")).to_contain_text("征地拆迁未完成")
    expect(page.get_by_test_id("rank-row")).to_have_count(1)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    page.emulate_media(media="print")
    expect(page.locator("nav.zt-navbar")).to_be_hidden()
    expect(page.get_by_test_id("board-item").first).to_be_visible()
