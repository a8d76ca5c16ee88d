"""Login throttling: the page a throttled login gets, and what a successful sign-in clears."""

import math

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off, get_failure_limit
from axes.utils import reset
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


def reset_account_failures(sender, request, user, **kwargs) -> None:
    """On user_logged_in: forget the failed attempts on this account, from every address.

    They also stop counting against those addresses. Failures on other accounts stay, so that
    signing in to one's own account from an address does not restart that address's count.
    """
    reset(username=user.get_username())
