"""Pages that belong to no area: uploaded photos."""

from django.urls import path

from . import media

urlpatterns = [
    # Uploaded photos go through a login-required view, never straight from MEDIA_ROOT.
    path("media/<path:path>", media.serve_media, name="media"),
]
