"""The pages errors are answered with: in the app's style, translated, with a way back.

Django's own handlers would do for 404 and 403, but not for the rest: a CSRF failure, a 405
from `require_POST` and a 400 have no page of ours without these, and the 500 page must still
render when the database that the top bar reads is what failed.
"""

import logging

from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import EditRefused

logger = logging.getLogger(__name__)


def bad_request(request, exception=None):
    return render(request, "400.html", {"title": _("请求无效")}, status=400)


def permission_denied(request, exception=None):
    context = {"title": _("无权操作")}
    if isinstance(exception, EditRefused):
        context["refused"] = True
        context["unit"] = exception.unit
    return render(request, "403.html", context, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"title": _("页面不存在")}, status=404)


def server_error(request):
    try:
        return render(request, "500.html", {"title": _("服务器出错")}, status=500)
    except Exception:  # the failure may be what the top bar needs (the database): go without it
        logger.exception("the 500 page could not be rendered with the request")
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", {"bare": True}))
    except Exception:
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(
            "<!doctype html><title>500</title><h1>500</h1><p>服务器出错，请稍后再试。"
            "Server error, please try again later.</p>"
            f'<p><a href="{reverse("dashboard")}">返回 / Back</a></p>'
        )


def csrf_failure(request, reason=""):
    """A form sent without its token, or after it expired (a page left open over a sign-out)."""
    return render(request, "403_csrf.html", {"title": _("表单已过期")}, status=403)


def method_not_allowed(request, allowed: str) -> HttpResponse:
    response = render(request, "405.html", {"title": _("不支持此操作")}, status=405)
    response["Allow"] = allowed
    return response


class ErrorPageMiddleware:
    """Gives the bodiless 405 that `require_POST` and its kind answer a page of ours."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            return method_not_allowed(request, response.get("Allow", ""))
        return response
