"""Due and missing submissions as deadlines of the reminders: one more source, not a pipeline."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from apps.reminders.registry import Dependent, Snapshot, Source


def submission_snapshot(submission) -> Snapshot:
    item = submission.item
    round_ = submission.round
    return Snapshot(
        title=_("%(period)s 填报：%(item)s") % {"period": round_.period, "item": item},
        due_date=timezone.localdate(round_.deadline),
        deadline_phrase="",
        # Owed while the round is open and the report is not in (or was sent back).
        is_open=round_.is_open and submission.is_due,
        responsible_unit_id=submission.responsible_unit_id,
        leading_official_id=item.leading_official_id if item is not None else None,
        owner_id=None,
    )


def round_submissions(round_):
    return round_.submissions.select_related("project", "target")


SUBMISSIONS = Source(
    kind="submission",
    label=pgettext_lazy("one", "填报"),
    model_label="cycle.Submission",
    snapshot=submission_snapshot,
    related=("round", "project", "target"),
    dependents=(Dependent("cycle.ReportingRound", round_submissions),),
)
