"""Every error the app answers is a page of ours, and every link in the top bar leads somewhere.

No answer may carry Django's technical pages (the traceback, the URL list), in the demo or in
production; each has the top bar, says what happened in the user's language, and offers a way
back.
"""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from apps.core import errors
from apps.org.models import Person
from tests.factories import ProjectFactory, UnitFactory, UserFactory
from zonetracker.urls import (  # noqa: F401 (the real handlers serve this test's URLconf)
    handler400,
    handler403,
    handler404,
    handler500,
)
from zonetracker.urls import urlpatterns as app_urlpatterns

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
TECHNICAL = (
    "Traceback",
    "URLconf",
    "Django tried these URL patterns",
    "DEBUG = True",
    "csrf_failure",
)


def boom(request):
    raise RuntimeError("a bug")


def plain_denied(request):
    raise PermissionDenied


# This module is also a URLconf: the app's URLs, its handlers, and two views that fail.
urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/denied/", plain_denied),
    *app_urlpatterns,
]


def assert_branded(response, status: int, heading: str):
    content = response.content.decode()
    assert response.status_code == status
    assert 'data-testid="error-page"' in content
    assert f'<h1 class="h4 mb-3">{heading}</h1>' in content
    assert f'href="{reverse("dashboard")}"' in content  # the way back
    assert 'class="navbar-brand"' in content
    for marker in TECHNICAL:
        assert marker not in content, marker


@pytest.fixture
def signed_in(client, make_user, unit_a):
    client.force_login(make_user("staff_a", unit=unit_a))
    return client


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "页面不存在"), ("en", "Page not found")]
)
def test_not_found_is_branded_in_each_language(signed_in, language, heading):
    response = signed_in.get("/no-such-page/", headers={"accept-language": language})

    assert_branded(response, 404, heading)


def test_not_found_for_a_visitor_is_branded(client):
    assert_branded(client.get("/no-such-page/"), 404, "页面不存在")


def test_bad_request_is_branded(client):
    response = client.get("/", headers={"host": "not-allowed.example"})

    assert_branded(response, 400, "请求无效")


@pytest.mark.parametrize(
    ("language", "heading", "reason"),
    [
        ("zh-hans", "您不能修改此项", "此项属于甲单位，只有该单位的人员可以修改。"),
        ("en", "You may not change this", "This belongs to 甲单位: only its people may change it."),
    ],
)
def test_refused_edit_is_a_branded_403_naming_the_unit(
    client, staff_b, unit_a, language, heading, reason
):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_b)

    response = client.get(
        reverse("projects:progress_create", args=[project.pk]),
        headers={"accept-language": language},
    )

    assert_branded(response, 403, heading)
    assert f'<p data-testid="refused-reason">{reason}</p>' in response.content.decode()


def test_refused_hazard_step_names_the_hazards_unit(client, staff_b, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a)
    client.force_login(staff_b)

    response = client.post(reverse("safety:hazard_start", args=[hazard.pk]), {"measures": "x"})

    assert_branded(response, 403, "您不能修改此项")
    assert "此项属于甲单位，只有该单位的人员可以修改。" in response.content.decode()


@pytest.mark.urls(__name__)
def test_other_refusal_is_a_branded_403(signed_in):
    response = signed_in.get("/test-errors/denied/")

    assert_branded(response, 403, "无权操作")
    assert "您没有权限执行此操作。" in response.content.decode()


def test_csrf_failure_is_branded(make_user, unit_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("staff_a", unit=unit_a))

    response = client.post(reverse("reminders:preferences"), {"lead": "on"})

    assert_branded(response, 403, "表单已过期")


def test_method_not_allowed_is_branded_and_keeps_allow(signed_in):
    response = signed_in.get(reverse("reminders:calendar_token_reset"))

    assert_branded(response, 405, "不支持此操作")
    assert response["Allow"] == "POST"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "服务器出错"), ("en", "Server error")]
)
def test_server_error_is_branded(signed_in, language, heading):
    signed_in.raise_request_exception = False

    response = signed_in.get("/test-errors/boom/", headers={"accept-language": language})

    assert_branded(response, 500, heading)


def test_server_error_page_renders_when_the_user_cannot_be_loaded(rf):
    def unavailable():
        raise ConnectionError("the database is down")

    request = rf.get("/")
    request.user = SimpleLazyObject(unavailable)

    with translation.override("zh-hans"):
        response = errors.server_error(request)

    content = response.content.decode()
    assert response.status_code == 500
    assert 'data-testid="error-page"' in content
    assert '<h1 class="h4 mb-3">服务器出错</h1>' in content
    assert 'data-testid="current-user"' not in content  # rendered without the user


def test_server_error_answers_even_when_no_template_renders(rf, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("templates unreadable")

    monkeypatch.setattr(errors, "render", broken)
    monkeypatch.setattr(errors.loader, "render_to_string", broken)

    response = errors.server_error(rf.get("/"))

    assert response.status_code == 500
    assert f'<a href="{reverse("dashboard")}">返回 / Back</a>' in response.content.decode()


def demo_environment(tmp_path, **make_vars) -> dict[str, str]:
    """The environment `make demo` serves with, read from the Makefile (`make demo-env`)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DEBUG", "SECRET_KEY", "SITE_URL", "ALLOWED_HOSTS", "MAKEFLAGS"}
        and not name.startswith("MAKE")
    }
    key_file = tmp_path / "secret-key"
    args = [f"{name}={value}" for name, value in make_vars.items()]
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "demo-env", f"SECRET_KEY_FILE={key_file}", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    demo = dict(line.split("=", 1) for line in out.splitlines())
    demo.pop("SECRET_KEY_FILE")
    return env | demo | {"SECRET_KEY": key_file.read_text().strip()}


def test_demo_settings_serve_with_debug_off_and_a_key_kept_per_checkout(tmp_path):
    first = demo_environment(tmp_path, PORT="8100")
    second = demo_environment(tmp_path, PORT="8100")

    assert (first["DEBUG"], first["SITE_URL"]) == ("False", "http://127.0.0.1:8100")
    assert first["ALLOWED_HOSTS"].split(",")[0] == "127.0.0.1"
    assert len(first["SECRET_KEY"]) >= 50
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert oct((tmp_path / "secret-key").stat().st_mode & 0o777) == "0o600"


def test_demo_site_url_set_by_hand_wins(tmp_path):
    assert demo_environment(tmp_path, SITE_URL="https://zt.example.org")["SITE_URL"] == (
        "https://zt.example.org"
    )


PROBE = """
import django, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "zonetracker.settings"
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/no-such-page/", headers={"host": "127.0.0.1:8100"})
print(json.dumps({"debug": settings.DEBUG, "status": response.status_code,
                  "content": response.content.decode()}))
"""


def test_demo_settings_answer_a_missing_page_with_the_branded_404(tmp_path):
    env = demo_environment(tmp_path, PORT="8100") | {"ZONETRACKER_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # a 404 for a visitor reads no database

    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )

    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert (result["debug"], result["status"]) == (False, 404)
    assert 'data-testid="error-page"' in result["content"]
    assert '<h1 class="h4 mb-3">页面不存在</h1>' in result["content"]
    for marker in TECHNICAL:
        assert marker not in result["content"], marker


# --- Every link in the top bar, for each kind of account -----------------------------------


class Links(HTMLParser):
    """The hrefs inside the top bar (<nav>)."""

    def __init__(self):
        super().__init__()
        self.depth, self.hrefs = 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "nav":
            self.depth += 1
        elif tag == "a" and self.depth:
            self.hrefs.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self.depth -= 1


def top_bar_links(response) -> list[str]:
    parser = Links()
    parser.feed(response.content.decode())
    return parser.hrefs


def superuser_without_person():
    return UserFactory(username="root", superuser=True)


def office_staff():
    """Someone in the office who also uses the admin (is_staff), with no admin permissions."""
    return UserFactory(
        username="office", unit=UnitFactory(name="党政办"), role=Person.Role.STAFF, is_staff=True
    )


def unit_staff():
    return UserFactory(username="unit", unit=UnitFactory(name="投资促进局"), role=Person.Role.STAFF)


@pytest.mark.parametrize("make_account", [superuser_without_person, office_staff, unit_staff])
def test_every_top_bar_link_leads_to_a_page(client, make_account):
    account = make_account()
    client.force_login(account)

    links = top_bar_links(client.get(reverse("dashboard")))

    assert reverse("reminders:preferences") in links
    assert reverse("password_change") in links
    assert (reverse("admin:index") in links) is account.is_staff
    answers = {href: client.get(href, follow=True).status_code for href in links}
    assert answers == dict.fromkeys(links, 200)
