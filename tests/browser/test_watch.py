"""The watch on every page catches what it must: CSP violations and JavaScript errors."""

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_page_problems_inline_script_is_blocked_and_recorded(page, live_server, page_problems):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.body.dataset.inline = 'ran'";
            document.body.appendChild(script);
        }"""
    )

    expect(page.locator("body")).not_to_have_attribute("data-inline", "ran")
    assert len(page_problems.unexpected()) == 1
    assert "Content Security Policy" in page_problems.unexpected()[0]
    page_problems.seen.clear()  # recorded as it should be; do not fail this test for it


@pytest.mark.browser
def test_page_problems_uncaught_error_is_recorded(page, live_server, page_problems):
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_event("pageerror"):
        page.evaluate("() => { setTimeout(() => { throw new Error('boom from the page'); }); }")

    assert page_problems.unexpected() == ["page error: boom from the page"]
    page_problems.seen.clear()
