"""A user of another unit reads a unit's work but cannot change it, in the page or by a direct request."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.goals.models import CheckIn, TargetStatus
from apps.projects.models import ProgressLog, ProjectKind, Stage
from apps.safety.models import HazardStatus
from tests.factories import ProjectFactory

from .conftest import login


def post_form(page, url, data):
    """POST a form straight to the server with the page's session and CSRF token (no page)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(
        url, form=data, headers={"X-CSRFToken": token}, max_redirects=0, fail_on_status_code=False
    )


@pytest.fixture
def target_of_unit_a(target_factory, unit_a):
    today = timezone.localdate()
    return target_factory(
        unit=unit_a,
        title="外贸进出口总额",
        target_value=Decimal("100"),
        start_date=today - timedelta(days=10),
        deadline=today + timedelta(days=100),
    )


@pytest.mark.browser
def test_target_of_other_unit_has_no_checkin_form_and_refuses_post(
    new_context, live_server, staff_a, staff_b, target_of_unit_a
):
    url = f"{live_server.url}/goals/targets/{target_of_unit_a.pk}/"
    checkin = {"value": "50", "status": TargetStatus.ON_TRACK, "comment": ""}
    other = new_context().new_page()
    owner = new_context().new_page()
    login(other, live_server, "staff_b")
    login(owner, live_server, "staff_a")

    other.goto(url)

    expect(other.get_by_role("heading", name="外贸进出口总额")).to_be_visible()
    expect(other.get_by_test_id("checkin-form")).to_have_count(0)
    assert post_form(other, f"{url}checkins/", checkin).status == 403
    assert CheckIn.objects.filter(target=target_of_unit_a).count() == 0
    # The same request from the owning unit goes through, so the refusal above is the rule's.
    assert post_form(owner, f"{url}checkins/", checkin).status == 302
    assert CheckIn.objects.filter(target=target_of_unit_a).count() == 1


@pytest.fixture
def project_of_unit_a(unit_a):
    return ProjectFactory(
        name="青岛光电产业园",
        kind=ProjectKind.PARK,
        stage=Stage.UNDER_CONSTRUCTION,
        responsible_unit=unit_a,
    )


@pytest.mark.browser
def test_project_of_other_unit_has_no_progress_form_and_refuses_requests(
    new_context, live_server, staff_a, staff_b, project_of_unit_a
):
    url = f"{live_server.url}/projects/{project_of_unit_a.pk}/"
    progress = {"text": "越权填报", "percent_complete": "50", "investment_unit": "yi"}
    other = new_context().new_page()
    owner = new_context().new_page()
    login(other, live_server, "staff_b")
    login(owner, live_server, "staff_a")

    other.goto(url)

    expect(other.get_by_role("heading", name="青岛光电产业园", exact=True)).to_be_visible()
    expect(other.get_by_test_id("log-progress")).to_have_count(0)
    expect(other.get_by_role("link", name="填报进展")).to_have_count(0)
    assert other.request.get(f"{url}progress/", fail_on_status_code=False).status == 403
    assert post_form(other, f"{url}progress/", progress).status == 403
    assert ProgressLog.objects.filter(project=project_of_unit_a).count() == 0
    # The owning unit sees the form and may post the same data.
    owner.goto(url)
    expect(owner.get_by_test_id("log-progress")).to_be_visible()
    assert post_form(owner, f"{url}progress/", progress).status == 302
    assert ProgressLog.objects.filter(project=project_of_unit_a).count() == 1


@pytest.mark.browser
def test_hazard_of_other_unit_has_no_workflow_forms_and_refuses_post(
    new_context, live_server, staff_a, staff_b, hazard_factory, unit_a
):
    hazard = hazard_factory(unit=unit_a, description="装卸站台静电接地线断开")
    url = f"{live_server.url}/safety/hazards/{hazard.pk}/"
    start = {"measures": "越权整改"}
    other = new_context().new_page()
    owner = new_context().new_page()
    login(other, live_server, "staff_b")
    login(owner, live_server, "staff_a")

    other.goto(url)

    expect(other.get_by_test_id("hazard-status")).to_have_text("已发现")
    expect(other.get_by_test_id("start-form")).to_have_count(0)
    assert post_form(other, f"{url}start/", start).status == 403
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND
    assert post_form(owner, f"{url}start/", start).status == 302
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
