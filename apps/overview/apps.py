from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The top floor: pages and commands that span every area (dashboard, my work, seed, demo data)."""

    name = "apps.overview"
    label = "overview"
    verbose_name = _("总览")

    def ready(self):
        from .dashboard import connect_signals

        connect_signals()
