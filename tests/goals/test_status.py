"""The target status light: each rule at exactly its threshold."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.rules import Light
from apps.goals.models import Target, TargetStatus
from apps.goals.status import (
    LATE_CHECKIN_DAYS,
    MISSED_CHECKIN_DAYS,
    compute_light,
    target_light,
    targets_with_light,
    with_light_inputs,
)
from tests.factories import CheckInFactory

TODAY = date(2024, 6, 1)


def light(**overrides):
    values = {
        "status": TargetStatus.ON_TRACK,
        "deadline": TODAY + timedelta(days=100),
        "start_date": None,
        "baseline": None,
        "target_value": None,
        "current_value": None,
        "last_checkin_on": TODAY,
        "tracked_since": TODAY - timedelta(days=400),
        "today": TODAY,
    }
    values.update(overrides)
    return compute_light(**values).color


def lagging(*, elapsed_days, total_days, baseline, target_value, current_value):
    return light(
        start_date=TODAY - timedelta(days=elapsed_days),
        deadline=TODAY - timedelta(days=elapsed_days) + timedelta(days=total_days),
        baseline=Decimal(baseline),
        target_value=Decimal(target_value),
        current_value=Decimal(current_value),
    )


def test_light_thresholds_are_documented_values():
    assert (MISSED_CHECKIN_DAYS, LATE_CHECKIN_DAYS) == (60, 30)


def test_light_achieved_without_deadline_is_green():
    assert light(status=TargetStatus.ACHIEVED, deadline=None) == Light.GREEN


def test_light_achieved_after_deadline_is_green():
    assert light(status=TargetStatus.ACHIEVED, deadline=TODAY - timedelta(days=10)) == Light.GREEN


def test_light_not_assessed_is_grey_even_past_its_deadline():
    result = compute_light(
        status=TargetStatus.NOT_ASSESSED,
        deadline=TODAY - timedelta(days=10),
        start_date=TODAY - timedelta(days=400),
        baseline=None,
        target_value=None,
        current_value=None,
        last_checkin_on=None,
        tracked_since=TODAY - timedelta(days=400),
        today=TODAY,
    )

    assert (result.color, result.reason) == (
        Light.GREY,
        "状态未评估：文件未给出其状态，也还没有人填报。",
    )


def test_light_not_started_past_its_deadline_is_red():
    assert light(status=TargetStatus.NOT_STARTED, deadline=TODAY - timedelta(days=1)) == Light.RED


def test_light_without_deadline_is_grey():
    assert light(deadline=None, status=TargetStatus.OFF_TRACK) == Light.GREY


def test_light_on_deadline_day_is_not_red():
    assert light(deadline=TODAY) == Light.GREEN


def test_light_day_after_deadline_is_red():
    assert light(deadline=TODAY - timedelta(days=1)) == Light.RED


def test_light_off_track_is_red():
    assert light(status=TargetStatus.OFF_TRACK) == Light.RED


def test_light_at_risk_is_yellow():
    assert light(status=TargetStatus.AT_RISK) == Light.YELLOW


def test_light_checkin_exactly_30_days_ago_is_green():
    assert light(last_checkin_on=TODAY - timedelta(days=30)) == Light.GREEN


def test_light_checkin_31_days_ago_is_yellow():
    assert light(last_checkin_on=TODAY - timedelta(days=31)) == Light.YELLOW


def test_light_checkin_exactly_60_days_ago_is_yellow():
    assert light(last_checkin_on=TODAY - timedelta(days=60)) == Light.YELLOW


def test_light_checkin_61_days_ago_is_red():
    assert light(last_checkin_on=TODAY - timedelta(days=61)) == Light.RED


def test_light_lag_of_exactly_10_points_is_green():
    # Half the time elapsed, 40% done: 50 - 40 = 10 points, not more.
    result = lagging(
        elapsed_days=50, total_days=100, baseline="0", target_value="100", current_value="40"
    )
    assert result == Light.GREEN


def test_light_lag_just_over_10_points_is_yellow():
    result = lagging(
        elapsed_days=50, total_days=100, baseline="0", target_value="100", current_value="39.99"
    )
    assert result == Light.YELLOW


def test_light_lag_one_more_elapsed_day_is_yellow():
    result = lagging(
        elapsed_days=51, total_days=100, baseline="0", target_value="100", current_value="40"
    )
    assert result == Light.YELLOW


def test_light_lag_of_exactly_30_points_is_yellow_and_more_is_red():
    exactly = lagging(
        elapsed_days=50, total_days=100, baseline="0", target_value="100", current_value="20"
    )
    over = lagging(
        elapsed_days=50, total_days=100, baseline="0", target_value="100", current_value="19.99"
    )
    assert (exactly, over) == (Light.YELLOW, Light.RED)


def test_light_falling_target_lag_of_exactly_10_points_is_green():
    # From 100 down to 50; at 85 30% of the way is done while 40% of the time has elapsed.
    result = lagging(
        elapsed_days=40, total_days=100, baseline="100", target_value="50", current_value="85"
    )
    assert result == Light.GREEN


def test_light_falling_target_lag_over_10_points_is_yellow():
    result = lagging(
        elapsed_days=40, total_days=100, baseline="100", target_value="50", current_value="86"
    )
    assert result == Light.YELLOW


def test_light_lag_not_judged_without_current_value():
    result = light(
        start_date=TODAY - timedelta(days=90),
        deadline=TODAY + timedelta(days=10),
        baseline=Decimal("0"),
        target_value=Decimal("100"),
    )
    assert result == Light.GREEN


def test_light_lag_not_judged_when_target_equals_baseline():
    result = lagging(
        elapsed_days=90, total_days=100, baseline="5", target_value="5", current_value="5"
    )
    assert result == Light.GREEN


def test_light_before_start_date_nothing_has_elapsed():
    result = light(
        start_date=TODAY + timedelta(days=10),
        deadline=TODAY + timedelta(days=110),
        baseline=Decimal("0"),
        target_value=Decimal("100"),
        current_value=Decimal("0"),
        last_checkin_on=None,
    )
    assert result == Light.GREEN


def test_light_never_checked_in_counts_from_later_of_start_and_tracking():
    # Started long ago but entered 61 days ago: the 61 days count, not the years before.
    result = light(
        last_checkin_on=None,
        start_date=TODAY - timedelta(days=700),
        tracked_since=TODAY - timedelta(days=61),
    )
    assert result == Light.RED


def test_light_never_checked_in_60_days_after_start_is_yellow():
    result = light(
        last_checkin_on=None,
        start_date=TODAY - timedelta(days=60),
        tracked_since=TODAY - timedelta(days=300),
    )
    assert result == Light.YELLOW


def test_light_never_checked_in_entered_today_is_green():
    result = light(
        last_checkin_on=None, start_date=TODAY - timedelta(days=700), tracked_since=TODAY
    )
    assert result == Light.GREEN


def test_light_reason_names_the_missed_days():
    result = compute_light(
        status=TargetStatus.ON_TRACK,
        deadline=TODAY + timedelta(days=5),
        start_date=None,
        baseline=None,
        target_value=None,
        current_value=None,
        last_checkin_on=TODAY - timedelta(days=61),
        tracked_since=None,
        today=TODAY,
    )
    assert result.reason == "已 61 天未填报（超过 60 天）。"
    assert result.css_class == "status-red"


@pytest.mark.django_db
def test_with_light_inputs_annotates_latest_checkin_date(target_factory):
    target = target_factory(deadline=date(2030, 1, 1))
    for day in (date(2024, 1, 5), date(2024, 3, 7), date(2024, 2, 1)):
        CheckInFactory(target=target, date=day)

    annotated = with_light_inputs(Target.objects.all()).get(pk=target.pk)

    assert annotated.last_checkin_on == date(2024, 3, 7)


@pytest.mark.django_db
def test_target_light_without_annotation_refuses(target_factory):
    target = target_factory(deadline=date(2030, 1, 1))
    with pytest.raises(ValueError):
        target_light(target)


@pytest.mark.django_db
def test_targets_with_light_selects_each_color(target_factory):
    today = timezone.localdate()
    red = target_factory(deadline=today - timedelta(days=1))
    grey = target_factory()
    green = target_factory(deadline=today + timedelta(days=30))
    yellow = target_factory(deadline=today + timedelta(days=30), status=TargetStatus.AT_RISK)
    unassessed = target_factory(
        deadline=today - timedelta(days=1), status=TargetStatus.NOT_ASSESSED
    )

    assert list(targets_with_light(Target.objects.all(), Light.RED)) == [red]
    assert list(targets_with_light(Target.objects.all(), Light.GREY)) == [grey, unassessed]
    assert list(targets_with_light(Target.objects.all(), Light.GREEN)) == [green]
    assert list(targets_with_light(Target.objects.all(), Light.YELLOW)) == [yellow]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_targets_with_light_costs_two_queries(target_factory, django_assert_num_queries, rows):
    today = timezone.localdate()
    for _ in range(rows):
        target = target_factory(deadline=today + timedelta(days=30))
        CheckInFactory(target=target, date=today)

    # One to read the candidates' fields, one to fetch the matching rows.
    with django_assert_num_queries(2):
        matching = list(targets_with_light(Target.objects.all(), Light.GREEN))

    assert len(matching) == rows


def test_light_not_started_three_whole_months_after_start_is_red():
    start = TODAY - timedelta(days=120)
    assert light(status=TargetStatus.NOT_STARTED, start_date=start) == Light.RED
    assert light(status=TargetStatus.NOT_STARTED, start_date=TODAY - timedelta(days=40)) != (
        Light.RED
    )
