"""Cursor pagination on (updated_at, id): a page never repeats or skips a row while rows are
added, and a client that keeps the last cursor later reads only what changed since. Rows with no
`updated_at` are paged on their id alone."""

import base64
import binascii
import datetime
import json

from django.db.models import Q, QuerySet


class BadCursor(ValueError):
    pass


def encode(updated_at: datetime.datetime, pk: int) -> str:
    raw = json.dumps([updated_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        moment, pk = _raw(cursor)
        moment = datetime.datetime.fromisoformat(moment)
    except (ValueError, TypeError):
        raise BadCursor(cursor) from None
    if (
        not isinstance(pk, int)
        or isinstance(pk, bool)
        or not 0 < pk < 2**63
        or moment.tzinfo is None
        or not 1900 <= moment.year <= 9000
    ):
        raise BadCursor(cursor)
    # In UTC: PostgreSQL refuses offsets past 15:59, which a hand-made cursor could carry.
    return moment.astimezone(datetime.UTC), pk


def _raw(cursor: str):
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor(cursor) from None


def encode_pk(pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([pk]).encode()).decode().rstrip("=")


def decode_pk(cursor: str) -> int:
    raw = _raw(cursor)
    if not isinstance(raw, list) or len(raw) != 1:
        raise BadCursor(cursor)
    pk = raw[0]
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
        raise BadCursor(cursor)
    return pk


def page_by_pk(queryset: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """The same on the id alone, for rows that keep no `updated_at` (rounds, their submissions
    and lights): a walk sees every row once, in the order they were made."""
    queryset = queryset.order_by("pk")
    if cursor:
        queryset = queryset.filter(pk__gt=decode_pk(cursor))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_pk(rows[-1].pk)


def page(queryset: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """The rows after `cursor` (at most `limit`) and the cursor of the page after, or None."""
    queryset = queryset.order_by("updated_at", "pk")
    if cursor:
        moment, pk = decode(cursor)
        queryset = queryset.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode(rows[-1].updated_at, rows[-1].pk)
