"""Hazard rectification deadlines for the reminders, owned by the hazard's rectifier if any."""

from django.utils.translation import gettext_lazy as _

from apps.reminders.registry import Snapshot, Source


def _person_id_of_user(user) -> int | None:
    person = getattr(user, "person", None) if user is not None else None
    return person.pk if person is not None else None


def hazard_snapshot(hazard) -> Snapshot:
    # Once rectified, the rectification deadline has been met; verification is not a deadline.
    return Snapshot(
        title=hazard.description[:100],
        due_date=hazard.rectification_deadline,
        deadline_phrase="",
        is_open=hazard.rectification_pending,
        responsible_unit_id=hazard.responsible_unit_id,
        leading_official_id=None,
        owner_id=_person_id_of_user(hazard.rectifier) if hazard.rectifier_id else None,
    )


HAZARDS = Source(
    kind="hazard",
    label=_("隐患整改"),
    model_label="safety.Hazard",
    snapshot=hazard_snapshot,
    related=("rectifier__person",),
)
