"""Pages that belong to no single area: the dashboard, the user's own work, uploaded photos."""

from django.urls import path

from . import media, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("my-work/", views.my_work_view, name="my-work"),
    # Uploaded photos go through a login-required view, never straight from MEDIA_ROOT.
    path("media/<path:path>", media.serve_media, name="media"),
]
