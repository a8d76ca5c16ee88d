from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "apps.projects"
    label = "projects"
    verbose_name = _("重点项目")

    def ready(self):
        from apps.reminders import registry

        from . import signals
        from .reminder_sources import MILESTONES

        registry.register(MILESTONES)
        signals.connect()
