"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page opened through these fixtures is watched: an uncaught JavaScript error, a console error
or a Content-Security-Policy violation fails the test during which it happened.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from tests.factories import PASSWORD  # the password of every login the tests make

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
APT_PACKAGES = "chromium chromium-driver fonts-noto-cjk"
SKIP_VARIABLE = "ZONETRACKER_SKIP_BROWSER"

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests after every other test.

    Playwright's sync API keeps an asyncio loop running in the main thread from the first browser
    test to the end of the session, and Django refuses ORM calls while a loop runs there. Running
    these tests last keeps that loop (and DJANGO_ALLOW_ASYNC_UNSAFE, set by the `browser` fixture)
    away from the rest of the suite. The sort is stable, so pytest-django's order is kept otherwise.
    """
    items.sort(key=lambda item: Path(item.path).resolve().is_relative_to(HERE))


class PageProblems:
    """What the browser complained about: JS errors, console errors, CSP violations and headers
    it could not parse (an unknown Permissions-Policy feature, say)."""

    def __init__(self):
        self.seen: list[str] = []
        self.allowed: list[str] = []

    def allow(self, message: str) -> None:
        """Accept one expected console message (exact text), e.g. the status of a refused page."""
        self.allowed.append(message)

    def watch(self, context) -> None:
        context.on("console", self._on_console)
        context.on("weberror", lambda web_error: self.seen.append(f"page error: {web_error.error}"))

    def _on_console(self, message) -> None:
        text = message.text
        url = message.location.get("url", "")
        # A header the browser cannot parse is a fault of ours, though it reports it as a warning.
        if message.type == "error" or "Content Security Policy" in text or "Policy header" in text:
            self.seen.append(f"console {message.type}: {text} ({url})")

    def unexpected(self) -> list[str]:
        return [
            line
            for line in self.seen
            if not any(line.startswith(f"console error: {allowed} (") for allowed in self.allowed)
        ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a browser test that passed its own assertions if a watched page had problems."""
    result = yield
    problems = item.funcargs.get("page_problems")
    if problems is not None and problems.unexpected():
        raise AssertionError(
            "The browser reported errors or CSP violations:\n" + "\n".join(problems.unexpected())
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run: Debian's, never a browser Playwright downloads."""
    if not CHROMIUM.exists():
        message = (
            f"The browser tests need Debian's Chromium at {CHROMIUM} and a CJK font: "
            f"apt-get install {APT_PACKAGES}"
        )
        if os.environ.get(SKIP_VARIABLE) == "1":
            pytest.skip(f"{message} (skipped: {SKIP_VARIABLE}=1)")
        pytest.fail(f"{message} (or set {SKIP_VARIABLE}=1 to skip them)", pytrace=False)

    # The sync API runs an asyncio loop in this thread; the test code and the database fixtures
    # call the ORM synchronously from it, which Django allows only with this flag.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                chromium = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
            except PlaywrightError as error:
                pytest.fail(
                    f"Chromium at {CHROMIUM} did not start ({error}); "
                    f"apt-get install {APT_PACKAGES}",
                    pytrace=False,
                )
            expect.set_options(timeout=TIMEOUT_MS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded photos go to a folder of their own for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def new_context(browser, page_problems, request):
    """new_context(viewport=PHONE) -> a fresh browser context: its own cookies, so its own login.

    The browser asks for Chinese first, as the zone's staff do. On failure, every open page is
    saved to test-artifacts/failures/.
    """
    contexts = []

    def make(*, viewport=DESKTOP, locale="zh-CN"):
        context = browser.new_context(viewport=viewport, locale=locale, timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        page_problems.watch(context)
        contexts.append(context)
        return context

    yield make

    if getattr(request.node, "browser_test_failed", False):
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for c, context in enumerate(contexts):
            for p, page in enumerate(context.pages):
                page.screenshot(path=folder / f"{name}-{c}-{p}.png", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


def submit_login(page, username, password):
    """Fill in and send the login form of the page already open."""
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def login(page, live_server, username, password=PASSWORD):
    """Sign in through the real login form and wait until the signed-in layout shows."""
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, username, password)
    expect(page.get_by_test_id("current-user"), f"login as {username} failed").to_have_count(1)


def go_by_nav(page, name):
    """Follow a link of the top navigation as a person would: on a phone, open the collapsed
    menu first; for a link inside one of the bar's menus, open that menu."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    link = page.locator("#nav-main").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        # A closed menu's links are hidden, so the menu is found by the text it holds.
        menu = page.locator("#nav-main .dropdown").filter(
            has=page.locator("a.dropdown-item", has_text=re.compile(rf"^\s*{re.escape(name)}\s*$"))
        )
        menu.locator(".dropdown-toggle").click()
    link.click()


def invalid_login_message(language: str) -> str:
    """Django's own wording for a failed login, in the given language."""
    with translation.override(language):
        form = AuthenticationForm()
        return str(form.error_messages["invalid_login"]) % {
            "username": form.username_field.verbose_name
        }
