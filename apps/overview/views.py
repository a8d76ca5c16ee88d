"""The dashboard and "my work": the pages that read every area at once."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dashboard import kept_dashboard_context
from .my_work import my_work


def dashboard(request):
    context = dict(kept_dashboard_context(timezone.localdate()))
    context["title"] = _("总览")
    return render(request, "overview/dashboard.html", context)


def my_work_view(request):
    context = my_work(request.user, timezone.localdate())
    context["title"] = _("我的工作")
    return render(request, "overview/my_work.html", context)
