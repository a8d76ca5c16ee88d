"""Abstract bases and shared choices used by every area's models."""

from decimal import Decimal

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class NamedQuerySet(models.QuerySet):
    """For models whose unique name is their natural key."""

    def get_by_natural_key(self, name):
        return self.get(name=name)


class SourcedModel(models.Model):
    """A record that may come from the source document or from synthetic demo data."""

    source_text = models.TextField(
        _("原文出处"),
        blank=True,
        help_text=_("文件中该记录所依据的原句，便于核对。"),
    )
    is_demo = models.BooleanField(
        _("演示数据"),
        default=False,
        help_text=_("由 demo_data 命令生成的合成数据，并非来自原始文件。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """A row several people edit: each save that goes through a service or an edit form bumps
    `version`, so a form shown at an older version is refused instead of overwriting the newer
    edit (apps.core.forms.StaleEditMixin)."""

    version = models.PositiveIntegerField(
        _("版本"),
        default=1,
        editable=False,
        help_text=_("每次保存加一：编辑表单据此发现打开页面后他人已保存的修改。"),
    )

    class Meta:
        abstract = True


class SubmittedOnceModel(models.Model):
    """A row created by a form: the key rendered with that form, so a second identical POST
    (a double click, a resubmitted page) finds this row instead of creating another
    (apps.core.concurrency.recorded_once). Subclasses make the key unique with a named
    UniqueConstraint; NULL, for rows not created by a form, may repeat."""

    submission_key = models.UUIDField(_("提交标识"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class MoneyUnit(models.TextChoices):
    YI = "yi", _("亿")
    WAN = "wan", _("万")
    YUAN = "yuan", _("元")

    @property
    def factor(self) -> Decimal:
        return {"yi": Decimal("100000000"), "wan": Decimal("10000"), "yuan": Decimal("1")}[
            self.value
        ]


def convert_money(amount: Decimal, unit: str, to: str = MoneyUnit.YUAN) -> Decimal:
    """An amount written in `unit` (亿, 万, 元) expressed in `to`, in the same currency."""
    return amount * MoneyUnit(unit).factor / MoneyUnit(to).factor


def converted_money(amount: str, unit: str, to: str = MoneyUnit.YI) -> models.Case:
    """convert_money as a SQL expression over an amount column and its unit column."""
    return models.Case(
        *[
            models.When(
                **{unit: money_unit},
                then=models.F(amount)
                / models.Value(MoneyUnit(to).factor / MoneyUnit(money_unit).factor),
            )
            for money_unit in MoneyUnit.values
        ],
        output_field=models.DecimalField(max_digits=24, decimal_places=8),
    )


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")


class AreaUnit(models.TextChoices):
    KM2 = "km2", _("平方公里")
    MU = "mu", _("亩")
    M2 = "m2", _("平方米")
    WAN_M2 = "wan_m2", _("万平方米")

    @property
    def square_metres(self) -> Decimal:
        return {
            "km2": Decimal("1000000"),
            "mu": Decimal("666.7"),
            "m2": Decimal("1"),
            "wan_m2": Decimal("10000"),
        }[self.value]


def money_label(amount: Decimal | None, unit: str, currency: str) -> str:
    """'81.7 亿元', '5000 万美元': the way the document writes money."""
    if amount is None:
        return ""
    unit_label = MoneyUnit(unit).label if unit != MoneyUnit.YUAN else ""
    currency_label = gettext("元") if currency == Currency.CNY else gettext("美元")
    # Chinese writes "81.7 亿元"; English needs spaces: "81.7 hundred million yuan".
    label = gettext("%(amount)s %(unit)s%(currency)s") % {
        "amount": f"{amount.normalize():f}",
        "unit": unit_label,
        "currency": currency_label,
    }
    return " ".join(label.split())


class LightThresholds(models.Model):
    """The 序时进度 thresholds of the status lights, edited by an administrator (one row, id 1).

    Every light reads them in the query that fetches its rows (`threshold_values`), so a page of
    lights costs no extra query and an edit takes effect on the next page.
    """

    DEFAULT_YELLOW_POINTS = 10
    DEFAULT_RED_POINTS = 30
    DEFAULT_UNSTARTED_MONTHS = 3

    yellow_points = models.PositiveSmallIntegerField(
        _("黄灯：落后序时进度（百分点）"),
        default=DEFAULT_YELLOW_POINTS,
        help_text=_("完成进度落后于时间进度超过这么多个百分点为黄灯。"),
    )
    red_points = models.PositiveSmallIntegerField(
        _("红灯：落后序时进度（百分点）"),
        default=DEFAULT_RED_POINTS,
        help_text=_("完成进度落后于时间进度超过这么多个百分点为红灯。"),
    )
    unstarted_months = models.PositiveSmallIntegerField(
        _("红灯：超过计划开工未开工（月）"),
        default=DEFAULT_UNSTARTED_MONTHS,
        help_text=_("计划开工日期已过这么多个月仍未开工为红灯。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("亮灯阈值")
        verbose_name_plural = _("亮灯阈值")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1), name="core_lightthresholds_single_row"
            ),
            models.CheckConstraint(
                condition=models.Q(red_points__gt=models.F("yellow_points")),
                name="core_lightthresholds_red_above_yellow",
                violation_error_message=_("红灯阈值必须大于黄灯阈值。"),
            ),
            models.CheckConstraint(
                condition=models.Q(unstarted_months__gte=1),
                name="core_lightthresholds_months_positive",
                violation_error_message=_("未开工月数至少为 1。"),
            ),
        ]

    def __str__(self):
        return gettext("黄灯 %(yellow)s 点，红灯 %(red)s 点，%(months)s 个月未开工") % {
            "yellow": self.yellow_points,
            "red": self.red_points,
            "months": self.unstarted_months,
        }

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)


def threshold_values() -> dict[str, models.Expression]:
    """The thresholds as expressions to annotate: the row's value, else the default."""
    row = LightThresholds.objects.filter(pk=1)
    return {
        f"light_{name}": Coalesce(
            models.Subquery(row.values(name)[:1]),
            models.Value(default),
            output_field=models.IntegerField(),
        )
        for name, default in (
            ("yellow_points", LightThresholds.DEFAULT_YELLOW_POINTS),
            ("red_points", LightThresholds.DEFAULT_RED_POINTS),
            ("unstarted_months", LightThresholds.DEFAULT_UNSTARTED_MONTHS),
        )
    }
