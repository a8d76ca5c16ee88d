"""Login throttling's hooks into axes: the page a throttled login gets (how many minutes to
wait, in the user's language), what a successful sign-in clears, and the username axes counts
failures under."""

import math

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
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


# axes stores the username in a column of 255 characters, and PostgreSQL refuses a NUL.
USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def lockout_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the username a sign-in gave, as axes may store it.

    Axes' own choice (the credentials' username, else the form's), cut to its column and with
    NUL spelt out the way axes spells it in the request data it keeps, so that a 100,000-character
    or NUL-bearing username is counted as a failure like any other instead of a server error.
    """
    field = axes_settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials is not None else request.POST
    username = source.get(field)
    if username is None:
        return None
    return str(username).replace("\0", "0x00")[:USERNAME_MAX_LENGTH]
