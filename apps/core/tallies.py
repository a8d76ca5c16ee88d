"""Tallies: counts and sums of a table, grouped, kept current as its rows are written.

A figure such as "projects per stage" or "open hazards per grade and deadline" is read from a
tally table of a few rows per group instead of from the table it counts, so reading it costs
the same at a hundred rows or a million. A `Tally` names its source model, the columns it
groups by, the per-row values it sums (expressions over the source row, so each is written
once) and optionally the rows it counts at all (a Q, such as a rule's "open").

Every write moves the tally by what it changed, in the writer's transaction:

- `save()` and `delete()` (services, the admin, fixtures, a shell): signals read the row's
  contribution before the write, with the row locked when inside a transaction, and after it;
  the difference goes to the tally rows of the old and new groups. A delete that cascades
  sends these signals for every row it deletes. The row's contribution is read at pre_delete,
  so no receiver may write a row between its pre_delete and its delete (the cascade's other
  receivers skip rows that go with the deletion's origin).
- writes that skip the signals (`QuerySet.update()`, bulk updates) run inside
  `changing(model, rows)`, and bulk inserts call `added(model, rows)`.
- a related row deleted with ON DELETE SET NULL changes its rows' group without any signal:
  the tally is rebuilt when that delete commits, as after `migrate` and a bulk load.

The tally rows are updated with `n = n + delta`, in key order (two writers never wait on each
other's rows the other way round); a missing group row is inserted, and an insert that loses
the race to another one becomes an update.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Q, Sum, Value, When
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

_INSIDE = "_tally_inside"
_BEFORE = "_tally_before"


class TallyRow(models.Model):
    """A tally's row: its group's values (columns of the subclass), a key made of them, sums."""

    key = models.CharField(max_length=300, unique=True, editable=False)

    class Meta:
        abstract = True


def _key(values: Iterable) -> str:
    def plain(value):
        if value is None or isinstance(value, int | str | bool):
            return value
        return str(value)  # dates, decimals

    return json.dumps([plain(value) for value in values], ensure_ascii=False)


@dataclass(frozen=True, eq=False)
class Tally:
    model: type[models.Model]  # a TallyRow subclass with the group columns and the sums
    source: type[models.Model]
    group: tuple[str, ...]  # the source's column names (attnames: "chain_id"), also the tally's
    sums: dict[str, models.Expression]  # tally column -> a per-row expression over the source
    where: Q | None = None

    @property
    def zero(self) -> dict:
        return dict.fromkeys(self.sums, 0)

    # --- reading the source ---------------------------------------------------------------

    def contributions(self, rows, *, lock: bool) -> dict[str, tuple[tuple, dict]]:
        """What `rows` (primary keys, or a queryset of the source) add to each group now:
        {key: (group values, sums)}."""
        return self._read(rows, lock=lock)[0]

    def _read(self, rows, *, lock: bool) -> tuple[dict[str, tuple[tuple, dict]], list]:
        if not isinstance(rows, models.QuerySet):
            rows = list(rows)
            if not rows:
                return {}, []
            rows = self.source._default_manager.filter(pk__in=rows)
        rows = rows.order_by()
        expressions = dict(self.sums)
        if self.where is not None:
            expressions[_INSIDE] = Case(When(self.where, then=Value(1)), default=Value(0))
        if lock and connection.in_atomic_block:
            rows = rows.select_for_update()
        found: dict[str, tuple[tuple, dict]] = {}
        pks = []
        for row in rows.values("pk", *self.group, **expressions):
            pks.append(row.pop("pk"))
            if self.where is not None and not row.pop(_INSIDE):
                continue
            values = tuple(row[name] for name in self.group)
            key = _key(values)
            sums = found.setdefault(key, (values, self.zero))[1]
            for name in self.sums:
                sums[name] += row[name] or 0
        return found, pks

    # --- writing the tally ----------------------------------------------------------------

    def apply(self, before: dict, after: dict) -> None:
        """Move the tally rows by `after` minus `before` (both from contributions())."""
        deltas: dict[str, tuple[tuple, dict]] = {}
        for sign, found in ((-1, before), (1, after)):
            for key, (values, sums) in found.items():
                delta = deltas.setdefault(key, (values, self.zero))[1]
                for name, value in sums.items():
                    delta[name] += sign * value
        moved = [key for key in sorted(deltas) if any(deltas[key][1].values())]
        if not moved:
            return
        with transaction.atomic(savepoint=False):
            for key in moved:
                self._add(key, *deltas[key])

    def _add(self, key: str, values: tuple, delta: dict) -> None:
        rows = self.model._default_manager.filter(key=key)
        increments = {name: F(name) + value for name, value in delta.items() if value}
        if rows.update(**increments):
            return
        try:
            with transaction.atomic():
                self.model._default_manager.create(
                    key=key, **dict(zip(self.group, values, strict=True)), **delta
                )
        except IntegrityError:
            # Another writer inserted the group's row first: add to theirs.
            rows.update(**increments)

    def counted(self) -> dict[str, tuple[tuple, dict]]:
        """Every group's sums counted afresh from the source table (one GROUP BY)."""
        rows = self.source._default_manager.order_by()
        if self.where is not None:
            rows = rows.filter(self.where)
        groups = rows.values(*self.group).annotate(
            **{f"_sum_{name}": Sum(expression) for name, expression in self.sums.items()}
        )
        found = {}
        for row in groups:
            values = tuple(row[name] for name in self.group)
            found[_key(values)] = (values, {name: row[f"_sum_{name}"] or 0 for name in self.sums})
        return found

    def rebuild(self) -> int:
        """Recompute every tally row from the source table; the number of groups."""
        manager = self.model._default_manager
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Writers wait until the new rows are in (a delta moves rows this replaces).
                with connection.cursor() as cursor:
                    table = connection.ops.quote_name(self.model._meta.db_table)
                    cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            manager.all().delete()
            made = [
                self.model(key=key, **dict(zip(self.group, values, strict=True)), **sums)
                for key, (values, sums) in self.counted().items()
            ]
            manager.bulk_create(made, batch_size=500)
            return len(made)

    def differences(self) -> list[tuple[str, dict, dict]]:
        """Groups where the tally disagrees with the source: (key, kept, counted). For checks."""
        kept = {
            row["key"]: {name: row[name] for name in self.sums}
            for row in self.model._default_manager.values("key", *self.sums)
        }
        counted = {key: sums for key, (_values, sums) in self.counted().items()}
        found = []
        for key in sorted(kept.keys() | counted.keys()):
            have = kept.get(key, self.zero)
            want = counted.get(key, self.zero)
            if any(_rounded(have[name]) != _rounded(want[name]) for name in self.sums):
                found.append((key, have, want))
        return found


def _rounded(value) -> Decimal:
    # SQLite keeps decimals as floating point: sums agree to far more than the figures show.
    return round(Decimal(str(value or 0)), 6)


# --- The registry and what every write goes through ----------------------------------------

_TALLIES: dict[type[models.Model], list[Tally]] = {}


def tallies_of(source: type[models.Model]) -> list[Tally]:
    return _TALLIES.get(source, [])


def all_tallies() -> list[Tally]:
    return [tally for tallies in _TALLIES.values() for tally in tallies]


@contextmanager
def changing(source: type[models.Model], rows) -> Iterator[None]:
    """Around a write to `rows` (a queryset or primary keys) of `source` that sends no signals.

    The rows are locked and read before the block and read again after it; their tallies move
    by the difference, in the same transaction. The set of rows is fixed before the block.
    """
    tallies = tallies_of(source)
    if not tallies:
        yield
        return
    with transaction.atomic(savepoint=False):
        # The first read fixes the rows (and locks them): a write that moves rows out of the
        # queryset's filter still has them counted after it.
        first, pks = tallies[0]._read(rows, lock=True)
        before = [first] + [tally.contributions(pks, lock=False) for tally in tallies[1:]]
        yield
        for tally, found in zip(tallies, before, strict=True):
            tally.apply(found, tally.contributions(pks, lock=False))


def added(source: type[models.Model], rows) -> None:
    """After a bulk insert of `rows` (objects with their primary keys, or the keys)."""
    tallies = tallies_of(source)
    if not tallies:
        return
    pks = [getattr(row, "pk", row) for row in rows]
    for tally in tallies:
        tally.apply({}, tally.contributions(pks, lock=False))


def rebuild(source: type[models.Model] | None = None) -> int:
    """Recompute the tallies of `source` (all of them without it); the number of groups."""
    tallies = tallies_of(source) if source is not None else all_tallies()
    return sum(tally.rebuild() for tally in tallies)


def _before_save(sender, instance, raw=False, **kwargs):
    tallies = tallies_of(sender)
    if tallies:
        instance.__dict__[_BEFORE] = [
            tally.contributions([instance.pk], lock=True) if instance.pk is not None else {}
            for tally in tallies
        ]


def _after_save(sender, instance, **kwargs):
    tallies = tallies_of(sender)
    if tallies:
        before = instance.__dict__.pop(_BEFORE, None) or [{} for _ in tallies]
        for tally, found in zip(tallies, before, strict=True):
            tally.apply(found, tally.contributions([instance.pk], lock=False))


def _before_delete(sender, instance, **kwargs):
    tallies = tallies_of(sender)
    if tallies:
        instance.__dict__[_BEFORE] = [
            tally.contributions([instance.pk], lock=True) for tally in tallies
        ]


def _after_delete(sender, instance, **kwargs):
    tallies = tallies_of(sender)
    if tallies:
        before = instance.__dict__.pop(_BEFORE, None) or [{} for _ in tallies]
        for tally, found in zip(tallies, before, strict=True):
            tally.apply(found, {})


def connect_signals() -> None:
    """Connected for every model, by the first app to start (core): a tally moves before any
    other receiver writes the same row again (a project's progress columns after its save), so
    that write finds the tally already counting the saved row."""
    pre_save.connect(_before_save, dispatch_uid="core.tallies.pre_save")
    post_save.connect(_after_save, dispatch_uid="core.tallies.post_save")
    pre_delete.connect(_before_delete, dispatch_uid="core.tallies.pre_delete")
    post_delete.connect(_after_delete, dispatch_uid="core.tallies.post_delete")


def _rebuild_on_commit(source: type[models.Model]):
    def related_deleted(sender, **kwargs):
        transaction.on_commit(lambda: rebuild(source))

    return related_deleted


_receivers: list = []  # signals hold their receivers weakly


def register(tally: Tally) -> Tally:
    """Keep `tally` current from now on (call from an AppConfig.ready)."""
    source = tally.source
    tallies = _TALLIES.setdefault(source, [])
    if any(kept.model is tally.model for kept in tallies):
        return tally
    tallies.append(tally)
    label = source._meta.label_lower
    for name in tally.group:
        column = source._meta.get_field(name)
        if column.is_relation and column.remote_field.on_delete is models.SET_NULL:
            # The delete sets the column to NULL in one UPDATE, with no signal per row.
            receiver = _rebuild_on_commit(source)
            _receivers.append(receiver)
            related = column.related_model
            post_delete.connect(
                receiver,
                sender=related,
                dispatch_uid=f"tally-{label}-{related._meta.label_lower}-deleted",
            )
    return tally


def rebuild_after_migrate(sender, **kwargs):
    """A deployment starts from tallies that match their tables, whatever wrote the rows before
    (an earlier release without a tally, a restored dump, a bulk load)."""
    if all_tallies() and _tables_exist():
        rebuild()


def _tables_exist() -> bool:
    existing = set(connection.introspection.table_names())
    return all(tally.model._meta.db_table in existing for tally in all_tallies())
