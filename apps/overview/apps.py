from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The top floor: pages and commands that span every area (dashboard, my work, seed, demo data)."""

    name = "apps.overview"
    label = "overview"
    verbose_name = _("总览")

    def ready(self):
        from django.db.models.signals import post_migrate

        from apps.core.tallies import rebuild_after_migrate

        from . import tallies
        from .dashboard import connect_signals

        tallies.register()
        post_migrate.connect(rebuild_after_migrate, sender=self, dispatch_uid="overview-tallies")
        connect_signals()
