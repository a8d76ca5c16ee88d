"""What leaders and units do with supervision orders; the only way an order's state changes.

- ``order_issue``: a zone leader (区领导) issues an order on a project, target or hazard, to the
  item's responsible unit unless another is named, with a response deadline not in the past.
- ``order_answer`` (issued or returned -> answered): staff of the order's unit say what they did,
  with a photo as evidence.
- ``order_accept`` (answered -> accepted) and ``order_return`` (answered -> returned, with a
  reason): a zone leader.

Each step locks the order (select_for_update), checks the version the form was shown at, so a
page opened before someone else's step is refused with a message instead of acting on what the
user did not see, and moves the version on. Each step form carries a submission key: the same
form sent twice records one step (AlreadyRecorded), whichever of the two requests comes second.
"""

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.concurrency import AlreadyRecorded, recorded_once
from apps.core.permissions import can_edit_unit, is_zone_leader

from .models import ITEM_FIELDS, OrderState, OrderStep, StepKind, SupervisionOrder

REASON_MAX = 2000


def may_issue(user) -> bool:
    """Only zone leaders issue orders, and accept or return the answers."""
    return bool(getattr(user, "is_active", False) and is_zone_leader(user))


may_review = may_issue


def may_answer(user, order: SupervisionOrder) -> bool:
    """Staff of the order's unit answer it (a superuser may act for any unit)."""
    return can_edit_unit(user, order.unit_id)


class StaleOrder(ValidationError):
    """The order moved on since the form was shown."""


def _stale(order: SupervisionOrder) -> StaleOrder:
    last = order.steps.select_related("by__person").order_by("-at", "-id").first()
    who = _person_name(last.by) if last is not None else ""
    return StaleOrder(
        _(
            "未保存：您打开本页后，这张督办单已被%(who)s更新，当前状态为“%(state)s”。"
            "请查看最新内容后再操作。"
        )
        % {"who": who or _("他人"), "state": order.get_state_display()},
        code="stale",
    )


def _person_name(user) -> str:
    person = getattr(user, "person", None)
    return person.name if person is not None else (user.get_full_name() or user.username)


def order_issue(
    *,
    user,
    item: models.Model,
    instruction: str,
    response_deadline: date,
    unit=None,
    submission_key: uuid.UUID | None = None,
) -> SupervisionOrder:
    """Issue an order on `item` (a Project, Target or Hazard); its first step is the issue."""
    if not may_issue(user):
        raise PermissionDenied
    field = ITEM_FIELDS.get(item._meta.label)
    if field is None:
        raise ValueError(f"orders are not issued on {item._meta.label}")
    with recorded_once(SupervisionOrder, submission_key, issued_by=user):
        instruction = (instruction or "").strip()
        unit = unit or getattr(item, "responsible_unit", None)
        errors = {}
        if not instruction:
            errors["instruction"] = _("请填写督办事项。")
        if unit is None:
            errors["unit"] = _("该事项没有责任单位，请选择责任单位。")
        if response_deadline is None:
            errors["response_deadline"] = _("请填写答复期限。")
        elif response_deadline < timezone.localdate():
            errors["response_deadline"] = _("答复期限不能早于今天。")
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        with transaction.atomic():
            order = SupervisionOrder(
                instruction=instruction,
                unit=unit,
                issued_by=user,
                issued_at=now,
                response_deadline=response_deadline,
                state=OrderState.ISSUED,
                submission_key=submission_key,
                **{field: item},
            )
            order.full_clean(exclude=["submission_key"])
            order._history_user = user
            order.save()
            OrderStep.objects.create(
                order=order, kind=StepKind.ISSUED, text=instruction, by=user, at=now
            )
    return order


def _step(
    *,
    user,
    order: SupervisionOrder,
    version: int | None,
    kind: str,
    allowed_from: tuple[str, ...],
    new_state: str,
    text: str = "",
    evidence=None,
    submission_key: uuid.UUID | None,
) -> OrderStep:
    """Take one step on the locked order: check its version and state, record the step."""
    with recorded_once(OrderStep, submission_key, by=user), transaction.atomic():
        locked = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
        # The same form sent twice at once: the second request waited for the lock, and finds
        # the step the first one recorded.
        if submission_key is not None:
            existing = OrderStep.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                raise AlreadyRecorded(existing)
        if version is not None and version != locked.version:
            raise _stale(locked)
        if locked.state not in allowed_from:
            raise ValidationError(
                _("该督办单当前状态为“%(state)s”，不能执行这一步。")
                % {"state": locked.get_state_display()},
                code="state",
            )
        now = timezone.now()
        step = OrderStep(
            order=locked, kind=kind, text=text, by=user, at=now, submission_key=submission_key
        )
        if evidence:
            step.evidence = evidence
        step.full_clean(exclude=["submission_key", "order"])
        step._history_user = user
        step.save()
        locked.state = new_state
        locked.version += 1
        locked._history_user = user
        locked.save(update_fields=["state", "version", "updated_at"])
    order.state, order.version = locked.state, locked.version
    return step


def order_answer(
    *,
    user,
    order: SupervisionOrder,
    text: str,
    evidence=None,
    version: int | None = None,
    submission_key: uuid.UUID | None = None,
) -> OrderStep:
    """issued or returned -> answered: the unit says what it did, with a photo as evidence."""
    if not may_answer(user, order):
        raise PermissionDenied
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("请填写办理情况。")
    if not evidence:
        errors["evidence"] = _("请上传佐证照片。")
    if errors:
        raise ValidationError(errors)
    return _step(
        user=user,
        order=order,
        version=version,
        kind=StepKind.ANSWERED,
        allowed_from=(OrderState.ISSUED, OrderState.RETURNED),
        new_state=OrderState.ANSWERED,
        text=text,
        evidence=evidence,
        submission_key=submission_key,
    )


def order_accept(
    *,
    user,
    order: SupervisionOrder,
    comment: str = "",
    version: int | None = None,
    submission_key: uuid.UUID | None = None,
) -> OrderStep:
    """answered -> accepted: a leader accepts the answer and the order is done."""
    if not may_review(user):
        raise PermissionDenied
    return _step(
        user=user,
        order=order,
        version=version,
        kind=StepKind.ACCEPTED,
        allowed_from=(OrderState.ANSWERED,),
        new_state=OrderState.ACCEPTED,
        text=(comment or "").strip(),
        submission_key=submission_key,
    )


def order_return(
    *,
    user,
    order: SupervisionOrder,
    reason: str,
    version: int | None = None,
    submission_key: uuid.UUID | None = None,
) -> OrderStep:
    """answered -> returned: a leader sends the answer back, saying why; the unit answers again."""
    if not may_review(user):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("退回原因不能超过 %(max)d 个字。") % {"max": REASON_MAX}}
        )
    return _step(
        user=user,
        order=order,
        version=version,
        kind=StepKind.RETURNED,
        allowed_from=(OrderState.ANSWERED,),
        new_state=OrderState.RETURNED,
        text=reason,
        submission_key=submission_key,
    )
