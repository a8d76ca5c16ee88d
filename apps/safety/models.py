"""Safety in the petrochemical zone: sites, teams, inspections, hidden hazards, campaigns and works."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.core.media import StoredPhotoField
from apps.core.models import NamedQuerySet, SourcedModel, SubmittedOnceModel, VersionedModel
from apps.core.permissions import editable_by, is_zone_leader
from apps.core.rules import holds


class Site(SourcedModel):
    """A place under safety supervision, e.g. 黄岛石化区."""

    name = models.CharField(_("名称"), max_length=100)
    area = models.ForeignKey(
        "org.Area", verbose_name=_("所在区域"), null=True, blank=True, on_delete=models.SET_NULL
    )
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "安全监管区域")
        verbose_name_plural = _("安全监管区域")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="safety_site_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class InspectionTeam(SourcedModel):
    """One of the zone's safety teams (安全专家、安全协管员、封闭区保安)."""

    class Kind(models.TextChoices):
        EXPERTS = "experts", _("安全专家")
        COORDINATORS = "coordinators", _("安全协管员")
        SECURITY = "security", _("封闭区保安")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    site = models.ForeignKey(
        Site, verbose_name=_("监管区域"), on_delete=models.PROTECT, related_name="teams"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "安全队伍")
        verbose_name_plural = _("安全队伍")
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="safety_team_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class Campaign(SourcedModel):
    """An investigation-and-rectification campaign with the totals the document gives (760余项)."""

    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年份"))
    site = models.ForeignKey(
        Site, verbose_name=_("监管区域"), on_delete=models.PROTECT, related_name="campaigns"
    )
    hazards_investigated_rectified = models.PositiveIntegerField(
        _("排查整治隐患数"), null=True, blank=True
    )
    count_qualifier = models.CharField(
        _("数量修饰"), max_length=10, blank=True, help_text=_("如“余”。")
    )
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="safety_campaign_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class InspectionQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("site", "team", "campaign", "responsible_unit", "inspector")

    def with_hazard_count(self):
        """`hazard_count`, the hazards each inspection found, counted per row by a subquery: a
        Count() over the join would group the whole table before a page of it is taken."""
        found = (
            Hazard.objects.filter(inspection=OuterRef("pk"))
            .order_by()
            .values("inspection")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(hazard_count=Coalesce(Subquery(found), 0))


class Inspection(SourcedModel, SubmittedOnceModel):
    """A safety inspection on a date, by a team, with the hazards it found."""

    site = models.ForeignKey(
        Site, verbose_name=_("监管区域"), on_delete=models.PROTECT, related_name="inspections"
    )
    team = models.ForeignKey(
        InspectionTeam, verbose_name=_("检查队伍"), null=True, blank=True, on_delete=models.SET_NULL
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项行动"), null=True, blank=True, on_delete=models.SET_NULL
    )
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    date = models.DateField(_("检查日期"))
    title = models.CharField(_("检查内容"), max_length=200)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    notes = models.TextField(_("检查记录"), blank=True)
    history = HistoricalRecords()
    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["-date", "-id"]
        constraints = [
            # A resubmitted inspection form finds the inspection it made (NULLs may repeat).
            models.UniqueConstraint(
                fields=["submission_key"], name="safety_inspection_submission_key_unique"
            ),
        ]
        indexes = [
            # The inspection list sorts by date and filters by unit.
            models.Index(fields=["-date"], name="safety_inspection_date_idx"),
            models.Index(fields=["responsible_unit", "-date"], name="safety_inspection_unit_idx"),
        ]

    def __str__(self):
        return f"{self.date} {self.title}"

    def get_absolute_url(self):
        return reverse("safety:inspection_detail", args=[self.pk])


class HazardGrade(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class HazardStatus(models.TextChoices):
    FOUND = "found", _("已发现")
    RECTIFYING = "rectifying", _("整改中")
    RECTIFIED = "rectified", _("已整改")
    CLOSED = "closed", _("已验收销号")


class HazardRules:
    """The hazard's states, each written once and used by lists, counts, my work and reminders.

    - open: not yet verified and closed (what the hazard list's "open" and the dashboard count);
    - rectification pending: found or being rectified; the rectification deadline is still to be
      met, by the responsible unit (and the rectifier once someone has taken it on);
    - awaiting verification: rectified, waiting for a verifier other than the rectifier; the
      deadline has been met (on time or late) and the hazard is the verifiers' to close;
    - overdue: rectification pending and the deadline has passed (a hazard due today is not
      overdue); a rejected rectification goes back to pending, and so can be overdue again;
    - rectified late: rectified after its deadline, a fact kept for the record.
    """

    OPEN = ~Q(status=HazardStatus.CLOSED)
    RECTIFICATION_PENDING = Q(status__in=[HazardStatus.FOUND, HazardStatus.RECTIFYING])
    AWAITING_VERIFICATION = Q(status=HazardStatus.RECTIFIED)
    RECTIFIED_LATE = Q(rectified_on__gt=F("rectification_deadline"))

    @classmethod
    def overdue(cls, today) -> Q:
        return cls.RECTIFICATION_PENDING & Q(rectification_deadline__lt=today)


class HazardQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "inspection", "site", "enterprise", "responsible_unit", "rectifier", "verifier"
        )

    def open(self):
        return self.filter(HazardRules.OPEN)

    def rectification_pending(self):
        return self.filter(HazardRules.RECTIFICATION_PENDING)

    def awaiting_verification(self):
        return self.filter(HazardRules.AWAITING_VERIFICATION)

    def overdue(self, today):
        return self.filter(HazardRules.overdue(today))

    def awaiting_verification_by(self, user):
        """Rectified hazards this user may verify: their unit's (any, for zone leaders and
        superusers), never one they rectified themselves."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        queryset = self.awaiting_verification().exclude(rectifier=user)
        if user.is_superuser or is_zone_leader(user):
            return queryset
        return editable_by(queryset, user)


class Hazard(SourcedModel, VersionedModel):
    """A hidden hazard (隐患) and its rectification, found -> rectifying -> rectified -> closed."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("安全检查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("监管区域"), on_delete=models.PROTECT, related_name="hazards"
    )
    # 隐患编号: how a ledger names the hazard (its import matches by it). Numbered on creation
    # when left blank (Hazard.save), unique once given.
    code = models.CharField(
        _("隐患编号"), max_length=30, blank=True, help_text=_("留空则保存时自动编号。")
    )
    description = models.TextField(_("隐患描述"))
    grade = models.CharField(
        _("隐患等级"), max_length=10, choices=HazardGrade.choices, default=HazardGrade.GENERAL
    )
    found_date = models.DateField(_("发现日期"))
    location = models.CharField(_("位置"), max_length=200, blank=True)
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards",
    )
    rectification_deadline = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=HazardStatus.choices, default=HazardStatus.FOUND
    )
    rectification_measures = models.TextField(_("整改措施"), blank=True)
    rectifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("整改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectified_hazards",
    )
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verified_hazards",
    )
    closed_on = models.DateField(_("验收销号日期"), null=True, blank=True)
    photo_before = StoredPhotoField(_("整改前照片"), upload_to="hazards/%Y/%m/", blank=True)
    photo_after = StoredPhotoField(_("整改后照片"), upload_to="hazards/%Y/%m/", blank=True)
    history = HistoricalRecords()
    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "安全隐患")
        verbose_name_plural = _("安全隐患")
        ordering = ["-found_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="safety_hazard_code_unique",
                violation_error_message=_("隐患编号已被其他隐患使用。"),
            ),
            models.CheckConstraint(
                condition=Q(verifier__isnull=True)
                | Q(rectifier__isnull=True)
                | ~Q(verifier=F("rectifier")),
                name="safety_hazard_verifier_not_rectifier",
                violation_error_message=_("验收人不能是整改人本人。"),
            ),
            models.CheckConstraint(
                condition=Q(rectification_deadline__isnull=True)
                | Q(rectification_deadline__gte=F("found_date")),
                name="safety_hazard_deadline_after_found",
                violation_error_message=_("整改期限不能早于发现日期。"),
            ),
            models.CheckConstraint(
                condition=Q(rectified_on__isnull=True) | Q(rectified_on__gte=F("found_date")),
                name="safety_hazard_rectified_after_found",
                violation_error_message=_("整改完成日期不能早于发现日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | (Q(rectified_on__isnull=False) & Q(closed_on__gte=F("rectified_on"))),
                name="safety_hazard_closed_after_rectified",
                violation_error_message=_("验收销号须在整改完成之后。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (Q(verifier__isnull=False) & Q(closed_on__isnull=False)),
                name="safety_hazard_closed_has_verifier",
                violation_error_message=_("验收销号必须有验收人和验收日期。"),
            ),
        ]
        indexes = [
            # Open hazards by grade on the dashboard; overdue rectification for reminders.
            models.Index(fields=["status", "grade"], name="safety_hazard_status_grade_idx"),
            models.Index(
                fields=["status", "rectification_deadline"], name="safety_hazard_status_dl_idx"
            ),
            models.Index(fields=["responsible_unit", "status"], name="safety_hazard_unit_idx"),
            # Sorting the hazard list by found date, deadline or grade.
            models.Index(fields=["-found_date", "-id"], name="safety_hazard_found_idx"),
            models.Index(
                fields=["rectification_deadline", "id"], name="safety_hazard_deadline_idx"
            ),
            models.Index(fields=["grade", "id"], name="safety_hazard_grade_idx"),
        ]

    def __str__(self):
        return self.description[:40]

    def get_absolute_url(self):
        return reverse("safety:hazard_detail", args=[self.pk])

    @staticmethod
    def numbered(pk: int, found_date) -> str:
        """The code a hazard saved without one is given: YH, the year it was found, its number."""
        return f"YH{found_date.year}-{pk:05d}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.code:
            # The number is the row's id, known only once it is saved; the history row the save
            # just wrote gets the code too, so the record shows it from the start.
            self.code = self.numbered(self.pk, self.found_date)
            Hazard.objects.filter(pk=self.pk, code="").update(code=self.code)
            Hazard.history.filter(id=self.pk, code="").update(code=self.code)

    @property
    def is_open(self) -> bool:
        return holds(HazardRules.OPEN, self)

    @property
    def rectification_pending(self) -> bool:
        return holds(HazardRules.RECTIFICATION_PENDING, self)

    @property
    def awaiting_verification(self) -> bool:
        return holds(HazardRules.AWAITING_VERIFICATION, self)

    @property
    def rectified_late(self) -> bool:
        return holds(HazardRules.RECTIFIED_LATE, self)

    def is_overdue(self, today) -> bool:
        return holds(HazardRules.overdue(today), self)


class SafetyWork(SourcedModel):
    """A safety work the document names: 9号闸口, 三维综合管网系统, 海河路消防队危楼加固."""

    class Kind(models.TextChoices):
        GATE = "gate", _("闸口")
        PIPE_NETWORK = "pipe_network", _("管网")
        REINFORCEMENT = "reinforcement", _("危楼加固")
        DIGITAL = "digital", _("信息化")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划")
        IN_PROGRESS = "in_progress", _("有序推进")
        IN_USE = "in_use", _("投入使用")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    site = models.ForeignKey(
        Site, verbose_name=_("监管区域"), on_delete=models.PROTECT, related_name="works"
    )
    responsible_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "安全工程")
        verbose_name_plural = _("安全工程")
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="safety_safetywork_name_unique")
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)
