from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "apps.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .lockout import reset_account_failures

        user_logged_in.connect(reset_account_failures, dispatch_uid="core.reset_account_failures")


class ZoneAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the site of apps/core/admin_site.py as its default site."""

    default = False
    default_site = "apps.core.admin_site.ZoneAdminSite"
