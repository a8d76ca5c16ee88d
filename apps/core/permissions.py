"""Who may change what: staff change what their unit owns; everyone signed in reads everything.

Views and services call these helpers rather than relying on hidden buttons: `get_for_edit`
answers a change to another unit's record with a 403 that names the unit, and `editable_by`
filters querysets to what the user may change.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404


def unit_of(user):
    """The unit the user works for, or None (not linked to a person)."""
    if not getattr(user, "is_authenticated", False):
        return None
    person = getattr(user, "person", None)
    return person.unit if person is not None else None


def unit_id_of(user) -> int | None:
    unit = unit_of(user)
    return unit.pk if unit is not None else None


def is_zone_leader(user) -> bool:
    """Zone leaders read everything (as does every signed-in user) and see the zone-wide view."""
    return bool(getattr(user, "is_authenticated", False) and user.is_zone_leader)


def is_office(user) -> bool:
    """The scheduling office (调度办公室) runs the reporting cycle: superusers count as the office."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.is_office)


def can_edit_unit(user, unit_id: int | None) -> bool:
    """True if the user may change records owned by the unit `unit_id`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return unit_id is not None and unit_id == unit_id_of(user)


def editable_by(queryset: QuerySet, user, unit_path: str = "responsible_unit") -> QuerySet:
    """Restrict a queryset to the rows the user may change."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    unit_id = unit_id_of(user)
    if unit_id is None:
        return queryset.none()
    return queryset.filter(**{f"{unit_path}_id": unit_id})


def require_edit(user, unit_id: int | None) -> None:
    """Raise PermissionDenied unless the user may change the unit's records (for services)."""
    if not can_edit_unit(user, unit_id):
        raise PermissionDenied


class EditRefused(PermissionDenied):
    """A change refused because the item is another unit's: the 403 page names that unit."""

    def __init__(self, unit):
        self.unit = unit
        super().__init__(f"belongs to {unit}" if unit is not None else "belongs to no unit")


def get_for_edit(queryset: QuerySet, user, *, unit_path: str = "responsible_unit", **lookup):
    """The item to change: 404 when there is none, EditRefused when the user may not change it.

    Everyone signed in reads every item, so a refusal says whose it is instead of pretending it
    does not exist.
    """
    item = get_object_or_404(queryset, **lookup)
    unit = item
    for name in unit_path.split("__"):
        unit = getattr(unit, name) if unit is not None else None
    if not can_edit_unit(user, unit.pk if unit is not None else None):
        raise EditRefused(unit)
    return item
