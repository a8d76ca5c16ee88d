"""The nav marks the page being shown from its URL name: each entry is current on its own pages only.

A new page must be placed in `CURRENT_ENTRY` (the nav entry it belongs to) or `NOT_A_PAGE`; the
walk fails until it is.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from apps.org.models import Person
from tests.core.test_url_walk import app_patterns, fill, world  # noqa: F401 (world is a fixture)
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

# Page -> the nav entry (by the URL name it links to) that is current on it.
CURRENT_ENTRY = {
    "dashboard": "dashboard",
    "my_work": "my_work",
    "projects:project_list": "projects:project_list",
    "projects:project_detail": "projects:project_list",
    "projects:progress_create": "projects:project_list",
    "projects:milestone_complete": "projects:project_list",
    "projects:milestone_list": "projects:milestone_list",
    "projects:timeline": "projects:timeline",
    "goals:target_list": "goals:target_list",
    "goals:target_detail": "goals:target_list",
    "goals:target_checkin": "goals:target_list",
    "safety:inspection_list": "safety:inspection_list",
    "safety:inspection_create": "safety:inspection_list",
    "safety:inspection_detail": "safety:inspection_list",
    "safety:hazard_list": "safety:hazard_list",
    "safety:hazard_detail": "safety:hazard_list",
    "safety:hazard_start": "safety:hazard_list",
    "safety:hazard_rectified": "safety:hazard_list",
    "safety:hazard_close": "safety:hazard_list",
    "safety:hazard_reject": "safety:hazard_list",
    "supervision:order_list": "supervision:order_list",
    "supervision:order_detail": "supervision:order_list",
    "supervision:issue_project": "supervision:order_list",
    "supervision:issue_target": "supervision:order_list",
    "supervision:issue_hazard": "supervision:order_list",
    "supervision:order_answer": "supervision:order_list",
    "supervision:order_accept": "supervision:order_list",
    "supervision:order_return": "supervision:order_list",
    "ledger:import": "ledger:import",
    "cycle:board": "cycle:board",
    "cycle:my_submissions": "cycle:my_submissions",
    "cycle:submission": "cycle:my_submissions",
    "cycle:round_list": "cycle:round_list",
    "cycle:round_detail": "cycle:round_list",
    "reminders:preferences": "reminders:preferences",
    "password_change": "password_change",
}
# Pages reached from no nav entry (the search, from the box in the top bar): nothing is current.
NO_ENTRY = {"search"}
# URLs that answer with no page of ours: a fragment, a file, a redirect, the sign-in pages.
NOT_A_PAGE = {
    "media",
    "ledger:template",
    "ledger:export",
    "ledger:import_confirm",
    # The reporting cycle's actions (POST, then back to their page) and the report's files.
    "cycle:round_open",
    "cycle:round_close",
    "cycle:submission_return",
    "cycle:submission_accept",
    "cycle:report_xlsx",
    "cycle:report_pdf",
    "projects:milestone_row",
    "reminders:calendar_token_reset",
    "reminders:calendar_feed",
    "set_language",
    "login",
    "logout",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Actions that answer a POST only; an empty one re-renders their page with the form's errors.
POST_ONLY = {
    "goals:target_checkin",
    "safety:hazard_start",
    "safety:hazard_rectified",
    "safety:hazard_close",
    "safety:hazard_reject",
    "supervision:order_answer",
    "supervision:order_accept",
    "supervision:order_return",
}
# Pages only zone leaders open (issuing an order, reviewing its answer).
LEADER_ONLY = {
    "supervision:issue_project",
    "supervision:issue_target",
    "supervision:issue_hazard",
    "supervision:order_accept",
    "supervision:order_return",
}


class NavLinks(HTMLParser):
    """Collects the top bar's links: href -> (has the active class, aria-current value)."""

    def __init__(self):
        super().__init__()
        self.links = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "a" and "nav-link" in classes:
            self.links[attrs["href"]] = ("active" in classes, attrs.get("aria-current"))


def nav_links(response) -> dict:
    parser = NavLinks()
    parser.feed(response.content.decode())
    return parser.links


def current(links: dict) -> set:
    return {href for href, (active, _) in links.items() if active}


def marked_current(links: dict) -> set:
    return {href for href, (_, aria) in links.items() if aria == "page"}


def test_nav_every_url_is_placed():
    names = {name for _, name, _ in app_patterns()}

    assert names - CURRENT_ENTRY.keys() - NO_ENTRY - NOT_A_PAGE == set()


def test_nav_every_entry_has_its_pages(client, staff_a):
    client.force_login(staff_a)

    links = nav_links(client.get(reverse("dashboard")))

    assert set(links) == {reverse(entry) for entry in CURRENT_ENTRY.values()}


@pytest.mark.parametrize("name", sorted(CURRENT_ENTRY))
def test_nav_current_exactly_on_own_pages(client, world, staff_a, make_user, name):  # noqa: F811
    if name in LEADER_ONLY:
        client.force_login(
            make_user("nav_leader", unit=UnitFactory(name="工委管委"), role=Person.Role.LEADER)
        )
    else:
        client.force_login(staff_a)
    pattern, _, converters = next(p for p in app_patterns() if p[1] == name)
    url = fill(pattern, name, converters, world)

    response = client.post(url) if name in POST_ONLY else client.get(url)

    assert response.status_code == 200
    links = nav_links(response)
    assert current(links) == {reverse(CURRENT_ENTRY[name])}
    assert marked_current(links) == {reverse(CURRENT_ENTRY[name])}


@pytest.mark.parametrize("name", sorted(NO_ENTRY))
def test_nav_nothing_current_on_pages_without_entry(client, staff_a, name):
    client.force_login(staff_a)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert (current(nav_links(response)), marked_current(nav_links(response))) == (set(), set())


def test_nav_current_kept_with_a_query_string(client, staff_a):
    client.force_login(staff_a)

    links = nav_links(client.get(reverse("safety:hazard_list") + "?status=open&unit=1"))

    assert current(links) == {reverse("safety:hazard_list")}


def test_nav_nothing_current_on_not_found_page(client, staff_a):
    client.force_login(staff_a)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    links = nav_links(response)
    assert len(links) == len(set(CURRENT_ENTRY.values()))
    assert current(links) == set()
    assert marked_current(links) == set()


def test_nav_nothing_current_on_admin_link(client, superuser):
    """The admin link goes to another site; it is never marked as the page being shown."""
    client.force_login(superuser)

    links = nav_links(client.get(reverse("dashboard")))

    assert links[reverse("admin:index")] == (False, None)
