"""Importing projects and milestones: preview, apply, matching by name, history, deadlines."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.ledger import services
from apps.projects.models import REASONS_BY_LIGHT, Milestone, Project
from apps.projects.status import annotate_light
from apps.reminders.models import Deadline
from tests.factories import MilestoneFactory, ProjectFactory

from .conftest import MILESTONE_HEADERS, PROJECT_HEADERS, project_row, xlsx

pytestmark = pytest.mark.django_db


def run(data, user=None, dry_run=False, filename="ledger.xlsx"):
    return services.ledger_import(data=data, filename=filename, user=user, dry_run=dry_run)


def test_import_projects_preview_writes_nothing(places, unit_a, superuser):
    data = xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目"), project_row("乙项目")]})

    report = run(data, user=superuser, dry_run=True)

    assert report.errors == []
    assert report.counts == {"new": 2, "changed": 0, "unchanged": 0, "invalid": 0}
    assert [(r.row, r.key, r.status) for r in report.rows] == [
        (2, "甲项目", "new"),
        (3, "乙项目", "new"),
    ]
    assert Project.objects.count() == 0
    assert report.applied is False


def test_import_projects_apply_sets_fields_and_history_user(places, unit_a, superuser):
    data = xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目", 总投资=5000, 金额单位="万美元")]})

    report = run(data, user=superuser)

    assert report.errors == []
    assert report.applied is True
    project = Project.objects.get()
    assert project.name == "甲项目"
    assert project.kind == "industrial"
    assert project.stage == "construction"
    assert project.enterprise.name == "某某企业"
    assert project.chain == places[0]
    assert project.area == places[1]
    assert project.responsible_unit == unit_a
    assert (project.total_investment, project.investment_unit, project.currency) == (
        Decimal("5000"),
        "wan",
        "USD",
    )
    assert project.planned_completion == datetime.date(2027, 6, 30)
    assert project.history.get().history_user == superuser
    assert project.history.get().history_change_reason == "台账导入"


def test_import_projects_again_matches_by_name_and_lists_changed_columns(places, unit_a, superuser):
    run(xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目"), project_row("乙项目")]}), superuser)
    data = xlsx(
        {"项目": [PROJECT_HEADERS, project_row("甲项目", 阶段="竣工"), project_row("乙项目")]}
    )

    report = run(data, user=superuser)

    assert [(r.key, r.status, r.changed) for r in report.rows] == [
        ("甲项目", "changed", ["阶段"]),
        ("乙项目", "unchanged", []),
    ]
    assert Project.objects.count() == 2
    project = Project.objects.get(name="甲项目")
    assert project.stage == "completed"
    assert project.version == 2
    assert project.history.count() == 2
    assert project.history.first().history_user == superuser


def test_import_milestones_syncs_deadlines_and_progress(places, unit_a, superuser):
    data = xlsx(
        {
            "项目": [PROJECT_HEADERS, project_row("甲项目")],
            "节点": [
                MILESTONE_HEADERS,
                ["甲项目", "主体封顶", "2026-02-01", "2026-09-30", "", "9月底前"],
                ["甲项目", "竣工验收", "", "2027-06-30", "", ""],
            ],
        }
    )

    report = run(data, user=superuser)

    assert report.errors == []
    assert report.counts["new"] == 3
    project = Project.objects.get()
    assert project.next_open_due == datetime.date(2026, 9, 30)
    deadlines = Deadline.objects.filter(kind="milestone").order_by("due_date")
    assert [(d.title, d.due_date, d.responsible_unit_id) for d in deadlines] == [
        ("甲项目：主体封顶", datetime.date(2026, 9, 30), unit_a.pk),
        ("甲项目：竣工验收", datetime.date(2027, 6, 30), unit_a.pk),
    ]
    assert Milestone.history.filter(history_user=superuser).count() == 2


def test_import_projects_stores_the_light_of_new_and_changed_projects(places, unit_a, superuser):
    today = timezone.localdate()
    past = (today - datetime.timedelta(days=10)).isoformat()

    run(xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目", 计划完成=past)]}), superuser)
    project = Project.objects.get()
    computed = annotate_light(Project.objects.all(), today).get()
    assert project.light_reason == computed.computed_light_reason == "past_planned"

    run(
        xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目", 计划完成=past, 阶段="竣工")]}),
        superuser,
    )
    project.refresh_from_db()
    assert (project.light_reason, project.light_rank) == ("done", REASONS_BY_LIGHT.index("done"))


def test_import_project_moved_to_another_unit_resyncs_its_milestones(
    places, unit_a, unit_b, superuser
):
    project = ProjectFactory(name="甲项目", responsible_unit=unit_a, chain=places[0])
    MilestoneFactory(project=project, title="竣工", due_date=datetime.date(2027, 1, 1))
    assert Deadline.objects.get().responsible_unit_id == unit_a.pk

    report = run(
        xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目", 责任单位="乙单位")]}), superuser
    )

    assert report.errors == []
    assert Deadline.objects.get().responsible_unit_id == unit_b.pk


def _queries(n, places, superuser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [project_row(f"项目{i}") for i in range(n)]
    milestones = [
        [f"项目{i}", f"节点{m}", "", "2027-01-01", "", ""] for i in range(n) for m in range(2)
    ]
    data = xlsx({"项目": [PROJECT_HEADERS, *rows], "节点": [MILESTONE_HEADERS, *milestones]})
    with CaptureQueriesContext(connection) as queries:
        report = run(data, user=superuser)
    assert report.errors == []
    return len(queries)


def test_import_query_count_does_not_grow_with_rows(places, unit_a, superuser):
    _queries(1, places, superuser)  # creates the enterprise and the reminder policy once
    Project.objects.all().delete()
    small = _queries(2, places, superuser)
    Project.objects.all().delete()
    assert _queries(6, places, superuser) == small
