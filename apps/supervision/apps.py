from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    label = "supervision"
    verbose_name = _("督办")

    def ready(self):
        from apps.reminders import registry

        from .reminder_sources import ORDERS

        registry.register(ORDERS)
