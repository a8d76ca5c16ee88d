"""What staff do to projects: log progress, complete a milestone. Only the owning unit may.

Both lock the row they depend on, so two people at once take turns: a milestone is completed
once (the second is told by whom and on which date), and a progress form submitted twice makes
one log.
"""

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.concurrency import recorded_once
from apps.core.history import editor_name
from apps.core.models import MoneyUnit, convert_money
from apps.core.permissions import require_edit

from .models import Milestone, ProgressLog, Project


def latest_progress(project: Project) -> ProgressLog | None:
    return project.progress_logs.order_by("-date", "-id").first()


def progress_log_create(
    *,
    user,
    project: Project,
    text: str,
    percent_complete: int | None,
    investment_completed: Decimal | None = None,
    investment_unit: str = MoneyUnit.YI,
    photo: UploadedFile | None = None,
    confirm_decrease: bool = False,
    date: datetime.date | None = None,
    submission_key: uuid.UUID | None = None,
) -> ProgressLog:
    """Record today's progress on a project.

    Percent complete and investment completed are cumulative, so a figure lower than the latest
    log's is usually a typing mistake; it is refused unless `confirm_decrease` is set (a genuine
    correction, e.g. after an over-report), and the message says what the previous figure was.

    The progress form's `submission_key` is stored on the log: the same form sent again raises
    AlreadyRecorded with the first log instead of adding a second.
    """
    require_edit(user, project.responsible_unit_id)
    log = ProgressLog(
        project=project,
        date=date or timezone.localdate(),
        author=user,
        text=(text or "").strip(),
        percent_complete=percent_complete,
        investment_completed=investment_completed,
        investment_unit=investment_unit,
        submission_key=submission_key,
    )
    if photo:
        log.photo = photo
    errors = {}
    if not log.text:
        errors["text"] = _("请填写进展情况。")
    if percent_complete is not None and not 0 <= percent_complete <= 100:
        errors["percent_complete"] = _("完成百分比必须在 0 到 100 之间。")
    if investment_completed is not None and investment_completed < 0:
        errors["investment_completed"] = _("累计完成投资不能为负数。")
    with transaction.atomic():
        # One log of a project at a time: each compares with the latest log, and a resubmitted
        # form waits for the first to commit and then finds its log.
        Project.objects.select_for_update().values_list("pk").get(pk=project.pk)
        with recorded_once(ProgressLog, submission_key, author=user):
            if not confirm_decrease and not errors:
                errors.update(
                    progress_decreases(
                        project,
                        percent_complete=percent_complete,
                        investment_completed=investment_completed,
                        investment_unit=investment_unit,
                    )
                )
            if errors:
                raise ValidationError(errors)
            # The key's uniqueness is the database's to enforce (recorded_once), not a form error.
            log.full_clean(exclude=["submission_key"])
            log.save()
    return log


def progress_decreases(
    project: Project,
    *,
    percent_complete: int | None,
    investment_completed: Decimal | None,
    investment_unit: str,
) -> dict[str, ValidationError]:
    """The cumulative figures that are lower than the latest log's, each with its message."""
    previous = latest_progress(project)
    if previous is None:
        return {}
    errors = {}
    if (
        previous.percent_complete is not None
        and percent_complete is not None
        and percent_complete < previous.percent_complete
    ):
        errors["percent_complete"] = ValidationError(
            _(
                "完成百分比低于上次填报的 %(previous)s%%（%(date)s）。如确需下调，请勾选“确认下调”后再提交。"
            ),
            code="decrease",
            params={"previous": previous.percent_complete, "date": previous.date},
        )
    if (
        previous.investment_completed is not None
        and investment_completed is not None
        and convert_money(investment_completed, investment_unit)
        < convert_money(previous.investment_completed, previous.investment_unit)
    ):
        errors["investment_completed"] = ValidationError(
            _(
                "累计完成投资低于上次填报的 %(previous)s %(unit)s元（%(date)s）。如确需下调，请勾选“确认下调”后再提交。"
            ),
            code="decrease",
            params={
                "previous": f"{previous.investment_completed.normalize():f}",
                "unit": MoneyUnit(previous.investment_unit).label
                if previous.investment_unit != MoneyUnit.YUAN
                else "",
                "date": previous.date,
            },
        )
    return errors


def _completed_by(milestone: Milestone) -> str:
    """Who set the milestone's current done date, from its edit history ("" if not known)."""
    completer = None
    records = milestone.history.select_related("history_user__person").order_by(
        "-history_date", "-history_id"
    )
    for record in records[:50]:
        if record.done_date != milestone.done_date:
            break
        completer = record
    if completer is None or completer.history_user is None:
        return ""
    return editor_name(completer)


def milestone_complete(*, user, milestone: Milestone, done_date: datetime.date | None) -> Milestone:
    """Mark a milestone done on `done_date` (not before its start, not in the future).

    The row is locked first, so of two people completing it at once the second waits and is
    then told who completed it and on which date; their date is not written.
    """
    require_edit(user, milestone.project.responsible_unit_id)
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if locked.done_date is not None:
            who = _completed_by(locked)
            date = locked.done_date.isoformat()
            if who:
                raise ValidationError(
                    _("该节点已由 %(who)s 于 %(date)s 完成，本次提交未作更改。")
                    % {"who": who, "date": date}
                )
            raise ValidationError(_("该节点已于 %(date)s 完成。") % {"date": date})
        if done_date is None:
            raise ValidationError({"done_date": _("请填写实际完成日期。")})
        if locked.start_date and done_date < locked.start_date:
            raise ValidationError(
                {
                    "done_date": _("实际完成日期不能早于开始日期（%(date)s）。")
                    % {"date": locked.start_date.isoformat()}
                }
            )
        if done_date > timezone.localdate():
            raise ValidationError({"done_date": _("实际完成日期不能晚于今天。")})
        locked.done_date = done_date
        locked.version += 1
        locked.full_clean()
        locked._history_user = user
        locked.save(update_fields=["done_date", "version", "updated_at"])
    milestone.done_date, milestone.version = locked.done_date, locked.version
    milestone.updated_at = locked.updated_at
    return milestone
