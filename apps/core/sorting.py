"""How list columns sort: empty values last in both directions, Chinese text by pinyin.

A django-tables2 column sorts through an `order_<column>(self, queryset, is_descending)` method;
each table's method returns `sort(queryset, is_descending, <keys>)` with keys built here, so every
list orders the same way: names in pinyin order (北京 < 青岛 < 上海, not code point order), choices in
the order they are declared (a project's stages as projects move through them), NULLs and blank
text after the values, and the primary key last so pages never swap rows between them.

Pinyin order needs PostgreSQL's ICU collation `zh-x-icu` (present when PostgreSQL is built with
ICU, as Debian's and the official images are). On SQLite, or on a PostgreSQL without ICU, Chinese
text sorts by code point: still a stable order, only not the one people expect.
"""

from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import (
    Case,
    Expression,
    F,
    GeneratedField,
    IntegerField,
    OrderBy,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Collate

PINYIN_COLLATION = "zh-x-icu"
_HAS_PINYIN = "zonetracker_has_pinyin_collation"


def note_pinyin_collation(sender, connection, **kwargs) -> None:
    """Record once per connection whether PostgreSQL has the ICU collation.

    Asked when the connection opens, so a page's queries never include the question.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [PINYIN_COLLATION])
        setattr(connection, _HAS_PINYIN, cursor.fetchone() is not None)


def has_pinyin_collation(alias: str = "default") -> bool:
    connection = connections[alias]
    return connection.vendor == "postgresql" and getattr(connection, _HAS_PINYIN, False)


class Text:
    """A text sort key: pinyin order where the database can, blank text sorted with the NULLs."""

    def __init__(self, field: str):
        self.field = field


class Ranked:
    """A sort key that follows a given order of stored values (e.g. TextChoices as declared)."""

    def __init__(self, field: str, values: Iterable[str]):
        self.field = field
        self.values = [str(v) for v in values]


def _empty_last(key, alias: str) -> list[Expression]:
    """The expressions to order by for one key, before its direction is applied."""
    if isinstance(key, Text):
        text = F(key.field)
        if has_pinyin_collation(alias):
            text = Collate(text, PINYIN_COLLATION)
        # Blank text is no value: a 0/1 flag first puts it with the NULLs, after the values.
        blank = Case(
            When(Q(**{f"{key.field}__isnull": True}) | Q(**{key.field: ""}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        return [blank, text]
    if isinstance(key, Ranked):
        return [
            Case(
                *(When(**{key.field: v}, then=Value(n)) for n, v in enumerate(key.values)),
                default=Value(None),
                output_field=IntegerField(),
            )
        ]
    if isinstance(key, str):
        return [F(key)]
    return [key]


def _never_null(model, key) -> bool:
    """Whether `key` names one of the model's own columns declared NOT NULL."""
    if not isinstance(key, str) or LOOKUP_SEP in key:
        return False
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return False  # an annotation
    if isinstance(field, GeneratedField):
        return not field.output_field.null  # the output field says whether it can be NULL
    return getattr(field, "concrete", False) and not field.null


def sort(queryset: QuerySet, is_descending: bool, *keys) -> tuple[QuerySet, bool]:
    """Order `queryset` by `keys` (field names, Text, Ranked or expressions), empty values last.

    The direction reverses the values only: NULLs and blank text stay at the end either way.
    Returns what a django-tables2 `order_<column>` method returns.
    """
    ordering: list[OrderBy | str] = []
    for key in keys:
        expressions = _empty_last(key, queryset.db)
        if isinstance(key, Text):
            flag, *rest = expressions
            ordering.append(flag.asc())
            expressions = rest
        # A column that cannot be NULL needs no NULLS LAST, and leaving it out lets PostgreSQL
        # read a (column, id) index backwards for the descending sort.
        nulls_last = True if not _never_null(queryset.model, key) else None
        for expression in expressions:
            ordering.append(
                expression.desc(nulls_last=nulls_last)
                if is_descending
                else expression.asc(nulls_last=nulls_last)
            )
    ordering.append("-pk" if is_descending else "pk")
    return queryset.order_by(*ordering), True
