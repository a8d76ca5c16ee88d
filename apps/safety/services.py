"""What staff do in the safety area: record inspections and drive hazards to closure.

The hazard workflow is found -> rectifying -> rectified -> closed, with rectified -> rectifying
when the verifier rejects the rectification:

- ``hazard_start_rectification`` (found -> rectifying): staff of the hazard's responsible unit
  (or a superuser) state the measures; they become the rectifier (整改人).
- ``hazard_mark_rectified`` (rectifying -> rectified): staff of the responsible unit give the
  completion date (not before the hazard was found, not in the future) and an after photo,
  required unless one is already attached from an earlier round. Whoever marks it rectified
  becomes the rectifier: that is the person who vouches for the work.
- ``hazard_verify_close`` (rectified -> closed) and ``hazard_reject`` (rectified -> rectifying,
  with a reason kept in the edit history): by a verifier who is NOT the rectifier. A verifier is
  staff of the responsible unit, a zone leader (区领导, who supervise every unit's safety work) or a
  superuser. The database refuses verifier == rectifier too (CheckConstraint); the service says
  so first, in words.

Every step checks the current status under a row lock, so a step that no longer applies (a
second click, two people at once) gets a clear message instead of a corrupted record; every step
moves the hazard's version on, so an admin form opened before it cannot overwrite it. An
inspection form submitted twice records one inspection (its `submission_key`).
"""

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.concurrency import recorded_once
from apps.core.permissions import can_edit_unit, is_zone_leader, require_edit, unit_of

from .models import Hazard, HazardStatus, Inspection

REJECT_REASON_MAX = 100  # simple_history keeps change reasons in 100 characters


def can_verify(user, hazard: Hazard) -> bool:
    """May the user verify (close or reject) this hazard's rectification, role-wise?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return can_edit_unit(user, hazard.responsible_unit_id) or is_zone_leader(user)


def inspection_create(
    *,
    user,
    site,
    date: date,
    title: str,
    team=None,
    campaign=None,
    notes: str = "",
    responsible_unit=None,
    hazards: list[dict] | None = None,
    submission_key: uuid.UUID | None = None,
) -> Inspection:
    """Record an inspection and the hazards it found, all or nothing.

    Staff record inspections for their own unit (`responsible_unit` is ignored for them);
    superusers must choose the unit. Each hazard dict holds description, grade, location,
    enterprise, rectification_deadline and photo_before; it is found on the inspection's date
    at its site and owned by its unit. A hazard's errors come back under the key
    ``hazards-<index>`` so the form can show them on the right row. The inspection form's
    `submission_key` is stored on the inspection: the same form sent again raises
    AlreadyRecorded with the first inspection instead of recording it twice.
    """
    if user.is_superuser:
        if responsible_unit is None:
            raise ValidationError({"responsible_unit": _("请选择责任单位。")})
        unit = responsible_unit
    else:
        unit = unit_of(user)
        if unit is None:
            raise PermissionDenied
    require_edit(user, unit.pk)
    with recorded_once(Inspection, submission_key, inspector=user):
        errors = {}
        if date > timezone.localdate():
            errors["date"] = _("检查日期不能晚于今天。")
        if team is not None and team.site_id != site.pk:
            errors["team"] = _("该检查队伍不属于所选监管区域。")
        if errors:
            raise ValidationError(errors)

        with transaction.atomic():
            inspection = Inspection(
                site=site,
                team=team,
                campaign=campaign,
                responsible_unit=unit,
                date=date,
                title=title.strip(),
                inspector=user,
                notes=notes.strip(),
                submission_key=submission_key,
            )
            # The key's uniqueness is the database's to enforce (recorded_once), not a form error.
            inspection.full_clean(exclude=["submission_key"])
            inspection._history_user = user
            inspection.save()

            hazard_errors = {}
            for index, data in enumerate(hazards or []):
                hazard = Hazard(
                    inspection=inspection,
                    site=site,
                    found_date=date,
                    responsible_unit=unit,
                    status=HazardStatus.FOUND,
                    description=data["description"].strip(),
                    grade=data["grade"],
                    location=(data.get("location") or "").strip(),
                    enterprise=data.get("enterprise"),
                    rectification_deadline=data.get("rectification_deadline"),
                )
                if data.get("photo_before"):
                    hazard.photo_before = data["photo_before"]
                try:
                    hazard.full_clean()
                except ValidationError as error:
                    hazard_errors[f"hazards-{index}"] = error.messages
                    continue
                hazard._history_user = user
                hazard.save()
            if hazard_errors:
                # Leaving the block with an error undoes the inspection and the hazards saved so far.
                raise ValidationError(hazard_errors)
        return inspection


def _locked(hazard: Hazard) -> Hazard:
    return Hazard.objects.select_for_update().get(pk=hazard.pk)


def _require_status(hazard: Hazard, expected: str, action: str) -> None:
    if hazard.status != expected:
        raise ValidationError(
            _("该隐患当前状态为“%(status)s”，不能%(action)s。")
            % {"status": hazard.get_status_display(), "action": action}
        )


def _check_day(value: date, earliest: date, *, field: str, too_early: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})
    if value < earliest:
        raise ValidationError({field: too_early})


def _save(hazard: Hazard, user, fields: list[str], reason: str = "") -> None:
    """Save a workflow step on the locked hazard, moving its version on."""
    hazard.version += 1
    hazard.full_clean()
    hazard._history_user = user
    if reason:
        hazard._change_reason = reason
    hazard.save(update_fields=[*fields, "version", "updated_at"])


def _refresh(target: Hazard, source: Hazard) -> Hazard:
    """Copy the saved state back onto the caller's instance."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def hazard_start_rectification(*, user, hazard: Hazard, measures: str) -> Hazard:
    """found -> rectifying: the user takes the hazard on with the measures they will take."""
    require_edit(user, hazard.responsible_unit_id)
    measures = (measures or "").strip()
    if not measures:
        raise ValidationError({"measures": _("请填写整改措施。")})
    with transaction.atomic():
        locked = _locked(hazard)
        _require_status(locked, HazardStatus.FOUND, _("开始整改"))
        locked.status = HazardStatus.RECTIFYING
        locked.rectifier = user
        locked.rectification_measures = measures
        _save(locked, user, ["status", "rectifier", "rectification_measures"])
    return _refresh(hazard, locked)


def hazard_mark_rectified(
    *,
    user,
    hazard: Hazard,
    rectified_on: date,
    photo_after=None,
    measures: str = "",
) -> Hazard:
    """rectifying -> rectified: the work is done on `rectified_on`, shown by an after photo."""
    require_edit(user, hazard.responsible_unit_id)
    with transaction.atomic():
        locked = _locked(hazard)
        _require_status(locked, HazardStatus.RECTIFYING, _("标记为已整改"))
        _check_day(
            rectified_on,
            locked.found_date,
            field="rectified_on",
            too_early=_("整改完成日期不能早于发现日期（%(found)s）。")
            % {"found": locked.found_date.isoformat()},
        )
        if not photo_after and not locked.photo_after:
            raise ValidationError({"photo_after": _("请上传整改后照片。")})
        fields = ["status", "rectifier", "rectified_on"]
        locked.status = HazardStatus.RECTIFIED
        locked.rectifier = user
        locked.rectified_on = rectified_on
        if photo_after:
            locked.photo_after = photo_after
            fields.append("photo_after")
        if (measures or "").strip():
            locked.rectification_measures = measures.strip()
            fields.append("rectification_measures")
        _save(locked, user, fields)
    return _refresh(hazard, locked)


def _require_verifier(user, hazard: Hazard) -> None:
    if not can_verify(user, hazard):
        raise PermissionDenied
    if hazard.rectifier_id is not None and hazard.rectifier_id == user.pk:
        raise ValidationError(_("验收人不能是整改人本人：请由整改人以外的人员验收。"))


def hazard_verify_close(*, user, hazard: Hazard, closed_on: date | None = None) -> Hazard:
    """rectified -> closed: someone other than the rectifier checks the work and closes it."""
    if not can_verify(user, hazard):
        raise PermissionDenied
    closed_on = closed_on or timezone.localdate()
    with transaction.atomic():
        locked = _locked(hazard)
        _require_status(locked, HazardStatus.RECTIFIED, _("验收销号"))
        _require_verifier(user, locked)
        _check_day(
            closed_on,
            locked.rectified_on,
            field="closed_on",
            too_early=_("验收销号日期不能早于整改完成日期（%(done)s）。")
            % {"done": locked.rectified_on.isoformat()},
        )
        locked.status = HazardStatus.CLOSED
        locked.verifier = user
        locked.closed_on = closed_on
        _save(locked, user, ["status", "verifier", "closed_on"])
    return _refresh(hazard, locked)


def hazard_reject(*, user, hazard: Hazard, reason: str) -> Hazard:
    """rectified -> rectifying: the verifier sends the hazard back, saying why."""
    if not can_verify(user, hazard):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    if len(reason) > REJECT_REASON_MAX:
        raise ValidationError(
            {"reason": _("退回原因不能超过 %(max)d 个字。") % {"max": REJECT_REASON_MAX}}
        )
    with transaction.atomic():
        locked = _locked(hazard)
        _require_status(locked, HazardStatus.RECTIFIED, _("退回整改"))
        _require_verifier(user, locked)
        locked.status = HazardStatus.RECTIFYING
        locked.rectified_on = None
        _save(locked, user, ["status", "rectified_on"], reason=reason)
    return _refresh(hazard, locked)
