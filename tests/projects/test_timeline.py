"""Milestones on a time axis: the project page's own, and every project's over a year's months,
grouped by park or chain, filtered, paginated, in a fixed number of queries."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from apps.projects.timeline import (
    COLOURS,
    LABEL_WIDTH,
    PROJECTS_PER_PAGE,
    RIGHT_MARGIN,
    WIDTH,
    Axis,
    project_timeline,
)
from tests.factories import (
    AreaFactory,
    IndustryChainFactory,
    MilestoneFactory,
    ProjectFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 6, 15)
D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2024, 6, 15, 10, 0), tick=False):
        yield


def markers(html: str) -> list[tuple[str, str, str]]:
    """(kind, date, aria-label) of each milestone marker, in document order."""
    return re.findall(
        r'aria-label="([^"]*)" data-testid="milestone-marker" data-kind="(\w+)" data-date="([\d-]+)"',
        html,
    )


def test_axis_maps_a_year_onto_the_chart():
    axis = Axis(D(2024, 1, 1), D(2024, 12, 31), 200, 966)

    assert (axis.x(D(2024, 1, 1)), axis.x(D(2024, 7, 1)), axis.x(D(2025, 1, 1))) == (
        200.0,
        580.9,  # 1 July is day 182 of 366
        966.0,
    )
    assert axis.x(D(2023, 5, 1)) == 200.0  # before the axis: at its start
    assert [label for _, label in axis.months()][:3] == ["一月", "二月", "三月"]


def test_project_timeline_marks_planned_actual_and_overdue():
    project = ProjectFactory()
    done = MilestoneFactory(
        project=project, title="开工", due_date=D(2024, 3, 1), done_date=D(2024, 3, 10)
    )
    late = MilestoneFactory(
        project=project, title="主体封顶", start_date=D(2024, 3, 1), due_date=D(2024, 5, 31)
    )
    later = MilestoneFactory(project=project, title="竣工", due_date=D(2024, 9, 30))
    MilestoneFactory(project=project, title="未定")

    chart = project_timeline([done, late, later], TODAY)

    assert [[(m.kind, m.date, m.colour) for m in row.markers] for row in chart.rows] == [
        [("planned", D(2024, 3, 1), COLOURS["done"]), ("actual", D(2024, 3, 10), COLOURS["done"])],
        [("planned", D(2024, 5, 31), COLOURS["overdue"])],
        [("planned", D(2024, 9, 30), COLOURS["open"])],
    ]
    assert [len(row.bars) for row in chart.rows] == [0, 1, 0]
    assert chart.rows[1].markers[0].label == "主体封顶：计划完成 2024-05-31，已逾期"
    # The axis runs from the first month to the last: March to September 2024.
    assert chart.axis_months[0][0] == LABEL_WIDTH
    assert chart.today_x is not None


def test_project_timeline_none_without_dates():
    assert project_timeline([MilestoneFactory(title="未定")], TODAY) is None


def test_project_page_shows_its_timeline_and_links_the_timeline_page(client, staff_a):
    area = AreaFactory()
    project = ProjectFactory(area=area)
    MilestoneFactory(project=project, title="开工", due_date=D(2024, 3, 1))
    client.force_login(staff_a)

    html = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()

    assert markers(html) == [("开工：计划完成 2024-03-01，已逾期", "planned", "2024-03-01")]
    assert f'href="/projects/timeline/?area={area.pk}" data-testid="timeline-link"' in html


def test_project_page_english_marker_labels(client, staff_a):
    project = ProjectFactory()
    MilestoneFactory(project=project, title="开工", due_date=D(2024, 8, 1))
    client.force_login(staff_a)
    client.cookies["django_language"] = "en"

    with translation.override("en"):
        html = client.get(
            reverse("projects:project_detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()

    assert markers(html) == [("开工: planned for 2024-08-01, not done", "planned", "2024-08-01")]


def rows_of(response) -> list[str]:
    return [project.name for project, _ in response.context["projects"]]


def test_timeline_groups_projects_by_park_then_by_chain(client, staff_a):
    east, west = AreaFactory(name="东区"), AreaFactory(name="西区")
    chip, car = IndustryChainFactory(name="芯片"), IndustryChainFactory(name="汽车")
    for name, area, chain in [("甲", west, chip), ("乙", east, car), ("丙", None, chip)]:
        MilestoneFactory(
            project=ProjectFactory(name=name, area=area, chain=chain), due_date=D(2024, 4, 1)
        )
    MilestoneFactory(project=ProjectFactory(name="去年"), due_date=D(2023, 4, 1))
    client.force_login(staff_a)

    by_area = client.get(reverse("projects:timeline"))
    by_chain = client.get(reverse("projects:timeline"), {"group": "chain"})

    assert rows_of(by_area) == ["乙", "甲", "丙"]
    assert [r.label for r in by_area.context["chart"].rows if r.heading] == [
        "东区",
        "西区",
        "未指定园区/片区",
    ]
    assert rows_of(by_chain) == ["乙", "丙", "甲"]
    assert [r.label for r in by_chain.context["chart"].rows if r.heading] == ["汽车", "芯片"]


def test_timeline_shows_the_year_asked_for_and_filters_by_unit(client, staff_a):
    unit = UnitFactory()
    MilestoneFactory(
        project=ProjectFactory(name="今年", responsible_unit=unit), due_date=D(2024, 2, 1)
    )
    MilestoneFactory(
        project=ProjectFactory(name="去年", responsible_unit=unit), done_date=D(2023, 12, 31)
    )
    MilestoneFactory(
        project=ProjectFactory(name="跨年", responsible_unit=unit),
        start_date=D(2023, 1, 1),
        due_date=D(2025, 1, 1),
    )
    MilestoneFactory(project=ProjectFactory(name="别的单位"), due_date=D(2023, 6, 1))
    client.force_login(staff_a)

    response = client.get(reverse("projects:timeline"), {"year": "2023", "unit": unit.pk})

    assert (response.context["year"], rows_of(response)) == (2023, ["去年", "跨年"])
    html = response.content.decode()
    assert [(kind, date) for _, kind, date in markers(html)] == [("actual", "2023-12-31")]


def test_timeline_is_paginated(client, staff_a):
    for n in range(PROJECTS_PER_PAGE + 1):
        MilestoneFactory(project=ProjectFactory(name=f"项目{n:02d}"), due_date=D(2024, 5, 1))
    client.force_login(staff_a)

    first = client.get(reverse("projects:timeline"))
    second = client.get(reverse("projects:timeline"), {"page": "2"})

    assert (len(rows_of(first)), rows_of(second)) == (
        PROJECTS_PER_PAGE,
        [f"项目{PROJECTS_PER_PAGE:02d}"],
    )
    assert 'data-testid="timeline-next-page"' in first.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "99999"},
        {"group": "nonsense"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "9" * 5000},
        {"unit": "abc"},
    ],
)
def test_timeline_copes_with_any_parameter(client, staff_a, params):
    MilestoneFactory(project=ProjectFactory(), due_date=D(2024, 5, 1))
    client.force_login(staff_a)

    response = client.get(reverse("projects:timeline"), params)

    assert (response.status_code, response.context["year"]) == (200, 2024)


def test_timeline_empty_year_says_so(client, staff_a):
    client.force_login(staff_a)

    response = client.get(reverse("projects:timeline"), {"year": "2030"})

    assert 'data-testid="timeline-empty"' in response.content.decode()


def test_timeline_markers_are_placed_by_date(client, staff_a):
    project = ProjectFactory()
    MilestoneFactory(project=project, title="一", due_date=D(2024, 1, 1))
    MilestoneFactory(project=project, title="二", due_date=D(2024, 12, 31))
    client.force_login(staff_a)

    row = next(
        r for r in client.get(reverse("projects:timeline")).context["chart"].rows if not r.heading
    )

    assert [m.x for m in row.markers] == [
        LABEL_WIDTH,
        round(LABEL_WIDTH + 365 / 366 * (WIDTH - RIGHT_MARGIN - LABEL_WIDTH), 1),
    ]


@pytest.mark.parametrize("rows", [1, 4])
def test_timeline_query_count_is_constant(client, staff_a, django_assert_num_queries, rows):
    area, chain = AreaFactory(), IndustryChainFactory()
    for n in range(rows):
        project = ProjectFactory(area=area, chain=chain)
        MilestoneFactory(project=project, due_date=D(2024, 3, n + 1))
        MilestoneFactory(project=project, done_date=D(2024, 4, n + 1))
    client.force_login(staff_a)

    # session, user, the area, chain and unit choices, the page of projects, their milestones
    with django_assert_num_queries(7):
        response = client.get(reverse("projects:timeline"))

    assert len(markers(response.content.decode())) == 2 * rows


def test_project_timeline_copes_with_dates_at_either_end_of_the_calendar(client, staff_a):
    project = ProjectFactory()
    MilestoneFactory(project=project, title="远期", due_date=D(9999, 12, 31))
    MilestoneFactory(project=project, title="古早", start_date=D(1, 1, 1), due_date=D(1, 1, 2))
    MilestoneFactory(project=project, title="近期", due_date=D(2025, 2, 1))
    client.force_login(staff_a)

    response = client.get(reverse("projects:project_detail", args=[project.pk]))

    assert response.status_code == 200
    chart = response.context["timeline"]
    assert [row.title for row in chart.rows] == ["近期"]
    labels = [label for _, label in chart.axis_months]
    assert (labels[:2], labels[-2:]) == (["2024 六月", "七月"], ["2025 一月", "二月"])


def test_axis_over_years_ticks_each_january():
    axis = Axis(D(2020, 3, 1), D(2024, 12, 31), 0, 1000)

    assert [label for _, label in axis.months()] == ["2021", "2022", "2023", "2024"]


def test_timeline_page_marker_state_words_in_the_table(client, staff_a):
    project = ProjectFactory()
    MilestoneFactory(project=project, title="甲", due_date=D(2024, 3, 1))
    MilestoneFactory(project=project, title="乙", due_date=D(2024, 9, 1))
    MilestoneFactory(project=project, title="丙", due_date=D(2024, 1, 1), done_date=D(2024, 1, 5))
    client.force_login(staff_a)

    ((_, milestones),) = client.get(reverse("projects:timeline")).context["projects"]

    assert [(m.title, str(words)) for m, words in milestones] == [
        ("丙", "已完成"),
        ("甲", "已逾期"),
        ("乙", "未完成"),
    ]


@pytest.mark.parametrize(
    ("year", "links"),
    [
        ("2000", ["timeline-next-year"]),
        ("2100", ["timeline-previous-year"]),
        ("2024", ["timeline-previous-year", "timeline-next-year"]),
    ],
)
def test_timeline_year_links_stay_within_the_years_shown(client, staff_a, year, links):
    client.force_login(staff_a)

    html = client.get(reverse("projects:timeline"), {"year": year}).content.decode()

    assert re.findall(r'data-testid="(timeline-(?:previous|next)-year)"', html) == links
