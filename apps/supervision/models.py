"""Supervision orders (督办单): a leader's instruction on a project, a target or a hazard, answered
by the responsible unit with evidence, then accepted or returned by a leader. Every step is kept."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.media import StoredPhotoField
from apps.core.models import SourcedModel, SubmittedOnceModel, VersionedModel
from apps.core.rules import holds

# The item an order is on: the model's label and the order's foreign key to it.
ITEM_FIELDS = {
    "projects.Project": "project",
    "goals.Target": "target",
    "safety.Hazard": "hazard",
}


class OrderState(models.TextChoices):
    ISSUED = "issued", _("待答复")
    ANSWERED = "answered", _("已答复")
    ACCEPTED = "accepted", _("已办结")
    RETURNED = "returned", _("已退回")


class OrderRules:
    """The order's states, each written once and used by lists, counts, my work and reminders.

    - open: not yet accepted;
    - awaiting answer: issued or returned, the unit's turn (the response deadline still counts);
    - awaiting review: answered, a leader's turn to accept or return it;
    - overdue: awaiting an answer after its response deadline (an order due today is not overdue).
    """

    OPEN = ~Q(state=OrderState.ACCEPTED)
    AWAITING_ANSWER = Q(state__in=[OrderState.ISSUED, OrderState.RETURNED])
    AWAITING_REVIEW = Q(state=OrderState.ANSWERED)

    @classmethod
    def overdue(cls, today: date) -> Q:
        return cls.AWAITING_ANSWER & Q(response_deadline__lt=today)


class SupervisionOrderQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("project", "target", "hazard", "unit", "issued_by__person")

    def open(self):
        return self.filter(OrderRules.OPEN)

    def awaiting_answer(self):
        return self.filter(OrderRules.AWAITING_ANSWER)

    def awaiting_review(self):
        return self.filter(OrderRules.AWAITING_REVIEW)

    def overdue(self, today: date):
        return self.filter(OrderRules.overdue(today))

    def for_unit(self, unit):
        """The orders a unit answers for."""
        return self.filter(unit=unit)

    def on_item(self, item):
        """The orders on one project, target or hazard."""
        return self.filter(**{ITEM_FIELDS[item._meta.label]: item})


class SupervisionOrder(SourcedModel, VersionedModel, SubmittedOnceModel):
    """A supervision order (督办单): issued -> answered -> accepted, or answered -> returned -> answered."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=pgettext_lazy("one", "重点项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervision_orders",
    )
    target = models.ForeignKey(
        "goals.Target",
        verbose_name=_("指标任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervision_orders",
    )
    hazard = models.ForeignKey(
        "safety.Hazard",
        verbose_name=_("安全隐患"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervision_orders",
    )
    instruction = models.TextField(_("督办事项"))
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办领导"),
        on_delete=models.PROTECT,
        related_name="issued_orders",
    )
    issued_at = models.DateTimeField(_("下达时间"), default=timezone.now)
    response_deadline = models.DateField(_("答复期限"))
    state = models.CharField(
        _("状态"), max_length=10, choices=OrderState.choices, default=OrderState.ISSUED
    )
    history = HistoricalRecords()
    objects = SupervisionOrderQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(project__isnull=False, target__isnull=True, hazard__isnull=True)
                    | Q(project__isnull=True, target__isnull=False, hazard__isnull=True)
                    | Q(project__isnull=True, target__isnull=True, hazard__isnull=False)
                ),
                name="supervision_order_one_item",
                violation_error_message=_(
                    "督办单须针对一个项目、一项指标任务或一条隐患，且只能针对一个。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(state__in=OrderState.values),
                name="supervision_order_state_valid",
                violation_error_message=_("督办单状态无效。"),
            ),
            # A resubmitted issue form finds the order it made (NULLs may repeat).
            models.UniqueConstraint(
                fields=["submission_key"], name="supervision_order_submission_key_unique"
            ),
        ]
        indexes = [
            # Overdue and awaiting-answer orders, zone-wide (my work, the list's filters).
            models.Index(fields=["state", "response_deadline"], name="supervision_state_dl_idx"),
            # A unit's orders (my work, the list filtered by unit).
            models.Index(fields=["unit", "state"], name="supervision_unit_state_idx"),
            # The list, newest first.
            models.Index(fields=["-issued_at", "-id"], name="supervision_issued_idx"),
        ]

    def __str__(self):
        if not self.item_id:
            return self.instruction[:40]
        return gettext("%(item)s：%(instruction)s") % {
            "item": self.item,
            "instruction": Truncator(self.instruction).chars(30),
        }

    def get_absolute_url(self):
        return reverse("supervision:order_detail", args=[self.pk])

    @property
    def item_field(self) -> str | None:
        for name in ITEM_FIELDS.values():
            if getattr(self, f"{name}_id") is not None:
                return name
        return None

    @property
    def item_id(self) -> int | None:
        name = self.item_field
        return getattr(self, f"{name}_id") if name else None

    @property
    def item(self):
        name = self.item_field
        return getattr(self, name) if name else None

    @property
    def item_kind_label(self) -> str:
        name = self.item_field
        return str(self._meta.get_field(name).verbose_name) if name else ""

    @property
    def is_open(self) -> bool:
        return holds(OrderRules.OPEN, self)

    @property
    def awaiting_answer(self) -> bool:
        return holds(OrderRules.AWAITING_ANSWER, self)

    @property
    def awaiting_review(self) -> bool:
        return holds(OrderRules.AWAITING_REVIEW, self)

    def is_overdue(self, today: date) -> bool:
        return holds(OrderRules.overdue(today), self)


class StepKind(models.TextChoices):
    ISSUED = "issued", _("下达")
    ANSWERED = "answered", _("答复")
    ACCEPTED = "accepted", _("验收办结")
    RETURNED = "returned", _("退回")


class OrderStep(SubmittedOnceModel):
    """One step of an order, with who took it and when; an answer carries its evidence."""

    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name=pgettext_lazy("one", "督办单"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    kind = models.CharField(_("环节"), max_length=10, choices=StepKind.choices)
    text = models.TextField(_("内容"), blank=True)
    evidence = StoredPhotoField(_("佐证照片"), upload_to="orders/%Y/%m/", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        related_name="order_steps",
    )
    at = models.DateTimeField(_("办理时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("one", "督办环节")
        verbose_name_plural = _("督办环节")
        ordering = ["at", "id"]
        constraints = [
            # A step form sent twice records one step.
            models.UniqueConstraint(
                fields=["submission_key"], name="supervision_step_submission_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StepKind.values),
                name="supervision_step_kind_valid",
                violation_error_message=_("督办环节无效。"),
            ),
        ]
        indexes = [
            # An order's steps in order (the detail page).
            models.Index(fields=["order", "at", "id"], name="supervision_step_order_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
