"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from apps.api.api import urls as api_urls
from apps.core import passwords
from apps.core.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    # Token-authenticated, answered in JSON (apps.api); /api/openapi.json is public.
    path("api/", api_urls()),
    # Reset requests are throttled and their mail links to SITE_URL; the rest is Django's.
    path(
        "accounts/password_change/",
        passwords.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_reset/",
        passwords.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch works on the login page too; a signed-in user's choice is saved.
    path("i18n/setlang/", set_language, name="set_language"),
    path("projects/", include("apps.projects.urls")),
    path("goals/", include("apps.goals.urls")),
    path("safety/", include("apps.safety.urls")),
    path("reminders/", include("apps.reminders.urls")),
    path("ledger/", include("apps.ledger.urls")),
    path("orders/", include("apps.supervision.urls")),
    path("cycle/", include("apps.cycle.urls")),
    path("", include("apps.core.urls")),
    path("", include("apps.overview.urls")),
]

# Errors are answered with the app's own pages (apps.core.errors), never Django's.
handler400 = "apps.core.errors.bad_request"
handler403 = "apps.core.errors.permission_denied"
handler404 = "apps.core.errors.page_not_found"
handler500 = "apps.core.errors.server_error"
