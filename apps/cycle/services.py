"""Opening and closing rounds, submitting and returning reports: every change of state is here.

Each function locks the rows it changes (select_for_update inside a transaction), so a double
click or two people at once do the work once; a form shown at an older version is refused.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.permissions import can_edit_unit, is_office
from apps.goals.models import Target
from apps.goals.status import target_light, with_light_inputs
from apps.projects.models import Project
from apps.projects.status import annotate_light, light_of
from apps.reminders.services import deadlines_sync_many

from .models import (
    CycleSetting,
    ReportingRound,
    RoundLight,
    RoundState,
    Submission,
    SubmissionState,
    SubmissionVersion,
)
from .reminder_sources import SUBMISSIONS


def require_office(user) -> None:
    if not is_office(user):
        raise PermissionDenied(_("只有调度办公室可以进行此操作。"))


def open_projects():
    return Project.objects.open()


def open_targets():
    return Target.objects.open()


@dataclass(frozen=True)
class Opened:
    round: ReportingRound
    created: bool


def round_open(*, user, now: datetime.datetime | None = None) -> Opened:
    """Open the round of the current period with a pending submission for every open item.

    Once: if a round is already open (or this period's round exists), nothing is created.
    """
    require_office(user)
    now = now or timezone.now()
    setting = CycleSetting.current()
    period, deadline = setting.period_for(now)
    with transaction.atomic():
        existing = (
            ReportingRound.objects.select_for_update().filter(state=RoundState.OPEN).first()
            or ReportingRound.objects.select_for_update().filter(period=period).first()
        )
        if existing is not None:
            return Opened(existing, False)
        if deadline <= now:
            raise ValidationError(
                _("本期（%(period)s）截止时间 %(deadline)s 已过，无法开启。")
                % {
                    "period": period,
                    "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
                }
            )
        try:
            with transaction.atomic():
                round_ = ReportingRound.objects.create(
                    period=period,
                    kind=setting.cadence,
                    opens_at=now,
                    deadline=deadline,
                    opened_by=user,
                )
        except IntegrityError:
            # Another office clerk opened it at the same moment: theirs is the round.
            return Opened(
                ReportingRound.objects.filter(Q(state=RoundState.OPEN) | Q(period=period)).get(),
                False,
            )
        rows = [
            Submission(
                round=round_, project=project, responsible_unit_id=project.responsible_unit_id
            )
            for project in open_projects().only("pk", "responsible_unit_id")
        ] + [
            Submission(round=round_, target=target, responsible_unit_id=target.responsible_unit_id)
            for target in open_targets().only("pk", "responsible_unit_id")
        ]
        Submission.objects.bulk_create(rows, batch_size=500)
        created = Submission.objects.filter(round=round_).select_related(*SUBMISSIONS.related)
        deadlines_sync_many(source=SUBMISSIONS, instances=created)
    return Opened(round_, True)


def _stale(submission: Submission, version: int) -> bool:
    return version != submission.version


STALE_MESSAGE = gettext_lazy(
    "未保存：您打开本页后，这份填报已被他人修改或处理。请刷新页面，核对后重新提交。"
)


def submission_submit(
    *,
    user,
    submission: Submission,
    version: int,
    progress: str,
    investment_completed,
    problems: str,
    help_requested: str,
    now: datetime.datetime | None = None,
) -> Submission:
    """Send (or resend) a unit's report, keeping the version sent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("round")
            .get(pk=submission.pk)
        )
        if not can_edit_unit(user, locked.responsible_unit_id):
            raise PermissionDenied(_("只有责任单位的人员可以填报。"))
        if not locked.round.is_open:
            raise ValidationError(_("本轮填报已结束，不能再提交。"))
        if _stale(locked, version):
            raise ValidationError(str(STALE_MESSAGE))
        if locked.state not in (SubmissionState.PENDING, SubmissionState.RETURNED):
            raise ValidationError(
                _("这份填报已提交，等待调度办公室审核；如需修改，请联系调度办公室退回。")
            )
        if not progress.strip():
            raise ValidationError({"progress": _("请填写进展情况。")})
        locked.progress = progress
        locked.investment_completed = investment_completed
        locked.problems = problems
        locked.help_requested = help_requested
        locked.state = SubmissionState.SUBMITTED
        locked.submitted_at = now
        locked.first_submitted_at = locked.first_submitted_at or now
        locked.submitted_by = user
        locked.version += 1
        locked.full_clean(exclude=["round", "project", "target", "responsible_unit"])
        locked.save()
        SubmissionVersion.objects.create(
            submission=locked,
            number=locked.versions.count() + 1,
            progress=progress,
            investment_completed=investment_completed,
            problems=problems,
            help_requested=help_requested,
            submitted_at=now,
            submitted_by=user,
        )
    return locked


def submission_return(*, user, submission: Submission, version: int, reason: str) -> Submission:
    """The office sends a report back to its unit with a reason; the unit resubmits."""
    require_office(user)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写退回原因。")})
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("round")
            .get(pk=submission.pk)
        )
        if not locked.round.is_open:
            raise ValidationError(_("本轮填报已结束，不能再退回。"))
        if _stale(locked, version):
            raise ValidationError(str(STALE_MESSAGE))
        if locked.state != SubmissionState.SUBMITTED:
            raise ValidationError(_("只能退回已提交的填报。"))
        locked.state = SubmissionState.RETURNED
        locked.return_reason = reason
        locked.version += 1
        locked.save()
    return locked


def submission_accept(*, user, submission: Submission, version: int) -> Submission:
    require_office(user)
    with transaction.atomic():
        locked = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        if _stale(locked, version):
            raise ValidationError(str(STALE_MESSAGE))
        if locked.state != SubmissionState.SUBMITTED:
            raise ValidationError(_("只能通过已提交的填报。"))
        locked.state = SubmissionState.ACCEPTED
        locked.version += 1
        locked.save()
    return locked


def current_lights(*, project_ids, target_ids, today: datetime.date) -> dict:
    """{("p", id) | ("t", id): (light, reason)} for the given items, two queries in all."""
    lights = {}
    for project in annotate_light(Project.objects.filter(pk__in=project_ids), today):
        status = light_of(project, today)
        lights[("p", project.pk)] = (status.light, status.reason)
    for target in with_light_inputs(Target.objects.filter(pk__in=target_ids)):
        status = target_light(target, today=today)
        lights[("t", target.pk)] = (str(status.color), status.reason)
    return lights


def round_close(*, user, round_: ReportingRound, now: datetime.datetime | None = None) -> bool:
    """Close the round and keep every item's light as it stands; False if it was closed already."""
    require_office(user)
    now = now or timezone.now()
    with transaction.atomic():
        locked = ReportingRound.objects.select_for_update().get(pk=round_.pk)
        if not locked.is_open:
            return False
        items = list(Submission.objects.filter(round=locked).values_list("project_id", "target_id"))
        # The reasons are kept in the zone's language, as the document writes them.
        with translation.override("zh-hans"):
            lights = current_lights(
                project_ids=[p for p, _t in items if p],
                target_ids=[t for _p, t in items if t],
                today=timezone.localdate(now),
            )
        RoundLight.objects.bulk_create(
            [
                RoundLight(
                    round=locked,
                    project_id=project_id,
                    target_id=target_id,
                    light=lights[("p", project_id) if project_id else ("t", target_id)][0],
                    reason=lights[("p", project_id) if project_id else ("t", target_id)][1],
                )
                for project_id, target_id in items
            ],
            batch_size=500,
        )
        locked.state = RoundState.CLOSED
        locked.closed_at = now
        locked.closed_by = user
        locked.save(update_fields=["state", "closed_at", "closed_by"])
    return True
