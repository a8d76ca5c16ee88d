from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "apps.safety"
    label = "safety"
    verbose_name = _("安全生产")

    def ready(self):
        from apps.reminders import registry

        from .reminder_sources import HAZARDS

        registry.register(HAZARDS)
