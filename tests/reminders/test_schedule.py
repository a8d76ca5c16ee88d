"""When reminders go out: at the policy's hour on working days, and the page says so."""

from datetime import date, datetime, time, timedelta

import pytest

from apps.org.models import Person
from apps.reminders import ladder, services, tasks
from apps.reminders.models import Deadline, Delivery, DeliveryKind, Job
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db


def test_hazard_created_at_three_is_next_reminded_at_nine_the_same_working_day(
    client, clock, policy, no_digest, staff_a, unit_a, hazard_factory
):
    clock(at(date(2025, 3, 13), 3, 0))  # a Thursday
    # Due in three days: its 7-days-before reminder is already waiting.
    hazard = hazard_factory(unit=unit_a, rectification_deadline=date(2025, 3, 16))
    client.force_login(staff_a)

    page = client.get(hazard.get_absolute_url())

    deadline = Deadline.objects.get(object_id=hazard.pk, kind="hazard")
    assert deadline.next_reminder_at == at(date(2025, 3, 13), 9, 0)
    assert "下次提醒时间：2025-03-13 09:00" in page.content.decode()


def test_item_created_at_ten_on_a_friday_is_next_reminded_on_monday_at_nine(
    clock, policy, no_digest, team, make_milestone
):
    clock(at(date(2025, 3, 14), 10, 0))  # a Friday, after its send window
    make_milestone(date(2025, 3, 18))

    deadline = Deadline.objects.get()
    assert deadline.next_reminder_at == at(date(2025, 3, 17), 9, 0)
    assert services.dispatch().created == []


def test_item_created_before_a_holiday_is_next_reminded_on_the_first_working_day_after(
    clock, holidays, policy, no_digest, team, make_milestone
):
    clock(at(date(2025, 9, 30), 10, 0))  # the Tuesday before the National Day holidays
    make_milestone(date(2025, 10, 10))

    deadline = Deadline.objects.get()
    assert deadline.next_reminder_at == at(date(2025, 10, 9), 9, 0)  # 1-8 October are off


def test_dispatch_at_three_twenty_one_sends_nothing_and_waits_for_nine(
    clock, policy, no_digest, team, make_milestone
):
    clock(at(date(2025, 3, 12), 9, 5))
    make_milestone(date(2025, 3, 20))  # its 7-days-before reminder is due on 13 March
    # The worker stopped on 12 March and starts again at 03:21 on the 14th, a day late.
    clock(at(date(2025, 3, 14), 3, 21))

    assert tasks.dispatch.apply().get() == 0
    deadline = Deadline.objects.get()
    assert (Delivery.objects.count(), deadline.next_reminder_at) == (0, at(date(2025, 3, 14), 9))
    assert deadline.last_dispatched_at is None

    clock(at(date(2025, 3, 14), 8, 59))
    assert services.dispatch().created == []
    clock(at(date(2025, 3, 14), 9, 0))
    sent = services.dispatch().created
    names = dict(Person.objects.values_list("pk", "name"))
    assert sorted((d.kind, d.rung_date, names[d.recipient_id]) for d in sent) == [
        (DeliveryKind.LEAD, date(2025, 3, 13), "li"),
        (DeliveryKind.LEAD, date(2025, 3, 13), "zhang"),
    ]


def test_dispatch_sends_at_the_time_the_page_shows_and_not_before(
    client, clock, policy, no_digest, staff_a, unit_a, hazard_factory
):
    clock(at(date(2025, 3, 14), 16, 0))  # a Friday afternoon
    hazard = hazard_factory(unit=unit_a, rectification_deadline=date(2025, 3, 18))
    client.force_login(staff_a)
    shown = client.get(hazard.get_absolute_url()).content.decode()
    next_at = Deadline.objects.get(kind="hazard", object_id=hazard.pk).next_reminder_at

    assert next_at == at(date(2025, 3, 17), 9, 0)
    assert "下次提醒时间：2025-03-17 09:00" in shown
    clock(next_at - timedelta(minutes=1))
    assert services.dispatch().created == []
    clock(next_at)
    assert [d.recipient_id for d in services.dispatch().created] == [staff_a.person.pk]


def test_dispatch_within_the_window_sends_and_after_it_waits(
    clock, policy, no_digest, team, make_milestone, settings
):
    clock(at(date(2025, 3, 12), 9, 5))
    make_milestone(date(2025, 3, 20))
    window = settings.REMINDERS_SEND_WINDOW_MINUTES

    clock(at(date(2025, 3, 13), 9, 0) + timedelta(minutes=window))
    assert services.dispatch().created == []
    assert Deadline.objects.get().next_reminder_at == at(date(2025, 3, 14), 9, 0)
    clock(at(date(2025, 3, 14), 9, 0) + timedelta(minutes=window - 1))
    assert len(services.dispatch().created) == 2


def test_digest_missed_by_a_stopped_worker_goes_at_the_next_working_days_digest_time(
    clock, policy, team, make_milestone
):
    clock(at(date(2025, 3, 14)))
    make_milestone(date(2025, 3, 20))
    services.dispatch()
    assert Job.objects.get(name=services.DIGEST_JOB).next_run_at == at(date(2025, 3, 17), 8, 30)

    clock(at(date(2025, 3, 17), 11, 0))  # the worker was down at 08:30 on Monday
    services.dispatch()
    assert Delivery.objects.filter(kind=DeliveryKind.DIGEST).count() == 0
    assert Job.objects.get(name=services.DIGEST_JOB).next_run_at == at(date(2025, 3, 18), 8, 30)

    clock(datetime(2025, 3, 18, 8, 31, tzinfo=at(date(2025, 3, 18)).tzinfo))
    services.dispatch()
    assert Delivery.objects.filter(kind=DeliveryKind.DIGEST).count() == 3


def test_send_window_that_crosses_midnight_still_sends_after_it():
    policy = ladder.PolicySnapshot(send_time=time(23, 50), window=timedelta(minutes=30))
    cal = ladder.WorkCalendar()
    thursday_night = at(date(2025, 3, 13), 23, 50)

    assert ladder.current_slot(at(date(2025, 3, 14), 0, 5), policy, cal) == thursday_night
    assert ladder.current_slot(at(date(2025, 3, 14), 0, 20), policy, cal) is None
    assert ladder.send_at(thursday_night, at(date(2025, 3, 14), 0, 20), policy, cal) == at(
        date(2025, 3, 14), 23, 50
    )


def test_send_at_on_any_day_when_the_policy_ignores_working_days():
    policy = ladder.PolicySnapshot(working_days_only=False)
    saturday = date(2025, 3, 15)

    assert ladder.send_at(
        at(saturday, 3, 0), at(saturday, 10, 0), policy, ladder.WorkCalendar()
    ) == (at(date(2025, 3, 16), 9, 0))
