"""Plans, their goals and measurable targets, check-ins, indicators and the national rankings."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.core.models import NamedQuerySet, SourcedModel, SubmittedOnceModel, VersionedModel
from apps.core.rules import holds


class Plan(SourcedModel):
    """A plan or campaign: 2023 六个创新突破, 2022 五方面24项任务提质攻坚行动, the 414 plan."""

    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    task_count = models.PositiveSmallIntegerField(
        _("任务数"), null=True, blank=True, help_text=_("文件只给出总数时，记在这里。")
    )
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "工作计划")
        verbose_name_plural = _("工作计划")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="goals_plan_name_unique")]

    def __str__(self):
        return self.short_name or self.name

    def natural_key(self):
        return (self.name,)


class GoalQuerySet(models.QuerySet):
    def get_by_natural_key(self, plan_name, title):
        return self.get(plan__name=plan_name, title=title)


class Goal(SourcedModel):
    """One goal of a plan, e.g. 在实施更高水平开放、构建内外联动格局上创新突破."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="goals"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("目标"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
    )
    leading_official = models.ForeignKey(
        "org.Person",
        verbose_name=_("牵头领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_goals",
    )
    history = HistoricalRecords()
    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "目标")
        verbose_name_plural = _("目标")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="goals_goal_plan_order_unique"),
            models.UniqueConstraint(fields=["plan", "title"], name="goals_goal_plan_title_unique"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (*self.plan.natural_key(), self.title)

    natural_key.dependencies = ["goals.plan"]


class TargetStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    ON_TRACK = "on_track", _("正常推进")
    AT_RISK = "at_risk", _("存在风险")
    OFF_TRACK = "off_track", _("滞后")
    ACHIEVED = "achieved", _("已完成")
    # Nobody has said how the target stands: the document gives no state and no one has
    # checked in yet. Not a stage of progress, so a check-in never reports it.
    NOT_ASSESSED = "not_assessed", _("未评估")


# What a check-in may report: every status but "not assessed" (a check-in is an assessment).
CHECKIN_STATUSES = [
    (value, label) for value, label in TargetStatus.choices if value != TargetStatus.NOT_ASSESSED
]


class TargetRules:
    """Open = not achieved; overdue = open and its deadline before today."""

    OPEN = ~Q(status=TargetStatus.ACHIEVED)

    @classmethod
    def overdue(cls, today) -> Q:
        return cls.OPEN & Q(deadline__lt=today)


class TargetQuerySet(models.QuerySet):
    def get_by_natural_key(self, plan_name, goal_title, title):
        return self.get(goal__plan__name=plan_name, goal__title=goal_title, title=title)

    def with_related(self):
        return self.select_related("goal__plan", "responsible_unit", "leading_official")

    def open(self):
        return self.filter(TargetRules.OPEN)

    def overdue(self, today):
        return self.filter(TargetRules.overdue(today))


class Target(SourcedModel, VersionedModel):
    """A target of a goal: a metric with baseline, target and current value, and a deadline."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="targets"
    )
    title = models.CharField(_("指标/任务"), max_length=200)
    metric_unit = models.CharField(_("计量单位"), max_length=30, blank=True)
    baseline = models.DecimalField(
        _("基数"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_value = models.DecimalField(
        _("目标值"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    current_value = models.DecimalField(
        _("当前值"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    start_date = models.DateField(
        _("起算日期"), null=True, blank=True, help_text=_("期限表述（如“三年成形”）从这一天起算。")
    )
    start_source_text = models.TextField(
        _("起算依据"),
        blank=True,
        help_text=_(
            "文件中说明期限从何时起算的原句。有起算日期时，是该日期的依据；"
            "文件未载明起算日期时，是表明这项工作何时已在推进的原句。"
        ),
    )
    deadline = models.DateField(_("完成期限"), null=True, blank=True)
    deadline_phrase = models.CharField(_("期限表述"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TargetStatus.choices, default=TargetStatus.NOT_STARTED
    )
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    leading_official = models.ForeignKey(
        "org.Person",
        verbose_name=_("牵头领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_targets",
    )
    history = HistoricalRecords()
    objects = TargetQuerySet.as_manager()

    # What seed stores when a fixture row says nothing about these fields: the document gives
    # no state, so the target is not assessed (never the form's default, "not started").
    UNSTATED = {"status": TargetStatus.NOT_ASSESSED}

    class Meta:
        verbose_name = pgettext_lazy("one", "指标任务")
        verbose_name_plural = _("指标任务")
        ordering = ["goal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "title"], name="goals_target_goal_title_unique"
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True)
                | Q(start_date__isnull=True)
                | Q(deadline__gte=F("start_date")),
                name="goals_target_deadline_after_start",
                violation_error_message=_("完成期限不能早于起算日期。"),
            ),
        ]
        indexes = [
            # "My work" and reminders look up open targets by deadline.
            models.Index(fields=["status", "deadline"], name="goals_target_status_dl_idx"),
            models.Index(fields=["responsible_unit", "status"], name="goals_target_unit_idx"),
            # Sorting the target list by deadline.
            models.Index(fields=["deadline", "id"], name="goals_target_deadline_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("goals:target_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return holds(TargetRules.OPEN, self)

    def is_overdue(self, today) -> bool:
        return holds(TargetRules.overdue(today), self)

    def natural_key(self):
        return (*self.goal.natural_key(), self.title)

    natural_key.dependencies = ["goals.goal"]


class CheckIn(SourcedModel, SubmittedOnceModel):
    """A periodic report on a target: the value reached, a status and a comment."""

    target = models.ForeignKey(
        Target, verbose_name=_("指标任务"), on_delete=models.CASCADE, related_name="checkins"
    )
    date = models.DateField(_("日期"))
    value = models.DecimalField(_("当前值"), max_digits=16, decimal_places=4, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=CHECKIN_STATUSES)
    comment = models.TextField(_("说明"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkins",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("one", "指标填报")
        verbose_name_plural = _("指标填报")
        ordering = ["-date", "-id"]
        get_latest_by = ["date", "id"]
        constraints = [
            # A resubmitted check-in form finds the check-in it made (NULLs may repeat).
            models.UniqueConstraint(
                fields=["submission_key"], name="goals_checkin_submission_key_unique"
            ),
        ]
        indexes = [models.Index(fields=["target", "-date"], name="goals_checkin_target_date_idx")]

    def __str__(self):
        return f"{self.target} {self.date}"


class Indicator(SourcedModel):
    """A figure the document states as a total or a share (11 项创新举措, 47 家链主企业中占 36%)."""

    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=30)
    qualifier = models.CharField(
        _("修饰"), max_length=20, blank=True, help_text=_("如“余”（760余项）、“近”（近2亿片）。")
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("所属计划"), null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "统计数据")
        verbose_name_plural = _("统计数据")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="goals_indicator_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class Evaluation(SourcedModel):
    """A national evaluation of ETDZs (国家级经开区综合发展水平考核评价)."""

    name = models.CharField(_("名称"), max_length=200)
    # The year the results were published, when the document says so; the edition's name
    # ("2022年…考核评价") does not: that is the edition, not when it came out.
    published_year = models.PositiveSmallIntegerField(_("发布年份"), null=True, blank=True)
    data_year = models.PositiveSmallIntegerField(_("考核年度"))
    method = models.CharField(_("考核办法"), max_length=200, blank=True)
    publisher = models.CharField(_("发布机构"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(_("参评经开区数"), null=True, blank=True)
    category_count = models.PositiveSmallIntegerField(_("指标大类数"), null=True, blank=True)
    indicator_count = models.PositiveSmallIntegerField(_("指标数"), null=True, blank=True)
    categories = models.CharField(_("指标大类"), max_length=200, blank=True)
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "考核评价")
        verbose_name_plural = _("考核评价")
        ordering = ["-published_year"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="goals_evaluation_name_unique")
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class RankingQuerySet(models.QuerySet):
    def get_by_natural_key(self, evaluation_name, subject):
        return self.get(evaluation__name=evaluation_name, subject=subject)


class Ranking(SourcedModel):
    """The zone's rank on one measure of an evaluation (综合排名第七)."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("考核评价"), on_delete=models.CASCADE, related_name="rankings"
    )
    subject = models.CharField(_("排名项目"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("名次"))
    history = HistoricalRecords()
    objects = RankingQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "排名")
        verbose_name_plural = _("排名")
        ordering = ["evaluation", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "subject"], name="goals_ranking_subject_unique"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1),
                name="goals_ranking_rank_positive",
                violation_error_message=_("名次必须大于等于 1。"),
            ),
        ]

    def __str__(self):
        return _("%(subject)s：第 %(rank)s 名") % {"subject": self.subject, "rank": self.rank}

    def natural_key(self):
        return (*self.evaluation.natural_key(), self.subject)

    natural_key.dependencies = ["goals.evaluation"]


class Award(SourcedModel):
    """An honour the zone received (山东省外贸新业态特色园区)."""

    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    awarded_by = models.CharField(_("授予机构"), max_length=100, blank=True)
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "荣誉")
        verbose_name_plural = _("荣誉")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="goals_award_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class Event(SourcedModel):
    """An event the zone hosted or held (承办青岛市委常委会会议…, 融通产业链主题沙龙活动)."""

    class Role(models.TextChoices):
        HOSTED = "hosted", _("承办")
        HELD = "held", _("举办")

    name = models.CharField(_("名称"), max_length=200)
    role = models.CharField(_("方式"), max_length=10, choices=Role.choices)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "活动与会议")
        verbose_name_plural = _("活动与会议")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="goals_event_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class Measure(SourcedModel):
    """A measure, system, proposal or working principle the zone adopted (产业发展顾问系列制度,
    《产业链融通发展倡议书》, 项目谋划、建设、保障三条主线)."""

    class Kind(models.TextChoices):
        INITIATIVE = "initiative", _("举措")
        SYSTEM = "system", _("制度与机制")
        PROPOSAL = "proposal", _("倡议")
        PRINCIPLE = "principle", _("主线与重点")

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    items = models.CharField(
        _("组成"),
        max_length=200,
        blank=True,
        help_text=_("文件列出的各项，用顿号分隔，如“项目谋划、建设、保障”。"),
    )
    area = models.ForeignKey(
        "org.Area", verbose_name=_("园区/片区"), null=True, blank=True, on_delete=models.SET_NULL
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("所属计划"), null=True, blank=True, on_delete=models.SET_NULL
    )
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()
    objects = NamedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "举措与制度")
        verbose_name_plural = _("举措与制度")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="goals_measure_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)
