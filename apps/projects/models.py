"""Key projects, their phases, milestones and progress logs, and the totals the document gives."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.core import tallies
from apps.core.media import StoredPhotoField
from apps.core.models import (
    AreaUnit,
    Currency,
    MoneyUnit,
    NamedQuerySet,
    SourcedModel,
    SubmittedOnceModel,
    VersionedModel,
    convert_money,
    money_label,
)
from apps.core.rules import DUE_SOON_DAYS, Light, holds


class Stage(models.TextChoices):
    """Where a project stands, in the order projects move through them, then "not assessed"."""

    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    STARTED = "started", _("开工")
    UNDER_CONSTRUCTION = "construction", _("在建")
    # 完成主体施工: the main structure is built. Not the same as 主体封顶 (topped out).
    STRUCTURE_BUILT = "structure", _("主体施工")
    TOPPED_OUT = "topped_out", _("主体封顶")
    COMPLETED = "completed", _("竣工")
    IN_USE = "in_use", _("投用")
    IN_PRODUCTION = "production", _("投产")
    # Nobody has said where the project stands: the document names it without a stage.
    NOT_ASSESSED = "not_assessed", _("未评估")


class Reason(models.TextChoices):
    """Why a project's light has its colour: the first rule of apps/projects/status.py that holds."""

    MILESTONE_OVERDUE = "milestone_overdue", _("节点逾期")
    DONE = "done", _("已完成")
    NOT_ASSESSED = "not_assessed", _("阶段未评估")
    PAST_PLANNED = "past_planned", _("超过计划完成日期")
    NOT_STARTED = "not_started", _("逾期未开工")
    FAR_BEHIND = "far_behind", _("严重落后于序时进度")
    BEHIND = "behind", _("进度落后于时间")
    DUE_SOON = "due_soon", _("节点即将到期")
    STALE = "stale", _("长期未填报进展")
    NO_DATES = "no_dates", _("无计划日期")
    ON_TRACK = "on_track", _("按计划推进")


LIGHT_OF_REASON = {
    Reason.MILESTONE_OVERDUE: Light.RED,
    Reason.PAST_PLANNED: Light.RED,
    Reason.NOT_STARTED: Light.RED,
    Reason.FAR_BEHIND: Light.RED,
    Reason.BEHIND: Light.YELLOW,
    Reason.DUE_SOON: Light.YELLOW,
    Reason.STALE: Light.YELLOW,
    Reason.NOT_ASSESSED: Light.GREY,
    Reason.NO_DATES: Light.GREY,
    Reason.DONE: Light.GREEN,
    Reason.ON_TRACK: Light.GREEN,
}
# A light sorts by how much it asks for attention: red, yellow, grey, then green. A project's
# light_rank is its reason's place in REASONS_BY_LIGHT, so the reasons of one light are adjacent.
LIGHT_RANK = [Light.RED, Light.YELLOW, Light.GREY, Light.GREEN]
REASONS_BY_LIGHT = sorted(
    LIGHT_OF_REASON, key=lambda reason: LIGHT_RANK.index(LIGHT_OF_REASON[reason])
)


class ProjectKind(models.TextChoices):
    INDUSTRIAL = "industrial", _("产业项目")
    PARK = "park", _("园区建设")
    URBAN_RENEWAL = "urban_renewal", _("城市更新")
    COMMERCIAL = "commercial", _("商业配套")
    HOUSING = "housing", _("安置住房")
    EXPANSION = "expansion", _("增资扩产")


class MoneyFields(models.Model):
    """An exact amount with the unit and currency the document wrote it in."""

    total_investment = models.DecimalField(
        _("总投资"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    investment_unit = models.CharField(
        _("金额单位"), max_length=4, choices=MoneyUnit.choices, default=MoneyUnit.YI
    )
    currency = models.CharField(
        _("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )

    class Meta:
        abstract = True

    @property
    def investment_label(self) -> str:
        return money_label(self.total_investment, self.investment_unit, self.currency)

    @property
    def investment_full_amount(self) -> Decimal | None:
        """The amount in whole units of its currency (yuan or US dollars), not converted."""
        if self.total_investment is None:
            return None
        return convert_money(self.total_investment, self.investment_unit)


class Portfolio(SourcedModel, MoneyFields):
    """A group of projects the document gives only as a total (26 个项目，总投资 873.7 亿元)."""

    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    project_count = models.PositiveIntegerField(_("项目个数"), null=True, blank=True)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, blank=True)
    chain = models.ForeignKey(
        "org.IndustryChain",
        verbose_name=_("产业链"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    area = models.ForeignKey(
        "org.Area", verbose_name=_("园区/片区"), null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    # What seed stores when a fixture row gives no stage: the document gives none.
    UNSTATED = {"stage": Stage.NOT_ASSESSED}

    class Meta:
        verbose_name = pgettext_lazy("one", "项目汇总")
        verbose_name_plural = _("项目汇总")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="projects_portfolio_name_unique"),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="projects_portfolio_investment_not_negative",
                violation_error_message=_("总投资不能为负数。"),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class ProjectQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)

    def with_related(self):
        return self.select_related(
            "enterprise", "chain", "area", "responsible_unit", "leading_official", "portfolio"
        )

    def open(self):
        """Not finished: no actual completion and not 竣工, 投用 or 投产 (the light's "done")."""
        return self.filter(actual_completion__isnull=True).exclude(
            stage__in=[Stage.COMPLETED, Stage.IN_USE, Stage.IN_PRODUCTION]
        )

    def refresh_progress(self) -> int:
        """Recompute the projects' PROGRESS_FIELDS from their milestones and logs, in one UPDATE.

        Called after every write to a milestone or progress log (signals in apps.py) and by
        paths that write many at once (bulk inserts), so that the list's light, its sorts and
        the dashboard's totals read columns instead of a subquery per project.
        """
        open_due = Milestone.objects.filter(
            project=models.OuterRef("pk"), done_date__isnull=True, due_date__isnull=False
        ).order_by("due_date")
        logs = ProgressLog.objects.filter(project=models.OuterRef("pk")).order_by("-date", "-id")
        with_percent = logs.filter(percent_complete__isnull=False)
        with_investment = logs.filter(investment_completed__isnull=False)
        # An UPDATE sends no signals: the tallies counting these columns move around it.
        with tallies.changing(self.model, self):
            return self.order_by().update(
                next_open_due=models.Subquery(open_due.values("due_date")[:1]),
                latest_percent=models.Subquery(with_percent.values("percent_complete")[:1]),
                last_progress_date=models.Subquery(logs.values("date")[:1]),
                latest_investment_completed=models.Subquery(
                    with_investment.values("investment_completed")[:1]
                ),
                latest_investment_unit=Coalesce(
                    models.Subquery(with_investment.values("investment_unit")[:1]),
                    models.Value(""),
                ),
            )

    def refresh_light(self, today: datetime.date | None = None) -> int:
        """Store the projects' light (light_reason, and so light_rank) for `today`, in one UPDATE;
        the number of projects whose light changed.

        The rules are apps.projects.status.light_reason_expression over the progress columns, so
        this runs after refresh_progress; the hourly task apps.projects.tasks.refresh_lights
        moves every light on with the date, and a change of the thresholds refreshes them all.
        """
        from .status import light_reason_expression

        today = today or timezone.localdate()
        # Only the rows whose light changes: the hourly refresh rewrites a few rows, not all.
        return (
            self.order_by()
            .exclude(light_reason=light_reason_expression(today))
            .update(light_reason=light_reason_expression(today))
        )


class Project(SourcedModel, MoneyFields, VersionedModel):
    """A key project (重点项目)."""

    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        "org.Enterprise", verbose_name=_("企业"), null=True, blank=True, on_delete=models.SET_NULL
    )
    chain = models.ForeignKey(
        "org.IndustryChain",
        verbose_name=_("产业链"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    area = models.ForeignKey(
        "org.Area", verbose_name=_("园区/片区"), null=True, blank=True, on_delete=models.SET_NULL
    )
    portfolio = models.ForeignKey(
        Portfolio,
        verbose_name=_("所属汇总"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    kind = models.CharField(_("项目类型"), max_length=20, choices=ProjectKind.choices)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    description = models.TextField(_("项目内容"), blank=True)
    capacity = models.CharField(_("产能/规模"), max_length=200, blank=True)
    floor_area = models.DecimalField(
        _("建筑面积"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    floor_area_unit = models.CharField(
        _("面积单位"), max_length=10, choices=AreaUnit.choices, blank=True
    )
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    leading_official = models.ForeignKey(
        "org.Person",
        verbose_name=_("牵头领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
    )
    # The amount in whole units of its currency, so that 5000 万 sorts below 81.7 亿.
    investment_amount = models.GeneratedField(
        expression=models.Case(
            *[
                models.When(investment_unit=unit, then=F("total_investment") * unit.factor)
                for unit in MoneyUnit
            ],
            default=None,
        ),
        output_field=models.DecimalField(max_digits=24, decimal_places=4, null=True),
        db_persist=True,
        verbose_name=_("投资金额（元或美元）"),
    )
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划完成"), null=True, blank=True)
    actual_completion = models.DateField(_("实际完成"), null=True, blank=True)
    # Kept by ProjectQuerySet.refresh_progress from the milestones and logs, never typed.
    next_open_due = models.DateField(_("最早未完成节点到期日"), null=True, editable=False)
    latest_percent = models.PositiveSmallIntegerField(_("最新进度"), null=True, editable=False)
    last_progress_date = models.DateField(_("最近填报日期"), null=True, editable=False)
    latest_investment_completed = models.DecimalField(
        _("最新累计完成投资"), max_digits=16, decimal_places=4, null=True, editable=False
    )
    latest_investment_unit = models.CharField(
        _("最新累计完成投资单位"),
        max_length=4,
        choices=MoneyUnit.choices,
        blank=True,
        editable=False,
    )
    # Kept by ProjectQuerySet.refresh_light (the rules of apps/projects/status.py), never typed:
    # the list filters and sorts on these columns instead of computing every project's light.
    light_reason = models.CharField(
        _("状态灯原因"), max_length=20, choices=Reason.choices, blank=True, editable=False
    )
    light_rank = models.GeneratedField(
        expression=models.Case(
            *[
                models.When(light_reason=reason.value, then=models.Value(rank))
                for rank, reason in enumerate(REASONS_BY_LIGHT)
            ],
            default=models.Value(len(REASONS_BY_LIGHT)),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
        verbose_name=_("状态灯排序"),
    )
    PROGRESS_FIELDS = (
        "next_open_due",
        "latest_percent",
        "last_progress_date",
        "latest_investment_completed",
        "latest_investment_unit",
    )
    LIGHT_FIELDS = ("light_reason", "light_rank")
    history = HistoricalRecords(excluded_fields=PROGRESS_FIELDS + LIGHT_FIELDS)
    objects = ProjectQuerySet.as_manager()

    # What seed stores when a fixture row gives no stage: the document gives none.
    UNSTATED = {"stage": Stage.NOT_ASSESSED}

    class Meta:
        verbose_name = pgettext_lazy("one", "重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="projects_project_name_unique"),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="projects_project_investment_not_negative",
                violation_error_message=_("总投资不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gte=0),
                name="projects_project_floor_area_not_negative",
                violation_error_message=_("建筑面积不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(actual_completion__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_completion__gte=F("actual_start")),
                name="projects_project_completion_after_start",
                violation_error_message=_("实际完成日期不能早于实际开工日期。"),
            ),
            models.CheckConstraint(
                condition=Q(planned_completion__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_completion__gte=F("planned_start")),
                name="projects_project_planned_completion_after_start",
                violation_error_message=_("计划完成日期不能早于计划开工日期。"),
            ),
        ]
        indexes = [
            # The project list filters by stage, chain, area and unit.
            models.Index(fields=["stage"], name="projects_project_stage_idx"),
            models.Index(fields=["responsible_unit", "stage"], name="projects_project_unit_idx"),
            # Sorting the list by investment, whatever unit each amount was written in.
            models.Index(fields=["investment_amount", "id"], name="projects_project_amount_idx"),
            # Sorting the list by planned completion and by latest progress. These serve the
            # ascending sorts; the descending ones (DESC NULLS LAST) are PostgreSQL indexes of
            # their own (migration 0010_descending_sort_indexes).
            models.Index(fields=["planned_completion", "id"], name="projects_project_planned_idx"),
            models.Index(fields=["latest_percent", "id"], name="projects_project_percent_idx"),
            # Sorting the list by light (light_rank is never NULL, so the descending sort reads
            # this index backwards), and filtering it by light, alone or with a unit.
            models.Index(fields=["light_rank", "id"], name="projects_project_light_idx"),
            models.Index(
                fields=["light_reason", "responsible_unit"], name="projects_project_reason_idx"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])

    def natural_key(self):
        return (self.name,)


class PhaseQuerySet(models.QuerySet):
    def get_by_natural_key(self, project_name, name):
        return self.get(project__name=project_name, name=name)


class ProjectPhase(SourcedModel):
    """A phase of a project (一期, 二期) with its own stage and dates."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("期次"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    duration_note = models.CharField(_("工期说明"), max_length=100, blank=True)
    history = HistoricalRecords()
    objects = PhaseQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "项目期次")
        verbose_name_plural = _("项目期次")
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="projects_phase_project_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(completed_on__gte=F("started_on")),
                name="projects_phase_completed_after_start",
                violation_error_message=_("完成日期不能早于开工日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.project} {self.name}"

    def natural_key(self):
        return (*self.project.natural_key(), self.name)

    natural_key.dependencies = ["projects.project"]


class ShopQuerySet(models.QuerySet):
    def get_by_natural_key(self, project_name, name):
        return self.get(project__name=project_name, name=name)


class Shop(SourcedModel):
    """A kind of shop the document lists for a commercial complex (京东方之窗: 酒店公寓, 精品超市…)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="shops"
    )
    name = models.CharField(_("业态"), max_length=100)
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    history = HistoricalRecords()
    objects = ShopQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "店面业态")
        verbose_name_plural = _("店面业态")
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="projects_shop_project_name_unique"
            ),
        ]

    def __str__(self):
        return f"{self.project} {self.name}"

    def natural_key(self):
        return (*self.project.natural_key(), self.name)

    natural_key.dependencies = ["projects.project"]


class MilestoneRules:
    """Open = not done; overdue = open and due before today; due soon = open and due from today
    to today + DUE_SOON_DAYS. Lists, counts, my work and reminders all use these."""

    OPEN = Q(done_date__isnull=True)

    @classmethod
    def overdue(cls, today) -> Q:
        return cls.OPEN & Q(due_date__lt=today)

    @classmethod
    def due_soon(cls, today) -> Q:
        return cls.OPEN & Q(
            due_date__gte=today, due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
        )


class MilestoneQuerySet(models.QuerySet):
    def get_by_natural_key(self, project_name, title):
        return self.get(project__name=project_name, title=title)

    def open(self):
        return self.filter(MilestoneRules.OPEN)

    def overdue(self, today):
        return self.filter(MilestoneRules.overdue(today))

    def due_soon(self, today):
        return self.filter(MilestoneRules.due_soon(today))


class Milestone(SourcedModel, VersionedModel):
    """A dated step of a project: due date, done date and the deadline phrase it came from."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=200)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    due_date = models.DateField(_("计划完成日期"), null=True, blank=True)
    done_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    deadline_phrase = models.CharField(_("期限表述"), max_length=100, blank=True)
    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "title"], name="projects_milestone_project_title_unique"
            ),
            models.CheckConstraint(
                condition=Q(done_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(done_date__gte=F("start_date")),
                name="projects_milestone_done_after_start",
                violation_error_message=_("实际完成日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="projects_milestone_due_after_start",
                violation_error_message=_("计划完成日期不能早于开始日期。"),
            ),
        ]
        indexes = [
            # "Overdue" and "due in the next 30 days" look up open milestones by due date.
            models.Index(fields=["done_date", "due_date"], name="projects_milestone_due_idx"),
            # Sorting the milestone list by due date, start date, done date (ascending; the
            # descending sorts have indexes of their own, 0010_descending_sort_indexes).
            models.Index(fields=["due_date", "id"], name="projects_milestone_sort_idx"),
            models.Index(fields=["start_date", "id"], name="projects_milestone_start_idx"),
            models.Index(fields=["done_date", "id"], name="projects_milestone_done_idx"),
        ]

    def __str__(self):
        return _("%(project)s：%(title)s") % {"project": self.project, "title": self.title}

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.project_id])

    @property
    def is_open(self) -> bool:
        return holds(MilestoneRules.OPEN, self)

    def is_overdue(self, today) -> bool:
        return holds(MilestoneRules.overdue(today), self)

    def natural_key(self):
        return (*self.project.natural_key(), self.title)

    natural_key.dependencies = ["projects.project"]


class ProgressLog(SourcedModel, SubmittedOnceModel):
    """What was done on a project by a date: text, percent complete, investment completed to date."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="progress_logs"
    )
    date = models.DateField(_("日期"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress_logs",
    )
    text = models.TextField(_("进展情况"))
    percent_complete = models.PositiveSmallIntegerField(_("完成百分比"), null=True, blank=True)
    investment_completed = models.DecimalField(
        _("累计完成投资"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    investment_unit = models.CharField(
        _("金额单位"), max_length=4, choices=MoneyUnit.choices, default=MoneyUnit.YI
    )
    photo = StoredPhotoField(_("现场照片"), upload_to="progress/%Y/%m/", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("one", "进展记录")
        verbose_name_plural = _("进展记录")
        ordering = ["-date", "-id"]
        get_latest_by = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
                name="projects_progresslog_percent_0_100",
                violation_error_message=_("完成百分比必须在 0 到 100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(investment_completed__isnull=True) | Q(investment_completed__gte=0),
                name="projects_progresslog_investment_not_negative",
                violation_error_message=_("累计完成投资不能为负数。"),
            ),
            # A resubmitted progress form finds the log it made (NULLs, from elsewhere, repeat).
            models.UniqueConstraint(
                fields=["submission_key"], name="projects_progresslog_submission_key_unique"
            ),
        ]
        indexes = [
            # A project's logs, newest first, on its detail page and for its status light.
            models.Index(fields=["project", "-date"], name="projects_progresslog_date_idx"),
        ]

    def __str__(self):
        return f"{self.project} {self.date}"
