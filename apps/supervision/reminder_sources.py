"""Orders awaiting an answer as deadlines for the reminders: the unit is chased until it answers,
and an unanswered order escalates to the leader who issued it, copied to the unit's head."""

from django.utils.translation import pgettext_lazy

from apps.reminders.registry import Snapshot, Source


def _person_id_of_user(user) -> int | None:
    person = getattr(user, "person", None) if user is not None else None
    return person.pk if person is not None else None


def order_snapshot(order) -> Snapshot:
    # Once answered, the response deadline has been met; a returned order is the unit's again.
    return Snapshot(
        title=f"{order.item}：{order.instruction[:80]}",
        due_date=order.response_deadline,
        deadline_phrase="",
        is_open=order.awaiting_answer,
        responsible_unit_id=order.unit_id,
        leading_official_id=_person_id_of_user(order.issued_by),
        owner_id=None,
    )


ORDERS = Source(
    kind="order",
    label=pgettext_lazy("one", "督办单"),
    model_label="supervision.SupervisionOrder",
    snapshot=order_snapshot,
    related=("issued_by__person", "project", "target", "hazard"),
)
