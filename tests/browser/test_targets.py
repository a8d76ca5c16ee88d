"""Checking in on a target in the browser, and seeing the check-in in the target's history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.goals.models import CheckIn, TargetStatus

from .conftest import login


@pytest.fixture
def target(target_factory, unit_a):
    today = timezone.localdate()
    return target_factory(
        unit=unit_a,
        title="工业投资增速",
        metric_unit="%",
        baseline=Decimal("0"),
        target_value=Decimal("100"),
        current_value=Decimal("20"),
        start_date=today - timedelta(days=30),
        deadline=today + timedelta(days=300),
        status=TargetStatus.ON_TRACK,
    )


def history_rows(page):
    return page.get_by_test_id("checkin-history").locator("tbody tr")


@pytest.mark.browser
def test_checkin_on_target_shows_in_history(page, live_server, staff_a, target):
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/goals/targets/{target.pk}/")
    expect(page.get_by_role("heading", name="工业投资增速")).to_be_visible()
    expect(history_rows(page)).to_have_text(["还没有填报记录。"])
    form = page.get_by_test_id("checkin-form")

    form.get_by_label("当前值").fill("42.5")
    form.get_by_label("状态").select_option(label="存在风险")
    form.get_by_label("说明").fill("征地手续比计划晚两周")
    form.get_by_role("button", name="提交填报").click()

    expect(page.get_by_role("status")).to_have_text("已记录本次填报。")
    today = timezone.localdate().isoformat()
    expect(history_rows(page)).to_have_count(1)
    expect(history_rows(page).first.locator("td")).to_have_text(
        [today, "42.5", "存在风险", "征地手续比计划晚两周", "staff_a"]
    )
    expect(page.get_by_test_id("target-status")).to_have_text("存在风险")
    # The value chart appears with the first value and is drawn in the swapped-in fragment.
    expect(page.locator("canvas[data-chart='checkin-chart']")).to_have_attribute("data-drawn", "1")

    # The check-in is stored, not only drawn: it is still there after a reload.
    page.reload()
    expect(history_rows(page).first.locator("td")).to_have_text(
        [today, "42.5", "存在风险", "征地手续比计划晚两周", "staff_a"]
    )
    expect(page.locator("canvas[data-chart='checkin-chart']")).to_have_attribute("data-drawn", "1")
    checkin = CheckIn.objects.get(target=target)
    assert (checkin.value, checkin.status, checkin.author_id, checkin.date) == (
        Decimal("42.5"),
        TargetStatus.AT_RISK,
        staff_a.pk,
        date.fromisoformat(today),
    )


@pytest.mark.browser
def test_checkin_at_risk_without_comment_is_refused_and_keeps_input(
    page, live_server, staff_a, target
):
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/goals/targets/{target.pk}/")
    form = page.get_by_test_id("checkin-form")

    form.get_by_label("当前值").fill("55")
    form.get_by_label("状态").select_option(label="滞后")
    form.get_by_role("button", name="提交填报").click()

    expect(form.locator(".invalid-feedback")).to_have_text(
        "状态为“存在风险”或“滞后”时，请在说明中写明原因。"
    )
    expect(form.get_by_label("当前值")).to_have_value("55")
    expect(form.get_by_label("状态")).to_have_value(TargetStatus.OFF_TRACK)
    expect(history_rows(page)).to_have_text(["还没有填报记录。"])
    assert CheckIn.objects.filter(target=target).count() == 0
