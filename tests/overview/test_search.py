"""The top bar's search: results by kind with their counts, links and "more", in a fixed number
of queries, and a helpful page rather than an error for an empty or overlong query."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from apps.goals.models import Target
from apps.org.models import Unit
from apps.overview.search import MAX_QUERY, PER_KIND, clean_query
from apps.projects.models import Milestone, Project
from apps.safety.models import Hazard
from tests.factories import (
    EnterpriseFactory,
    GoalFactory,
    HazardFactory,
    MilestoneFactory,
    ProjectFactory,
    TargetFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def groups_of(response) -> dict:
    """kind -> (count, [(title, url)], more_url or None) as the page shows them."""
    return {
        group.kind: (
            group.count,
            [(hit.title, hit.url) for hit in group.hits],
            group.more_url if group.count > PER_KIND else None,
        )
        for group in response.context["groups"]
    }


def test_search_finds_each_kind_by_chinese_substring(client, staff_a):
    enterprise = EnterpriseFactory(name="京东方科技集团", short_name="京东方")
    project = ProjectFactory(name="京东方物联网移动显示端口器件", enterprise=enterprise)
    milestone = MilestoneFactory(project=project, title="主体封顶", due_date=date(2024, 9, 30))
    target = TargetFactory(title="显示端口器件产值")
    hazard = HazardFactory(description="显示车间消防通道堵塞")
    ProjectFactory(name="中车四方")
    client.force_login(staff_a)

    response = client.get(reverse("search"), {"q": "显示"})

    assert response.status_code == 200
    assert groups_of(response) == {
        "project": (1, [(project.name, f"/projects/{project.pk}/")], None),
        "milestone": (
            1,
            [("主体封顶", f"/projects/{project.pk}/#milestone-{milestone.pk}")],
            None,
        ),
        "target": (1, [("显示端口器件产值", f"/goals/targets/{target.pk}/")], None),
        "hazard": (1, [("显示车间消防通道堵塞", f"/safety/hazards/{hazard.pk}/")], None),
        "enterprise": (0, [], None),
    }


def test_search_matches_enterprise_and_links_to_its_projects(client, staff_a):
    EnterpriseFactory(name="海尔卡奥斯", short_name="卡奥斯")
    client.force_login(staff_a)

    response = client.get(reverse("search"), {"q": "卡奥斯"})

    assert groups_of(response)["enterprise"] == (
        1,
        [("海尔卡奥斯", "/projects/?q=%E6%B5%B7%E5%B0%94%E5%8D%A1%E5%A5%A5%E6%96%AF")],
        None,
    )


def test_search_matches_the_responsible_units_name(client, staff_a):
    unit = UnitFactory(name="应急管理局")
    project = ProjectFactory(name="石化区安全提升", responsible_unit=unit)
    hazard = HazardFactory(description="储罐区静电接地缺失", responsible_unit=unit)
    target = TargetFactory(title="隐患整改率", responsible_unit=unit)
    milestone = MilestoneFactory(project=project, title="完成验收")
    client.force_login(staff_a)

    groups = groups_of(client.get(reverse("search"), {"q": "应急"}))

    assert {kind: [title for title, _ in hits] for kind, (_, hits, _) in groups.items()} == {
        "project": [project.name],
        "milestone": [milestone.title],
        "target": [target.title],
        "hazard": [hazard.description],
        "enterprise": [],
    }


def test_search_counts_all_and_shows_the_first_with_more(client, staff_a):
    for n in range(PER_KIND + 2):
        ProjectFactory(name=f"光电产业园{n:02d}")
    client.force_login(staff_a)

    count, hits, more = groups_of(client.get(reverse("search"), {"q": "光电"}))["project"]

    assert (count, [title for title, _ in hits], more) == (
        PER_KIND + 2,
        [f"光电产业园{n:02d}" for n in range(PER_KIND)],
        "/projects/?q=%E5%85%89%E7%94%B5",
    )


@pytest.mark.parametrize(
    ("kind", "list_url"),
    [
        ("project", "/projects/"),
        ("milestone", "/projects/milestones/"),
        ("target", "/goals/targets/"),
        ("hazard", "/safety/hazards/"),
    ],
)
def test_search_more_opens_the_list_with_the_same_rows(client, staff_a, kind, list_url):
    unit = UnitFactory(name="项目推进局")
    for n in range(PER_KIND + 1):
        project = ProjectFactory(name=f"推进项目{n}", responsible_unit=unit)
        MilestoneFactory(project=project, title=f"开工{n}")
        TargetFactory(title=f"推进指标{n}", responsible_unit=unit)
        HazardFactory(description=f"推进隐患{n}", responsible_unit=unit)
    ProjectFactory(name="无关项目")
    client.force_login(staff_a)
    count, _, more = groups_of(client.get(reverse("search"), {"q": "推进"}))[kind]

    listed = client.get(more).context["table"].paginated_rows

    assert (more.split("?")[0], count, len(listed)) == (list_url, PER_KIND + 1, PER_KIND + 1)


def test_search_empty_query_shows_help_without_searching(
    client, staff_a, django_assert_num_queries
):
    ProjectFactory(name="光电产业园")
    client.force_login(staff_a)

    # session and user only
    with django_assert_num_queries(2):
        response = client.get(reverse("search"), {"q": "   "})

    assert (response.status_code, response.context["groups"]) == (200, [])
    assert 'data-testid="search-help"' in response.content.decode()


def test_search_without_q_shows_help(client, staff_a):
    client.force_login(staff_a)

    response = client.get(reverse("search"))

    assert (response.status_code, response.context["query"]) == (200, "")


def test_search_overlong_query_is_trimmed_and_says_so(client, staff_a):
    ProjectFactory(name="光" * MAX_QUERY)
    client.force_login(staff_a)

    response = client.get(reverse("search"), {"q": "光" * 5000})

    assert response.status_code == 200
    assert (response.context["query"], response.context["trimmed"]) == ("光" * MAX_QUERY, True)
    assert groups_of(response)["project"][0] == 1
    assert 'data-testid="search-trimmed"' in response.content.decode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  光电 ", ("光电", False)),
        ("光\x00电", ("光电", False)),
        ("a" * MAX_QUERY, ("a" * MAX_QUERY, False)),
        ("a" * (MAX_QUERY - 1) + " b", ("a" * (MAX_QUERY - 1), True)),
        ("", ("", False)),
    ],
)
def test_clean_query(raw, expected):
    assert clean_query(raw) == expected


def test_search_nul_and_wildcards_are_plain_text(client, staff_a):
    ProjectFactory(name="光电产业园")
    ProjectFactory(name="100%达产")
    client.force_login(staff_a)

    response = client.get(reverse("search"), {"q": "%\x00"})

    assert response.status_code == 200
    assert [title for title, _ in groups_of(response)["project"][1]] == ["100%达产"]


def test_search_needs_a_login(client):
    response = client.get("/search/?q=abc")

    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/search/%3Fq%3Dabc")


def test_search_box_is_in_the_top_bar_with_a_label(client, staff_a):
    client.force_login(staff_a)

    html = client.get(reverse("dashboard")).content.decode()

    assert '<label for="nav-search-q"' in html
    assert '<input type="search" name="q" id="nav-search-q"' in html


@pytest.mark.parametrize("rows", [1, 4])
def test_search_query_count_is_constant(client, staff_a, django_assert_num_queries, rows):
    unit = UnitFactory(name="测试局")
    enterprise = EnterpriseFactory(name="测试企业")
    for n in range(rows):
        project = ProjectFactory(responsible_unit=unit, enterprise=enterprise)
        MilestoneFactory(project=project, due_date=date(2024, 1, n + 1))
        TargetFactory(goal=GoalFactory(), responsible_unit=unit)
        HazardFactory(responsible_unit=unit)
        EnterpriseFactory(name=f"测试企业{n}")
    client.force_login(staff_a)

    # session, user, then one query per kind (its first rows with the count of all)
    with django_assert_num_queries(7):
        response = client.get(reverse("search"), {"q": "测试"})

    assert [group.count for group in response.context["groups"]] == [
        rows,
        rows,
        rows,
        rows,
        rows + 1,
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm indexes exist on PostgreSQL only"
)
@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (
            lambda: Project.objects.filter(name__icontains="光电产业园"),
            "projects_project_name_trgm",
        ),
        (
            lambda: Milestone.objects.filter(title__icontains="主体封顶"),
            "projects_milestone_title_trgm",
        ),
        (lambda: Target.objects.filter(title__icontains="显示产值"), "goals_target_title_trgm"),
        (
            lambda: Hazard.objects.filter(description__icontains="消防通道"),
            "safety_hazard_description_trgm",
        ),
        (lambda: Unit.objects.filter(name__icontains="应急管理局"), "org_unit_name_trgm"),
    ],
)
def test_trigram_index_serves_icontains_on_postgresql(queryset, index):
    # The index is on the expression icontains runs (UPPER(col::text)), with trigram ops. The
    # plan itself is not asserted: on these tiny tables it follows whatever statistics earlier
    # tests left (an ANALYZE makes the planner walk another index or the table instead).
    sql = str(queryset().query)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        (indexdef,) = cursor.fetchone()

    assert "USING gin" in indexdef and "gin_trgm_ops" in indexdef
    assert "upper(" in indexdef.lower() and "UPPER(" in sql
