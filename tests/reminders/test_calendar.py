"""The working-day calendar: days from chinese-calendar, the administrators' overrides on top,
and the warning when this year or the next has no data."""

import importlib
import logging
from datetime import date
from io import StringIO
from itertools import islice

import chinese_calendar
import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from apps.reminders import ladder, services
from apps.reminders.models import CalendarDay, CalendarDayKind, Policy
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db

SOURCE = f"chinese-calendar {chinese_calendar.__version__}"
# The last year the installed library knows, and the first it does not.
LAST_YEAR = max(chinese_calendar.holidays).year
UNKNOWN_YEAR = LAST_YEAR + 1


@pytest.fixture
def admin_client_zh(client, superuser):
    client.force_login(superuser)
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.fixture
def gap_log_reset(monkeypatch):
    """Forget what this process already logged about missing years."""
    monkeypatch.setattr(services, "_calendar_gap_logged", None)


def day_row(day: date) -> tuple:
    return CalendarDay.objects.values_list("kind", "name", "source", "is_override").get(date=day)


def gap_warning(year: int) -> str:
    return (
        f"{year} 年还没有节假日与调休数据，提醒会把这一年的每个星期一至星期五都当作工作日。"
        "请升级 chinese-calendar 后运行 manage.py load_holidays，或在“节假日与调休”中添加。"
    )


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def load_holidays() -> str:
    out = StringIO()
    call_command("load_holidays", stdout=out, stderr=StringIO())
    return out.getvalue()


# Days from the library


def test_calendar_load_takes_2024_spring_festival_from_the_library():
    CalendarDay.objects.all().delete()

    result = services.calendar_load()

    assert result.created == CalendarDay.objects.count()
    # Saturday 10 February 2024, the first day of Spring Festival; Sunday 4 February, worked.
    assert day_row(date(2024, 2, 10)) == (CalendarDayKind.HOLIDAY, "春节", SOURCE, False)
    assert day_row(date(2024, 2, 4)) == (CalendarDayKind.WORKDAY, "春节调休上班", SOURCE, False)
    cal = services.work_calendar()
    assert cal.is_working_day(date(2024, 2, 4)) is True
    assert cal.is_working_day(date(2024, 2, 12)) is False  # a Monday of the holiday


def test_calendar_load_names_the_festivals_in_chinese():
    services.calendar_load()

    names = set(
        CalendarDay.objects.filter(date__year=2024, kind=CalendarDayKind.HOLIDAY).values_list(
            "name", flat=True
        )
    )
    assert names == {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
    # A one-off day the library names only in Chinese of its own.
    assert day_row(date(2015, 9, 3))[1] == "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"


def test_calendar_load_covers_the_years_the_library_knows():
    services.calendar_load()

    years = {day.year for day in CalendarDay.objects.dates("date", "year")}
    assert years == set(services.calendar_library_years())
    assert CalendarDay.objects.count() == len(chinese_calendar.holidays) + len(
        chinese_calendar.workdays
    )


def test_calendar_load_twice_changes_nothing():
    services.calendar_load()

    again = services.calendar_load()

    assert again == services.CalendarLoad(created=0, updated=0, deleted=0, overrides=0)


def test_calendar_load_deletes_a_library_day_the_library_no_longer_has():
    # Friday 15 March 2024 was an ordinary working day.
    CalendarDay.objects.create(
        date=date(2024, 3, 15), kind=CalendarDayKind.HOLIDAY, name="旧数据", source="旧版本"
    )

    result = services.calendar_load()

    assert result.deleted == 1
    assert CalendarDay.objects.filter(date=date(2024, 3, 15)).exists() is False


def test_calendar_load_restores_library_values_of_a_library_day():
    CalendarDay.objects.filter(date=date(2024, 2, 10)).update(name="改过", source="旧版本")

    result = services.calendar_load()

    assert result.updated == 1
    assert day_row(date(2024, 2, 10)) == (CalendarDayKind.HOLIDAY, "春节", SOURCE, False)


# The administrators' overrides


def test_admin_change_makes_an_override_that_survives_load_holidays_and_wins(admin_client_zh):
    # Monday 7 October 2024, a National Day holiday, worked here after all.
    day = CalendarDay.objects.get(date=date(2024, 10, 7))
    response = admin_client_zh.post(
        reverse("admin:reminders_calendarday_change", args=[day.pk]),
        {"date": "2024-10-07", "kind": "workday", "name": "园区值班", "source": "管委会通知"},
    )
    assert response.status_code == 302

    output = load_holidays()

    assert day_row(date(2024, 10, 7)) == (CalendarDayKind.WORKDAY, "园区值班", "管委会通知", True)
    assert "kept as set in the admin: 1;" in output
    assert services.work_calendar().is_working_day(date(2024, 10, 7)) is True


def test_admin_added_day_is_an_override_load_holidays_keeps(admin_client_zh):
    # A day the library does not know, in a year it knows: loading would delete a library day.
    response = admin_client_zh.post(
        reverse("admin:reminders_calendarday_add"),
        {"date": "2024-03-15", "kind": "holiday", "name": "园区停电", "source": ""},
    )
    assert response.status_code == 302

    load_holidays()

    assert day_row(date(2024, 3, 15)) == (CalendarDayKind.HOLIDAY, "园区停电", "", True)
    assert services.work_calendar().is_working_day(date(2024, 3, 15)) is False


def test_admin_save_without_changes_keeps_a_library_day(admin_client_zh):
    day = CalendarDay.objects.get(date=date(2024, 2, 10))
    response = admin_client_zh.post(
        reverse("admin:reminders_calendarday_change", args=[day.pk]),
        {"date": "2024-02-10", "kind": "holiday", "name": "春节", "source": SOURCE},
    )
    assert response.status_code == 302
    assert day_row(date(2024, 2, 10)) == (CalendarDayKind.HOLIDAY, "春节", SOURCE, False)


def test_admin_use_library_action_returns_overrides_to_the_library(admin_client_zh):
    CalendarDay.objects.filter(date=date(2024, 2, 10)).update(
        kind=CalendarDayKind.WORKDAY, name="加班", is_override=True
    )
    override = CalendarDay.objects.get(date=date(2024, 2, 10))
    library_day = CalendarDay.objects.get(date=date(2024, 2, 11))

    response = admin_client_zh.post(
        reverse("admin:reminders_calendarday_changelist"),
        {"action": "use_library", "_selected_action": [override.pk, library_day.pk]},
        follow=True,
    )

    assert day_row(date(2024, 2, 10)) == (CalendarDayKind.HOLIDAY, "春节", SOURCE, False)
    assert day_row(date(2024, 2, 11)) == (CalendarDayKind.HOLIDAY, "春节", SOURCE, False)
    assert f"1 个日期已改回节假日库（{SOURCE}）的数据。" in page_messages(response)


def test_migration_keeps_days_the_old_file_did_not_load_as_overrides():
    migration = importlib.import_module(
        "apps.reminders.migrations.0005_calendar_from_chinese_calendar"
    )
    CalendarDay.objects.all().delete()
    CalendarDay.objects.create(
        date=date(2024, 2, 10), kind="holiday", name="春节", source="国办发明电〔2023〕7号"
    )
    CalendarDay.objects.create(
        date=date(2024, 10, 7), kind="workday", name="值班", source="国办发明电〔2023〕7号"
    )
    CalendarDay.objects.create(date=date(2024, 3, 15), kind="holiday", name="停电", source="")

    migration.load(apps, None)

    assert day_row(date(2024, 2, 10)) == ("holiday", "春节", SOURCE, False)
    assert day_row(date(2024, 10, 7)) == ("workday", "值班", "国办发明电〔2023〕7号", True)
    assert day_row(date(2024, 3, 15)) == ("holiday", "停电", "", True)
    assert (
        CalendarDay.objects.filter(is_override=False).count()
        == len(chinese_calendar.holidays) + len(chinese_calendar.workdays) - 1
    )


# The ladder over library days


def test_ladder_moves_lead_reminders_before_spring_festival_2024():
    cal = services.work_calendar()
    policy = ladder.PolicySnapshot()
    rungs = [
        (r.kind, r.rung_date, r.send_date)
        for r in islice(ladder.owner_rungs(date(2024, 2, 19), policy, cal), 4)
    ]
    assert rungs == [
        # Saturday 20 January: the Friday before.
        ("lead", date(2024, 1, 20), date(2024, 1, 19)),
        # Monday 12 February is a holiday: the last working day before it, Friday the 9th.
        ("lead", date(2024, 2, 12), date(2024, 2, 9)),
        # Sunday 18 February is an adjusted working day: the reminder goes out on it.
        ("lead", date(2024, 2, 18), date(2024, 2, 18)),
        ("due", date(2024, 2, 19), date(2024, 2, 19)),
    ]


# No data for this year or the next


def test_calendar_missing_years_none_while_the_library_covers_both():
    assert services.calendar_missing_years(today=date(LAST_YEAR - 1, 6, 1)) == []


def test_calendar_missing_years_next_year_beyond_the_library():
    assert services.calendar_missing_years(today=date(LAST_YEAR, 6, 1)) == [UNKNOWN_YEAR]


def test_calendar_missing_years_counts_a_year_whose_rows_were_deleted():
    CalendarDay.objects.filter(date__year=LAST_YEAR).delete()

    assert services.calendar_missing_years(today=date(LAST_YEAR - 1, 6, 1)) == [LAST_YEAR]


def test_admin_calendar_changelist_warns_when_next_year_has_no_data(admin_client_zh, clock):
    clock(at(date(LAST_YEAR, 6, 1)))

    response = admin_client_zh.get(reverse("admin:reminders_calendarday_changelist"))

    assert response.status_code == 200
    assert page_messages(response) == [gap_warning(UNKNOWN_YEAR)]
    assert gap_warning(UNKNOWN_YEAR) in response.content.decode()


def test_admin_calendar_changelist_warns_for_both_years_beyond_the_library(
    client, superuser, clock
):
    clock(at(date(UNKNOWN_YEAR, 3, 1)))
    client.force_login(superuser)  # after the move, or the session would have expired

    response = client.get(reverse("admin:reminders_calendarday_changelist"))

    assert response.status_code == 200
    assert page_messages(response) == [gap_warning(UNKNOWN_YEAR), gap_warning(UNKNOWN_YEAR + 1)]


def test_admin_calendar_changelist_silent_while_both_years_have_data(admin_client_zh, clock):
    clock(at(date(LAST_YEAR - 1, 6, 1)))

    response = admin_client_zh.get(reverse("admin:reminders_calendarday_changelist"))

    assert page_messages(response) == []


def test_admin_policy_page_warns_when_next_year_has_no_data(admin_client_zh, clock, policy):
    clock(at(date(LAST_YEAR, 6, 1)))

    changelist = admin_client_zh.get(reverse("admin:reminders_policy_changelist"))
    change = admin_client_zh.get(reverse("admin:reminders_policy_change", args=[policy.pk]))

    assert page_messages(changelist) == [gap_warning(UNKNOWN_YEAR)]
    assert page_messages(change) == [gap_warning(UNKNOWN_YEAR)]
    assert Policy.objects.count() == 1


def test_admin_calendar_warning_in_english(client, superuser, clock):
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    clock(at(date(LAST_YEAR, 6, 1)))

    try:
        response = client.get(reverse("admin:reminders_calendarday_changelist"))
    finally:
        translation.deactivate()  # the request left English active for the tests after it

    assert page_messages(response) == [
        f"There is no holiday or adjusted working day data for {UNKNOWN_YEAR} yet: reminders "
        "will treat every Monday to Friday of it as a working day. Upgrade chinese-calendar and "
        "run manage.py load_holidays, or add the days under Holidays and adjusted working days."
    ]


def test_dispatch_logs_a_missing_year_once_a_day(clock, caplog, gap_log_reset, no_digest):
    caplog.set_level(logging.WARNING, logger="apps.reminders.services")
    expected = [
        f"reminders: no holiday calendar for {year}; every weekday of it counts as a working "
        "day. Upgrade chinese-calendar and run manage.py load_holidays, or add the days in the "
        "admin."
        for year in (UNKNOWN_YEAR, UNKNOWN_YEAR + 1)
    ]

    clock(at(date(UNKNOWN_YEAR, 3, 1), 9))
    services.dispatch()
    clock(at(date(UNKNOWN_YEAR, 3, 1), 9, 5))
    services.dispatch()
    first_day = [record.getMessage() for record in caplog.records]
    clock(at(date(UNKNOWN_YEAR, 3, 2), 9))
    services.dispatch()

    assert first_day == expected
    assert [record.getMessage() for record in caplog.records] == expected + expected


def test_dispatch_logs_nothing_while_both_years_have_data(clock, caplog, gap_log_reset, no_digest):
    caplog.set_level(logging.WARNING, logger="apps.reminders.services")
    clock(at(date(LAST_YEAR - 1, 6, 1), 9))

    services.dispatch()

    assert caplog.records == []


def test_load_holidays_warns_when_next_year_has_no_data(clock):
    clock(at(date(LAST_YEAR, 6, 1)))
    err = StringIO()

    call_command("load_holidays", stdout=StringIO(), stderr=err)

    assert err.getvalue() == (
        f"No holiday calendar for {UNKNOWN_YEAR}: reminders treat every weekday of it as a "
        "working day. Upgrade chinese-calendar (pip install -U chinese-calendar) and run "
        "this again, or add the days in the admin.\n"
    )
