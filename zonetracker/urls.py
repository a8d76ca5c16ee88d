"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("projects/", include("apps.projects.urls")),
    path("goals/", include("apps.goals.urls")),
    path("safety/", include("apps.safety.urls")),
    path("reminders/", include("apps.reminders.urls")),
    path("", include("apps.core.urls")),
]
