"""How the lists sort: which columns, the direction shown, empty values last, names by pinyin."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.sorting import has_pinyin_collation
from apps.goals.models import Target
from apps.goals.status import with_light_inputs
from apps.goals.tables import TargetTable
from apps.projects.models import Milestone, Project
from apps.projects.status import annotate_light
from apps.projects.tables import MilestoneTable, ProjectTable
from apps.safety.models import Hazard
from apps.safety.tables import HazardTable, InspectionTable
from tests.factories import (
    AreaFactory,
    EnterpriseFactory,
    HazardFactory,
    IndustryChainFactory,
    MilestoneFactory,
    ProgressLogFactory,
    ProjectFactory,
    TargetFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("table_class", "sortable"),
    [
        (
            ProjectTable,
            {
                "light",
                "name",
                "kind",
                "stage",
                "chain",
                "area",
                "responsible_unit",
                "total_investment",
                "percent",
                "planned_completion",
            },
        ),
        (
            MilestoneTable,
            {"project", "title", "unit", "start_date", "due_date", "done_date", "deadline_phrase"},
        ),
        (
            TargetTable,
            {"plan", "goal", "title", "deadline", "unit", "leading_official", "status"},
        ),
        (InspectionTable, {"date", "title", "site", "team", "unit", "inspector", "hazard_count"}),
        (
            HazardTable,
            {
                "description",
                "grade",
                "status",
                "site",
                "location",
                "enterprise",
                "unit",
                "found_date",
                "rectification_deadline",
            },
        ),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_sortable_columns_every_meaningful_column(table_class, sortable):
    table = table_class([])

    orderable = {column.name for column in table.columns if column.orderable}

    assert orderable == sortable
    # Each sorts through an order_<column> method, so empty values go last (apps/core/sorting.py).
    assert {name for name in orderable if not hasattr(table, f"order_{name}")} == set()


def header_cells(html: str) -> list[str]:
    return re.findall(r"<th [^>]*>.*?</th>", html, flags=re.S)


@pytest.mark.parametrize(
    ("sort", "aria", "arrow"), [("name", "ascending", "▲"), ("-name", "descending", "▼")]
)
def test_sortable_columns_sorted_header_shows_direction(client, staff_a, sort, aria, arrow):
    ProjectFactory(name="甲")
    client.force_login(staff_a)

    html = client.get("/projects/", {"sort": sort}).content.decode()

    marked = [cell for cell in header_cells(html) if "aria-sort" in cell]
    assert len(marked) == 1
    assert f'aria-sort="{aria}"' in marked[0]
    assert f'<span class="sort-arrow" aria-hidden="true">{arrow}</span>' in marked[0]
    assert ">项目名称&nbsp;<" in marked[0]


def test_sortable_columns_unsorted_list_marks_no_header(client, staff_a):
    ProjectFactory(name="甲")
    client.force_login(staff_a)

    html = client.get("/projects/").content.decode()

    assert [cell for cell in header_cells(html) if "aria-sort" in cell] == []
    assert html.count('<span class="sort-arrow sort-none" aria-hidden="true">↕</span>') == 10


# --- empty values last ---------------------------------------------------------------------------


@pytest.fixture
def three_projects():
    """低 and 高 have every value (高 the larger), 空 has none of the optional ones."""
    low = ProjectFactory(
        name="低",
        chain=IndustryChainFactory(name="A链", order=1),
        area=AreaFactory(name="A区"),
        responsible_unit=UnitFactory(name="A单位"),
        total_investment=Decimal("10"),
        planned_completion=day(10),
    )
    high = ProjectFactory(
        name="高",
        chain=IndustryChainFactory(name="B链", order=2),
        area=AreaFactory(name="B区"),
        responsible_unit=UnitFactory(name="B单位"),
        total_investment=Decimal("20"),
        planned_completion=day(20),
    )
    ProjectFactory(name="空")
    ProgressLogFactory(project=low, date=day(-1), percent_complete=30)
    ProgressLogFactory(project=high, date=day(-1), percent_complete=60)


def project_names(order_by: str) -> list[str]:
    queryset = annotate_light(Project.objects.select_related("chain", "area"), TODAY)
    table = ProjectTable(queryset, order_by=order_by, today=TODAY)
    return [row.record.name for row in table.rows]


@pytest.mark.parametrize(
    "column",
    ["chain", "area", "responsible_unit", "total_investment", "percent", "planned_completion"],
)
def test_sortable_columns_project_empty_values_last_both_ways(three_projects, column):
    assert project_names(column) == ["低", "高", "空"]
    assert project_names(f"-{column}") == ["高", "低", "空"]


def test_sortable_columns_project_light_red_first_green_last():
    ProjectFactory(name="逾期", planned_completion=day(-1))
    ProjectFactory(name="无日期")
    ProjectFactory(name="完成", actual_completion=day(-5))

    assert project_names("light") == ["逾期", "无日期", "完成"]
    assert project_names("-light") == ["完成", "无日期", "逾期"]


@pytest.fixture
def three_milestones():
    MilestoneFactory(title="低", start_date=day(1), due_date=day(1), done_date=day(1))
    MilestoneFactory(title="高", start_date=day(2), due_date=day(2), done_date=day(2))
    MilestoneFactory(title="空")
    Milestone.objects.filter(title="低").update(deadline_phrase="A月")
    Milestone.objects.filter(title="高").update(deadline_phrase="B月")


def milestone_titles(order_by: str) -> list[str]:
    queryset = Milestone.objects.select_related("project__responsible_unit")
    table = MilestoneTable(queryset, order_by=order_by, today=TODAY)
    return [row.record.title for row in table.rows]


@pytest.mark.parametrize("column", ["start_date", "due_date", "done_date", "deadline_phrase"])
def test_sortable_columns_milestone_empty_values_last_both_ways(three_milestones, column):
    assert milestone_titles(column) == ["低", "高", "空"]
    assert milestone_titles(f"-{column}") == ["高", "低", "空"]


def hazard_descriptions(order_by: str) -> list[str]:
    queryset = Hazard.objects.select_related("site", "enterprise", "responsible_unit")
    return [row.record.description for row in HazardTable(queryset, order_by=order_by).rows]


@pytest.mark.parametrize("column", ["enterprise", "location", "unit"])
def test_sortable_columns_hazard_empty_values_last_both_ways(column):
    HazardFactory(
        description="低",
        enterprise=EnterpriseFactory(name="A企业"),
        location="A处",
        responsible_unit=UnitFactory(name="A单位"),
    )
    HazardFactory(
        description="高",
        enterprise=EnterpriseFactory(name="B企业"),
        location="B处",
        responsible_unit=UnitFactory(name="B单位"),
    )
    HazardFactory(description="空", enterprise=None, location="", responsible_unit=None)

    assert hazard_descriptions(column) == ["低", "高", "空"]
    assert hazard_descriptions(f"-{column}") == ["高", "低", "空"]


def test_sortable_columns_target_deadline_empty_last_both_ways():
    TargetFactory(title="低", deadline=day(1))
    TargetFactory(title="高", deadline=day(2))
    TargetFactory(title="空", deadline=None)
    queryset = with_light_inputs(Target.objects.with_related())

    def titles(order_by):
        return [row.record.title for row in TargetTable(queryset, order_by=order_by).rows]

    assert titles("deadline") == ["低", "高", "空"]
    assert titles("-deadline") == ["高", "低", "空"]


# --- Chinese by pinyin ---------------------------------------------------------------------------

# bei, qing, shang; by code point 上 (U+4E0A) < 北 (U+5317) < 青 (U+9752).
PINYIN = ["北京项目", "青岛项目", "上海项目"]
CODE_POINT = ["上海项目", "北京项目", "青岛项目"]


def test_sortable_columns_names_by_pinyin_on_postgresql_code_point_on_sqlite():
    for name in ["上海项目", "青岛项目", "北京项目"]:
        ProjectFactory(name=name)
    expected = PINYIN if connection.vendor == "postgresql" else CODE_POINT

    assert project_names("name") == expected
    assert project_names("-name") == expected[::-1]


def test_sortable_columns_pinyin_collation_present_exactly_on_postgresql():
    assert has_pinyin_collation() is (connection.vendor == "postgresql")


def test_sortable_columns_unit_names_by_pinyin_on_postgresql(client, staff_a):
    for name in ["上海项目", "青岛项目", "北京项目"]:
        ProjectFactory(name=name, responsible_unit=UnitFactory(name=name.removesuffix("项目")))
    expected = PINYIN if connection.vendor == "postgresql" else CODE_POINT

    assert project_names("responsible_unit") == expected


# --- the queries a sorted page makes -------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(
    "sort",
    ["light", "name", "kind", "stage", "chain", "area", "-responsible_unit", "-percent"],
)
def test_sortable_columns_sorted_project_list_query_count(
    client, staff_a, django_assert_num_queries, rows, sort
):
    for n in range(rows):
        project = ProjectFactory(
            chain=IndustryChainFactory(name=f"链{n}"),
            area=AreaFactory(name=f"区{n}"),
            planned_completion=timezone.localdate() + datetime.timedelta(days=n),
        )
        ProgressLogFactory(project=project, percent_complete=n)
    client.force_login(staff_a)

    # Session, user, the chain, area and unit choices of the filter form, then the page.
    with django_assert_num_queries(6):
        response = client.get("/projects/", {"sort": sort})

    assert len(response.context["table"].page.object_list) == rows
