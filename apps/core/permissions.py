"""Who may change what: staff change what their unit owns; everyone signed in reads everything.

Views and services call these helpers and filter their querysets with `editable_by`, so that a
write to another unit's record finds nothing (404) rather than relying on hidden buttons.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet


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
