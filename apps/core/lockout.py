"""The page a throttled login gets: how many minutes to wait, in the user's language."""

import math

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off, get_failure_limit
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: axes' own response gives the template no minutes to show."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(
        request,
        "registration/lockout.html",
        context,
        status=axes_settings.AXES_HTTP_RESPONSE_CODE,
    )
