"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from apps.core.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch works on the login page too; a signed-in user's choice is saved.
    path("i18n/setlang/", set_language, name="set_language"),
    path("projects/", include("apps.projects.urls")),
    path("goals/", include("apps.goals.urls")),
    path("safety/", include("apps.safety.urls")),
    path("reminders/", include("apps.reminders.urls")),
    path("", include("apps.core.urls")),
    path("", include("apps.overview.urls")),
]
