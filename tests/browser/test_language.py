"""The language switch in the top bar: Chinese by default, English on request, and back."""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, invalid_login_message, login, submit_login


def language_button(page, name):
    return page.get_by_test_id("language-switch").get_by_role("button", name=name, exact=True)


def nav_links(page):
    return page.locator("#nav-main .navbar-nav").first.get_by_role("link")


@pytest.mark.browser
def test_language_switch_login_page_english_then_chinese(page, live_server, staff_a):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(language_button(page, "中文")).to_have_attribute("aria-pressed", "true")

    language_button(page, "English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(language_button(page, "English")).to_have_attribute("aria-pressed", "true")
    expect(language_button(page, "中文")).not_to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator("label[for=id_username]")).to_have_text("Username")
    expect(page.locator("label[for=id_password]")).to_have_text("Password")
    submit_login(page, "staff_a", "not-the-password")
    expect(page.locator("main .alert-danger")).to_have_text(invalid_login_message("en"))

    language_button(page, "中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(language_button(page, "中文")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.locator("label[for=id_username]")).to_have_text("用户名")


@pytest.mark.browser
def test_language_switch_signed_in_stays_on_page_and_across_pages(page, live_server, staff_a):
    login(page, live_server, "staff_a")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav_links(page)).to_contain_text(["总览", "我的工作", "目标任务"])

    language_button(page, "English").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav_links(page)).to_contain_text(["Overview", "My work", "Goals and targets"])
    nav_links(page).get_by_text("My work", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/my-work/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(language_button(page, "English")).to_have_attribute("aria-pressed", "true")

    language_button(page, "中文").click()

    expect(page).to_have_url(f"{live_server.url}/my-work/")
    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav_links(page)).to_contain_text(["总览", "我的工作", "目标任务"])


@pytest.mark.browser
def test_language_choice_saved_on_account_comes_back_in_another_browser(
    new_context, live_server, staff_a
):
    office = new_context().new_page()
    login(office, live_server, "staff_a")
    language_button(office, "English").click()
    expect(office.locator("html")).to_have_attribute("lang", "en")

    # Another browser (a phone on site) that asks for Chinese first.
    phone = new_context(viewport=PHONE).new_page()
    phone.goto(f"{live_server.url}/accounts/login/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    login(phone, live_server, "staff_a")

    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", name="Overview")).to_be_visible()
    staff_a.refresh_from_db()
    assert staff_a.language == "en"

    language_button(phone, "中文").click()

    expect(phone.get_by_role("heading", name="总览")).to_be_visible()
    staff_a.refresh_from_db()
    assert staff_a.language == "zh-hans"
