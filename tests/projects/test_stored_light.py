"""The light stored on each project (light_reason, light_rank) and what keeps it current."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.core.models import LightThresholds
from apps.overview import volume
from apps.projects import tasks
from apps.projects.models import (
    LIGHT_OF_REASON,
    REASONS_BY_LIGHT,
    Milestone,
    Project,
    Reason,
    Stage,
)
from apps.projects.status import annotate_light, light_of
from tests.factories import MilestoneFactory, ProgressLogFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 15)


def days(n: int, today: date = TODAY) -> date:
    return today + timedelta(days=n)


def one_of_each_reason(today: date) -> dict[str, Project]:
    """A project for every Reason, by its code, on `today` with the default thresholds."""

    def d(n):
        return days(n, today)

    projects = {
        Reason.MILESTONE_OVERDUE: ProjectFactory(planned_completion=d(300)),
        Reason.DONE: ProjectFactory(actual_completion=d(-5)),
        Reason.NOT_ASSESSED: ProjectFactory(stage=Stage.NOT_ASSESSED, planned_completion=d(300)),
        Reason.PAST_PLANNED: ProjectFactory(planned_completion=d(-1)),
        Reason.NOT_STARTED: ProjectFactory(planned_start=d(-120), planned_completion=d(600)),
        Reason.FAR_BEHIND: ProjectFactory(planned_start=d(-50), planned_completion=d(50)),
        Reason.BEHIND: ProjectFactory(planned_start=d(-21), planned_completion=d(79)),
        Reason.DUE_SOON: ProjectFactory(planned_completion=d(300)),
        Reason.STALE: ProjectFactory(stage=Stage.UNDER_CONSTRUCTION, planned_completion=d(300)),
        Reason.NO_DATES: ProjectFactory(),
        Reason.ON_TRACK: ProjectFactory(planned_completion=d(300)),
    }
    MilestoneFactory(project=projects[Reason.MILESTONE_OVERDUE], due_date=d(-1))
    MilestoneFactory(project=projects[Reason.DUE_SOON], due_date=d(3))
    ProgressLogFactory(project=projects[Reason.ON_TRACK], date=d(-1), percent_complete=10)
    return {reason.value: project for reason, project in projects.items()}


def stored(project: Project) -> tuple[str, int]:
    return tuple(Project.objects.values_list("light_reason", "light_rank").get(pk=project.pk))


def computed(today: date) -> dict[int, str]:
    return dict(
        annotate_light(Project.objects.all(), today).values_list("pk", "computed_light_reason")
    )


def test_stored_light_equals_the_computed_light_for_every_reason():
    projects = one_of_each_reason(TODAY)
    assert set(projects) == set(Reason.values)

    Project.objects.update(light_reason="")

    assert Project.objects.refresh_light(TODAY) == len(projects)
    assert Project.objects.refresh_light(TODAY) == 0  # only the rows whose light changes

    expected = computed(TODAY)
    for code, project in projects.items():
        assert expected[project.pk] == code
        assert stored(project) == (code, REASONS_BY_LIGHT.index(code))


def test_stored_light_is_set_on_save_for_today():
    today = timezone.localdate()
    projects = one_of_each_reason(today)

    expected = computed(today)
    assert {code: stored(p)[0] for code, p in projects.items()} == {
        code: expected[p.pk] for code, p in projects.items()
    }
    assert {code: stored(p)[0] for code, p in projects.items()} == {code: code for code in projects}


def test_light_rank_orders_red_yellow_grey_green():
    ranks = {reason: REASONS_BY_LIGHT.index(reason) for reason in Reason}
    assert max(ranks[r] for r in Reason if r in {"milestone_overdue", "far_behind"}) < min(
        ranks[r] for r in ("behind", "due_soon", "stale")
    )
    assert max(ranks[r] for r in ("behind", "due_soon", "stale")) < min(
        ranks[r] for r in ("not_assessed", "no_dates")
    )
    assert max(ranks[r] for r in ("not_assessed", "no_dates")) < min(
        ranks[r] for r in ("done", "on_track")
    )


def test_stored_light_follows_a_progress_log():
    today = timezone.localdate()
    project = ProjectFactory(planned_start=days(-50, today), planned_completion=days(50, today))
    assert stored(project)[0] == "far_behind"

    ProgressLogFactory(project=project, date=today, percent_complete=45)

    assert stored(project)[0] == "on_track"


def test_stored_light_follows_a_milestone_written_and_completed():
    today = timezone.localdate()
    project = ProjectFactory(planned_completion=days(300, today))
    assert stored(project)[0] == "on_track"

    milestone = MilestoneFactory(project=project, due_date=days(-1, today))
    assert stored(project)[0] == "milestone_overdue"

    milestone.done_date = today
    milestone.save()
    assert stored(project)[0] == "on_track"

    Milestone.objects.filter(pk=milestone.pk).delete()
    assert stored(project)[0] == "on_track"


def test_stored_light_follows_the_project_itself():
    today = timezone.localdate()
    project = ProjectFactory(planned_completion=days(300, today))
    project.actual_completion = today
    project.save()
    assert stored(project)[0] == "done"


def test_stored_light_follows_a_change_of_thresholds():
    today = timezone.localdate()
    project = ProjectFactory(planned_start=days(-21, today), planned_completion=days(79, today))
    assert stored(project)[0] == "behind"

    thresholds = LightThresholds.objects.create(yellow_points=25, red_points=40)
    assert stored(project)[0] == "on_track"

    thresholds.yellow_points = 15
    thresholds.save()
    assert stored(project)[0] == "behind"

    thresholds.delete()
    assert stored(project)[0] == "behind"


def test_refresh_lights_task_moves_the_lights_on_with_the_date():
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False):
        project = ProjectFactory(planned_completion=days(300))
        MilestoneFactory(project=project, due_date=days(3))
        assert stored(project)[0] == "due_soon"

    with time_machine.travel("2024-06-19 00:30 +0800", tick=False):
        assert stored(project)[0] == "due_soon"  # stored the day before
        assert tasks.refresh_lights() == 1
        assert stored(project)[0] == "milestone_overdue"
        assert computed(timezone.localdate())[project.pk] == "milestone_overdue"


def test_refresh_lights_task_is_on_the_beat_schedule(settings):
    tasks_scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "apps.projects.tasks.refresh_lights" in tasks_scheduled


def test_light_of_reads_the_stored_reason_without_computing():
    today = timezone.localdate()
    project = ProjectFactory(planned_completion=days(-1, today))
    row = annotate_light(Project.objects.all(), today, stored=True).get(pk=project.pk)
    assert not hasattr(row, "computed_light_reason")
    light = light_of(row, today)
    assert (light.light, light.reason_code) == ("red", "past_planned")


# --- the list reads the stored light ----------------------------------------------------------


def list_rows(client, query=""):
    table = client.get(f"/projects/{query}").context["table"]
    return [row.record for row in table.paginated_rows]


def test_list_shows_filters_and_sorts_by_the_stored_light(client, staff_a):
    today = timezone.localdate()
    projects = one_of_each_reason(today)
    by_pk = {project.pk: code for code, project in projects.items()}
    expected = computed(today)
    client.force_login(staff_a)

    shown = {row.pk: light_of(row, today).reason_code for row in list_rows(client)}
    assert shown == expected == by_pk

    for colour in ("red", "yellow", "grey", "green"):
        rows = list_rows(client, f"?light={colour}")
        assert {row.pk for row in rows} == {
            pk for pk, code in by_pk.items() if LIGHT_OF_REASON[code] == colour
        }

    ranks = [REASONS_BY_LIGHT.index(by_pk[row.pk]) for row in list_rows(client, "?sort=light")]
    assert ranks == sorted(ranks)
    ranks = [REASONS_BY_LIGHT.index(by_pk[row.pk]) for row in list_rows(client, "?sort=-light")]
    assert ranks == sorted(ranks, reverse=True)


# --- bulk writes leave it correct -------------------------------------------------------------


def test_volume_data_stores_every_light():
    volume.build(20)

    today = timezone.localdate()
    expected = computed(today)
    assert dict(Project.objects.values_list("pk", "light_reason")) == expected
