from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "apps.org"
    label = "org"
    verbose_name = _("组织与区域")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from apps.core.i18n import activate_saved_language

        # A sign-in brings back the language saved on the account (org.User.language).
        user_logged_in.connect(activate_saved_language, dispatch_uid="org_activate_saved_language")
