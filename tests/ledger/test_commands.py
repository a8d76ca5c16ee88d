"""ledger_import and ledger_export: the same code as the page; non-zero exit on any refusal."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from apps.projects.models import Milestone, Project
from tests.factories import MilestoneFactory, ProjectFactory, TargetFactory

from .conftest import PROJECT_HEADERS, project_row, xlsx

pytestmark = pytest.mark.django_db


def test_ledger_import_dry_run_changes_nothing(tmp_path, places, unit_a):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目")]}))
    out = io.StringIO()

    call_command("ledger_import", str(path), "--dry-run", stdout=out)

    assert "新增 1 行" in out.getvalue()
    assert Project.objects.count() == 0


def test_ledger_import_applies_and_names_the_user(tmp_path, places, unit_a, superuser):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目")]}))

    call_command("ledger_import", str(path), "--user", "root", stdout=io.StringIO())

    assert Project.history.get().history_user == superuser


def test_ledger_import_exits_non_zero_on_a_refused_row(tmp_path, places, unit_a):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(
        xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目"), project_row("乙项目", 阶段="?")]})
    )
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("ledger_import", str(path), stdout=out)

    assert "第 3 行" in out.getvalue()
    assert Project.objects.count() == 0


def test_export_then_import_unchanged_reports_no_changes(tmp_path, places, unit_a):
    from apps.org.models import Person

    official = Person.objects.create(name="张三", unit=unit_a)
    project = ProjectFactory(
        name="甲项目",
        responsible_unit=unit_a,
        leading_official=official,
        chain=places[0],
        area=places[1],
        total_investment="81.7",
        investment_unit="yi",
        description='=cmd|" /C calc"!A0',
        floor_area="12.3456",
        floor_area_unit="mu",
    )
    ProjectFactory(name="乙项目", total_investment=None, currency="USD", investment_unit="wan")
    MilestoneFactory(project=project, title="主体封顶", deadline_phrase="9月底前")
    MilestoneFactory(project=project, title="竣工", due_date=None)
    TargetFactory(
        responsible_unit=unit_a, leading_official=official, target_value="8.5", metric_unit="%"
    )
    path = tmp_path / "ledger.xlsx"
    call_command("ledger_export", str(path), stdout=io.StringIO())
    versions = sorted(Project.objects.values_list("version", flat=True))
    sheet = load_workbook(path)["项目"]
    column = [c.value for c in sheet[1]].index("项目内容") + 1
    # Written as a string cell: a spreadsheet shows the text and never runs it.
    assert sheet.cell(row=2, column=column).data_type in {"s", "inlineStr"}
    out = io.StringIO()

    call_command("ledger_import", str(path), "--rows", stdout=out)

    assert "新增 0 行，修改 0 行，不变 5 行，有误 0 行。" in out.getvalue(), out.getvalue()
    assert "没有改动。" in out.getvalue()
    assert sorted(Project.objects.values_list("version", flat=True)) == versions
    assert Milestone.objects.count() == 2
    assert Project.objects.get(name="甲项目").description == '=cmd|" /C calc"!A0'
