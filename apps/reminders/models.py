"""Reminders: the policy and working-day calendar, the registry of deadlines, and the delivery log."""

import secrets
from datetime import time
from urllib.parse import urlsplit

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from . import registry


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class Policy(models.Model):
    """When reminders go out. One row (key "default"); lead times are its LeadTime rows."""

    key = models.CharField(_("标识"), max_length=20, default="default", editable=False)
    send_time = models.TimeField(
        _("发送时间"), default=time(9, 0), help_text=_("提醒在工作日的这个时间（北京时间）发出。")
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("逾期提醒间隔（天）"), default=7, validators=[MaxValueValidator(366)]
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("逾期多少天后升级（天）"),
        default=14,
        help_text=_("逾期达到该天数后，提醒牵头领导，并抄送责任单位负责人。"),
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("周报发送日"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    digest_time = models.TimeField(_("周报发送时间"), default=time(8, 30))
    digest_horizon_days = models.PositiveSmallIntegerField(
        _("周报包含未来多少天内到期"), default=14
    )
    working_days_only = models.BooleanField(
        _("只在工作日提醒"),
        default=True,
        help_text=_("提前提醒遇节假日、周末提前到上一个工作日，逾期提醒顺延到下一个工作日。"),
    )

    class Meta:
        verbose_name = pgettext_lazy("one", "提醒规则")
        verbose_name_plural = _("提醒规则")
        constraints = [
            models.UniqueConstraint(fields=["key"], name="reminders_policy_key_unique"),
            models.CheckConstraint(
                condition=Q(overdue_every_days__gte=1),
                name="reminders_policy_overdue_every_positive",
                violation_error_message=_("逾期提醒间隔至少为 1 天。"),
            ),
        ]

    def __str__(self):
        return str(_("提醒规则"))


class LeadTime(models.Model):
    """A rung before the deadline: N days before it (0 = on the day)."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("提醒规则"), on_delete=models.CASCADE, related_name="lead_times"
    )
    days_before = models.PositiveSmallIntegerField(
        _("提前天数"), validators=[MaxValueValidator(366)], help_text=_("0 表示到期当天。")
    )

    class Meta:
        verbose_name = pgettext_lazy("one", "提前提醒")
        verbose_name_plural = _("提前提醒")
        ordering = ["-days_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "days_before"], name="reminders_leadtime_unique"
            ),
        ]

    def __str__(self):
        return ngettext("提前 %(days)d 天", "提前 %(days)d 天", self.days_before) % {
            "days": self.days_before
        }


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")


class CalendarDay(models.Model):
    """A day that differs from the Monday-to-Friday week: a public holiday or an adjusted working day.

    Most rows come from the chinese-calendar library (`manage.py load_holidays`); a row an
    administrator added or changed is an override, which loading never touches.
    """

    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=50, help_text=_("如“春节”“国庆节调休”。"))
    source = models.CharField(_("依据"), max_length=100, blank=True)
    is_override = models.BooleanField(
        _("后台设定"),
        default=False,
        editable=False,
        help_text=_("在后台添加或修改的日期，导入节假日库时保持不变，并优先于节假日库。"),
    )

    class Meta:
        verbose_name = pgettext_lazy("one", "节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["date"], name="reminders_calendarday_date")]

    def __str__(self):
        return f"{self.date} {self.name}"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(is_open=True, due_date__isnull=False)

    def owned_by(self, person):
        """What a person answers for: their unit's items, items they lead, items assigned to them."""
        return self.filter(
            Q(responsible_unit_id=person.unit_id, owner__isnull=True)
            | Q(owner=person)
            | Q(leading_official=person)
        )


class Deadline(models.Model):
    """One dated obligation of an item some area registered (a milestone, target or hazard), kept
    in step with it by signals.

    The reminder pipeline reads only this table: `next_reminder_at` says when the item next
    needs attention, and dispatch polls `next_reminder_at <= now`.
    """

    # A registered source's key ("milestone"); its label comes from the registry.
    kind = models.CharField(_("类型"), max_length=registry.KIND_MAX_LENGTH)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    title = models.CharField(_("事项"), max_length=300)
    due_date = models.DateField(_("到期日"), null=True, blank=True)
    deadline_phrase = models.CharField(_("期限表述"), max_length=100, blank=True)
    is_open = models.BooleanField(_("未完成"), default=True)
    # No index of their own: reminders_deadline_unit_idx and _lead_idx lead with them. Every
    # index is written again for each deadline a dispatch moves on.
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    leading_official = models.ForeignKey(
        "org.Person",
        verbose_name=_("牵头领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    owner = models.ForeignKey(
        "org.Person",
        verbose_name=_("具体责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("有具体责任人（如隐患整改人）时只提醒此人，否则提醒责任单位的人员。"),
    )
    item_path = models.CharField(_("链接"), max_length=300, blank=True)
    next_reminder_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True)
    last_dispatched_at = models.DateTimeField(_("上次处理时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "到期事项")
        verbose_name_plural = _("到期事项")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="reminders_deadline_item"),
        ]
        indexes = [
            # Dispatch: next_reminder_at <= now, oldest first; rows with nothing scheduled stay out.
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(next_reminder_at__isnull=False),
                name="reminders_deadline_next_idx",
            ),
            # Digest and calendar feed: a unit's / an official's open items by due date.
            models.Index(
                fields=["responsible_unit", "is_open", "due_date"],
                name="reminders_deadline_unit_idx",
            ),
            models.Index(
                fields=["leading_official", "is_open", "due_date"],
                name="reminders_deadline_lead_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def kind_label(self) -> str:
        return registry.label(self.kind)

    @property
    def item_url(self) -> str:
        from django.conf import settings

        return f"{settings.SITE_URL}{self.item_path}" if self.item_path else settings.SITE_URL


class DeliveryKind(models.TextChoices):
    LEAD = "lead", _("提前提醒")
    DUE = "due", _("到期提醒")
    OVERDUE = "overdue", _("逾期提醒")
    ESCALATION = "escalation", _("升级督办")
    DIGEST = "digest", _("每周汇总")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("已取消")


class Message(models.Model):
    """One email to one person: the reminders a dispatch claimed for them, and its sending.

    It carries the sending state of every row it lists, so claiming an email (a conditional
    update from pending to sending, claim-then-send) and marking it sent each write one row,
    however many items the email lists. The key names the email (its Message-ID) on every
    attempt; a dispatch derives it from its run (services.message_key).
    """

    message_key = models.UUIDField(_("邮件标记"), primary_key=True, editable=False)
    recipient = models.ForeignKey(
        "org.Person", verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    email = models.CharField(_("收件地址"), max_length=254, blank=True)
    cc = models.CharField(_("抄送"), max_length=254, blank=True)
    subject = models.CharField(_("主题"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    claim_token = models.UUIDField(_("领取标记"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("one", "提醒邮件")
        verbose_name_plural = _("提醒邮件")
        ordering = ["-created_at", "-message_key"]
        indexes = [
            # Dispatch queues pending emails whose next attempt has come.
            models.Index(fields=["status", "next_attempt_at"], name="reminders_message_queue_idx"),
            # The sweep takes back emails left "sending" past the claim timeout.
            models.Index(fields=["status", "claimed_at"], name="reminders_message_sweep_idx"),
        ]

    def __str__(self):
        if self.created_at is None:
            return str(self.message_key)
        return f"{self.recipient} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class DeliveryQuerySet(models.QuerySet):
    def with_state(self):
        """`state` to filter and order by: the row's status as people see it (Delivery.state,
        in SQL). An alias, not selected: instances have the property."""
        return self.alias(
            state=Case(
                When(
                    status=DeliveryStatus.PENDING,
                    message__isnull=False,
                    then=F("message__status"),
                ),
                default=F("status"),
            )
        )

    def in_state(self, state: str):
        return self.with_state().filter(state=state)


class Delivery(models.Model):
    """One reminder to one person: the claim that it is due, in the email it goes out in.

    The unique constraint on (deadline, recipient, kind, rung_date) is the claim: a second
    dispatch of the same rung inserts nothing. The rows a dispatch claims for one person go out
    in one email (`message`), which carries their sending state; a row is written again only
    when it has an outcome of its own: skipped (its item closed or moved before sending) or
    failed with its email. So a row's status is its own unless it is pending in an email, and
    then it is its email's (`state`, and DeliveryQuerySet.with_state in SQL).
    """

    deadline = models.ForeignKey(
        Deadline,
        verbose_name=_("到期事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        # The claim's unique constraint leads with the deadline and serves its lookups.
        db_index=False,
    )
    # No index of its own: a dispatch would write an index entry for every row it claims, and
    # no query looks rows up by recipient (a digest's claim has its constraint below; deleting
    # a person, which is rare, scans for theirs).
    recipient = models.ForeignKey(
        "org.Person",
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("提醒类型"), max_length=12, choices=DeliveryKind.choices)
    rung_date = models.DateField(
        _("提醒节点日期"), help_text=_("规则上的日期（顺延前）；周报为该周星期一。")
    )
    due_date = models.DateField(_("所提醒的到期日"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # The email this reminder goes out in: every row of one person's reminders of a dispatch
    # shares it. None for a row sent again from the admin until the next dispatch groups it.
    # The statement that inserts rows inserts their emails too (services._claim_rows).
    message = models.ForeignKey(
        Message,
        verbose_name=_("邮件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    last_error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "提醒发送记录")
        verbose_name_plural = _("提醒发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "recipient", "kind", "rung_date"],
                name="reminders_delivery_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "rung_date"],
                condition=Q(deadline__isnull=True),
                name="reminders_digest_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="digest") & Q(deadline__isnull=True))
                | (~Q(kind="digest") & Q(deadline__isnull=False)),
                name="reminders_delivery_digest_has_no_deadline",
                violation_error_message=_("只有每周汇总不关联到期事项。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def state(self) -> str:
        """The row's own status, unless it is pending in an email: then the email's."""
        if self.status == DeliveryStatus.PENDING and self.message_id is not None:
            return self.message.status
        return self.status

    def get_state_display(self) -> str:
        return DeliveryStatus(self.state).label


class Preference(models.Model):
    """What reminders a person wants, and the secret of their calendar feed."""

    person = models.OneToOneField(
        "org.Person",
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    lead = models.BooleanField(_("到期前提醒"), default=True)
    overdue = models.BooleanField(_("逾期提醒"), default=True)
    digest = models.BooleanField(_("每周汇总"), default=True)
    calendar_token = models.CharField(_("日历订阅密钥"), max_length=64, editable=False)

    class Meta:
        verbose_name = pgettext_lazy("one", "提醒偏好")
        verbose_name_plural = _("提醒偏好")
        constraints = [
            models.UniqueConstraint(fields=["calendar_token"], name="reminders_pref_token_unique"),
        ]

    def __str__(self):
        return str(self.person)

    def save(self, *args, **kwargs):
        if not self.calendar_token:
            self.calendar_token = new_calendar_token()
        super().save(*args, **kwargs)

    def wants(self, kind: str) -> bool:
        return wants(self, kind)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


def site_host() -> str:
    """The host of SITE_URL: the domain of reminder Message-IDs and calendar UIDs."""
    from django.conf import settings

    return urlsplit(settings.SITE_URL).hostname or "zonetracker"


def wants(preference: "Preference | None", kind: str) -> bool:
    """Escalations cannot be turned off; everything else follows the person's choice."""
    if kind == DeliveryKind.ESCALATION or preference is None:
        return True
    if kind in (DeliveryKind.LEAD, DeliveryKind.DUE):
        return preference.lead
    if kind == DeliveryKind.OVERDUE:
        return preference.overdue
    return preference.digest


class Job(models.Model):
    """A recurring job whose next run lives in the database (the weekly digest), or a job only one
    worker may run at a time (a dispatch, which holds the lease while its batches run)."""

    name = models.CharField(_("名称"), max_length=30)
    next_run_at = models.DateTimeField(_("下次运行时间"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("上次运行时间"), null=True, blank=True)
    lease_token = models.UUIDField(_("运行标记"), null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("占用至"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("one", "定时任务")
        verbose_name_plural = _("定时任务")
        constraints = [models.UniqueConstraint(fields=["name"], name="reminders_job_name_unique")]

    def __str__(self):
        return self.name
