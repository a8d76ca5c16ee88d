"""What the benchmark command measures: each page's server time, query count and size, beside
the admin changelist of the same rows and a bare view rendering the same rows.

The bare view is the floor: the same rows fetched with their related names and written out as
a plain table in the site's own frame (base.html, its nav and assets) through the same
middleware, with no filters, table classes or status lights.
It is served only from the benchmark's own URL configuration (BENCH_URLCONF), never by the site.
"""

import math
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin import site as admin_site
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from apps.core.views import PER_PAGE
from apps.goals.models import Target
from apps.goals.views import TargetListView
from apps.projects.models import Milestone, Project
from apps.projects.views import MilestoneListView, ProjectListView
from apps.safety.models import Hazard, Inspection
from apps.safety.views import HazardListView, InspectionListView

BENCH_URLCONF = "apps.overview.bench_urls"

# model name -> (model, the fields a list shows, the relations to join)
BARE_LISTS = {
    "project": (
        Project,
        ["name", "kind", "stage", "chain", "area", "responsible_unit", "total_investment"],
        ["chain", "area", "responsible_unit"],
    ),
    "milestone": (Milestone, ["title", "project", "due_date", "done_date"], ["project"]),
    "target": (
        Target,
        ["title", "goal", "deadline", "status", "responsible_unit"],
        ["goal", "responsible_unit"],
    ),
    "inspection": (
        Inspection,
        ["date", "title", "site", "responsible_unit"],
        ["site", "responsible_unit"],
    ),
    "hazard": (
        Hazard,
        ["description", "grade", "found_date", "rectification_deadline", "status"],
        ["responsible_unit"],
    ),
}

LISTS = [
    ("project", "projects:project_list", ProjectListView),
    ("milestone", "projects:milestone_list", MilestoneListView),
    ("target", "goals:target_list", TargetListView),
    ("inspection", "safety:inspection_list", InspectionListView),
    ("hazard", "safety:hazard_list", HazardListView),
]


def bare_list(request, model):
    """The floor: a page of rows, their fields as text, in a plain table in the site's frame.

    The rows are the list's: its queryset, in its order or, with `?sort=`, as its table orders
    them for that sort (the same ORDER BY), so that each page is compared with the same rows.
    """
    try:
        model_class, fields, related = BARE_LISTS[model]
    except KeyError:
        raise Http404(model) from None
    page = max(1, int(request.GET.get("page") or 1))
    # The list's own queryset (its joins, annotations and order), ordered as its table orders
    # a sort: the same rows in the same order.
    view = LIST_VIEWS[model](request=request)
    table = view.table_class(view.get_queryset().select_related(*related))
    table.order_by = request.GET.get("sort") or ()
    rows = table.data.data
    rows = rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    table = [[getattr(row, name) for name in fields] for row in rows]
    return render(request, "overview/bench_bare.html", {"fields": fields, "rows": table})


@dataclass
class Measure:
    label: str
    ms: float
    queries: int
    size: int
    status: int


@contextmanager
def admin_pages_of(per_page: int):
    """The admin changelists of the lists' models at `per_page` rows, the lists' page size, so
    that each admin page holds the rows the list's page holds."""
    model_admins = [admin_site._registry[view.model] for _name, _url, view in LISTS]
    saved = [model_admin.list_per_page for model_admin in model_admins]
    for model_admin in model_admins:
        model_admin.list_per_page = per_page
    try:
        yield
    finally:
        for model_admin, value in zip(model_admins, saved, strict=True):
            model_admin.list_per_page = value


def measure(client: Client, url: str, label: str, repeat: int, before=None) -> Measure:
    return measure_together(client, [url], label, repeat, before)[0]


def measure_together(
    client: Client, urls: list[str], label: str, repeat: int, before=None
) -> list[Measure]:
    """Each URL's median of `repeat` requests, taken in turns (one request of each per round), so
    that a change in the machine's load falls on all of them alike and their ratios hold."""
    timings = {url: [] for url in urls}
    queries, responses = {}, {}
    hosts = ["testserver", *settings.ALLOWED_HOSTS]
    with override_settings(ROOT_URLCONF=BENCH_URLCONF, ALLOWED_HOSTS=hosts):
        for url in urls:
            client.get(url)  # warm: templates, the session, the query plan
        for _ in range(repeat):
            for url in urls:
                if before is not None:
                    before()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    responses[url] = client.get(url)
                    timings[url].append(time.perf_counter() - started)
                queries[url] = len(captured)
    return [
        Measure(
            label,
            statistics.median(timings[url]) * 1000,
            queries[url],
            len(responses[url].content),
            responses[url].status_code,
        )
        for url in urls
    ]


LIST_VIEWS = {name: view for name, _url_name, view in LISTS}


def list_sorts(view) -> list[str]:
    """The columns a list's table lets people sort by."""
    table = view.table_class
    return [
        name
        for name, column in table.base_columns.items()
        if column.orderable is not False and getattr(table._meta, "orderable", True)
    ]


def pages(*, deep_page: int = 100) -> list[tuple[str, str, str, str]]:
    """(label, page URL, admin changelist URL, bare view URL) for every list page measured."""
    with override_settings(ROOT_URLCONF=BENCH_URLCONF):
        return list(_pages(deep_page))


def _pages(deep_page):
    for name, url_name, view in LISTS:
        url = reverse(url_name)
        model = view.model
        admin = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        bare = reverse("bench_bare", args=[name])
        yield (f"{name} p1", url, admin, bare)
        # A list shorter than the deep page is measured at its last page.
        deep = min(deep_page, max(1, math.ceil(model.objects.count() / PER_PAGE)))
        yield (
            f"{name} p{deep}",
            f"{url}?page={deep}",
            f"{admin}?p={deep}",
            f"{bare}?page={deep}",
        )
        for sort in list_sorts(view):
            for direction in ("", "-"):
                label = f"{name} sort {direction}{sort}"
                yield (
                    label,
                    f"{url}?sort={direction}{sort}",
                    admin,
                    f"{bare}?sort={direction}{sort}",
                )
