"""Walk every URL pattern: anonymous requests go to the login page; another unit cannot write.

The API (/api/) is token-authenticated instead: without a token it answers 401 in JSON, whoever
is signed in to the pages, and never redirects to the login page.

A new URL pattern with a path parameter must be added to `OBJECT_FOR` below, so that it is walked
too; the test fails until it is.
"""

from datetime import date, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from simple_history.models import registered_models

from apps.cycle.models import ReportingRound, Submission
from apps.org.models import Person
from apps.projects.models import Stage
from tests.factories import (
    HazardFactory,
    InspectionFactory,
    MilestoneFactory,
    ProjectFactory,
    SupervisionOrderFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

# URLs a visitor may open without logging in: the login page and its friends, the language switch,
# a calendar feed guarded by its own secret token.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "reminders:calendar_feed",
}
SKIPPED_PREFIXES = ("admin/", "static/", "api/")
# The API's schema is public (it holds no data); its root and other paths are a JSON 404.
API_PUBLIC = {"api:openapi-json", "api:api-root", "api:not_found"}


def walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(entry, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry.pattern.converters


def app_patterns():
    return [p for p in walk() if not p[0].startswith(SKIPPED_PREFIXES)]


def api_patterns():
    return [p for p in walk() if p[0].startswith("api/") and p[1] not in API_PUBLIC]


@pytest.fixture
def world(unit_a):
    """One record of each kind, all owned by unit A, in states where every action is legal."""
    today = date.today()
    project = ProjectFactory(stage=Stage.UNDER_CONSTRUCTION, responsible_unit=unit_a)
    milestone = MilestoneFactory(project=project, due_date=today + timedelta(days=10))
    target = TargetFactory(goal__responsible_unit=unit_a, responsible_unit=unit_a)
    inspection = InspectionFactory(date=today, responsible_unit=unit_a)
    hazard = HazardFactory(
        site=inspection.site,
        inspection=inspection,
        found_date=today,
        rectification_deadline=today + timedelta(days=7),
        responsible_unit=unit_a,
    )
    order = SupervisionOrderFactory(
        project=project, unit=unit_a, response_deadline=today + timedelta(days=7)
    )
    opened = timezone.now()
    round_ = ReportingRound.objects.create(
        period="2099-W01", kind="weekly", opens_at=opened, deadline=opened + timedelta(days=3)
    )
    submission = Submission.objects.create(round=round_, project=project, responsible_unit=unit_a)
    return {
        "order": order,
        "round": round_,
        "submission": submission,
        "project": project,
        "milestone": milestone,
        "target": target,
        "inspection": inspection,
        "hazard": hazard,
    }


# Pages that only read: posting to them changes nothing (checked through the history tables).
READ_ONLY = {
    "cycle:round_detail",
    "projects:project_detail",
    "projects:milestone_row",
    "goals:target_detail",
    "safety:inspection_detail",
    "safety:hazard_detail",
    "supervision:order_detail",
}

# Which object a pattern's pk refers to, by URL name.
OBJECT_FOR = {
    "media": None,
    "cycle:round_detail": "round",
    "cycle:round_close": "round",
    "cycle:submission": "submission",
    "cycle:submission_return": "submission",
    "cycle:submission_accept": "submission",
    "projects:project_detail": "project",
    "projects:progress_create": "project",
    "projects:milestone_row": "milestone",
    "projects:milestone_complete": "milestone",
    "goals:target_detail": "target",
    "goals:target_checkin": "target",
    "safety:inspection_detail": "inspection",
    "safety:hazard_detail": "hazard",
    "safety:hazard_start": "hazard",
    "safety:hazard_rectified": "hazard",
    "safety:hazard_close": "hazard",
    "safety:hazard_reject": "hazard",
    "api:project_detail": "project",
    "api:progress_create": "project",
    "api:milestone_detail": "milestone",
    "api:target_detail": "target",
    "api:round_detail": "round",
    "api:round_submission_list": "round",
    "api:round_light_list": "round",
    "api:hazard_detail": "hazard",
    "supervision:order_detail": "order",
    "supervision:issue_project": "project",
    "supervision:issue_target": "target",
    "supervision:issue_hazard": "hazard",
    "supervision:order_answer": "order",
    "supervision:order_accept": "order",
    "supervision:order_return": "order",
}

# A payload that would be valid for any of the write actions, so a missing permission check
# would show up as a saved change rather than as a form error.
PAYLOAD = {
    "text": "越权写入",
    "percent_complete": "50",
    "investment_completed": "1",
    "investment_unit": "yi",
    "date": date.today().isoformat(),
    "done_date": date.today().isoformat(),
    "value": "1",
    "status": "on_track",
    "comment": "越权写入",
    "rectification_measures": "越权写入",
    "rectified_on": date.today().isoformat(),
    "closed_on": date.today().isoformat(),
    "reason": "越权写入",
    "instruction": "越权写入",
    "response_deadline": (date.today() + timedelta(days=7)).isoformat(),
}


def fill(pattern, name, converters, world):
    """Turn 'projects/<int:pk>/' into a URL for the world's object."""
    if not converters:
        return "/" + pattern
    if name == "media" or name not in OBJECT_FOR and "path" in converters:
        return None
    assert name in OBJECT_FOR, f"URL {name!r} ({pattern}) is not in OBJECT_FOR: add it"
    obj = world[OBJECT_FOR[name]]
    url = pattern
    for key in converters:
        url = url.replace(f"<int:{key}>", str(obj.pk)).replace(f"<{key}>", str(obj.pk))
    return "/" + url


def history_rows():
    return sum(model.history.model.objects.count() for model in registered_models.values())


def test_every_url_pattern_is_known(world):
    for pattern, name, converters in app_patterns() + api_patterns():
        if name in PUBLIC or not converters:
            continue
        fill(pattern, name, converters, world)


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_sends_anonymous_visitors_to_login(client, world, method):
    checked = 0
    for pattern, name, converters in app_patterns():
        if name in PUBLIC:
            continue
        url = fill(pattern, name, converters, world)
        if url is None:
            url = "/media/progress/x.png"
        response = getattr(client, method)(url)
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/accounts/login/?next="), url
        checked += 1
    assert checked >= 15


def test_another_unit_cannot_write_anything(client, world, staff_b):
    client.force_login(staff_b)
    before = history_rows()
    checked = 0
    for pattern, name, converters in app_patterns():
        if name in PUBLIC or not converters or name == "media":
            continue
        url = fill(pattern, name, converters, world)
        allowed = {200, 405} if name in READ_ONLY else {403, 404}
        response = client.post(url, PAYLOAD)
        assert response.status_code in allowed, (url, response.status_code)
        response = client.post(url, PAYLOAD, headers={"HX-Request": "true"})
        assert response.status_code in allowed, (url, response.status_code)
        checked += name not in READ_ONLY
    assert history_rows() == before
    assert checked >= 7


def test_owning_unit_can_write_what_another_unit_cannot(client, world, staff_a):
    """The walk above is meaningful: the same payload does change things for the owner."""
    client.force_login(staff_a)
    before = history_rows()
    response = client.post(f"/projects/{world['project'].pk}/progress/", PAYLOAD)
    assert response.status_code in {200, 302}
    assert world["project"].progress_logs.count() == 1
    assert history_rows() > before


def test_admin_needs_staff_login(client, staff_b):
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    client.force_login(staff_b)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ["anonymous", "staff_a", "superuser"])
def test_api_without_token_is_401_json_for_everyone(client, world, request, method, role):
    """A session does not open the API: its clients authenticate with their token."""
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    before = history_rows()
    checked = 0
    for pattern, name, converters in api_patterns():
        url = fill(pattern, name, converters, world)
        response = getattr(client, method)(url, PAYLOAD, content_type="application/json")
        # The one write takes POST, the rest GET; another method is refused before the token.
        writes = name == "api:progress_create"
        expected = 401 if (method == "post") == writes else 405
        assert response.status_code == expected, (url, response.status_code)
        assert response["Content-Type"].startswith("application/json"), url
        checked += 1
    assert history_rows() == before
    assert checked >= 9


def test_api_schema_is_public(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


# Pages only the office and a unit's staff may use (apps.ledger.views.can_import).
LEDGER_PAGES = {"ledger:import", "ledger:import_confirm", "ledger:template", "ledger:export"}


def test_ledger_pages_are_all_walked():
    names = {name for _pattern, name, _converters in app_patterns()}
    assert {name for name in names if name and name.startswith("ledger:")} == LEDGER_PAGES


@pytest.mark.parametrize("role", ["no person", "zone leader without a unit"])
def test_ledger_pages_refuse_who_may_not_import(client, world, make_user, role):
    from apps.org.models import Person

    if role == "no person":
        user = make_user("visitor")
    else:
        user = make_user("leader", role=Person.Role.LEADER)
    client.force_login(user)
    before = history_rows()
    for pattern, name, _converters in app_patterns():
        if name in LEDGER_PAGES:
            assert client.get("/" + pattern).status_code in {403, 405}, name
            assert client.post("/" + pattern, {"token": "x"}).status_code in {403, 405}, name
    assert history_rows() == before


# Supervision orders: only zone leaders issue, accept and return; only the order's unit answers.
ORDER_LEADER_ACTIONS = (
    "supervision:issue_project",
    "supervision:issue_target",
    "supervision:issue_hazard",
    "supervision:order_accept",
    "supervision:order_return",
)


def _order_urls(world, names):
    patterns = {name: (pattern, converters) for pattern, name, converters in app_patterns()}
    return [fill(patterns[name][0], name, patterns[name][1], world) for name in names]


def test_own_unit_staff_cannot_issue_or_review_orders(client, world, staff_a):
    client.force_login(staff_a)
    before = history_rows()
    for url in _order_urls(world, ORDER_LEADER_ACTIONS):
        assert client.post(url, PAYLOAD).status_code == 403, url
    for url in _order_urls(world, ORDER_LEADER_ACTIONS[:3]):
        assert client.get(url).status_code == 403, url
    assert history_rows() == before


def test_leader_cannot_answer_another_units_order(client, world, make_user, unit_b):
    client.force_login(make_user("walk_leader", unit=unit_b, role=Person.Role.LEADER))
    before = history_rows()
    (url,) = _order_urls(world, ["supervision:order_answer"])
    assert client.post(url, PAYLOAD).status_code == 403
    assert history_rows() == before


# The reporting cycle's actions only the scheduling office may take.
OFFICE_ONLY = {
    "cycle:round_open",
    "cycle:round_close",
    "cycle:submission_return",
    "cycle:submission_accept",
}


def test_only_the_office_runs_the_reporting_cycle(client, world, staff_a, make_user, unit_a):
    """Staff of the owning unit, its head and a zone leader are refused the office's actions."""
    from apps.org.models import Person

    users = [
        staff_a,
        make_user("head_a", unit=unit_a, role=Person.Role.HEAD),
        make_user("leader_a", unit=unit_a, role=Person.Role.LEADER),
    ]
    patterns = [p for p in app_patterns() if p[1] in OFFICE_ONLY]
    assert {name for _pattern, name, _conv in patterns} == OFFICE_ONLY
    before = history_rows()
    for user in users:
        client.force_login(user)
        for pattern, name, converters in patterns:
            url = fill(pattern, name, converters, world)
            response = client.post(url, {"version": "1", "reason": "越权退回"})
            assert response.status_code == 403, (user.username, url, response.status_code)
    assert history_rows() == before
