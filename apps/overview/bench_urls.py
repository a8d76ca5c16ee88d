"""The site's URLs plus the benchmark's bare views; used only by the benchmark command."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from zonetracker.urls import urlpatterns as site_urlpatterns

from .bench import bare_list

urlpatterns = [
    path("bench/bare/<str:model>/", login_required(bare_list), name="bench_bare"),
    *site_urlpatterns,
]
