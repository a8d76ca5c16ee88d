"""The person's reminder preferences, the calendar-token reset, and the iCal feed."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import PreferenceForm
from .ical import person_calendar
from .models import Preference

# What new_calendar_token makes: URL-safe base64, as long as the column at most.
CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@require_http_methods(["GET", "POST"])
def preferences(request):
    person = getattr(request.user, "person", None)
    if person is None:
        # Reminders go to people; an account with no person record (an administrator, say)
        # is told so and what to do, rather than sent to a 404 from the top bar.
        return render(request, "reminders/no_person.html", {"title": _("提醒设置")})
    preference = services.preference_get(person=person)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.preference_update(person=person, **form.cleaned_data)
        messages.success(request, _("提醒设置已保存。"))
        return redirect("reminders:preferences")
    # From SITE_URL, as in the emails: behind a proxy the request's host is not the public one.
    feed_url = settings.SITE_URL + reverse(
        "reminders:calendar_feed", args=[preference.calendar_token]
    )
    return render(
        request,
        "reminders/preferences.html",
        {"form": form, "person": person, "feed_url": feed_url},
    )


@require_POST
def calendar_token_reset(request):
    person = getattr(request.user, "person", None)
    if person is None:
        return redirect("reminders:preferences")
    services.calendar_token_reset(person=person)
    messages.success(request, _("日历订阅地址已重置，旧地址已失效。"))
    return redirect("reminders:preferences")


@login_not_required
@require_GET
def calendar_feed(request, token):
    """Calendar apps cannot log in: the secret token in the URL is the credential."""
    # Not looked up unless it could be one: PostgreSQL refuses a NUL in a query.
    if not CALENDAR_TOKEN.fullmatch(token):
        raise Http404
    preference = get_object_or_404(
        Preference.objects.select_related("person"), calendar_token=token
    )
    response = HttpResponse(
        person_calendar(preference.person), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="zonetracker.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
