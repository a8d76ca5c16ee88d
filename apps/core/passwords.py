"""Password change and reset in the app's own pages; reset requests are throttled.

A reset mail links to SITE_URL, never to the host the request named (a forged Host header would
otherwise send someone's reset link to its author). The page after a request reads the same
whether the address has an account, was throttled or not, so it tells nobody which addresses
exist.
"""

import hashlib
import logging
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import caches
from django.urls import reverse_lazy

from .forms import BootstrapFormMixin

logger = logging.getLogger(__name__)


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm


def _allowed(kind: str, value: str, limit: int) -> bool:
    """Count one request against `value`; False once `limit` were counted within the window."""
    cache = caches[settings.PASSWORD_RESET_CACHE]
    key = f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit


def reset_allowed(*, email: str, client: str | None) -> bool:
    """Both counts go up on every request, so a refused one still counts against the other."""
    by_address = _allowed("email", email.strip().lower(), settings.PASSWORD_RESET_LIMIT_PER_EMAIL)
    by_client = _allowed("client", client or "unknown", settings.PASSWORD_RESET_LIMIT_PER_CLIENT)
    return by_address and by_client


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    html_email_template_name = "registration/password_reset_email-body.html"
    email_template_name = "registration/password_reset_email-body.txt"
    subject_template_name = "registration/password_reset_email-subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not reset_allowed(email=email, client=get_client_ip_address(self.request)):
            logger.warning("password reset: request throttled")
            return super(auth_views.PasswordResetView, self).form_valid(form)  # no mail
        self.extra_email_context = {"site_url": settings.SITE_URL}
        # The name and domain the mail uses come from SITE_URL, not the request.
        self.domain_override = urlsplit(settings.SITE_URL).netloc
        self.from_email = settings.DEFAULT_FROM_EMAIL
        return super().form_valid(form)
