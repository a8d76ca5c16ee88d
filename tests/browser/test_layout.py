"""Every page fits a 1280 px screen and a 390 px phone in Chinese and in English.

On each page: nothing is wider than the screen (no sideways scroll), no English word is split
across two lines, and at 1280 px every table shows all its columns and the top bar is one line,
with room left for a 14em search box. The nav's texts reach WCAG AA contrast (4.5:1), computed
from the colours the browser actually paints. Screenshots go to test-artifacts/layout/.
"""

import re

import pytest
from playwright.sync_api import expect

from apps.projects.models import Milestone

from .conftest import ARTIFACTS, PHONE, login
from .test_screenshots import zone  # noqa: F401  (the fixture: a small zone with data)

SHOTS = ARTIFACTS / "layout"
WIDE = {"width": 1280, "height": 900}
LANGUAGES = {"zh-hans": "中文", "en": "English"}

# Each English word (2+ Latin letters) whose glyphs sit on more than one line.
SPLIT_WORDS = """() => {
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !parent.offsetParent || parent.closest("script, style, option")) continue;
    for (const match of node.data.matchAll(/[A-Za-z]{2,}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
                                                       .map((r) => Math.round(r.top)));
      if (tops.size > 1) split.push(match[0]);
    }
  }
  return split;
}"""

# Tables whose content is wider than their box (a column cut off or scrolled out of view).
CLIPPED_TABLES = """() => [...document.querySelectorAll("main table")]
  .filter((t) => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1)
  .map((t) => t.querySelector("th") ? t.querySelector("th").textContent.trim() : "table")"""

# The top bar's boxes: brand, each nav item, the language switch; and the bar's inner height.
NAV_BOXES = """() => {
  const bar = document.querySelector("nav.navbar > .container-fluid");
  const items = [...bar.querySelectorAll(
    ".navbar-brand, .navbar-nav > .nav-item, [data-testid=language-switch], .search-probe")];
  return {
    height: bar.getBoundingClientRect().height,
    items: items.map((el) => {
      const r = el.getBoundingClientRect();
      return {top: r.top, bottom: r.bottom, height: r.height, right: r.right};
    }),
    width: window.innerWidth,
  };
}"""

# A stand-in for the search box another change adds: 14em wide, between the links and the user.
ADD_SEARCH_PROBE = """() => {
  const probe = document.createElement("input");
  probe.className = "form-control form-control-sm search-probe";
  probe.style.width = "14em";
  probe.style.flex = "0 0 auto";
  const user = document.querySelector("#nav-main .nav-user");
  user.parentElement.insertBefore(probe, user);
}"""


def pages(zone):  # noqa: F811
    project = zone["project"]
    open_milestone = Milestone.objects.filter(project=project, done_date=None).first()
    inspection = zone["hazard"].inspection
    return [
        ("dashboard", "/"),
        ("my-work", "/my-work/"),
        ("project-list", "/projects/"),
        ("project-detail", f"/projects/{project.pk}/"),
        ("progress-form", f"/projects/{project.pk}/progress/"),
        ("milestone-list", "/projects/milestones/"),
        ("milestone-complete", f"/projects/milestones/{open_milestone.pk}/complete/"),
        ("target-list", "/goals/targets/"),
        ("target-detail", f"/goals/targets/{zone['target'].pk}/"),
        ("inspection-list", "/safety/inspections/"),
        ("inspection-detail", f"/safety/inspections/{inspection.pk}/"),
        ("inspection-form", "/safety/inspections/new/"),
        ("hazard-list", "/safety/hazards/"),
        ("hazard-detail", f"/safety/hazards/{zone['hazard'].pk}/"),
        ("preferences", "/reminders/preferences/"),
    ]


def switch_language(page, code):
    if page.locator("html").get_attribute("lang") != code:
        page.get_by_test_id("language-switch").get_by_role(
            "button", name=LANGUAGES[code], exact=True
        ).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def check_fits(page, name, *, wide):
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"{name} scrolls sideways: {scroll_width} > {inner_width}"
    assert page.evaluate(SPLIT_WORDS) == [], f"{name} splits English words across lines"
    if wide:
        assert page.evaluate(CLIPPED_TABLES) == [], f"{name} has a table wider than its box"


def check_one_line_bar(page, name):
    boxes = page.evaluate(NAV_BOXES)
    line = max(item["height"] for item in boxes["items"])
    bottoms = [item["bottom"] for item in boxes["items"]]
    tops = [item["top"] for item in boxes["items"]]
    # One line: every box starts on the first line, and the bar is as tall as its tallest item.
    assert max(tops) < min(bottoms), f"{name}: the top bar wraps ({tops})"
    assert boxes["height"] <= line + 1, f"{name}: the bar is {boxes['height']}px, a line {line}px"
    assert max(item["right"] for item in boxes["items"]) <= boxes["width"]


@pytest.mark.browser
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_layout_every_page_fits(new_context, live_server, zone, language, viewport):  # noqa: F811
    wide = viewport == WIDE
    size = viewport["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=viewport).new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    switch_language(page, language)
    check_fits(page, "login", wide=wide)
    page.screenshot(path=SHOTS / f"login-{language}-{size}.png", full_page=True)
    login(page, live_server, "wangfang")
    switch_language(page, language)

    for name, path in pages(zone):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{path} answered {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_fits(page, name, wide=wide)
        if wide:
            check_one_line_bar(page, name)
        page.screenshot(path=SHOTS / f"{name}-{language}-{size}.png", full_page=True)

    if wide:
        page.goto(f"{live_server.url}/projects/")
        page.evaluate(ADD_SEARCH_PROBE)
        check_one_line_bar(page, "project list with a 14em search box")


# --- contrast ------------------------------------------------------------------------------------

# The colour of each visible text of the bar and the first opaque background behind it.
NAV_COLOURS = """() => {
  const rgb = (value) => value.match(/[\\d.]+/g).map(Number);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] === 1) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(
      "nav.navbar .navbar-brand, nav.navbar .nav-link, nav.navbar .btn, nav.navbar .navbar-text")]
    .filter((el) => el.offsetParent && el.textContent.trim())
    .map((el) => {
      const c = rgb(getComputedStyle(el).color);
      return {text: el.textContent.trim(), colour: c, alpha: c.length > 3 ? c[3] : 1,
              background: background(el)};
    });
}"""


def luminance(rgb) -> float:
    def channel(value):
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground, background) -> float:
    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert round(contrast([255, 255, 255], [0, 0, 0]), 2) == 21.0
    assert round(contrast([255, 255, 255], [13, 110, 253]), 2) == 4.5  # Bootstrap's primary
    assert round(contrast([118, 118, 118], [255, 255, 255]), 2) == 4.54


@pytest.mark.browser
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_layout_nav_text_contrast_at_least_aa(new_context, live_server, zone, language):  # noqa: F811
    page = new_context(viewport=WIDE).new_page()
    login(page, live_server, "wangfang")
    switch_language(page, language)
    page.goto(f"{live_server.url}/projects/")

    texts = page.evaluate(NAV_COLOURS)

    assert len(texts) >= 10  # brand, 6 entries, the user's name and menu, two language buttons
    for text in texts:
        # A translucent colour would be blended with what is behind it; the bar uses none.
        assert text["alpha"] == 1, f"{text['text']} has a translucent colour"
        ratio = contrast(text["colour"], text["background"])
        assert ratio >= 4.5, f"{text['text']!r}: {ratio:.2f}:1 on {text['background']}"


@pytest.mark.browser
def test_layout_phone_menu_lists_every_link(new_context, live_server, zone):  # noqa: F811
    page = new_context(viewport=PHONE).new_page()
    login(page, live_server, "wangfang")

    page.locator(".navbar-toggler").click()

    links = page.locator("#nav-main").get_by_role("link")
    expect(links).to_have_text(
        [
            "总览",
            "我的工作",
            "项目列表",
            "项目节点",
            "进度图",
            "导入台账",
            "目标任务",
            "调度会看板",
            "我的填报",
            "填报轮次",
            "督办",
            "安全隐患",
            "安全检查",
            "提醒设置",
            "修改密码",
        ]
    )
    expect(page.locator("#nav-main").get_by_role("button", name="退出")).to_be_visible()


# --- print ---------------------------------------------------------------------------------------


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.browser
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_layout_project_detail_prints_on_one_a4_sheet(new_context, live_server, zone, language):  # noqa: F811
    page = new_context(viewport=WIDE).new_page()
    login(page, live_server, "wangfang")
    switch_language(page, language)
    page.goto(f"{live_server.url}/projects/{zone['project'].pk}/")
    expect(page.locator("canvas[data-chart]")).to_have_attribute("data-drawn", "1")

    pdf = page.pdf(format="A4")

    (SHOTS / f"project-detail-{language}.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 1
    page.emulate_media(media="print")
    expect(page.get_by_test_id("milestones")).to_be_visible()
    expect(page.get_by_test_id("edit-history")).to_be_hidden()


@pytest.mark.browser
def test_layout_list_prints_without_bar_filters_buttons_pages(new_context, live_server, zone):  # noqa: F811
    page = new_context(viewport=WIDE).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/projects/?per_page=2")
    for selector in ["nav.navbar", "form.filter-form", ".pagination", "main .btn"]:
        expect(page.locator(selector).first).to_be_visible()

    page.emulate_media(media="print")

    for selector in ["nav.navbar", "form.filter-form", ".pagination", "main .btn"]:
        expect(page.locator(selector).first).to_be_hidden()
    expect(page.locator("main table")).to_be_visible()
    assert pdf_pages(page.pdf(format="A4")) == 1


@pytest.mark.browser
def test_layout_project_list_latest_progress_is_a_bar(new_context, live_server, zone):  # noqa: F811
    page = new_context(viewport=WIDE).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/projects/?sort=-percent")

    bars = page.locator("main table").get_by_role("progressbar")

    # The main project's latest log says 52 %, the second project's 15 %; the rest have none.
    expect(bars).to_have_count(2)
    expect(bars.first).to_have_attribute("aria-valuenow", "52")
    expect(bars.first).to_have_accessible_name("最新进度")
    expect(bars.first).to_have_text("52%")
    track, fill = page.evaluate(
        """() => {
          const bar = document.querySelector("main table [role=progressbar]");
          return [bar.clientWidth, bar.querySelector(".progress-bar").getBoundingClientRect().width];
        }"""
    )
    assert fill == pytest.approx(track * 0.50, abs=1)  # drawn in 5 % steps: 52 % shows as 50 %
