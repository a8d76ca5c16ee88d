"""The project status light at each edge of its rules (apps/projects/status.py)."""

from datetime import date, timedelta

import pytest

from apps.core.models import LightThresholds
from apps.projects.models import Project, Stage
from apps.projects.status import (
    LAG_POINTS,
    RED_LAG_POINTS,
    STALE_LOG_DAYS,
    YELLOW_DAYS_BEFORE_DUE,
    annotate_light,
    light_of,
    reasons_for,
)
from tests.factories import MilestoneFactory, ProgressLogFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 15)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def light(project):
    annotated = annotate_light(Project.objects.all(), TODAY).get(pk=project.pk)
    return light_of(annotated, TODAY)


def test_light_no_dates_is_grey():
    project = ProjectFactory(stage=Stage.SIGNED)
    assert (light(project).light, light(project).reason_code) == ("grey", "no_dates")


def test_light_start_date_alone_is_grey():
    project = ProjectFactory(planned_start=days(-10))
    assert light(project).light == "grey"


def test_light_open_milestone_due_yesterday_is_red():
    project = ProjectFactory(planned_completion=days(300))
    MilestoneFactory(project=project, due_date=days(-1))
    result = light(project)
    assert (result.light, result.reason_code) == ("red", "milestone_overdue")
    assert days(-1).isoformat() in result.reason


def test_light_open_milestone_due_today_is_not_overdue():
    project = ProjectFactory(planned_completion=days(300))
    MilestoneFactory(project=project, due_date=TODAY)
    assert (light(project).light, light(project).reason_code) == ("yellow", "due_soon")


def test_light_done_milestone_past_due_is_ignored():
    project = ProjectFactory(planned_completion=days(300))
    MilestoneFactory(project=project, due_date=days(-10), done_date=days(-12))
    assert (light(project).light, light(project).reason_code) == ("green", "on_track")


def test_light_overdue_milestone_beats_completion():
    project = ProjectFactory(actual_completion=days(-5), planned_completion=days(-5))
    MilestoneFactory(project=project, due_date=days(-1))
    assert light(project).reason_code == "milestone_overdue"


def test_light_actual_completion_is_green_done():
    project = ProjectFactory(planned_completion=days(-30), actual_completion=days(-40))
    result = light(project)
    assert (result.light, result.reason_code) == ("green", "done")
    assert days(-40).isoformat() in result.reason


@pytest.mark.parametrize("stage", [Stage.COMPLETED, Stage.IN_USE, Stage.IN_PRODUCTION])
def test_light_finished_stage_without_dates_is_green_done(stage):
    project = ProjectFactory(stage=stage, planned_completion=days(-30))
    assert (light(project).light, light(project).reason_code) == ("green", "done")


def test_light_not_assessed_stage_is_grey_even_past_planned_completion():
    project = ProjectFactory(stage=Stage.NOT_ASSESSED, planned_completion=days(-1))

    result = light(project)

    assert (result.light, result.reason_code, result.reason) == (
        "grey",
        "not_assessed",
        "阶段未评估：文件未给出项目所处阶段，也还没有人填写。",
    )


def test_light_not_assessed_stage_with_overdue_milestone_is_red():
    project = ProjectFactory(stage=Stage.NOT_ASSESSED)
    MilestoneFactory(project=project, due_date=days(-1))

    assert light(project).reason_code == "milestone_overdue"


def test_light_not_assessed_stage_with_actual_completion_is_green_done():
    project = ProjectFactory(stage=Stage.NOT_ASSESSED, actual_completion=days(-3))

    assert (light(project).light, light(project).reason_code) == ("green", "done")


def test_light_planned_completion_yesterday_is_red():
    project = ProjectFactory(planned_completion=days(-1))
    assert (light(project).light, light(project).reason_code) == ("red", "past_planned")


def test_light_planned_completion_today_is_not_red():
    project = ProjectFactory(planned_start=days(-100), planned_completion=TODAY)
    ProgressLogFactory(project=project, date=days(-1), percent_complete=100 - LAG_POINTS)
    assert (light(project).light, light(project).reason_code) == ("green", "on_track")


def test_light_gap_of_exactly_lag_points_is_green():
    # Half the schedule has passed (day 50 of 100) and the project reports 30 %: a gap of 20.
    project = ProjectFactory(planned_start=days(-50), planned_completion=days(50))
    ProgressLogFactory(project=project, date=days(-1), percent_complete=50 - LAG_POINTS)
    assert (light(project).light, light(project).reason_code) == ("green", "on_track")


def test_light_gap_one_point_over_lag_is_yellow():
    project = ProjectFactory(planned_start=days(-50), planned_completion=days(50))
    ProgressLogFactory(project=project, date=days(-1), percent_complete=50 - LAG_POINTS - 1)
    result = light(project)
    assert (result.light, result.reason_code) == ("yellow", "behind")
    assert "50%" in result.reason
    assert f"{50 - LAG_POINTS - 1}%" in result.reason


def test_light_gap_compares_fractions_exactly():
    # Day 1 of 3: 33.3 % elapsed. 23 % reported is 10.3 points behind, 24 % is 9.3.
    project = ProjectFactory(planned_start=days(-1), planned_completion=days(2))
    log = ProgressLogFactory(project=project, date=days(0), percent_complete=23)
    assert light(project).reason_code == "behind"
    log.percent_complete = 24
    log.save()
    assert light(project).reason_code == "on_track"


def test_light_gap_of_exactly_red_points_is_yellow_and_one_more_is_red():
    project = ProjectFactory(planned_start=days(-50), planned_completion=days(50))
    log = ProgressLogFactory(project=project, date=days(-1), percent_complete=50 - RED_LAG_POINTS)
    assert light(project).reason_code == "behind"
    log.percent_complete = 50 - RED_LAG_POINTS - 1
    log.save()
    assert (light(project).light, light(project).reason_code) == ("red", "far_behind")


def test_light_thresholds_are_read_from_the_admin_row():
    project = ProjectFactory(planned_start=days(-50), planned_completion=days(50))
    ProgressLogFactory(project=project, date=days(-1), percent_complete=35)
    assert light(project).reason_code == "behind"
    LightThresholds.objects.create(yellow_points=15, red_points=40)
    assert light(project).reason_code == "on_track"


def test_light_not_started_three_months_after_planned_start_is_red():
    project = ProjectFactory(
        stage=Stage.SIGNED, planned_start=date(2026, 1, 15), planned_completion=date(2028, 1, 1)
    )
    before = annotate_light(Project.objects.all(), date(2026, 4, 14)).get(pk=project.pk)
    on_the_day = annotate_light(Project.objects.all(), date(2026, 4, 15)).get(pk=project.pk)
    assert before.computed_light_reason != "not_started"
    assert on_the_day.computed_light_reason == "not_started"


def test_light_actual_start_sets_the_schedule_over_planned_start():
    # Planned to start long ago, but actually started 10 days ago: 10 % of a 100-day schedule.
    project = ProjectFactory(
        planned_start=days(-90), actual_start=days(-10), planned_completion=days(90)
    )
    assert light(project).reason_code == "on_track"


def test_light_without_percent_counts_as_zero():
    project = ProjectFactory(planned_start=days(-21), planned_completion=days(79))
    ProgressLogFactory(project=project, date=days(-1), text="no percent")
    assert light(project).reason_code == "behind"


def test_light_uses_newest_log_that_gives_a_percent():
    project = ProjectFactory(planned_start=days(-50), planned_completion=days(50))
    ProgressLogFactory(project=project, date=days(-20), percent_complete=45)
    ProgressLogFactory(project=project, date=days(-1), text="photo only")
    annotated = annotate_light(Project.objects.all(), TODAY).get(pk=project.pk)
    assert (annotated.light_percent, annotated.computed_light_reason) == (45, "on_track")


def test_light_schedule_not_begun_is_not_behind():
    project = ProjectFactory(planned_start=days(10), planned_completion=days(20))
    assert light(project).reason_code == "on_track"


def test_light_milestone_due_in_exactly_seven_days_is_yellow():
    project = ProjectFactory(planned_completion=days(300))
    MilestoneFactory(project=project, due_date=days(YELLOW_DAYS_BEFORE_DUE))
    assert (light(project).light, light(project).reason_code) == ("yellow", "due_soon")


def test_light_milestone_due_in_eight_days_is_green():
    project = ProjectFactory(planned_completion=days(300))
    MilestoneFactory(project=project, due_date=days(YELLOW_DAYS_BEFORE_DUE + 1))
    assert (light(project).light, light(project).reason_code) == ("green", "on_track")


def test_light_construction_log_exactly_45_days_old_is_green():
    project = ProjectFactory(stage=Stage.UNDER_CONSTRUCTION)
    ProgressLogFactory(project=project, date=days(-STALE_LOG_DAYS))
    assert (light(project).light, light(project).reason_code) == ("green", "on_track")


def test_light_construction_log_46_days_old_is_yellow():
    project = ProjectFactory(stage=Stage.UNDER_CONSTRUCTION)
    ProgressLogFactory(project=project, date=days(-STALE_LOG_DAYS - 1))
    result = light(project)
    assert (result.light, result.reason_code) == ("yellow", "stale")
    assert str(STALE_LOG_DAYS + 1) in result.reason


def test_light_construction_without_logs_is_yellow():
    project = ProjectFactory(stage=Stage.UNDER_CONSTRUCTION)
    assert (light(project).light, light(project).reason_code) == ("yellow", "stale")


def test_light_stale_rule_only_applies_under_construction():
    project = ProjectFactory(stage=Stage.STARTED, planned_completion=days(300))
    ProgressLogFactory(project=project, date=days(-200), percent_complete=100)
    assert light(project).reason_code == "on_track"


def test_light_filter_matches_the_reason_of_each_row():
    red = ProjectFactory(planned_completion=days(-1))
    yellow = ProjectFactory(stage=Stage.UNDER_CONSTRUCTION)
    grey = ProjectFactory()
    green = ProjectFactory(planned_completion=days(300))
    queryset = annotate_light(Project.objects.all(), TODAY)
    chosen = {
        colour: set(
            queryset.filter(computed_light_reason__in=reasons_for(colour)).values_list(
                "pk", flat=True
            )
        )
        for colour in ("red", "yellow", "grey", "green")
    }
    assert chosen == {
        "red": {red.pk},
        "yellow": {yellow.pk},
        "grey": {grey.pk},
        "green": {green.pk},
    }


@pytest.mark.parametrize("rows", [1, 5])
def test_light_for_a_page_is_one_query(django_assert_num_queries, rows):
    for n in range(rows):
        project = ProjectFactory(planned_start=days(-50), planned_completion=days(50))
        MilestoneFactory(project=project, due_date=days(n))
        ProgressLogFactory(project=project, date=days(-n), percent_complete=10 * n)
    with django_assert_num_queries(1):
        lights = [light_of(p, TODAY) for p in annotate_light(Project.objects.all(), TODAY)]
    assert len(lights) == rows
