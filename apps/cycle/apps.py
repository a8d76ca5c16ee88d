from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "apps.cycle"
    label = "cycle"
    verbose_name = _("调度")

    def ready(self):
        from apps.reminders import registry

        from .reminder_sources import SUBMISSIONS

        registry.register(SUBMISSIONS)
