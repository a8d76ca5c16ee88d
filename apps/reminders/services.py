"""Reminder rules: keeping deadlines in step, dispatching what is due, and sending it once."""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

import chinese_calendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, UUIDField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import Truncator

from apps.org.models import Person, Unit

from . import emails, ladder, registry
from .models import (
    CalendarDay,
    CalendarDayKind,
    Deadline,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Job,
    LeadTime,
    Message,
    Policy,
    Preference,
    new_calendar_token,
    wants,
)
from .registry import Source

logger = logging.getLogger(__name__)

DEFAULT_LEAD_DAYS = (30, 7, 1, 0)
DIGEST_JOB = "digest"
TITLE_MAX_LENGTH = Deadline._meta.get_field("title").max_length


# --- Policy and calendar -------------------------------------------------------------------


def policy_get() -> Policy:
    """The policy row, created with the default ladder when missing."""
    policy, created = Policy.objects.get_or_create(key="default")
    if created:
        LeadTime.objects.bulk_create(
            [LeadTime(policy=policy, days_before=days) for days in DEFAULT_LEAD_DAYS]
        )
    return policy


def policy_snapshot() -> ladder.PolicySnapshot:
    policy = policy_get()
    lead_days = tuple(policy.lead_times.values_list("days_before", flat=True))
    return ladder.PolicySnapshot(
        lead_days=lead_days,
        send_time=policy.send_time,
        overdue_every_days=policy.overdue_every_days,
        escalate_after_days=policy.escalate_after_days,
        digest_weekday=policy.digest_weekday,
        digest_time=policy.digest_time,
        digest_horizon_days=policy.digest_horizon_days,
        working_days_only=policy.working_days_only,
    )


def work_calendar() -> ladder.WorkCalendar:
    """The calendar the ladder uses; logs (once a day per process) a year it has no data for."""
    holidays, workdays, years = set(), set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDayKind.HOLIDAY else workdays).add(day)
        years.add(day.year)
    _log_calendar_gap(calendar_missing_years(known=years))
    return ladder.WorkCalendar(frozenset(holidays), frozenset(workdays))


def calendar_missing_years(
    *, today: date | None = None, known: set[int] | None = None
) -> list[int]:
    """This year and the next, when the calendar has no day in them.

    For such a year reminders treat every Monday to Friday as a working day. `known` is the
    set of years that have days, when the caller has already read them.
    """
    today = today or timezone.localdate()
    wanted = [today.year, today.year + 1]
    if known is None:
        known = {
            day.year
            for day in CalendarDay.objects.filter(
                date__range=(date(wanted[0], 1, 1), date(wanted[-1], 12, 31))
            ).dates("date", "year")
        }
    return [year for year in wanted if year not in known]


# What was last logged by _log_calendar_gap, so that dispatch ticks do not repeat it all day.
_calendar_gap_logged: tuple[date, tuple[int, ...]] | None = None


def _log_calendar_gap(missing: list[int]) -> None:
    global _calendar_gap_logged
    if not missing:
        return
    key = (timezone.localdate(), tuple(missing))
    if _calendar_gap_logged == key:
        return
    _calendar_gap_logged = key
    for year in missing:
        logger.warning(
            "reminders: no holiday calendar for %s; every weekday of it counts as a working "
            "day. Upgrade chinese-calendar and run manage.py load_holidays, or add the days in "
            "the admin.",
            year,
        )


# The library's festival names, in the words of the State Council's notices.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}


def _holiday_name(english: str) -> str:
    if english in HOLIDAY_NAMES:
        return HOLIDAY_NAMES[english]
    try:  # a one-off day such as the 2015 victory day: the library's own Chinese name
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def calendar_source() -> str:
    """What library rows name as their source: the library and its version."""
    return f"chinese-calendar {chinese_calendar.__version__}"


def calendar_library_years() -> range:
    """The years the installed chinese-calendar knows the holiday notices of."""
    days = chinese_calendar.holidays.keys()
    return range(min(days).year, max(days).year + 1)


def calendar_days_from_library() -> list[dict]:
    """The public holidays and adjusted working days chinese-calendar knows, as rows."""
    source = calendar_source()
    rows = [
        {"date": day, "kind": CalendarDayKind.HOLIDAY, "name": _holiday_name(name)}
        for day, name in chinese_calendar.holidays.items()
    ] + [
        {"date": day, "kind": CalendarDayKind.WORKDAY, "name": f"{_holiday_name(name)}调休上班"}
        for day, name in chinese_calendar.workdays.items()
    ]
    for row in rows:
        row["source"] = source
    return sorted(rows, key=lambda row: row["date"])


@dataclass
class CalendarLoad:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    overrides: int = 0  # days an administrator set, left as they are


def calendar_load() -> CalendarLoad:
    """Bring the calendar in line with chinese-calendar, leaving the administrators' days alone.

    A day an administrator added or changed (`is_override`) wins over the library for its date:
    it is never updated or deleted here. Other days follow the library; one the library no
    longer has, in a year it knows, is deleted. Writes are conditional on `is_override=False`,
    so an edit made in the admin while this runs is not overwritten.
    """
    result = CalendarLoad()
    library = {row["date"]: row for row in calendar_days_from_library()}
    years = calendar_library_years()
    with transaction.atomic():
        existing = {day.date: day for day in CalendarDay.objects.all()}
        result.overrides = sum(day.is_override for day in existing.values())
        missing = [CalendarDay(**row) for day, row in library.items() if day not in existing]
        CalendarDay.objects.bulk_create(missing, ignore_conflicts=True, batch_size=500)
        result.created = len(missing)
        gone = []
        for day, current in existing.items():
            if current.is_override:
                continue
            row = library.get(day)
            if row is None:
                if day.year in years:
                    gone.append(current.pk)
                continue
            fields = {name: row[name] for name in ("kind", "name", "source")}
            if any(getattr(current, name) != value for name, value in fields.items()):
                result.updated += CalendarDay.objects.filter(
                    pk=current.pk, is_override=False
                ).update(**fields)
        if gone:
            result.deleted, _ = CalendarDay.objects.filter(pk__in=gone, is_override=False).delete()
    return result


def calendar_overrides_reset(*, ids: Sequence[int]) -> int:
    """Drop the administrators' days among `ids` and take those dates from the library again."""
    count, _ = CalendarDay.objects.filter(pk__in=ids, is_override=True).delete()
    if count:
        calendar_load()
    return count


# --- Keeping the Deadline rows in step with the registered sources --------------------------


def _next_at(deadline: Deadline, *, now, policy, cal) -> datetime | None:
    if not deadline.is_open or deadline.due_date is None:
        return None
    return ladder.first_pending_at(
        deadline.due_date, now, policy, cal, since=deadline.last_dispatched_at
    )


def _deadline_apply(deadline: Deadline, *, source: Source, instance, now, policy, cal) -> None:
    """Bring a Deadline in step with its item's snapshot (unsaved)."""
    snap = source.snapshot(instance)
    restart = (
        deadline.pk is None
        or deadline.due_date != snap.due_date
        or (snap.is_open and not deadline.is_open)
    )
    for name, value in vars(snap).items():
        setattr(deadline, name, value)
    # A milestone's title is its project's name and its own, together longer than the column.
    deadline.title = Truncator(snap.title).chars(TITLE_MAX_LENGTH, truncate="…")
    deadline.item_path = registry.item_path(instance)
    if restart:
        deadline.last_dispatched_at = None
        deadline.next_reminder_at = _next_at(deadline, now=now, policy=policy, cal=cal)
    elif not deadline.is_open:
        deadline.next_reminder_at = None


def deadline_sync(*, source: Source, instance, policy=None, cal=None) -> Deadline | None:
    """Create or update the Deadline of a registered source's item after the item was saved.

    A new item, a moved due date or a reopened item starts its ladder afresh: the rung whose
    turn it is goes out at the next dispatch. An item with no date yet is registered too (it is
    still someone's open work, as "my work" shows), with no reminder scheduled.
    """
    deadline = Deadline.objects.filter(kind=source.kind, object_id=instance.pk).first()
    if deadline is None:
        deadline = Deadline(kind=source.kind, object_id=instance.pk)
    _deadline_apply(
        deadline,
        source=source,
        instance=instance,
        now=timezone.now(),
        policy=policy or policy_snapshot(),
        cal=cal or work_calendar(),
    )
    deadline.save()
    return deadline


# What _deadline_apply may change, for bulk_update.
_SYNCED_FIELDS = [
    "title",
    "due_date",
    "deadline_phrase",
    "is_open",
    "responsible_unit",
    "leading_official",
    "owner",
    "item_path",
    "next_reminder_at",
    "last_dispatched_at",
    "updated_at",
]


def deadlines_sync_many(*, source: Source, instances, policy=None, cal=None) -> int:
    """deadline_sync for a batch of one source's items: one read and two bulk writes.

    For paths that write many items at once (imports, generated volume), where a query and a
    save per item would dominate. The caller passes the items with `source.related` loaded.
    """
    instances = list(instances)
    if not instances:
        return 0
    now = timezone.now()
    policy, cal = policy or policy_snapshot(), cal or work_calendar()
    ids = [instance.pk for instance in instances]
    existing = {}
    for start in range(0, len(ids), 500):  # SQLite caps the parameters of one query
        for deadline in Deadline.objects.filter(
            kind=source.kind, object_id__in=ids[start : start + 500]
        ):
            existing[deadline.object_id] = deadline
    new, changed = [], []
    for instance in instances:
        deadline = existing.get(instance.pk) or Deadline(kind=source.kind, object_id=instance.pk)
        _deadline_apply(deadline, source=source, instance=instance, now=now, policy=policy, cal=cal)
        deadline.updated_at = now
        (changed if deadline.pk else new).append(deadline)
    with transaction.atomic():
        Deadline.objects.bulk_create(new, batch_size=500)
        Deadline.objects.bulk_update(changed, _SYNCED_FIELDS, batch_size=500)
    return len(instances)


def deadline_remove(*, source: Source, object_id: int) -> None:
    Deadline.objects.filter(kind=source.kind, object_id=object_id).delete()


def deadlines_sync_all(*, kinds: Iterable[str] | None = None) -> int:
    """Rebuild the Deadline rows from every registered source (after edits that bypass signals)."""
    policy, cal = policy_snapshot(), work_calendar()
    count = 0
    sources = [registry.get(kind) for kind in kinds] if kinds else registry.all()
    for source in sources:
        queryset = source.model.objects.all()
        if source.related:
            queryset = queryset.select_related(*source.related)
        seen, batch = set(), []
        for instance in queryset.iterator(chunk_size=500):
            batch.append(instance)
            seen.add(instance.pk)
            if len(batch) == 500:
                count += deadlines_sync_many(source=source, instances=batch, policy=policy, cal=cal)
                batch = []
        count += deadlines_sync_many(source=source, instances=batch, policy=policy, cal=cal)
        kind = source.kind
        registered = set(Deadline.objects.filter(kind=kind).values_list("object_id", flat=True))
        gone = sorted(registered - seen)
        for start in range(0, len(gone), 500):  # SQLite caps the parameters of one query
            Deadline.objects.filter(kind=kind, object_id__in=gone[start : start + 500]).delete()
    return count


def deadlines_reschedule(*, now: datetime | None = None) -> int:
    """Recompute every open deadline's next reminder after the policy or the calendar changed."""
    now = now or timezone.now()
    policy, cal = policy_snapshot(), work_calendar()
    batch = []
    for deadline in Deadline.objects.open().iterator(chunk_size=1000):
        deadline.next_reminder_at = _next_at(deadline, now=now, policy=policy, cal=cal)
        batch.append(deadline)
    Deadline.objects.bulk_update(batch, ["next_reminder_at"], batch_size=1000)
    return len(batch)


# --- Who receives what ----------------------------------------------------------------------


@dataclass
class People:
    """The people a batch of deadlines can reach, loaded in one query.

    The deadlines come with their unit's head as `unit_head_id` (_with_unit_head).
    """

    by_id: dict[int, Person] = field(default_factory=dict)
    by_unit: dict[int, list[Person]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, deadlines: Sequence) -> People:
        unit_ids = {d.responsible_unit_id for d in deadlines if d.responsible_unit_id}
        person_ids = {
            pid
            for d in deadlines
            for pid in (
                d.leading_official_id,
                d.owner_id,
                d.unit_head_id,
            )
            if pid
        }
        people = cls()
        if not unit_ids and not person_ids:
            return people
        rows = (
            Person.objects.filter(Q(unit_id__in=unit_ids) | Q(pk__in=person_ids))
            .select_related("user", "reminder_preference")
            .order_by("pk")
        )
        for person in rows:
            people.by_id[person.pk] = person
            if person.unit_id in unit_ids and person.role != Person.Role.LEADER:
                people.by_unit[person.unit_id].append(person)
        return people

    def owners(self, deadline: Deadline) -> list[Person]:
        """The item's own responsible person, else its unit's staff and head."""
        if deadline.owner_id and deadline.owner_id in self.by_id:
            return [self.by_id[deadline.owner_id]]
        found = {p.pk: p for p in self.by_unit.get(deadline.responsible_unit_id, [])}
        head_id = deadline.unit_head_id
        if head_id and head_id in self.by_id:
            found.setdefault(head_id, self.by_id[head_id])
        return list(found.values())

    def escalation_to(self, deadline: Deadline) -> Person | None:
        """The leading official; the unit head when the item has no leading official."""
        for pid in (
            deadline.leading_official_id,
            deadline.unit_head_id,
        ):
            if pid and pid in self.by_id:
                return self.by_id[pid]
        return None


def _preference(person: Person) -> Preference | None:
    try:
        return person.reminder_preference
    except Preference.DoesNotExist:
        return None


# --- Dispatch -------------------------------------------------------------------------------

DISPATCH_JOB = "dispatch"


class Claim(NamedTuple):
    """A Delivery row a dispatch inserts (_claim_rows): one rung of one item for one person."""

    deadline_id: int | None
    recipient_id: int
    kind: str
    rung_date: date
    due_date: date | None
    message_key: uuid.UUID


@dataclass
class DispatchResult:
    """What a dispatch (or one batch of it) did.

    `queued` holds message keys: each is one email to one person, carrying every reminder the
    dispatch claimed for them. `more` says the batch left deadlines due, so the run goes on with
    another batch; `locked` says another dispatch holds the lease and this one did nothing.
    """

    swept: int = 0
    deadlines: int = 0
    created: list[Claim] = field(default_factory=list)
    queued: list[uuid.UUID] = field(default_factory=list)
    run: uuid.UUID | None = None
    more: bool = False
    locked: bool = False
    steps: int = 0

    def batches(self) -> list[list[str]]:
        """The queued emails in chunks, one mail connection each (as strings, for a task)."""
        chunk = settings.REMINDERS_SEND_CHUNK
        keys = [str(key) for key in self.queued]
        return [keys[start : start + chunk] for start in range(0, len(keys), chunk)]

    def add(self, other: DispatchResult) -> None:
        self.swept += other.swept
        self.deadlines += other.deadlines
        self.created += other.created
        self.queued += other.queued
        self.more, self.locked = other.more, other.locked
        self.steps += 1


def deliveries_sweep(*, now: datetime) -> int:
    """Take back emails left 'sending' by a worker that died: they go out again, the same
    email (the message key, and so the Message-ID, is kept). Returns the emails taken back."""
    cutoff = now - timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT_SECONDS)
    return Message.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff).update(
        status=DeliveryStatus.PENDING, claim_token=None, next_attempt_at=now
    )


def deliveries_send_again(*, ids: Sequence[int]) -> int:
    """Put failed rows back to pending, out of their old email: the next dispatch puts them in
    the person's next email (_group_unkeyed)."""
    return Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, message=None, last_error=""
    )


def message_key(run: uuid.UUID, *, recipient_id: int, kind: str, unit_id: int | None) -> uuid.UUID:
    """The email a reminder of this run goes out in: one per person, and one per person and unit
    for escalations (they copy that unit's head, who must not see other units' items).

    Derived from the run, so every batch of one dispatch puts a person's reminders in the same
    email, and a run that crashed and is taken over goes on filling the same emails.
    """
    if kind == DeliveryKind.ESCALATION:
        group = f"escalation:{unit_id or 0}"
    elif kind == DeliveryKind.DIGEST:
        group = "digest"
    else:
        group = "reminders"
    return uuid.uuid5(run, f"{recipient_id}:{group}")


def dispatch_lease(*, now: datetime) -> uuid.UUID | None:
    """Start a dispatch run: take the lease, or None while another run holds it.

    A lease that ran out belonged to a run that died between batches; its token is kept, so the
    run taken over fills the same emails. A finished run cleared its token.
    """
    fresh = uuid.uuid4()
    until = now + timedelta(seconds=settings.REMINDERS_DISPATCH_LEASE_SECONDS)
    free = Job.objects.filter(name=DISPATCH_JOB).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    take = {
        "lease_token": Coalesce(F("lease_token"), Value(fresh, output_field=UUIDField())),
        "lease_until": until,
    }
    won = free.update(**take)
    if not won:
        if Job.objects.filter(name=DISPATCH_JOB).exists():
            return None
        Job.objects.get_or_create(name=DISPATCH_JOB)  # the first dispatch ever
        if not free.update(**take):
            return None
    return Job.objects.filter(name=DISPATCH_JOB).values_list("lease_token", flat=True).get()


def _lease_renew(run: uuid.UUID, *, now: datetime) -> bool:
    until = now + timedelta(seconds=settings.REMINDERS_DISPATCH_LEASE_SECONDS)
    return bool(Job.objects.filter(name=DISPATCH_JOB, lease_token=run).update(lease_until=until))


def _lease_release(run: uuid.UUID) -> None:
    Job.objects.filter(name=DISPATCH_JOB, lease_token=run).update(
        lease_token=None, lease_until=None
    )


class _Due(NamedTuple):
    """What planning reads of a due deadline: a backlog loads thousands, and a model instance
    each (with its title, path and unit) cost more to build than the plan."""

    pk: int
    due_date: date | None
    is_open: bool
    last_dispatched_at: datetime | None
    owner_id: int | None
    leading_official_id: int | None
    responsible_unit_id: int | None
    unit_head_id: int | None


class _Schedule(NamedTuple):
    pk: int
    next_reminder_at: datetime | None
    last_dispatched_at: datetime | None


def _with_unit_head(deadlines):
    """The deadlines with their unit's head (`unit_head_id`), for People."""
    return deadlines.annotate(unit_head_id=F("responsible_unit__head_id"))


def _plan_deadlines(*, run, now, policy, cal, limit) -> tuple[int, list[Claim]]:
    """Plan the rungs of up to `limit` due deadlines and move their schedules on."""
    rows = (
        _with_unit_head(Deadline.objects.filter(next_reminder_at__lte=now))
        .order_by("next_reminder_at", "pk")
        .values_list(*_Due._fields)
    )
    # Locked until the batch commits: a save of one of these items waits, then writes its own
    # schedule over ours (SQLite takes the whole database for the transaction anyway).
    due = [_Due._make(row) for row in rows.select_for_update(of=("self",))[:limit]]
    if not due:
        return 0, []
    people = People.load(due)
    planned: list[Claim] = []
    schedules: list[_Schedule] = []
    # A plan depends only on the due date and the last dispatch: a backlog shares a few dates.
    plans: dict[tuple, ladder.Plan] = {}
    keys: dict[tuple, uuid.UUID] = {}
    # And who a rung reaches, only on the item's people: a backlog shares a few units.
    audiences: dict[tuple, list[Person]] = {}
    for deadline in due:
        next_at, waiting = None, False
        if deadline.is_open and deadline.due_date is not None:
            plan_key = (deadline.due_date, deadline.last_dispatched_at)
            plan = plans.get(plan_key)
            if plan is None:
                plan = plans[plan_key] = ladder.plan(
                    deadline.due_date, now, policy, cal, since=deadline.last_dispatched_at
                )
            # Outside the send window nothing is claimed: the rung waits for the next send time.
            next_at, waiting = plan.next_at, plan.waiting
            for rung in plan.send:
                audience = (
                    rung.kind,
                    deadline.owner_id,
                    deadline.responsible_unit_id,
                    deadline.unit_head_id,
                    deadline.leading_official_id if rung.audience == ladder.ESCALATION else None,
                )
                recipients = audiences.get(audience)
                if recipients is None:
                    if rung.audience == ladder.ESCALATION:
                        reached = [people.escalation_to(deadline)]
                    else:
                        reached = people.owners(deadline)
                    recipients = audiences[audience] = [
                        person
                        for person in reached
                        if person is not None and wants(_preference(person), rung.kind)
                    ]
                for person in recipients:
                    group = (person.pk, rung.kind, deadline.responsible_unit_id)
                    key = keys.get(group)
                    if key is None:
                        key = keys[group] = message_key(
                            run,
                            recipient_id=person.pk,
                            kind=rung.kind,
                            unit_id=deadline.responsible_unit_id,
                        )
                    planned.append(
                        Claim(
                            deadline.pk,
                            person.pk,
                            rung.kind,
                            rung.rung_date,
                            deadline.due_date,
                            key,
                        )
                    )
        dispatched_at = deadline.last_dispatched_at if waiting else now
        schedules.append(_Schedule(deadline.pk, next_at, dispatched_at))
    _schedules_save(schedules)
    return len(due), planned


def _schedules_save(schedules: Sequence[_Schedule]) -> None:
    """Write the batch's new schedules: on PostgreSQL one UPDATE ... FROM unnest(arrays)."""
    if connection.vendor == "postgresql":
        ops = connection.ops
        table = ops.quote_name(Deadline._meta.db_table)
        column = {f.attname: ops.quote_name(f.column) for f in Deadline._meta.concrete_fields}
        sql = (
            f"UPDATE {table} SET {column['next_reminder_at']} = s.next_at, "  # noqa: S608
            f"{column['last_dispatched_at']} = s.dispatched_at "
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) "
            f"AS s(id, next_at, dispatched_at) WHERE {table}.{column['id']} = s.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [_array_literal(values) for values in zip(*schedules, strict=True)])
        return
    # One update per distinct new schedule, not a CASE over the batch: due dates repeat.
    by_schedule: dict[tuple, list[int]] = defaultdict(list)
    for pk, next_at, dispatched_at in schedules:
        by_schedule[(next_at, dispatched_at)].append(pk)
    for (next_at, dispatched_at), ids in by_schedule.items():
        Deadline.objects.filter(pk__in=ids).update(
            next_reminder_at=next_at, last_dispatched_at=dispatched_at
        )


def _plan_digest(*, run, now, policy, cal) -> list[Delivery]:
    job, _created = Job.objects.get_or_create(
        name=DIGEST_JOB, defaults={"next_run_at": ladder.next_digest_at(now, policy, cal)}
    )
    if job.next_run_at is None or job.next_run_at > now:
        return []
    run_at = ladder.send_at(job.next_run_at, now, policy, cal, policy.digest_time)
    if run_at > now:
        # Its send time passed while nothing ran (a stopped worker): it goes at the next
        # digest time on a working day, not at whatever hour the worker came back.
        Job.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(next_run_at=run_at)
        return []
    claimed = Job.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
        next_run_at=ladder.next_digest_at(now, policy, cal), last_run_at=now
    )
    if not claimed:
        return []
    today = timezone.localtime(now, policy.tz).date()
    week_start = today - timedelta(days=today.weekday())
    horizon = today + timedelta(days=policy.digest_horizon_days)
    rows = _with_unit_head(Deadline.objects.open().filter(due_date__lte=horizon))
    deadlines = list(rows)
    people = People.load(deadlines)
    recipients: dict[int, Person] = {}
    for deadline in deadlines:
        for person in people.owners(deadline):
            recipients[person.pk] = person
        if deadline.leading_official_id in people.by_id:
            recipients[deadline.leading_official_id] = people.by_id[deadline.leading_official_id]
    return [
        Claim(
            None,
            person.pk,
            DeliveryKind.DIGEST,
            week_start,
            None,
            message_key(run, recipient_id=person.pk, kind=DeliveryKind.DIGEST, unit_id=None),
        )
        for person in recipients.values()
        if wants(_preference(person), DeliveryKind.DIGEST)
    ]


def _claim_rows(rows: Sequence[Claim], *, now: datetime) -> None:
    """Insert a pending Delivery row for each claim, passing over those the unique constraints
    already hold (that insert is the claim), and a pending Message for each email the inserted
    rows go out in.

    A backlog claims tens of thousands of rows in one dispatch. On PostgreSQL a batch's claims
    go in one statement: INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING, whose
    RETURNING feeds the INSERT of the emails; one round trip, where a statement per row
    (executemany) spent most of a dispatch waiting on the server. An email is created only for
    rows actually inserted, so a rung claimed before makes no empty email. SQLite, in process,
    takes the same INSERT with VALUES through executemany, and the emails in a second step.
    """
    if not rows:
        return
    ops = connection.ops
    fields = {f.attname: f for f in Delivery._meta.concrete_fields}
    message_fields = {f.attname: f for f in Message._meta.concrete_fields}
    created_at = timezone.now()

    def prep(field, value):
        return field.get_db_prep_save(value, connection)

    constant = {
        "status": DeliveryStatus.PENDING.value,
        "last_error": "",
        "created_at": prep(fields["created_at"], created_at),
    }
    message_constant = {
        "status": DeliveryStatus.PENDING.value,
        "email": "",
        "cc": "",
        "subject": "",
        "attempts": 0,
        "last_error": "",
        "next_attempt_at": prep(message_fields["next_attempt_at"], now),
        "created_at": prep(message_fields["created_at"], created_at),
    }
    varying = ["deadline_id", "recipient_id", "kind", "rung_date", "due_date", "message_id"]
    columns = ", ".join(ops.quote_name(fields[name].column) for name in varying + list(constant))
    table = ops.quote_name(Delivery._meta.db_table)
    tail = tuple(constant.values())
    message_table = ops.quote_name(Message._meta.db_table)
    message_columns = ", ".join(
        ops.quote_name(message_fields[name].column)
        for name in ["message_key", "recipient_id", *message_constant]
    )
    # Only the models' own table and column names are spliced in; every value is a parameter.
    if connection.vendor == "postgresql":
        arrays = [_array_literal(column) for column in zip(*rows, strict=True)]
        types = ("bigint", "bigint", "text", "date", "date", "uuid")
        unnest = ", ".join(f"%s::{kind}[]" for kind in types)
        key_column = ops.quote_name(fields["message_id"].column)
        recipient_column = ops.quote_name(fields["recipient_id"].column)
        sql = (
            f"WITH claimed AS (INSERT INTO {table} ({columns}) "  # noqa: S608
            f"SELECT *, {', '.join(['%s'] * len(tail))} FROM unnest({unnest}) "
            f"ON CONFLICT DO NOTHING RETURNING {key_column}, {recipient_column}) "
            f"INSERT INTO {message_table} ({message_columns}) "
            f"SELECT {key_column}, MIN({recipient_column}), "
            f"{', '.join(['%s'] * len(message_constant))} FROM claimed "
            f"GROUP BY {key_column} ON CONFLICT DO NOTHING"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*tail, *arrays, *message_constant.values()])
        return
    key_field, date_field = fields["message_id"], fields["rung_date"]
    prepared: dict = {}  # dates and keys repeat across the rows: each is prepared once

    def once(field, value):
        if (field.attname, value) not in prepared:
            prepared[field.attname, value] = field.get_db_prep_save(value, connection)
        return prepared[field.attname, value]

    params = [
        (
            deadline_id,
            recipient_id,
            kind,
            once(date_field, rung_date),
            once(date_field, due_date),
            once(key_field, key),
            *tail,
        )
        for deadline_id, recipient_id, kind, rung_date, due_date, key in rows
    ]
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * (len(varying) + len(tail)))}) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start : start + 2000])
    keys = sorted({claim.message_key for claim in rows})
    for start in range(0, len(keys), 500):  # SQLite caps the parameters of one query
        _messages_for(keys[start : start + 500], now=now)


def _array_literal(values: Iterable) -> str:
    """A PostgreSQL array literal of plain values (ids, dates, times, UUIDs, choice keys): none
    holds a comma, brace, quote or space, so each is written as it is.

    Passed as one string, it costs a join; passed as a list, the driver's client-side binding
    quotes each element in Python, which took longer than the insert itself. Values repeat
    (a backlog shares a few dates and emails), so each is written once.
    """
    written: dict = {None: "NULL"}

    def write(value) -> str:
        text = written.get(value)
        if text is None:
            text = written[value] = value.isoformat() if isinstance(value, date) else str(value)
        return text

    return "{" + ",".join(map(write, values)) + "}"


def _messages_for(keys: Sequence[uuid.UUID], *, now: datetime) -> None:
    """A pending Message for each of these keys that has rows and no Message yet."""
    have = (
        Delivery.objects.filter(message_id__in=keys)
        .order_by()
        .values_list("message_id", "recipient_id")
        .distinct()
    )
    Message.objects.bulk_create(
        [
            Message(message_key=key, recipient_id=person, next_attempt_at=now)
            for key, person in have
        ],
        ignore_conflicts=True,
    )


def _group_unkeyed(run: uuid.UUID, *, now: datetime) -> None:
    """Put pending rows that have no email yet (sent again from the admin) into this run's."""
    rows = Delivery.objects.filter(status=DeliveryStatus.PENDING, message__isnull=True).values_list(
        "pk", "recipient_id", "kind", "deadline__responsible_unit_id"
    )
    groups: dict[uuid.UUID, list[int]] = defaultdict(list)
    for pk, recipient_id, kind, unit_id in rows:
        key = message_key(run, recipient_id=recipient_id, kind=kind, unit_id=unit_id)
        groups[key].append(pk)
    for key, ids in groups.items():
        Delivery.objects.filter(pk__in=ids, message__isnull=True).update(message_id=key)
        _messages_for([key], now=now)


def _queue(*, now: datetime, hold: bool) -> list[uuid.UUID]:
    """The emails pending, oldest first, up to the queue limit."""
    queue = list(
        Message.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "created_at", "recipient_id", "message_key")
        .values_list("message_key", flat=True)[: settings.REMINDERS_QUEUE_LIMIT]
    )
    if hold and queue:
        # Queued emails are not queued again until the claim timeout: by then a lost task
        # (a worker killed before it claimed them) is presumed lost and they go out again.
        Message.objects.filter(message_key__in=queue, status=DeliveryStatus.PENDING).update(
            next_attempt_at=now + timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT_SECONDS)
        )
    return queue


def dispatch_step(
    *, run: uuid.UUID, now: datetime | None = None, hold: bool = False
) -> DispatchResult:
    """One batch of a dispatch run: claim up to REMINDERS_BATCH_SIZE due deadlines' rungs.

    Claiming is the insert under the unique constraint, so a second run, a second worker or a
    redelivered task inserts nothing new. When the batch leaves deadlines due, `result.more` asks
    for another batch. The last batch adds the weekly digest, lists the emails to send
    (`result.queued`) and ends the run. Nothing is queued before every batch is claimed, so a
    person's reminders all go in one email. With `hold`, the caller queues send tasks for
    `result.queued` (after the commit) and those are not listed again until the claim timeout.
    """
    now = now or timezone.now()
    result = DispatchResult(run=run)
    with transaction.atomic():
        # Inside the transaction: the lease row stays locked until this batch commits.
        if not _lease_renew(run, now=now):
            result.locked = True
            return result
        policy, cal = policy_snapshot(), work_calendar()
        limit = settings.REMINDERS_BATCH_SIZE
        result.deadlines, planned = _plan_deadlines(
            run=run, now=now, policy=policy, cal=cal, limit=limit
        )
        result.more = result.deadlines >= limit
        if not result.more:
            result.swept = deliveries_sweep(now=now)
            _group_unkeyed(run, now=now)
            planned += _plan_digest(run=run, now=now, policy=policy, cal=cal)
        _claim_rows(planned, now=now)
        result.created = planned
        if not result.more:
            result.queued = _queue(now=now, hold=hold)
            _lease_release(run)
    return result


def dispatch(*, now: datetime | None = None, hold: bool = False) -> DispatchResult:
    """A whole dispatch run in the foreground: every batch until nothing due is left.

    Returns an empty, `locked` result while another run holds the lease.
    """
    now = now or timezone.now()
    run = dispatch_lease(now=now)
    if run is None:
        return DispatchResult(locked=True)
    result = DispatchResult(run=run)
    while True:
        step = dispatch_step(run=run, now=now, hold=hold)
        result.add(step)
        if not step.more:
            return result


# --- Sending --------------------------------------------------------------------------------


class TemporarySendError(Exception):
    """The mail server said "try later": the rest of the batch waits for the retry.

    `retry_after` is the backoff of the refused row; None leaves the delay to the caller.
    """

    def __init__(self, message: str, retry_after: int | None):
        super().__init__(message)
        self.retry_after = retry_after


class MailServerUnavailable(TemporarySendError):
    """The mail connection could not be opened: nothing was claimed, every row stays pending."""

    def __init__(self, server: str, error: Exception):
        super().__init__(f"could not reach the mail server {server}: {error}", None)
        self.server = server
        self.error = error


@dataclass
class SendResult:
    """Delivery ids by outcome, and how many emails went out."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    emails: int = 0

    def add(self, other: SendResult) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        self.emails += other.emails


def retry_delay(attempts: int) -> int:
    """Exponential backoff, capped below the broker's visibility timeout."""
    delay = settings.REMINDERS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return int(min(delay, settings.REMINDERS_RETRY_MAX_SECONDS))


def is_temporary(error: Exception) -> bool:
    """4xx replies, dropped connections and timeouts pass; 5xx replies and bad addresses do not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return True  # a configuration fault the operator fixes; the reminders wait for it
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return True
    return False


def _claim(keys: Sequence[uuid.UUID], *, now: datetime) -> uuid.UUID | None:
    """Claim these emails, those still pending, in one update; None when none was left."""
    token = uuid.uuid4()
    won = Message.objects.filter(message_key__in=keys, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return token if won else None


def _finish(token: uuid.UUID, key: uuid.UUID, **fields) -> None:
    Message.objects.filter(
        message_key=key, claim_token=token, status=DeliveryStatus.SENDING
    ).update(**fields)


def _fail(token: uuid.UUID, key: uuid.UUID, ids: Sequence[int], error: str) -> None:
    """The email failed for good: it and its rows say so, and the rows can be sent again."""
    _finish(token, key, status=DeliveryStatus.FAILED, last_error=error)
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error=error
    )


def _skip(ids: Sequence[int], reason: str) -> None:
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SKIPPED, last_error=reason
    )


@contextmanager
def _commits_without_flush():
    """Inside, each commit (autocommit, one per update) goes without waiting for the database
    to flush it to disk (PostgreSQL: synchronous_commit off for the connection, then reset).

    For the send loop, whose every email is recorded sent (or failed, or deferred) by an update
    of its Message: waiting for that flush cost more than the rest of sending an email, and
    setting it per transaction cost two more round trips an email. A worker killed meanwhile
    loses nothing (each commit is in the database); only a crash of the database server itself
    in the next fraction of a second could lose a mark, and that email would go out again under
    the same Message-ID: the duplicate the design already accepts. A lost mark of a failure or a
    deferral leaves the email claimed, for the sweep to send it again. The claim before the loop
    commits as usual, flushing the dispatch's claims with it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # the connection dropped, taking the setting with it
            logger.debug("resetting synchronous_commit failed", exc_info=True)


def _release(token: uuid.UUID) -> None:
    """Give back the claimed emails a stopped batch did not reach: pending, the attempt uncounted."""
    Message.objects.filter(claim_token=token, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, claim_token=None, attempts=F("attempts") - 1
    )


def _connect():
    """The default mailer with its connection open, and whether its server takes 8-bit bodies
    (the project's SMTP backend asks it); MailServerUnavailable when it cannot be opened."""
    connection = mailers.default
    try:
        connection.open()
        eight_bit = getattr(connection, "accepts_8bit", lambda: False)()
    except OSError as error:  # refused, timed out, unknown host, TLS or login failure
        _discard(connection)
        host = getattr(connection, "host", None)
        server = f"{host}:{connection.port}" if host else type(connection).__name__
        raise MailServerUnavailable(server, error) from error
    return connection, eight_bit


def email_rows(*, claim_token=None, keys=None) -> list[emails.ReminderRow]:
    """The rows of claimed (or of the given pending) emails, with what their email shows: two
    queries, the rows and their deadlines. Rows skipped or failed on their own are left out.

    A backlog's batch is tens of thousands of rows about a few thousand deadlines: joined in one
    query, each deadline's title and link were fetched and converted once per row, and the
    join's plan went by statistics a dispatch had just made stale.
    """
    rows = Delivery.objects.filter(status=DeliveryStatus.PENDING)
    if claim_token is not None:
        rows = rows.filter(message__claim_token=claim_token, message__status=DeliveryStatus.SENDING)
    if keys is not None:
        rows = rows.filter(message__in=keys, message__status=DeliveryStatus.PENDING)
    own = list(rows.order_by().values_list(*emails.ROW_FIELDS))
    ids = sorted({row[-1] for row in own if row[-1] is not None})
    deadlines = {}
    chunk = connection.features.max_query_params or len(ids) or 1  # SQLite caps them
    for start in range(0, len(ids), chunk):
        for pk, *fields in Deadline.objects.filter(pk__in=ids[start : start + chunk]).values_list(
            "pk", *emails.DEADLINE_FIELDS
        ):
            deadlines[pk] = tuple(fields)
    make, none = emails.ReminderRow._make, emails.NO_DEADLINE
    # Sorted here, not by the database: PostgreSQL sorted a backlog's wide rows on disk.
    return sorted(make(row + deadlines.get(row[-1], none)) for row in own)


def emails_send(*, keys: Sequence[uuid.UUID | str]) -> SendResult:
    """Send the given emails over one mail connection, after claiming them.

    An email (a Message) carries every reminder a dispatch claimed for one person. The batch's
    emails are claimed in one update of their Message rows and their reminders loaded in one
    query, with their recipients and unit heads in one more each; each email is then marked
    sent by an update of its one Message row as soon as the server has accepted it, its
    reminder rows left as they were inserted. So an email costs a query or two however many
    items it lists, and a worker killed mid-batch leaves at most the one email in flight to go
    out again, under the same Message-ID; the claimed emails it had not reached yet go out
    once, when the sweep takes their claims back. The connection is opened before any email is
    claimed, so a mail server that cannot be reached (MailServerUnavailable) costs no email an
    attempt. Emails another worker claimed, or already sent, are passed over. A reminder whose
    item closed or moved is skipped (its row says so); an email left with none is too. On a
    temporary error the email goes back to pending with a backoff, the rest of the batch is
    given back, and TemporarySendError stops the batch.
    """
    result = SendResult()
    keys = [uuid.UUID(str(key)) for key in keys]
    if not Message.objects.filter(message_key__in=keys, status=DeliveryStatus.PENDING).exists():
        return result
    connection, eight_bit = _connect()
    token = None
    try:
        token = _claim(keys, now=timezone.now())
        if token is None:
            return result
        rows = email_rows(claim_token=token)
        skipped = [(row.pk, reason) for row in rows if (reason := _skip_reason(row))]
        for reason in {reason for _pk, reason in skipped}:
            ids = [pk for pk, why in skipped if why == reason]
            _skip(ids, reason)
            result.skipped += ids
        skipped_ids = {pk for pk, _reason in skipped}
        by_key: dict[uuid.UUID, list[emails.ReminderRow]] = defaultdict(list)
        for row in rows:
            if row.pk not in skipped_ids:
                by_key[row.message_key].append(row)
        people = _Recipients.load(rows)
        with _commits_without_flush():
            for key in keys:
                rows = by_key.get(key)
                if not rows:
                    # Nothing left to send (or not claimed here): an email of ours says so.
                    _finish(token, key, status=DeliveryStatus.SKIPPED, claim_token=None)
                    continue
                ids = [row.pk for row in rows]
                try:
                    message = _message(rows, people, eight_bit=eight_bit)
                except ValueError as error:
                    _fail(token, key, ids, str(error))
                    result.failed += ids
                    continue
                try:
                    connection.send_messages([message])
                except Exception as error:
                    if not is_temporary(error):
                        if isinstance(error, smtplib.SMTPException | ValueError):
                            _fail(token, key, ids, f"{type(error).__name__}: {error}")
                            result.failed += ids
                            logger.warning("Reminder email %s refused: %s", key, error)
                            continue
                        raise
                    attempts = rows[0].attempts  # loaded after the claim counted it
                    _retry_later(key, token, ids, attempts, error)
                    connection = _discard(connection)
                    raise TemporarySendError(str(error), retry_delay(attempts)) from error
                # The server has replied 250 to this email: record it before sending the next one.
                _finish(
                    token,
                    key,
                    status=DeliveryStatus.SENT,
                    sent_at=timezone.now(),
                    email=message.to[0],
                    cc=", ".join(message.cc)[:254],
                    subject=message.subject[:300],
                    last_error="",
                )
                result.sent += ids
                result.emails += 1
    finally:
        if token is not None:
            _release(token)  # a batch stopped early: what it did not reach waits for the retry
        if connection is not None:
            _discard(connection)
    return result


def _retry_later(key, token: uuid.UUID, ids: Sequence[int], attempts: int, error) -> None:
    """`attempts` includes this one."""
    now = timezone.now()
    if attempts >= settings.REMINDERS_MAX_ATTEMPTS:
        _fail(
            token,
            key,
            ids,
            f"{type(error).__name__}: {error} (gave up after {attempts} attempts)",
        )
        return
    _finish(
        token,
        key,
        status=DeliveryStatus.PENDING,
        claim_token=None,
        next_attempt_at=now + timedelta(seconds=retry_delay(attempts)),
        last_error=f"{type(error).__name__}: {error}",
    )
    logger.info("Reminder email %s deferred after attempt %s: %s", key, attempts, error)


def _discard(connection):
    try:
        connection.close()
    except Exception:  # the connection is being dropped after a failure; nothing to report
        logger.debug("closing the mail connection failed", exc_info=True)
    return None


def _skip_reason(row: emails.ReminderRow) -> str:
    if row.kind == DeliveryKind.DIGEST or row.deadline_id is None:
        return ""
    if not row.is_open:
        return "closed before sending"
    if row.deadline_due != row.due_date:
        return "deadline moved before sending"
    return ""


def send_pending(*, now: datetime | None = None) -> tuple[DispatchResult, SendResult]:
    """Dispatch and send in the foreground (the send_reminders command, cron users)."""
    result = dispatch(now=now)
    sent = SendResult()
    for batch in result.batches():
        sent.add(emails_send(keys=batch))
    return result, sent


# --- Digest contents, the message of an email, and preferences ----------------------------


def digest_items(*, person: Person, today: date, horizon_days: int) -> list[Deadline]:
    horizon = today + timedelta(days=horizon_days)
    return list(
        Deadline.objects.open()
        .owned_by(person)
        .filter(due_date__lte=horizon)
        .order_by("due_date", "pk")
    )


@dataclass
class _Recipients:
    """The people a batch of emails goes to, and the unit heads its escalations copy."""

    people: dict[int, Person]
    heads: dict[int, Person]

    @classmethod
    def load(cls, rows: Sequence[emails.ReminderRow]) -> _Recipients:
        people = Person.objects.select_related("user").in_bulk({row.recipient_id for row in rows})
        units = {row.unit_id for row in rows if row.kind == DeliveryKind.ESCALATION and row.unit_id}
        heads = {}
        if units:
            for unit_id, head_id in Unit.objects.filter(
                pk__in=units, head__isnull=False
            ).values_list("pk", "head_id"):
                heads[unit_id] = head_id
            found = Person.objects.select_related("user").in_bulk(set(heads.values()))
            heads = {unit_id: found[pk] for unit_id, pk in heads.items() if pk in found}
        return cls(people, heads)


def _message(
    rows: Sequence[emails.ReminderRow], people: _Recipients, *, eight_bit: bool = False
) -> EmailMultiAlternatives:
    today = timezone.localdate()
    recipient = people.people[rows[0].recipient_id]
    digests = [row for row in rows if row.kind == DeliveryKind.DIGEST]
    if digests:
        delivery = Delivery.objects.get(pk=digests[0].pk)
        delivery.recipient = recipient
        horizon = policy_snapshot().digest_horizon_days
        digest = emails.Digest(
            items=digest_items(person=recipient, today=today, horizon_days=horizon),
            horizon_days=horizon,
        )
        return emails.build_digest(delivery, today=today, digest=digest, eight_bit=eight_bit)
    cc = []
    if all(row.kind == DeliveryKind.ESCALATION for row in rows):
        # An escalation email is about one unit's items: it copies the unit's head.
        head = people.heads.get(rows[0].unit_id)
        if head is not None and head.pk != recipient.pk:
            cc.append(head.contact_email)
    return emails.build_message(rows, recipient=recipient, cc=cc, today=today, eight_bit=eight_bit)


def rows_message(rows: Sequence[emails.ReminderRow]) -> EmailMultiAlternatives:
    """The email of one message key's rows (one recipient): the weekly digest, or the reminders
    a dispatch claimed for the person. ValueError when the recipient has no address."""
    return _message(rows, _Recipients.load(rows))


def preference_get(*, person: Person) -> Preference:
    preference, _created = Preference.objects.get_or_create(person=person)
    return preference


def preference_update(*, person: Person, lead: bool, overdue: bool, digest: bool) -> Preference:
    preference = preference_get(person=person)
    preference.lead, preference.overdue, preference.digest = lead, overdue, digest
    preference.full_clean()
    preference.save(update_fields=["lead", "overdue", "digest"])
    return preference


def calendar_token_reset(*, person: Person) -> Preference:
    preference = preference_get(person=person)
    preference.calendar_token = new_calendar_token()
    preference.save(update_fields=["calendar_token"])
    return preference
