"""Rules written once: a Q expression that filters a queryset and also answers for one instance.

Each area writes "open", "overdue" and the like as one `Q` on its model's queryset; the model's
property asks `holds(q, instance)` of the same `Q`, so a list, a count and a single page can never
disagree. `holds` understands the lookups those rules use (exact, in, lt, lte, gt, gte, isnull on
the row's own fields or, through a foreign key, a related row's (`round__deadline`), against a
value or an F() of such a field) and evaluates them as Django's SQL does: a comparison with NULL
is not true, and a negated one is.
"""

import operator
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# How far ahead "due soon" looks: the milestone list's filter, the dashboard and "my work".
DUE_SOON_DAYS = 30


class Light(models.TextChoices):
    """The status light of a project or a target, computed from its schedule, never typed."""

    GREEN = "green", _("正常")
    YELLOW = "yellow", _("预警")
    RED = "red", _("滞后")
    GREY = "grey", _("无法判断")


_COMPARE = {
    "exact": operator.eq,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
_LOOKUPS = {*_COMPARE, "in", "isnull"}


def _value(instance: models.Model, parts: list[str]) -> tuple[Any, list[str]]:
    """The value a path of field names (["round", "deadline", "lt"]) reaches, following foreign
    keys, and the parts left (the lookup); None where a foreign key is empty, as a join gives."""
    field = instance._meta.get_field(parts[0])
    rest = parts[1:]
    if field.many_to_one and rest and rest[0] not in _LOOKUPS:
        related = getattr(instance, field.name)
        if related is None:
            return None, [part for part in rest if part in _LOOKUPS]
        return _value(related, rest)
    return getattr(instance, field.attname), rest


def _lookup_holds(instance: models.Model, lookup: str, wanted: Any) -> bool:
    value, rest = _value(instance, lookup.split("__"))
    op = "__".join(rest) or "exact"
    if isinstance(wanted, F):
        wanted, _rest = _value(instance, wanted.name.split("__"))
    if op == "isnull":
        return (value is None) == bool(wanted)
    if value is None or (op != "in" and wanted is None):
        return False
    if op == "in":
        return value in wanted
    if op not in _COMPARE:
        raise ValueError(f"holds() does not know the lookup {lookup!r}")
    return _COMPARE[op](value, wanted)


def holds(q: Q, instance: models.Model) -> bool:
    """Does `instance` satisfy `q`, as `Model.objects.filter(q)` would say? (No query is run.)"""
    results = (
        holds(child, instance) if isinstance(child, Q) else _lookup_holds(instance, *child)
        for child in q.children
    )
    result = all(results) if q.connector == Q.AND else any(results)
    return not result if q.negated else result
