"""No link in the apps or templates is a literal path: each is built from its URL name.

Python uses reverse() (and apps.core.links.url_with for a query string), templates {% url %};
static files come from {% static %}. A literal path keeps working until the route moves.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.core.links import url_with

SCANNED = [Path(settings.BASE_DIR) / "apps", Path(settings.BASE_DIR) / "templates"]
SUFFIXES = {".py", ".html", ".txt"}
IN_APP = "projects|goals|safety|reminders|my-work|admin|accounts|i18n|media"
LITERAL_LINK = re.compile(
    # An attribute holding a path on this site (a protocol-relative //host is another site).
    r"""\b(?:href|action|src|hx-(?:get|post|put|patch|delete))\s*=\s*["']/(?!/)"""
    # A redirect to a path.
    r"""|\b(?:redirect|HttpResponseRedirect|resolve_url)\(\s*f?["']/"""
    # A string, or a join after {{ site_url }} / {settings.SITE_URL}, that starts with a page's path.
    rf"""|["'}}]/(?:{IN_APP})(?:/|["'])"""
)

# The API declares its routes on its router, relative to /api/v1/, as urls.py declares pages.
ROUTE_FILES = {Path("apps/api/api.py")}


def literal_links() -> list[str]:
    found = []
    for root in SCANNED:
        for path in sorted(root.rglob("*")):
            if path.suffix not in SUFFIXES:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if path.relative_to(settings.BASE_DIR) in ROUTE_FILES:
                    break
                if LITERAL_LINK.search(line):
                    relative = path.relative_to(settings.BASE_DIR)
                    found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_links_none_written_as_literal_paths():
    assert literal_links() == []


@pytest.mark.parametrize(
    "line",
    [
        '<a href="/">',
        "<a class=\"nav-link\" href='/goals/targets/'>",
        '<form method="post" action="/safety/hazards/3/close/">',
        '<button hx-post="/projects/milestones/4/complete/">',
        '<img src="/static/favicon.svg">',
        'return redirect("/")',
        'return redirect(f"/projects/{pk}/")',
        'url_with("/safety/hazards/", status="open")',
        '"url": "/goals/targets/",',
        '"preferences_url": f"{settings.SITE_URL}/reminders/preferences/",',
        "{{ site_url }}/my-work/",
        'LOGIN_REDIRECT_URL = "/admin/"',
    ],
)
def test_links_literal_path_found(line):
    assert LITERAL_LINK.search(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "<a href=\"{% url 'dashboard' %}\">",
        "<a href=\"{% url 'projects:project_list' %}?stage={{ project.stage }}\">",
        '<link rel="icon" href="{% static \'favicon.svg\' %}">',
        '<a href="{{ item.url }}">',
        '<a href="#milestone-3">',
        '<script src="//cdn.example.org/lib.js">',
        'return redirect("projects:project_detail", pk=project.pk)',
        'url_with(reverse("safety:hazard_list"), status="open")',
        'path("projects/", include("apps.projects.urls")),',
        'help="A file in the format of apps/reminders/data/cn_public_holidays.json."',
        "# Uploads are limited to these (apps/projects/forms.py).",
    ],
)
def test_links_built_from_names_not_found(line):
    assert LITERAL_LINK.search(line) is None


def test_url_with_adds_query_string_and_drops_none():
    assert (
        url_with("/goals/targets/", goal=3, status=None, unit=7) == "/goals/targets/?goal=3&unit=7"
    )


def test_url_with_no_params_is_the_path():
    assert url_with("/safety/hazards/", status=None) == "/safety/hazards/"
