"""A user of another unit reads a unit's work but cannot change it, in the page or by a direct request."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.goals.models import CheckIn, TargetStatus

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
    assert post_form(other, f"{url}checkins/", checkin).status == 404
    assert CheckIn.objects.filter(target=target_of_unit_a).count() == 0
    # The same request from the owning unit goes through, so the refusal above is the rule's.
    assert post_form(owner, f"{url}checkins/", checkin).status == 302
    assert CheckIn.objects.filter(target=target_of_unit_a).count() == 1
