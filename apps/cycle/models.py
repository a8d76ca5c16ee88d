"""The reporting cycle: rounds the units report in, their submissions and the lights kept per round."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import VersionedModel
from apps.core.rules import Light, holds


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class CycleSetting(models.Model):
    """How often the units report and by when (one row, id 1, edited in the admin)."""

    cadence = models.CharField(
        _("填报周期"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    deadline_weekday = models.PositiveSmallIntegerField(
        _("截止日（每周）"),
        choices=Weekday.choices,
        default=Weekday.THURSDAY,
        help_text=_("每周填报时，本周哪一天截止。"),
    )
    deadline_day = models.PositiveSmallIntegerField(
        _("截止日（每月）"),
        default=25,
        help_text=_("每月填报时，本月几号截止（1 至 28）。"),
    )
    deadline_time = models.TimeField(_("截止时间"), default=datetime.time(17, 0))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("填报周期设置")
        verbose_name_plural = _("填报周期设置")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="cycle_setting_single_row"),
            models.CheckConstraint(
                condition=Q(deadline_day__gte=1, deadline_day__lte=28),
                name="cycle_setting_deadline_day_range",
                violation_error_message=_("每月截止日必须在 1 至 28 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline_weekday__lte=6),
                name="cycle_setting_weekday_range",
                violation_error_message=_("星期必须在星期一至星期日之间。"),
            ),
        ]

    def __str__(self):
        return str(self.get_cadence_display())

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "CycleSetting":
        """The saved setting, or the defaults (weekly, Thursday 17:00) when nobody has saved one."""
        return cls.objects.filter(pk=1).first() or cls()

    def period_for(self, now: datetime.datetime) -> tuple[str, datetime.datetime]:
        """The period label (2026-W48, 2026-11) that `now` falls in and its deadline."""
        zone = ZoneInfo(settings.TIME_ZONE)
        today = timezone.localtime(now, zone).date()
        if self.cadence == Cadence.WEEKLY:
            weekday = today.isoweekday()
            day = today + datetime.timedelta(days=self.deadline_weekday - (weekday - 1))
        else:
            day = today.replace(day=self.deadline_day)
        label = period_label(today, self.cadence)
        return label, datetime.datetime.combine(day, self.deadline_time, tzinfo=zone)


def period_label(day: datetime.date, cadence: str) -> str:
    """The label of the week (2026-W48, ISO weeks) or month (2026-11) that `day` falls in."""
    if cadence == Cadence.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


class RoundState(models.TextChoices):
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已结束")


class RoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=RoundState.OPEN)

    def closed(self):
        return self.filter(state=RoundState.CLOSED)

    def covering(self, day: datetime.date):
        """The rounds of the week or the month that `day` falls in."""
        return self.filter(period__in=[period_label(day, cadence) for cadence in Cadence.values])


class ReportingRound(models.Model):
    """One week's or month's reporting (填报): opened and closed by the office."""

    period = models.CharField(_("期次"), max_length=10)
    kind = models.CharField(_("周期"), max_length=10, choices=Cadence.choices)
    opens_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RoundState.choices, default=RoundState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开启人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    history = HistoricalRecords()
    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "填报轮次")
        verbose_name_plural = _("填报轮次")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period"], name="cycle_round_period_unique"),
            # One round is open at a time: the units report into it and "my submissions" shows it.
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state=RoundState.OPEN),
                name="cycle_round_one_open",
                violation_error_message=_("已有一轮填报正在进行。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opens_at")),
                name="cycle_round_deadline_after_opening",
                violation_error_message=_("截止时间必须晚于开始时间。"),
            ),
        ]
        indexes = [
            # The board and the ranking walk the closed rounds newest first.
            models.Index(fields=["state", "-opens_at"], name="cycle_round_state_idx"),
        ]

    def __str__(self):
        return self.period

    def get_absolute_url(self):
        return reverse("cycle:round_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN


class SubmissionState(models.TextChoices):
    PENDING = "pending", _("待填报")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已通过")


class Punctuality(models.TextChoices):
    """Whether a unit reported in time: judged on its first sending against the round's deadline."""

    ON_TIME = "on_time", _("按时")
    LATE = "late", _("逾期")
    MISSING = "missing", _("未填报")
    WAITING = "waiting", _("未到截止时间")


class SubmissionRules:
    """Due = the unit still owes a report in an open round (never sent, or sent back to it).

    On time = first sent by the round's deadline; late = first sent after it; missing = never
    sent and the deadline has passed or the round is closed. The board's 红黑榜, the report, the
    round's page and the API count these.
    """

    DUE = Q(state__in=[SubmissionState.PENDING, SubmissionState.RETURNED])
    SENT = Q(first_submitted_at__isnull=False)
    ON_TIME = Q(first_submitted_at__lte=F("round__deadline"))
    LATE = Q(first_submitted_at__gt=F("round__deadline"))

    @staticmethod
    def missing(now: datetime.datetime) -> Q:
        return Q(first_submitted_at__isnull=True) & (
            Q(round__deadline__lt=now) | Q(round__state=RoundState.CLOSED)
        )


class SubmissionQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "round",
            "responsible_unit",
            "project__area",
            "project__chain",
            "target__goal",
            "submitted_by__person",
        )

    def due(self):
        return self.filter(SubmissionRules.DUE, round__state=RoundState.OPEN)

    def punctuality(self, value: str, now: datetime.datetime):
        """The submissions on time, late, missing or still waiting (a Punctuality value)."""
        if value == Punctuality.ON_TIME:
            return self.filter(SubmissionRules.ON_TIME)
        if value == Punctuality.LATE:
            return self.filter(SubmissionRules.LATE)
        if value == Punctuality.MISSING:
            return self.filter(SubmissionRules.missing(now))
        return self.exclude(SubmissionRules.SENT).exclude(SubmissionRules.missing(now))

    def round_counts(self, now: datetime.datetime) -> dict[int, dict[str, int]]:
        """{round id: {expected, submitted, on_time, late, missing, accepted, returned}}, one
        query. Submitted = sent at least once (on time or late), whatever became of it since."""
        rows = (
            self.order_by()
            .values("round_id")
            .annotate(
                expected=Count("pk"),
                submitted=Count("pk", filter=SubmissionRules.SENT),
                on_time=Count("pk", filter=SubmissionRules.ON_TIME),
                late=Count("pk", filter=SubmissionRules.LATE),
                missing=Count("pk", filter=SubmissionRules.missing(now)),
                accepted=Count("pk", filter=Q(state=SubmissionState.ACCEPTED)),
                returned=Count("pk", filter=Q(state=SubmissionState.RETURNED)),
            )
        )
        return {row.pop("round_id"): row for row in rows}


class Submission(VersionedModel):
    """A unit's report (填报) on one project or target in one round."""

    round = models.ForeignKey(
        ReportingRound,
        verbose_name=_("填报轮次"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=pgettext_lazy("one", "重点项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    target = models.ForeignKey(
        "goals.Target",
        verbose_name=pgettext_lazy("one", "指标任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=SubmissionState.choices, default=SubmissionState.PENDING
    )
    progress = models.TextField(_("进展情况"), blank=True)
    investment_completed = models.DecimalField(
        _("本期完成投资（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    problems = models.TextField(_("存在问题"), blank=True)
    help_requested = models.TextField(_("需协调事项"), blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    history = HistoricalRecords()
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "填报")
        verbose_name_plural = _("填报")
        ordering = ["round", "responsible_unit", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, target__isnull=True)
                | Q(project__isnull=True, target__isnull=False),
                name="cycle_submission_one_item",
                violation_error_message=_("一份填报只对应一个项目或一个指标任务。"),
            ),
            models.UniqueConstraint(
                fields=["round", "project"], name="cycle_submission_round_project_unique"
            ),
            models.UniqueConstraint(
                fields=["round", "target"], name="cycle_submission_round_target_unique"
            ),
            models.CheckConstraint(
                condition=Q(investment_completed__isnull=True) | Q(investment_completed__gte=0),
                name="cycle_submission_investment_not_negative",
                violation_error_message=_("本期完成投资不能为负数。"),
            ),
        ]
        indexes = [
            # "My submissions" and the reminders look up a unit's submissions by state.
            models.Index(fields=["responsible_unit", "state"], name="cycle_submission_unit_idx"),
        ]

    def __str__(self):
        return f"{self.round} · {self.item}"

    def get_absolute_url(self):
        return reverse("cycle:submission", args=[self.pk])

    @property
    def item(self):
        return self.project if self.project_id else self.target

    @property
    def is_due(self) -> bool:
        return holds(SubmissionRules.DUE, self)

    def punctuality(self, now: datetime.datetime | None = None) -> Punctuality:
        """On time, late, missing or still waiting, by the rules the lists count with."""
        now = now or timezone.now()
        if holds(SubmissionRules.ON_TIME, self):
            return Punctuality.ON_TIME
        if holds(SubmissionRules.LATE, self):
            return Punctuality.LATE
        if holds(SubmissionRules.missing(now), self):
            return Punctuality.MISSING
        return Punctuality.WAITING


class SubmissionVersion(models.Model):
    """Each version of a submission as it was sent: a returned report keeps what was returned."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("填报"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    progress = models.TextField(_("进展情况"), blank=True)
    investment_completed = models.DecimalField(
        _("本期完成投资（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    problems = models.TextField(_("存在问题"), blank=True)
    help_requested = models.TextField(_("需协调事项"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("填报版本")
        verbose_name_plural = _("填报版本")
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="cycle_version_number_unique"
            ),
        ]

    def __str__(self):
        return gettext("%(submission)s 第 %(number)s 版") % {
            "submission": self.submission,
            "number": self.number,
        }


class RoundLightQuerySet(models.QuerySet):
    def with_unit(self):
        """Each light with `unit_id` and `unit_name`: the unit that reported on the item in that
        round (its submission's), as the board groups and ranks them, not today's unit."""

        def reported(field: str, column: str):
            return Subquery(
                Submission.objects.filter(
                    round_id=OuterRef("round_id"), **{field: OuterRef(field)}
                ).values(column)[:1]
            )

        return self.annotate(
            unit_id=Coalesce(
                reported("project_id", "responsible_unit_id"),
                reported("target_id", "responsible_unit_id"),
            ),
            unit_name=Coalesce(
                reported("project_id", "responsible_unit__name"),
                reported("target_id", "responsible_unit__name"),
            ),
        )

    def round_counts(self) -> dict[int, dict[str, int]]:
        """{round id: {light: how many items had it at close}}, every light named, one query."""
        counts: dict[int, dict[str, int]] = {}
        rows = self.order_by().values("round_id", "light").annotate(n=Count("pk"))
        for row in rows:
            lights = counts.setdefault(row["round_id"], dict.fromkeys(Light.values, 0))
            lights[row["light"]] = row["n"]
        return counts


class RoundLight(models.Model):
    """An item's light as it stood when its round closed: the board's history."""

    round = models.ForeignKey(
        ReportingRound, verbose_name=_("填报轮次"), on_delete=models.CASCADE, related_name="lights"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=pgettext_lazy("one", "重点项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="round_lights",
    )
    target = models.ForeignKey(
        "goals.Target",
        verbose_name=pgettext_lazy("one", "指标任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="round_lights",
    )
    light = models.CharField(_("亮灯"), max_length=10, choices=Light.choices)
    reason = models.TextField(_("原因"), blank=True)
    history = HistoricalRecords()
    objects = RoundLightQuerySet.as_manager()

    class Meta:
        verbose_name = _("轮次亮灯")
        verbose_name_plural = _("轮次亮灯")
        ordering = ["round", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, target__isnull=True)
                | Q(project__isnull=True, target__isnull=False),
                name="cycle_roundlight_one_item",
                violation_error_message=_("一条亮灯记录只对应一个项目或一个指标任务。"),
            ),
            models.UniqueConstraint(
                fields=["round", "project"], name="cycle_roundlight_round_project_unique"
            ),
            models.UniqueConstraint(
                fields=["round", "target"], name="cycle_roundlight_round_target_unique"
            ),
        ]

    def __str__(self):
        return f"{self.round} · {self.project or self.target}: {self.get_light_display()}"

    @property
    def item(self):
        return self.project if self.project_id else self.target


class ReportMailing(models.Model):
    """A round's report mailed to one zone leader: claimed (inserted) before it is sent.

    The unique (round, person) row is the claim: a second run, or a second worker, cannot insert
    it again, so each leader gets each round's report once.
    """

    round = models.ForeignKey(
        ReportingRound,
        verbose_name=_("填报轮次"),
        on_delete=models.CASCADE,
        related_name="report_mailings",
    )
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="report_mailings",
    )
    email = models.EmailField(_("电子邮箱"))
    claimed_at = models.DateTimeField(_("领取时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报告邮件")
        verbose_name_plural = _("报告邮件")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"], name="cycle_reportmailing_round_person_unique"
            ),
        ]

    def __str__(self):
        return f"{self.round} → {self.email}"
