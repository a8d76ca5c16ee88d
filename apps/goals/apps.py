from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "apps.goals"
    label = "goals"
    verbose_name = _("目标任务")

    def ready(self):
        from apps.reminders import registry

        from .reminder_sources import TARGETS

        registry.register(TARGETS)
