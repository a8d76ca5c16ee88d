"""Target deadlines (including those computed from phrases such as 三年成形) for the reminders."""

from django.utils.translation import pgettext_lazy

from apps.reminders.registry import Snapshot, Source


def target_snapshot(target) -> Snapshot:
    return Snapshot(
        title=target.title,
        due_date=target.deadline,
        deadline_phrase=target.deadline_phrase,
        is_open=target.is_open,
        responsible_unit_id=target.responsible_unit_id,
        leading_official_id=target.leading_official_id,
        owner_id=None,
    )


TARGETS = Source(
    kind="target",
    label=pgettext_lazy("one", "指标任务"),
    model_label="goals.Target",
    snapshot=target_snapshot,
)
