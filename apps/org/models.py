"""Who owns the work (units, people, users) and where it happens (chains, parks, areas, enterprises)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.core.models import AreaUnit, NamedQuerySet, SourcedModel


class User(AbstractUser):
    """A login. What the user may change follows from the Person linked to it."""

    language = models.CharField(
        _("语言"),
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )

    class Meta:
        verbose_name = pgettext_lazy("one", "用户")
        verbose_name_plural = _("用户")

    @property
    def unit(self):
        person = getattr(self, "person", None)
        return person.unit if person else None

    @property
    def is_zone_leader(self) -> bool:
        person = getattr(self, "person", None)
        return bool(person and person.role == Person.Role.LEADER)

    @property
    def is_office(self) -> bool:
        """The scheduling office: opens reporting rounds, returns submissions, imports any row."""
        person = getattr(self, "person", None)
        return bool(person and person.role == Person.Role.OFFICE)


class UnitQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Unit(SourcedModel):
    """A responsible unit (责任单位): a bureau, company or task force that owns work."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    head = models.ForeignKey(
        "org.Person",
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
    )
    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="org_unit_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class PersonQuerySet(models.QuerySet):
    def get_by_natural_key(self, name, unit_name):
        return self.get(name=name, unit__name=unit_name)


class Person(SourcedModel):
    """A leading official or a member of staff, optionally linked to a login."""

    class Role(models.TextChoices):
        LEADER = "leader", _("区领导")
        OFFICE = "office", _("调度办公室")
        OFFICIAL = "official", _("牵头领导")
        HEAD = "head", _("单位负责人")
        STAFF = "staff", _("工作人员")

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="people"
    )
    title = models.CharField(_("职务"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.STAFF)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "人员")
        verbose_name_plural = _("人员")
        ordering = ["unit__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="org_person_unit_name_unique"),
        ]

    def __str__(self):
        return _("%(name)s（%(unit)s）") % {"name": self.name, "unit": self.unit}

    def natural_key(self):
        return (self.name, self.unit.name)

    natural_key.dependencies = ["org.unit"]

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user else "")


class IndustryChain(SourcedModel):
    """An industry chain (产业链) the zone develops under the chain-chief system."""

    name = models.CharField(_("名称"), max_length=50)
    aliases = models.CharField(
        _("别称"),
        max_length=200,
        blank=True,
        help_text=_("文件中对同一条链的其他写法，用顿号分隔。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "产业链")
        verbose_name_plural = _("产业链")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="org_industrychain_name_unique")
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class Area(SourcedModel):
    """A park (园区), theme park, industrial park, area (片区) or zone, with its size where known."""

    class Kind(models.TextChoices):
        ZONE = "zone", _("开发区")
        AREA = "area", _("片区")
        PARK = "park", _("园区")
        THEME_PARK = "theme_park", _("主题园区")
        INDUSTRIAL_PARK = "industrial_park", _("产业园")
        BASE = "base", _("产业基地")
        CHEMICAL_ZONE = "chemical_zone", _("化工园区")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    size = models.DecimalField(_("面积"), max_digits=14, decimal_places=4, null=True, blank=True)
    size_unit = models.CharField(_("面积单位"), max_length=10, choices=AreaUnit.choices, blank=True)
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "园区与片区")
        verbose_name_plural = _("园区与片区")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="org_area_name_unique"),
            models.CheckConstraint(
                condition=Q(size__isnull=True) | Q(size__gte=0),
                name="org_area_size_not_negative",
                violation_error_message=_("面积不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(size__isnull=True) | ~Q(size_unit=""),
                name="org_area_size_has_unit",
                violation_error_message=_("填写面积时必须选择面积单位。"),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


def enterprise_text_q(value: str) -> Q:
    """An enterprise found by text: its name or its short name."""
    return Q(name__icontains=value) | Q(short_name__icontains=value)


class Enterprise(SourcedModel):
    """An enterprise named by the document, with its chain and whether it is a chain leader
    (unknown unless said: the document gives only the zone's share of the city's chain leaders)."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("产业链"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_chain_leader = models.BooleanField(
        _("链主企业"), null=True, blank=True, default=None, help_text=_("不填表示未评估。")
    )
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    # What seed stores when a fixture row does not say: not known either way.
    UNSTATED = {"is_chain_leader": None}

    class Meta:
        verbose_name = pgettext_lazy("one", "企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="org_enterprise_name_unique")]

    def __str__(self):
        return self.short_name or self.name

    def natural_key(self):
        return (self.name,)
