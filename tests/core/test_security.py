"""Login throttling by address and by account with a cool-off, the Content-Security-Policy with
nonces, the Permissions-Policy, and CSRF on writes."""

import re
from datetime import date

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from apps.core.lockout import lockout_username
from tests.factories import MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Zone-2023!"


def login(client, password):
    return client.post("/accounts/login/", {"username": "staff_a", "password": password})


def test_login_locked_after_failure_limit_then_open_after_cool_off(staff_a):
    client = Client()
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert login(client, "wrong").status_code == 200  # the form again, with its error
        response = login(client, "wrong")
        assert response.status_code == 429
        # Even the right password is refused while the lock lasts.
        response = login(client, PASSWORD)
        html = response.content.decode()
        assert response.status_code == 429
        assert "登录尝试过多" in html
        assert "请在 15 分钟后再试。" in html
        assert "_auth_user_id" not in client.session

        # The lock is a cool-off counted from the last attempt, not a permanent lock: a second
        # before it ends the login is still refused (and the attempt restarts the cool-off) ...
        cool_off_seconds = settings.AXES_COOLOFF_TIME * 3600
        traveller.shift(cool_off_seconds - 1)
        assert login(client, PASSWORD).status_code == 429
        # ... and once a full cool-off has passed without attempts, the right password works.
        traveller.shift(cool_off_seconds + 1)
        response = login(client, PASSWORD)
        assert (response.status_code, response["Location"]) == (302, "/")
        assert client.session["_auth_user_id"] == str(staff_a.pk)


def test_login_failures_below_limit_do_not_lock(staff_a):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302


def login_from(address, username, password="wrong"):
    """A login from a browser at `address`, in a client of its own."""
    client = Client(REMOTE_ADDR=address)
    return client.post("/accounts/login/", {"username": username, "password": password})


# One address guessing a username each time; one username guessed from a new address each time.
SPRAY = [("198.51.100.1", f"guess{number}") for number in range(5)]
SPREAD = [(f"198.51.100.{number}", "staff_a") for number in range(1, 6)]


def test_login_failures_over_many_usernames_lock_the_address(staff_a):
    statuses = [login_from(address, username).status_code for address, username in SPRAY]

    assert len(SPRAY) == settings.AXES_FAILURE_LIMIT
    assert statuses == [200, 200, 200, 200, 429]
    # Locked: the address, for every account, even with the right password ...
    assert login_from("198.51.100.1", "staff_a", PASSWORD).status_code == 429
    # ... and not the account, from another address.
    assert login_from("198.51.100.2", "staff_a", PASSWORD).status_code == 302


def test_login_failures_from_many_addresses_lock_the_account(staff_a, staff_b):
    statuses = [login_from(address, username).status_code for address, username in SPREAD]

    assert len(SPREAD) == settings.AXES_FAILURE_LIMIT
    assert statuses == [200, 200, 200, 200, 429]
    # Locked: the account, from every address, even with the right password ...
    assert login_from("198.51.100.6", "staff_a", PASSWORD).status_code == 429
    # ... and not the addresses, for another account.
    assert login_from("198.51.100.1", "staff_b", PASSWORD).status_code == 302


@pytest.mark.parametrize("attempts", [SPRAY, SPREAD], ids=["address", "account"])
def test_login_lock_expires_after_cool_off(staff_a, attempts):
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False) as traveller:
        for address, username in attempts:
            login_from(address, username)
        locked_address, _ = attempts[-1]
        assert login_from(locked_address, "staff_a", PASSWORD).status_code == 429

        traveller.shift(settings.AXES_COOLOFF_TIME * 3600 + 1)

        assert login_from(locked_address, "staff_a", PASSWORD).status_code == 302


def test_sign_in_clears_own_failures(staff_a):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login_from("198.51.100.1", "staff_a")
    assert login_from("198.51.100.1", "staff_a", PASSWORD).status_code == 302

    # The typos before the sign-in no longer count, for the account nor for the address.
    statuses = [
        login_from("198.51.100.1", "staff_a").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT - 1)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert login_from("198.51.100.1", "staff_a", PASSWORD).status_code == 302


def test_sign_in_to_own_account_keeps_failures_on_other_accounts(staff_a, staff_b):
    # Guesses at staff_b's password, with staff_a signing in between from the same address.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login_from("198.51.100.1", "staff_b")
    assert login_from("198.51.100.1", "staff_a", PASSWORD).status_code == 302

    assert login_from("198.51.100.1", "staff_b").status_code == 429
    assert login_from("198.51.100.9", "staff_b", PASSWORD).status_code == 429


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_login_with_a_username_longer_than_axes_stores_counts_as_a_failure(path):
    response = Client().post(path, {"username": "长" * 100_000, "password": "wrong"})

    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("长" * 255, 1)
    ]


def test_lockout_username_spells_out_nul_as_axes_does_in_the_data_it_keeps(rf):
    assert lockout_username(rf.post("/"), {"username": "a\x00b"}) == "a0x00b"
    assert lockout_username(rf.post("/", {"username": "from-the-form"})) == "from-the-form"
    assert lockout_username(rf.post("/"), {}) is None


@pytest.mark.parametrize("path", ["/", "/my-work/", "/projects/", "/projects/milestones/"])
def test_pages_send_csp_with_nonce_and_no_inline_scripts(client, staff_a, path):
    client.force_login(staff_a)
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(item.strip().split(" ", 1) for item in policy.split(";"))
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["style-src"] == "'self'"
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, body in scripts:
        if 'type="application/json"' in attrs:
            continue
        # Executable scripts come from files, carry the page's nonce and have no inline code.
        assert "src=" in attrs and body.strip() == ""
        assert f'nonce="{nonce}"' in attrs
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r'\sstyle="', html)
    assert "hx-on" not in html


def permissions_policy(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


DENIED_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb"}


def test_page_sends_permissions_policy_denying_every_feature(client, staff_a):
    client.force_login(staff_a)

    response = client.get("/")

    assert response.status_code == 200
    assert permissions_policy(response) == dict.fromkeys(settings.PERMISSIONS_POLICY, "()")
    assert DENIED_FEATURES <= permissions_policy(response).keys()


def test_login_page_sends_permissions_policy_denying_every_feature(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert permissions_policy(response) == dict.fromkeys(settings.PERMISSIONS_POLICY, "()")
    assert DENIED_FEATURES <= permissions_policy(response).keys()


def test_project_detail_has_no_inline_script_or_style(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    MilestoneFactory(project=project, due_date=date(2030, 1, 1))
    client.force_login(staff_a)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert not re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", html)
    assert not re.search(r'\sstyle="', html)


def test_csrf_is_enforced_on_completing_a_milestone(staff_a, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    url = f"/projects/milestones/{milestone.pk}/complete/"
    today = date.today().isoformat()
    assert client.post(url, {"done_date": today}).status_code == 403
    milestone.refresh_from_db()
    assert milestone.done_date is None
    # With the token from the form, the same post goes through.
    client.get(url)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(url, {"done_date": today, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_date == date.today()


def test_csrf_is_enforced_on_htmx_posts_through_the_header(staff_a, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    url = f"/projects/milestones/{milestone.pk}/complete/"
    today = date.today().isoformat()
    assert client.post(url, {"done_date": today}, headers={"HX-Request": "true"}).status_code == 403
    html = client.get(f"/projects/{milestone.project_id}/").content.decode()
    # base.html hands htmx the token as a header for every request it makes.
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', html).group(1)
    response = client.post(
        url, {"done_date": today}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200
    milestone.refresh_from_db()
    assert milestone.done_date == date.today()


def test_csrf_is_enforced_on_logging_progress(staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    response = client.post(
        f"/projects/{project.pk}/progress/",
        {"text": "无令牌", "percent_complete": "10", "investment_unit": "yi"},
    )
    assert response.status_code == 403
    assert project.progress_logs.count() == 0
