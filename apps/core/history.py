"""Edit history for detail pages: who changed what and when, read from django-simple-history.

Every detail page builds its history with `history_entries` and shows it with the template
includes/history.html. Each history queryset is read once; consecutive versions of the same row
are compared in memory, so a page shows its history in a fixed number of queries. A foreign key's
change names the row when the history query select_related it, and is given as its id otherwise
(naming it would cost a query per change).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import ForeignKey
from django.utils.text import Truncator
from django.utils.translation import gettext as _

# Bookkeeping a reader does not need: timestamps, the demo flag, the edit counter and the form key.
IGNORED_FIELDS = {"created_at", "updated_at", "is_demo", "version", "submission_key"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    kind: str
    label: str
    action: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""  # the record's change reason, e.g. why a rectification was rejected


def _person_name(user) -> str:
    # Callers select_related("...__person"), so this costs no query.
    person = getattr(user, "person", None)
    return (person.name if person else "") or user.get_full_name() or user.get_username()


def _related_name(record, model_field) -> str | None:
    """The name of the row a historical foreign key points to, if the query selected it."""
    historical_field = record._meta.get_field(model_field.name)
    if not historical_field.is_cached(record):
        return None
    related = historical_field.get_cached_value(record)
    if related is None:  # the row is gone
        return None
    if isinstance(related, AbstractBaseUser):
        return _person_name(related)
    return str(related)


def _display(record, model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(model_field, ForeignKey):
        return _related_name(record, model_field) or f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "name"):  # a file
        return value.name or "—"
    return Truncator(str(value)).chars(60)


def recorded_fields(model) -> list:
    """The model's fields that its history records: a field the model leaves out of its
    history (HistoricalRecords(excluded_fields=...)) has no column on the historical record."""
    recorded = {f.attname for f in model.history.model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.attname in recorded]


def _changes(new, old) -> list[Change]:
    changes = []
    for model_field in recorded_fields(new.instance_type):
        if model_field.name in IGNORED_FIELDS or model_field.primary_key:
            continue
        before = getattr(old, model_field.attname)
        after = getattr(new, model_field.attname)
        if before != after:
            changes.append(
                Change(
                    str(model_field.verbose_name),
                    _display(old, model_field, before),
                    _display(new, model_field, after),
                )
            )
    return changes


def editor_name(record) -> str:
    """Who saved a historical record: their person's name, or 系统 when no one signed in did."""
    user = record.history_user
    return _("系统") if user is None else _person_name(user)


def history_entries(
    sources: Iterable[tuple[str, Iterable, Callable]], limit: int = 50
) -> list[HistoryEntry]:
    """The entries of a detail page's edit history, newest first, at most `limit`.

    sources: (kind label, historical records newest first, record -> label) for each kind of row
    the page shows, e.g. a project, its milestones and its progress logs. Select the records'
    history_user__person, and the foreign keys whose changes should be named, with them.
    """
    actions = {"+": _("新建"), "~": _("修改"), "-": _("删除")}
    entries = []
    for kind, records, label_of in sources:
        records = list(records)
        # Records come newest first; the next older record of the same row is its predecessor.
        older = {}
        for record in reversed(records):
            previous = older.get(record.id)
            changes = []
            if record.history_type == "~" and previous is not None:
                changes = _changes(record, previous)
            older[record.id] = record
            reason = record.history_change_reason or ""
            if record.history_type == "~" and previous is not None and not changes and not reason:
                continue  # a save that changed nothing worth showing
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=editor_name(record),
                    kind=kind,
                    label=label_of(record),
                    action=actions.get(record.history_type, record.history_type),
                    changes=changes,
                    reason=reason,
                )
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


@dataclass
class LaterChange:
    """A field saved after a given version of a row: its new value and who saved it last."""

    name: str
    label: str
    new: str
    who: str
    when: datetime.datetime


@dataclass
class ChangesSince:
    fields: list[LaterChange]
    editors: list[tuple[str, datetime.datetime]]  # who saved, and when they last did, oldest first


def changes_since(instance, version: int) -> ChangesSince:
    """What was saved on the instance's row after `version` (a VersionedModel's counter).

    The state at `version` is the newest historical record at or below it; each later record is
    compared with the one before it, so a field changed twice names whoever changed it last.
    When history holds no record of `version` (a row loaded from fixtures, which keep no
    history), the fields cannot be told and only the editors are given.
    """
    history = instance.history
    foreign_keys = [f.name for f in instance._meta.concrete_fields if isinstance(f, ForeignKey)]
    later = list(
        history.filter(version__gt=version)
        .select_related("history_user__person", *foreign_keys)
        .order_by("history_date", "history_id")
    )
    previous = (
        history.filter(version__lte=version)
        .select_related(*foreign_keys)
        .order_by("-history_date", "-history_id")
        .first()
    )
    fields = [
        f
        for f in recorded_fields(type(instance))
        if f.name not in IGNORED_FIELDS and not f.primary_key and not f.generated
    ]
    changed: dict[str, LaterChange] = {}
    editors: dict[str, datetime.datetime] = {}
    for record in later:
        who = editor_name(record)
        editors.pop(who, None)
        editors[who] = record.history_date
        if previous is not None:
            for model_field in fields:
                after = getattr(record, model_field.attname)
                if getattr(previous, model_field.attname) != after:
                    changed.pop(model_field.name, None)
                    changed[model_field.name] = LaterChange(
                        model_field.name,
                        str(model_field.verbose_name),
                        _display(record, model_field, after),
                        who,
                        record.history_date,
                    )
        previous = record
    return ChangesSince(list(changed.values()), list(editors.items()))
