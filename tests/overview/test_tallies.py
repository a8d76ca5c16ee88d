"""The dashboard's tallies agree with the tables they count after every kind of write.

`differences()` recounts the source table with the tally's own grouping and sums; an empty list
means every tally row holds what a fresh GROUP BY would give.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core import tallies
from apps.goals.models import TargetStatus
from apps.org.models import IndustryChain
from apps.overview import tallies as dashboard_tallies
from apps.overview.models import HazardTally, MilestoneTally, ProjectTally, TargetTally
from apps.projects import services as project_services
from apps.projects.models import Milestone, Project, Stage
from apps.safety import services as safety_services
from apps.safety.models import Hazard, HazardGrade, HazardStatus
from tests.factories import (
    AreaFactory,
    HazardFactory,
    IndustryChainFactory,
    MilestoneFactory,
    ProjectFactory,
)
from tests.threads import at_once

pytestmark = pytest.mark.django_db

TALLIES = dashboard_tallies.ALL


def disagreeing():
    return {tally.model.__name__: tally.differences() for tally in TALLIES if tally.differences()}


def project_row(**values):
    return ProjectTally.objects.values(*values).get(**values)


def test_every_tally_is_registered_for_its_source():
    for tally in TALLIES:
        assert tally in tallies.tallies_of(tally.source)


def test_project_saves_move_the_counts_and_sums_between_groups(unit_a):
    chain, other_chain, area = IndustryChainFactory(), IndustryChainFactory(), AreaFactory()
    first = ProjectFactory(
        stage=Stage.SIGNED,
        chain=chain,
        area=area,
        total_investment=Decimal("81.7"),
        investment_unit="yi",
        responsible_unit=unit_a,
    )
    ProjectFactory(
        stage=Stage.SIGNED,
        chain=chain,
        area=area,
        total_investment=Decimal("5000"),
        investment_unit="wan",
        responsible_unit=unit_a,
    )
    row = ProjectTally.objects.get(stage=Stage.SIGNED, chain=chain, area=area, currency="CNY")
    assert (row.projects, round(row.total, 4)) == (2, Decimal("82.2000"))

    first.stage = Stage.UNDER_CONSTRUCTION
    first.chain = other_chain
    first.save()

    row.refresh_from_db()
    assert (row.projects, round(row.total, 4)) == (1, Decimal("0.5000"))
    moved = ProjectTally.objects.get(stage=Stage.UNDER_CONSTRUCTION, chain=other_chain)
    assert (moved.projects, round(moved.total, 4)) == (1, Decimal("81.7000"))
    assert disagreeing() == {}

    first.delete()
    moved.refresh_from_db()
    assert (moved.projects, moved.total) == (0, 0)
    assert disagreeing() == {}


def test_an_edit_that_changes_no_counted_column_writes_no_tally_row(unit_a):
    project = ProjectFactory(stage=Stage.SIGNED, responsible_unit=unit_a)
    project.description = "只改说明"
    with CaptureQueriesContext(connection) as queries:
        project.save()
    tally_writes = [
        q["sql"]
        for q in queries
        if "overview_projecttally" in q["sql"] and "SELECT" not in q["sql"]
    ]
    assert tally_writes == []
    assert disagreeing() == {}


def test_progress_logs_move_the_completed_investment(staff_a, unit_a):
    project = ProjectFactory(
        stage=Stage.UNDER_CONSTRUCTION,
        responsible_unit=unit_a,
        total_investment=Decimal("10"),
        investment_unit="yi",
    )
    project_services.progress_log_create(
        user=staff_a,
        project=project,
        text="一期完成",
        percent_complete=40,
        investment_completed=Decimal("3000"),
        investment_unit="wan",
    )
    row = ProjectTally.objects.get(stage=Stage.UNDER_CONSTRUCTION)
    assert round(row.done, 4) == Decimal("0.3000")
    project_services.progress_log_create(
        user=staff_a,
        project=project,
        text="二期",
        percent_complete=60,
        investment_completed=Decimal("4.5"),
        investment_unit="yi",
    )
    row.refresh_from_db()
    assert round(row.done, 4) == Decimal("4.5000")
    assert disagreeing() == {}


def test_milestones_count_while_open_by_due_date(staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    due = date(2030, 3, 1)
    milestone = MilestoneFactory(project=project, due_date=due, start_date=None)
    MilestoneFactory(project=project, due_date=due, start_date=None)
    assert MilestoneTally.objects.get(due_date=due).milestones == 2

    project_services.milestone_complete(user=staff_a, milestone=milestone, done_date=date.today())
    assert MilestoneTally.objects.get(due_date=due).milestones == 1
    assert disagreeing() == {}

    # Undone again (the admin), moved to another date, then the project deleted with them all.
    milestone.refresh_from_db()
    milestone.done_date = None
    milestone.due_date = due + timedelta(days=1)
    milestone.save()
    assert MilestoneTally.objects.get(due_date=due + timedelta(days=1)).milestones == 1
    project.delete()
    assert disagreeing() == {}
    assert sum(MilestoneTally.objects.values_list("milestones", flat=True)) == 0


def close(hazard, verifier):
    hazard.status = HazardStatus.CLOSED
    hazard.rectified_on = hazard.closed_on = hazard.found_date
    hazard.verifier = verifier
    hazard.save()


def test_hazards_count_while_open_and_leave_when_closed(staff_a, unit_a, superuser):
    hazard = HazardFactory(
        responsible_unit=unit_a,
        grade=HazardGrade.MAJOR,
        status=HazardStatus.FOUND,
        rectification_deadline=date(2030, 1, 1),
    )
    assert HazardTally.objects.get(status=HazardStatus.FOUND).hazards == 1
    safety_services.hazard_start_rectification(user=staff_a, hazard=hazard, measures="加固")
    assert HazardTally.objects.get(status=HazardStatus.RECTIFYING).hazards == 1
    assert HazardTally.objects.get(status=HazardStatus.FOUND).hazards == 0
    hazard.refresh_from_db()
    close(hazard, superuser)
    assert sum(HazardTally.objects.values_list("hazards", flat=True)) == 0
    assert disagreeing() == {}


def test_targets_count_by_goal_and_status(target_factory, unit_a):
    target = target_factory(unit=unit_a, status=TargetStatus.ON_TRACK)
    assert TargetTally.objects.get(goal=target.goal, status=TargetStatus.ON_TRACK).targets == 1
    target.status = TargetStatus.AT_RISK
    target.save()
    assert TargetTally.objects.get(goal=target.goal, status=TargetStatus.AT_RISK).targets == 1
    target.goal.delete()
    assert disagreeing() == {}


def test_deleting_a_chain_regroups_its_projects_when_the_delete_commits(
    django_capture_on_commit_callbacks,
):
    chain = IndustryChainFactory()
    ProjectFactory(chain=chain, stage=Stage.SIGNED)
    ProjectFactory(chain=chain, stage=Stage.SIGNED)
    with django_capture_on_commit_callbacks(execute=True):
        IndustryChain.objects.filter(pk=chain.pk).delete()
    assert disagreeing() == {}
    assert ProjectTally.objects.get(stage=Stage.SIGNED, chain=None).projects == 2


def test_an_update_inside_changing_moves_the_tally():
    ProjectFactory(stage=Stage.SIGNED)
    ProjectFactory(stage=Stage.SIGNED)
    signed = Project.objects.filter(stage=Stage.SIGNED)
    with tallies.changing(Project, signed):
        # The rows leave the queryset's filter: they are still the ones counted after.
        signed.update(stage=Stage.COMPLETED)
    assert disagreeing() == {}
    assert project_row(stage=Stage.COMPLETED)


def test_migrate_rebuilds_a_tally_that_a_write_went_around():
    ProjectFactory(stage=Stage.SIGNED)
    Project.objects.update(stage=Stage.COMPLETED)  # no signal, no changing(): the tally is off
    assert "ProjectTally" in disagreeing()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert disagreeing() == {}


def test_bulk_inserts_are_counted_when_told(unit_a):
    chain = IndustryChainFactory()
    rows = Project.objects.bulk_create(
        [
            Project(
                name=f"批量{n}",
                kind="industrial",
                stage=Stage.SIGNED,
                chain=chain,
                total_investment=Decimal(n),
                investment_unit="yi",
            )
            for n in range(1, 6)
        ]
    )
    tallies.added(Project, rows)
    row = ProjectTally.objects.get(chain=chain)
    assert (row.projects, round(row.total, 4)) == (5, Decimal("15.0000"))
    assert disagreeing() == {}


def test_a_random_sequence_of_writes_keeps_every_tally_exact(
    staff_a, unit_a, target_factory, superuser
):
    """A sample of mixed writes (the suite's size; the property holds for any sequence)."""
    rng = random.Random(20261204)  # noqa: S311 -- a repeatable sequence, not a secret
    chains = [IndustryChainFactory(), IndustryChainFactory(), None]
    areas = [AreaFactory(), None]
    stages = list(Stage)
    projects = []
    for step in range(60):
        action = rng.choice(["create", "edit", "log", "milestone", "hazard", "target", "delete"])
        if action == "create" or not projects:
            projects.append(
                ProjectFactory(
                    responsible_unit=unit_a,
                    stage=rng.choice(stages),
                    chain=rng.choice(chains),
                    area=rng.choice(areas),
                    currency=rng.choice(["CNY", "USD"]),
                    total_investment=Decimal(rng.randrange(0, 500)),
                    investment_unit=rng.choice(["yi", "wan"]),
                )
            )
        project = rng.choice(projects)
        project.refresh_from_db()
        if action == "edit":
            project.stage = rng.choice(stages)
            project.chain = rng.choice(chains)
            project.total_investment = Decimal(rng.randrange(0, 500))
            project.save()
        elif action == "log":
            project_services.progress_log_create(
                user=staff_a,
                project=project,
                text=f"第{step}次",
                percent_complete=None,
                investment_completed=Decimal(rng.randrange(0, 50)),
                confirm_decrease=True,
                date=date(2026, 1, 1) + timedelta(days=step),
            )
        elif action == "milestone":
            milestone = MilestoneFactory(
                project=project,
                start_date=None,
                due_date=date(2027, 1, 1) + timedelta(days=rng.randrange(5)),
            )
            if rng.random() < 0.5:
                project_services.milestone_complete(
                    user=staff_a, milestone=milestone, done_date=date.today()
                )
        elif action == "hazard":
            hazard = HazardFactory(
                responsible_unit=unit_a,
                grade=rng.choice(list(HazardGrade)),
                rectification_deadline=date(2027, 1, 1) + timedelta(days=rng.randrange(5)),
            )
            status = rng.choice(list(HazardStatus))
            if status == HazardStatus.CLOSED:
                close(hazard, superuser)
            else:
                hazard.status = status
                hazard.save()
        elif action == "target":
            target_factory(unit=unit_a, status=rng.choice(list(TargetStatus)))
        elif action == "delete" and len(projects) > 1:
            projects.remove(project)
            project.delete()
        assert disagreeing() == {}, (step, action)
    assert Milestone.objects.exists() or Hazard.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_writers_in_one_group_lose_no_increment():
    chain = IndustryChainFactory()
    projects = [
        ProjectFactory(
            stage=Stage.SIGNED, chain=chain, total_investment=Decimal(1), investment_unit="yi"
        )
        for _ in range(6)
    ]

    def move(project):
        def run():
            with transaction.atomic():
                fresh = Project.objects.select_for_update().get(pk=project.pk)
                fresh.stage = Stage.UNDER_CONSTRUCTION
                fresh.save()

        return run

    def edit_same(amount):
        def run():
            with transaction.atomic():
                fresh = Project.objects.select_for_update().get(pk=projects[0].pk)
                fresh.total_investment = Decimal(amount)
                fresh.save()

        return run

    outcomes = at_once(*(move(project) for project in projects[1:]), edit_same(7), edit_same(9))
    assert [outcome for outcome in outcomes if isinstance(outcome, Exception)] == []
    assert disagreeing() == {}
    assert project_row(stage=Stage.UNDER_CONSTRUCTION, chain=chain.pk)
