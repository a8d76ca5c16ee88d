"""The dashboard, "my work" and the search: the pages that read every area at once."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dashboard import kept_dashboard_context
from .my_work import my_work
from .search import MAX_QUERY, PER_KIND, clean_query, search


def dashboard(request):
    context = dict(kept_dashboard_context(timezone.localdate()))
    context["title"] = _("总览")
    return render(request, "overview/dashboard.html", context)


def my_work_view(request):
    context = my_work(request.user, timezone.localdate())
    context["title"] = _("我的工作")
    return render(request, "overview/my_work.html", context)


def search_view(request):
    query, trimmed = clean_query(request.GET.get("q", ""))
    groups = search(query)
    context = {
        "title": _("搜索"),
        "query": query,
        "trimmed": trimmed,
        "max_query": MAX_QUERY,
        "per_kind": PER_KIND,
        "groups": groups,
        "search_query": query,
        "total": sum(group.count for group in groups),
    }
    return render(request, "overview/search.html", context)
