"""What staff do to goals and targets: check in on a target."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.concurrency import recorded_once
from apps.core.permissions import require_edit

from .models import CheckIn, Target, TargetStatus

# A check-in with one of these statuses must say why.
STATUSES_NEEDING_COMMENT = {TargetStatus.AT_RISK, TargetStatus.OFF_TRACK}


def checkin_create(
    *,
    user,
    target: Target,
    status: str,
    value: Decimal | None = None,
    comment: str = "",
    submission_key: uuid.UUID | None = None,
) -> CheckIn:
    """Record today's check-in on a target and carry its value and status onto the target.

    Only staff of the target's responsible unit (and superusers) may check in. A value left
    empty keeps the target's current value (a check-in may report status only). The check-in
    form's `submission_key` is stored on the check-in: the same form sent again raises
    AlreadyRecorded with the first check-in. The target's version moves on, so an admin form
    opened before the check-in cannot overwrite what it carried onto the target.
    """
    require_edit(user, target.responsible_unit_id)
    comment = (comment or "").strip()
    if status in STATUSES_NEEDING_COMMENT and not comment:
        raise ValidationError({"comment": _("状态为“存在风险”或“滞后”时，请在说明中写明原因。")})
    with transaction.atomic():
        # Lock the target so two check-ins at once cannot interleave their updates, and a
        # resubmitted form waits for the first to commit and then finds its check-in.
        locked = Target.objects.select_for_update().get(pk=target.pk)
        with recorded_once(CheckIn, submission_key, author=user):
            checkin = CheckIn(
                target=locked,
                date=timezone.localdate(),
                value=value,
                status=status,
                comment=comment,
                author=user,
                submission_key=submission_key,
            )
            checkin.full_clean(exclude=["submission_key"])
            checkin._history_user = user
            checkin.save()

            if value is not None:
                locked.current_value = value
            locked.status = status
            locked.version += 1
            locked.full_clean()
            locked._history_user = user
            locked.save(update_fields=["current_value", "status", "version", "updated_at"])
    target.current_value, target.status = locked.current_value, locked.status
    target.version = locked.version
    return checkin
