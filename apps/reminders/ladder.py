"""The reminder ladder: which rungs a deadline has, on which working day each is sent.

Pure functions over a policy snapshot and a working-day calendar, so that dispatch, the
schedule kept in `Deadline.next_reminder_at` and the tests all compute the same dates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

OWNERS = "owners"
ESCALATION = "escalation"

# A reminder is never shifted by more than this many days; a longer run of holidays means the
# calendar data is wrong, and the nominal date is kept rather than looping.
_MAX_SHIFT_DAYS = 31

# Rungs fall between these dates, a day inside Python's, so that a send time on any of them is a
# datetime in every time zone. A ladder that would go past them stops there (a deadline typed as
# 9999-12-31 has lead reminders and no overdue ones).
FIRST_DAY = date.min + timedelta(days=1)
LAST_DAY = date.max - timedelta(days=1)


def _offset(day: date, days: int) -> date | None:
    """`day` moved by `days`, or None when that falls outside FIRST_DAY..LAST_DAY."""
    try:
        moved = day + timedelta(days=days)
    except OverflowError:
        return None
    return moved if FIRST_DAY <= moved <= LAST_DAY else None


@dataclass(frozen=True)
class WorkCalendar:
    """Monday to Friday, minus public holidays, plus adjusted working days (调休上班)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def on_or_before(self, day: date) -> date:
        for offset in range(_MAX_SHIFT_DAYS):
            candidate = _offset(day, -offset)
            if candidate is not None and self.is_working_day(candidate):
                return candidate
        return day

    def on_or_after(self, day: date) -> date:
        for offset in range(_MAX_SHIFT_DAYS):
            candidate = _offset(day, offset)
            if candidate is not None and self.is_working_day(candidate):
                return candidate
        return day


@dataclass(frozen=True)
class PolicySnapshot:
    lead_days: tuple[int, ...] = (30, 7, 1, 0)
    send_time: time = time(9, 0)
    overdue_every_days: int = 7
    escalate_after_days: int = 14
    digest_weekday: int = 0
    digest_time: time = time(8, 30)
    digest_horizon_days: int = 14
    working_days_only: bool = True
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))
    # How long after a send time a dispatch still sends what that time is for: a tick or a short
    # restart late. Outside it nothing goes out; what is waiting goes at the next send time.
    window: timedelta = field(
        default_factory=lambda: timedelta(minutes=settings.REMINDERS_SEND_WINDOW_MINUTES)
    )

    def at(self, day: date, at_time: time | None = None) -> datetime:
        return datetime.combine(day, at_time or self.send_time, tzinfo=self.tz)


@dataclass(frozen=True)
class Rung:
    kind: str  # a DeliveryKind value
    audience: str  # OWNERS or ESCALATION
    rung_date: date  # the date the policy names (before shifting): the claim's identity
    send_date: date  # the working day it goes out
    send_at: datetime


def _shifted(day: date, *, later: bool, policy: PolicySnapshot, cal: WorkCalendar) -> date:
    if not policy.working_days_only:
        return day
    return cal.on_or_after(day) if later else cal.on_or_before(day)


def _first_step(due: date, first_days: int, every: int, after: date | None) -> int:
    """The first step of a ladder at due + first_days + every * step that is not before `after`."""
    if after is None or after <= due:
        return 0
    return max(0, math.ceil(((after - due).days - first_days) / every))


def owner_rungs(
    due: date, policy: PolicySnapshot, cal: WorkCalendar, *, after: date | None = None
) -> Iterator[Rung]:
    """Lead rungs (shifted earlier), the due-day rung, then overdue rungs forever (shifted later).

    Two rungs that land on the same working day go out once, as the one nearer the deadline.
    Overdue rungs whose nominal date is before `after` are left out, so that a deadline decades
    past does not walk every week since.
    """

    def raw() -> Iterator[Rung]:
        for days in sorted(set(policy.lead_days), reverse=True):
            nominal = _offset(due, -days)
            if nominal is None:
                continue
            send = _shifted(nominal, later=False, policy=policy, cal=cal)
            yield Rung("due" if days == 0 else "lead", OWNERS, nominal, send, policy.at(send))
        every = policy.overdue_every_days
        step = max(1, _first_step(due, 0, every, after))
        while True:
            nominal = _offset(due, every * step)
            if nominal is None:
                return
            send = _shifted(nominal, later=True, policy=policy, cal=cal)
            yield Rung("overdue", OWNERS, nominal, send, policy.at(send))
            step += 1

    return _merge_same_day(raw())


def escalation_rungs(
    due: date, policy: PolicySnapshot, cal: WorkCalendar, *, after: date | None = None
) -> Iterator[Rung]:
    """After `escalate_after_days` overdue, then again at every overdue interval (those before
    `after` left out)."""

    def raw() -> Iterator[Rung]:
        first, every = policy.escalate_after_days, policy.overdue_every_days
        step = _first_step(due, first, every, after)
        while True:
            nominal = _offset(due, first + every * step)
            if nominal is None:
                return
            send = _shifted(nominal, later=True, policy=policy, cal=cal)
            yield Rung("escalation", ESCALATION, nominal, send, policy.at(send))
            step += 1

    return _merge_same_day(raw())


def _merge_same_day(rungs: Iterable[Rung]) -> Iterator[Rung]:
    pending: Rung | None = None
    for rung in rungs:
        if pending is not None and rung.send_date > pending.send_date:
            yield pending
        pending = rung
    if pending is not None:
        yield pending


@dataclass(frozen=True)
class Position:
    """Where a deadline stands at a moment: the rungs whose turn has come, and the next send time
    (None once both ladders have run out, which only a deadline near the year 9999 sees)."""

    current: tuple[Rung, ...]
    next_at: datetime | None


def position(
    due: date, now: datetime, policy: PolicySnapshot, cal: WorkCalendar, *, since=None
) -> Position:
    """The latest rung of each ladder with send_at <= now (and after `since`), and the next one.

    A rung whose turn has passed while a later rung's has come is stale and is not sent: after
    an outage the 7-days-before reminder goes out, not the 30-days-before one as well.
    """
    current: list[Rung] = []
    next_times: list[datetime] = []
    # The latest rung before now is at most an interval and two shifts back; skip what is older.
    after = _offset(
        now.astimezone(policy.tz).date(), -(policy.overdue_every_days + 2 * _MAX_SHIFT_DAYS)
    )
    ladders = (
        owner_rungs(due, policy, cal, after=after),
        escalation_rungs(due, policy, cal, after=after),
    )
    for ladder in ladders:
        latest = None
        for rung in ladder:
            if rung.send_at > now:
                next_times.append(rung.send_at)
                break
            latest = rung
        if latest is not None and (since is None or latest.send_at > since):
            current.append(latest)
    return Position(tuple(current), min(next_times, default=None))


def _sends_on(day: date, policy: PolicySnapshot, cal: WorkCalendar) -> bool:
    return not policy.working_days_only or cal.is_working_day(day)


def slot_on_or_after(
    moment: datetime, policy: PolicySnapshot, cal: WorkCalendar, at_time: time | None = None
) -> datetime:
    """The first send time at or after `moment`: the policy's hour (or `at_time`) on a working
    day (on any day when the policy does not keep to working days)."""
    day = moment.astimezone(policy.tz).date()
    for _attempt in range(2):  # today's send time, else the first working day after today
        if policy.working_days_only:
            day = cal.on_or_after(day)
        slot = policy.at(day, at_time)
        if slot >= moment:
            return slot
        later = _offset(day, 1)
        if later is None:
            return slot
        day = later
    return slot


def current_slot(
    now: datetime, policy: PolicySnapshot, cal: WorkCalendar, at_time: time | None = None
) -> datetime | None:
    """The send time whose window `now` is in, or None between windows."""
    today = now.astimezone(policy.tz).date()
    for day in (today, _offset(today, -1)):  # yesterday's, for a window that crosses midnight
        if day is None or not _sends_on(day, policy, cal):
            continue
        slot = policy.at(day, at_time)
        if slot <= now < slot + policy.window:
            return slot
    return None


def send_at(
    waiting_since: datetime,
    now: datetime,
    policy: PolicySnapshot,
    cal: WorkCalendar,
    at_time: time | None = None,
) -> datetime:
    """When something due at `waiting_since` goes out, seen at `now`.

    A time still ahead is the next send time from it. One already passed goes out in the
    current send window (the returned send time is then at or before `now`: this dispatch), else
    at the next send time: never at 03:21 because a worker started then, nor at 10:00 because
    an item was created then. Dispatch and the pages both ask this function.
    """
    if waiting_since > now:
        return slot_on_or_after(waiting_since, policy, cal, at_time)
    slot = current_slot(now, policy, cal, at_time)
    return slot if slot is not None else slot_on_or_after(now, policy, cal, at_time)


@dataclass(frozen=True)
class Plan:
    """What a dispatch at a moment does with a deadline: the rungs it sends (none outside the
    send window), when the deadline next needs dispatch, and whether a rung is left waiting
    for the next send time."""

    send: tuple[Rung, ...]
    next_at: datetime | None
    waiting: bool = False


def plan(
    due: date, now: datetime, policy: PolicySnapshot, cal: WorkCalendar, *, since=None
) -> Plan:
    pos = position(due, now, policy, cal, since=since)
    if not pos.current:
        return Plan((), pos.next_at)
    at = send_at(min(rung.send_at for rung in pos.current), now, policy, cal)
    if at <= now:
        return Plan(pos.current, pos.next_at)
    return Plan((), at, waiting=True)


def first_pending_at(
    due: date, now: datetime, policy: PolicySnapshot, cal: WorkCalendar, *, since=None
) -> datetime | None:
    """When the deadline's next reminder goes out: what `Deadline.next_reminder_at` stores,
    dispatch polls and the item's page shows. A waiting rung goes at `send_at`; else the next
    rung's own send time."""
    pos = position(due, now, policy, cal, since=since)
    if pos.current:
        return send_at(min(rung.send_at for rung in pos.current), now, policy, cal)
    return pos.next_at


def digest_day(week_start: date, policy: PolicySnapshot, cal: WorkCalendar) -> date:
    """The digest goes out on the policy weekday of the week, or the next working day after it."""
    day = week_start + timedelta(days=policy.digest_weekday)
    if not policy.working_days_only:
        return day
    return cal.on_or_after(day)


def next_digest_at(now: datetime, policy: PolicySnapshot, cal: WorkCalendar) -> datetime:
    """The first digest send time strictly after `now`."""
    local = now.astimezone(policy.tz).date()
    week_start = local - timedelta(days=local.weekday())
    for weeks in range(0, 3):
        start = week_start + timedelta(weeks=weeks)
        at = policy.at(digest_day(start, policy, cal), policy.digest_time)
        if at > now:
            return at
    raise AssertionError("unreachable: a digest day falls in every week")
