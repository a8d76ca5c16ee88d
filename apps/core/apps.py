from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .lockout import reset_account_failures

        user_logged_in.connect(reset_account_failures, dispatch_uid="core.reset_account_failures")
