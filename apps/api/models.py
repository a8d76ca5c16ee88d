"""The clients of the API (the city's and the province's systems): a hashed token each, a scope,
optionally the unit whose progress the client may report."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

TOKEN_PREFIX = "zt_"  # noqa: S105 (the visible start of every token, so a leaked one is recognised)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256. Tokens are 256 random bits, so a plain hash is as
    strong as a slow one and lets a request be authenticated with one indexed look-up."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Scope(models.TextChoices):
    READ = "read", _("只读")
    # Reads everything, and submits progress on the projects of the client's unit.
    PROGRESS_WRITE = "progress:write", _("只读，并可填报本单位项目进展")


class ApiClientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiClient(models.Model):
    """A system that reads the zone's data with a token of its own (one client, one token)."""

    name = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text=_("填报进展的接口只能填报该单位负责的项目。"),
    )
    scope = models.CharField(
        _("权限范围"), max_length=20, choices=Scope.choices, default=Scope.READ
    )
    # The login the client acts as: progress it submits names it as author and in the history.
    # It has no usable password, so nobody signs in with it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接口账号"),
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, editable=False)
    token_prefix = models.CharField(
        _("令牌开头"), max_length=12, editable=False, help_text=_("用于辨认令牌，不能用于访问。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    history = HistoricalRecords()
    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="api_apiclient_name_unique"),
            # Every request looks its token up by this.
            models.UniqueConstraint(fields=["token_hash"], name="api_apiclient_token_unique"),
            models.CheckConstraint(
                condition=Q(scope=Scope.READ) | Q(unit__isnull=False),
                name="api_apiclient_writer_has_unit",
                violation_error_message=_("可填报进展的客户端必须指定所属单位。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def can(self, scope: str) -> bool:
        return scope == Scope.READ or self.scope == scope
