"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "zonetracker"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
