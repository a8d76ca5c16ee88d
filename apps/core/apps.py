from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "apps.core"
    label = "core"
    verbose_name = _("基础设置")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created

        from .filterbar import watch_choice_sources
        from .lockout import reset_account_failures
        from .sorting import note_pinyin_collation
        from .tallies import connect_signals as keep_tallies

        user_logged_in.connect(reset_account_failures, dispatch_uid="core.reset_account_failures")
        connection_created.connect(note_pinyin_collation, dispatch_uid="core.pinyin_collation")
        watch_choice_sources()
        keep_tallies()


class ZoneAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the site of apps/core/admin_site.py as its default site."""

    default = False
    default_site = "apps.core.admin_site.ZoneAdminSite"
