"""Signing in through the browser: the login page, a wrong password and the throttling lockout."""

import math
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .conftest import PASSWORD, invalid_login_message, login, submit_login


@pytest.mark.browser
def test_dashboard_anonymous_lands_on_login_page(page, live_server):
    page.goto(f"{live_server.url}/")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


@pytest.mark.browser
def test_login_correct_password_opens_the_page_asked_for(page, live_server, staff_a):
    page.goto(f"{live_server.url}/")
    submit_login(page, "staff_a", PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("current-user")).to_have_text("staff_a")


@pytest.mark.browser
def test_login_wrong_password_shows_error_and_keeps_username(page, live_server, staff_a):
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, "staff_a", "not-the-password")

    expect(page.locator("main .alert-danger")).to_have_text(invalid_login_message("zh-hans"))
    expect(page.locator("#id_username")).to_have_value("staff_a")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.get_by_test_id("current-user")).to_have_count(0)


@pytest.mark.browser
def test_login_failure_limit_shows_lockout_page(page, live_server, staff_a, page_problems):
    # Axes answers a locked-out login with 429, which Chromium reports on the console.
    page_problems.allow(
        "Failed to load resource: the server responded with a status of 429 (Too Many Requests)"
    )
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        submit_login(page, "staff_a", "not-the-password")
        expect(page.locator("main .alert-danger")).to_have_text(invalid_login_message("zh-hans"))

    with page.expect_response(re.compile(r"/accounts/login/$")) as last_attempt:
        submit_login(page, "staff_a", "not-the-password")

    assert last_attempt.value.status == 429
    expect(page.get_by_role("heading", name="登录尝试过多")).to_be_visible()
    minutes = math.ceil(settings.AXES_COOLOFF_TIME * 60)
    expect(page.get_by_role("alert").locator("p")).to_have_text(
        f"为保护账号安全，登录已暂时锁定。请在 {minutes} 分钟后再试。"
    )
    expect(page.locator("#id_password")).to_have_count(0)

    # Locked out: even the right password is refused until the cool-off ends.
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_response(re.compile(r"/accounts/login/$")) as right_password:
        submit_login(page, "staff_a", PASSWORD)

    assert right_password.value.status == 429
    expect(page.get_by_role("heading", name="登录尝试过多")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


@pytest.mark.browser
def test_login_helper_signs_in_other_user_in_its_own_context(
    new_context, live_server, staff_a, staff_b
):
    first = new_context().new_page()
    second = new_context().new_page()

    login(first, live_server, "staff_a")
    login(second, live_server, "staff_b")
    first.reload()

    expect(first.get_by_test_id("current-user")).to_have_text("staff_a")
    expect(second.get_by_test_id("current-user")).to_have_text("staff_b")
