"""API clients in the admin: a token is shown once, when the client is added or given a new one;
revoking keeps the client (and what it wrote) but refuses its token."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin import SourcedAdmin

from .models import ApiClient
from .services import api_client_issue, api_client_revoke, api_client_rotate


@admin.display(description=_("状态"), boolean=True)
def active(obj):
    return obj.is_active


def _show_token(request, client, token):
    messages.warning(
        request,
        _("“%(name)s”的访问令牌：%(token)s 。它只显示这一次，请立即复制并妥善保存。")
        % {"name": client.name, "token": token},
    )


@admin.register(ApiClient)
class ApiClientAdmin(SourcedAdmin):
    """SourcedAdmin for its history pages; a client has no source text or demo flag."""

    list_display = (
        "name",
        "unit",
        "scope",
        "token_prefix",
        active,
        "last_used_at",
        "created_by",
        "created_at",
    )
    list_select_related = ("unit", "created_by")
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "token_prefix")
    autocomplete_fields = ("unit",)
    fields = (
        "name",
        "unit",
        "scope",
        "token_prefix",
        "user",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = (
        "token_prefix",
        "user",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke", "rotate")

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: what the client wrote keeps naming it

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            if "name" in form.changed_data:  # the name its progress logs show as author
                obj.user.first_name = obj.name[:150]
                obj.user.save(update_fields=["first_name"])
            return
        _show_token(request, obj, api_client_issue(obj, created_by=request.user))

    @admin.action(description=_("撤销所选客户端的令牌"))
    def revoke(self, request, queryset):
        count = 0
        for client in queryset.filter(revoked_at__isnull=True):
            api_client_revoke(client=client, user=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("已撤销 %(count)d 个令牌。", "已撤销 %(count)d 个令牌。", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("为所选客户端换发新令牌（旧令牌立即失效）"))
    def rotate(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            _show_token(request, client, api_client_rotate(client=client, user=request.user))
