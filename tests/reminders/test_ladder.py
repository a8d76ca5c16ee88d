"""The ladder's dates: lead rungs shifted earlier, overdue and escalation rungs shifted later."""

from datetime import date, timedelta
from itertools import islice

import pytest

from apps.reminders import ladder, services
from apps.reminders.models import CalendarDay, CalendarDayKind, Deadline

from .conftest import at

pytestmark = pytest.mark.django_db

POLICY = ladder.PolicySnapshot()


def dates(rungs, count):
    return [(r.kind, r.rung_date, r.send_date) for r in islice(rungs, count)]


def test_ladder_without_holidays_sends_on_the_nominal_weekdays():
    cal = ladder.WorkCalendar()
    # 2025-03-20 is a Thursday; every rung lands on a weekday.
    assert dates(ladder.owner_rungs(date(2025, 3, 20), POLICY, cal), 6) == [
        ("lead", date(2025, 2, 18), date(2025, 2, 18)),
        ("lead", date(2025, 3, 13), date(2025, 3, 13)),
        ("lead", date(2025, 3, 19), date(2025, 3, 19)),
        ("due", date(2025, 3, 20), date(2025, 3, 20)),
        ("overdue", date(2025, 3, 27), date(2025, 3, 27)),
        ("overdue", date(2025, 4, 3), date(2025, 4, 3)),
    ]
    assert dates(ladder.escalation_rungs(date(2025, 3, 20), POLICY, cal), 2) == [
        ("escalation", date(2025, 4, 3), date(2025, 4, 3)),
        ("escalation", date(2025, 4, 10), date(2025, 4, 10)),
    ]


def test_ladder_shifts_around_national_day_holidays(holidays):
    cal = services.work_calendar()
    # Due the first working day after the 2024 National Day week (1-7 October).
    assert dates(ladder.owner_rungs(date(2024, 10, 8), POLICY, cal), 4) == [
        # 8 September is a Sunday: the reminder comes on Friday the 6th.
        ("lead", date(2024, 9, 8), date(2024, 9, 6)),
        # 7 days before (1 Oct) and 1 day before (7 Oct) are holidays: both would shift to
        # Monday 30 September, which sends the rung nearer the deadline, once.
        ("lead", date(2024, 10, 7), date(2024, 9, 30)),
        ("due", date(2024, 10, 8), date(2024, 10, 8)),
        ("overdue", date(2024, 10, 15), date(2024, 10, 15)),
    ]


def test_ladder_uses_adjusted_working_days_and_skips_weekends(holidays):
    cal = services.work_calendar()
    # Due Saturday 19 October 2024; Saturday 12 October was an adjusted working day (国庆调休).
    assert dates(ladder.owner_rungs(date(2024, 10, 19), POLICY, cal), 5) == [
        ("lead", date(2024, 9, 19), date(2024, 9, 19)),
        ("lead", date(2024, 10, 12), date(2024, 10, 12)),
        ("due", date(2024, 10, 19), date(2024, 10, 18)),
        ("overdue", date(2024, 10, 26), date(2024, 10, 28)),
        ("overdue", date(2024, 11, 2), date(2024, 11, 4)),
    ]
    assert dates(ladder.escalation_rungs(date(2024, 10, 19), POLICY, cal), 1) == [
        ("escalation", date(2024, 11, 2), date(2024, 11, 4)),
    ]


def test_ladder_ignores_the_calendar_when_working_days_are_off(holidays):
    cal = services.work_calendar()
    policy = ladder.PolicySnapshot(working_days_only=False)
    assert dates(ladder.owner_rungs(date(2024, 10, 8), policy, cal), 2) == [
        ("lead", date(2024, 9, 8), date(2024, 9, 8)),
        ("lead", date(2024, 10, 1), date(2024, 10, 1)),
    ]


def test_calendar_working_day_rules():
    cal = ladder.WorkCalendar(
        holidays=frozenset({date(2025, 1, 1)}), workdays=frozenset({date(2025, 1, 26)})
    )
    assert cal.is_working_day(date(2025, 1, 2)) is True  # Thursday
    assert cal.is_working_day(date(2025, 1, 1)) is False  # New Year, a Wednesday
    assert cal.is_working_day(date(2025, 1, 25)) is False  # Saturday
    assert cal.is_working_day(date(2025, 1, 26)) is True  # Sunday, adjusted working day


def test_calendar_load_is_idempotent_and_matches_the_notices(db):
    CalendarDay.objects.all().delete()
    first = services.calendar_load()
    second = services.calendar_load()
    assert first.created == CalendarDay.objects.count()
    assert second == services.CalendarLoad(created=0, updated=0, deleted=0, overrides=0)
    spring_2025 = CalendarDay.objects.filter(
        kind=CalendarDayKind.HOLIDAY, date__range=(date(2025, 1, 28), date(2025, 2, 4))
    )
    assert spring_2025.count() == 8
    assert set(
        CalendarDay.objects.filter(kind=CalendarDayKind.WORKDAY, date__year=2025).values_list(
            "date", flat=True
        )
    ) == {
        date(2025, 1, 26),
        date(2025, 2, 8),
        date(2025, 4, 27),
        date(2025, 9, 28),
        date(2025, 10, 11),
    }


def test_next_digest_moves_past_a_holiday_monday(holidays):
    cal = services.work_calendar()
    from tests.reminders.conftest import at

    # Monday 7 October 2024 is a holiday: the digest comes on Tuesday morning.
    assert ladder.next_digest_at(at(date(2024, 10, 5)), POLICY, cal) == at(date(2024, 10, 8), 8, 30)
    assert ladder.next_digest_at(at(date(2025, 3, 17), 8, 29), POLICY, cal) == at(
        date(2025, 3, 17), 8, 30
    )
    assert ladder.next_digest_at(at(date(2025, 3, 17), 8, 30), POLICY, cal) == at(
        date(2025, 3, 24), 8, 30
    )


# Deadlines at the ends of the calendar: no rung falls outside what a date can hold.

EVERY_DAY = ladder.PolicySnapshot(working_days_only=False)


def test_position_of_a_deadline_on_the_last_day_has_its_lead_rungs_and_no_overdue_ones():
    now = at(date(2026, 12, 2))
    due = date.max

    pos = ladder.position(due, now, EVERY_DAY, ladder.WorkCalendar())

    assert pos.current == ()
    assert pos.next_at == at(date(9999, 12, 1), 9)
    assert dates(ladder.owner_rungs(due, EVERY_DAY, ladder.WorkCalendar()), 9) == [
        ("lead", date(9999, 12, 1), date(9999, 12, 1)),
        ("lead", date(9999, 12, 24), date(9999, 12, 24)),
        ("lead", date(9999, 12, 30), date(9999, 12, 30)),
    ]
    assert list(ladder.escalation_rungs(due, EVERY_DAY, ladder.WorkCalendar())) == []


def test_position_after_the_last_rung_has_no_next_reminder():
    pos = ladder.position(date.max, at(date(9999, 12, 30), 12), EVERY_DAY, ladder.WorkCalendar())

    assert [(rung.kind, rung.rung_date) for rung in pos.current] == [("lead", date(9999, 12, 30))]
    assert pos.next_at is None


def test_position_of_a_deadline_on_the_first_day_is_overdue_since_then():
    today = date(2026, 12, 2)
    due = date.min
    # The latest overdue rung: due + 7 days * n, the last of them on or before today.
    latest = due + timedelta(days=(today - due).days // 7 * 7)
    escalated = due + timedelta(days=14 + ((today - due).days - 14) // 7 * 7)

    pos = ladder.position(due, at(today, 12), EVERY_DAY, ladder.WorkCalendar())

    assert [(rung.kind, rung.rung_date) for rung in pos.current] == [
        ("overdue", latest),
        ("escalation", escalated),
    ]
    assert pos.next_at == at(latest + timedelta(days=7), 9)
    # Lead and due rungs before the first day a date can hold are left out.
    assert dates(ladder.owner_rungs(due, EVERY_DAY, ladder.WorkCalendar()), 1) == [
        ("overdue", date(1, 1, 8), date(1, 1, 8))
    ]


def test_rungs_before_after_are_left_out_and_the_rest_unchanged():
    cal = ladder.WorkCalendar()
    due = date(2020, 3, 20)
    everything = [r for r in islice(ladder.owner_rungs(due, POLICY, cal), 200)]

    later = list(islice(ladder.owner_rungs(due, POLICY, cal, after=date(2022, 1, 1)), 10))

    assert later[:4] == everything[:4]  # the lead and due rungs
    assert later[4:] == [r for r in everything if r.rung_date >= date(2022, 1, 1)][:6]


def test_deadline_sync_schedules_deadlines_at_both_ends_of_the_calendar(team, make_milestone):
    last = make_milestone(date.max)
    first = make_milestone(date.min)

    deadlines = Deadline.objects.filter(object_id__in=[last.pk, first.pk])

    assert sorted(d.due_date for d in deadlines) == [date.min, date.max]
    assert all(d.next_reminder_at is not None for d in deadlines)
