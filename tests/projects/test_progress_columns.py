"""A project's progress columns (next open due date, latest percent, latest log date, latest
investment completed) follow its milestones and logs, whichever way they are written."""

from datetime import date
from decimal import Decimal

import pytest

from apps.core.models import MoneyUnit
from apps.projects.models import Milestone, ProgressLog, Project
from tests.factories.projects import MilestoneFactory, ProgressLogFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def columns(project) -> tuple:
    return Project.objects.values_list(*Project.PROGRESS_FIELDS).get(pk=project.pk)


def test_new_project_has_no_progress():
    assert columns(ProjectFactory()) == (None, None, None, None, "")


def test_logs_set_latest_percent_date_and_investment_each_from_the_newest_that_gives_it():
    project = ProjectFactory()
    ProgressLogFactory(
        project=project,
        date=date(2026, 3, 1),
        percent_complete=40,
        investment_completed=Decimal("12.5"),
        investment_unit=MoneyUnit.YI,
    )
    ProgressLogFactory(project=project, date=date(2026, 4, 1), percent_complete=None)

    assert columns(project) == (None, 40, date(2026, 4, 1), Decimal("12.5"), "yi")


def test_deleting_the_newest_log_falls_back_to_the_one_before():
    project = ProjectFactory()
    ProgressLogFactory(project=project, date=date(2026, 3, 1), percent_complete=40)
    newest = ProgressLogFactory(project=project, date=date(2026, 4, 1), percent_complete=55)

    newest.delete()

    assert columns(project)[1:3] == (40, date(2026, 3, 1))


def test_next_open_due_is_the_earliest_open_milestone_and_moves_when_one_is_done():
    project = ProjectFactory()
    first = MilestoneFactory(project=project, due_date=date(2026, 5, 1))
    MilestoneFactory(project=project, due_date=date(2026, 7, 1))
    MilestoneFactory(project=project, due_date=None)

    assert columns(project)[0] == date(2026, 5, 1)

    first.done_date = date(2026, 4, 28)
    first.save()

    assert columns(project)[0] == date(2026, 7, 1)


def test_milestone_moved_to_another_project_refreshes_both():
    old, new = ProjectFactory(), ProjectFactory()
    milestone = MilestoneFactory(project=old, due_date=date(2026, 5, 1))

    milestone.project = new
    milestone.save()

    assert (columns(old)[0], columns(new)[0]) == (None, date(2026, 5, 1))


def test_saving_a_project_loaded_before_a_log_was_written_keeps_the_log_in_its_columns():
    project = ProjectFactory()
    stale = Project.objects.get(pk=project.pk)
    ProgressLogFactory(project=project, date=date(2026, 4, 1), percent_complete=30)

    stale.stage = "started"
    stale.save()

    assert columns(project)[1:3] == (30, date(2026, 4, 1))


def test_refresh_progress_puts_bulk_inserted_rows_in_step_in_one_query(
    django_assert_num_queries,
):
    projects = [ProjectFactory(), ProjectFactory()]
    Milestone.objects.bulk_create(
        [Milestone(project=p, title="竣工", due_date=date(2026, 9, 1)) for p in projects]
    )
    ProgressLog.objects.bulk_create(
        [
            ProgressLog(project=p, date=date(2026, 4, 1), text="x", percent_complete=10)
            for p in projects
        ]
    )
    assert {columns(p) for p in projects} == {(None, None, None, None, "")}

    # One UPDATE for every row, between the dashboard tallies' read of the rows (locked) before
    # it and after it; their investment completed did not change, so no tally row is written.
    with django_assert_num_queries(3) as queries:
        updated = Project.objects.filter(pk__in=[p.pk for p in projects]).refresh_progress()

    assert updated == 2
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT", "UPDATE", "SELECT"]
    assert {columns(p)[:3] for p in projects} == {(date(2026, 9, 1), 10, date(2026, 4, 1))}


def test_progress_columns_stay_out_of_the_projects_history():
    project = ProjectFactory()
    before = project.history.count()

    ProgressLogFactory(project=project, percent_complete=30)

    assert project.history.count() == before
    assert not {f.name for f in Project.history.model._meta.fields} & set(Project.PROGRESS_FIELDS)
