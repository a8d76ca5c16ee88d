"""Project and milestone pages: lists, detail, logging progress and completing milestones."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from PIL import Image

from apps.core.media import thumbnail_name
from apps.org.models import Area, IndustryChain
from apps.projects.models import (
    Milestone,
    ProgressLog,
    ProjectKind,
    Stage,
)
from tests.factories import (
    MilestoneFactory,
    ProgressLogFactory,
    ProjectFactory,
    ProjectPhaseFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 15)
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def image_file(name="site.png", fmt="PNG", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def names_in(response) -> list[str]:
    return [row.record.name for row in response.context["table"].paginated_rows]


# --- project list ---------------------------------------------------------------------------


def test_project_list_anonymous_redirects_to_login(client):
    response = client.get("/projects/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/projects/")


def test_project_list_shows_light_and_money_with_unit(client, staff_a, unit_a):
    ProjectFactory(
        name="光电产业园",
        responsible_unit=unit_a,
        total_investment=Decimal("475"),
        planned_completion=days(-1),
    )
    ProjectFactory(
        name="增资扩产线", total_investment=Decimal("5000"), investment_unit="wan", currency="USD"
    )
    client.force_login(staff_a)
    html = client.get("/projects/").content.decode()
    assert "475 亿元" in html
    assert "5000 万美元" in html
    assert 'class="status-light status-red"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=construction", ["在建项目"]),
        ("kind=park", ["园区项目"]),
        ("q=园区", ["园区项目"]),
        ("light=red", ["逾期项目"]),
        ("light=grey", ["园区项目"]),
    ],
)
def test_project_list_filters_by_field(client, staff_a, query, expected):
    ProjectFactory(name="在建项目", stage=Stage.UNDER_CONSTRUCTION)
    ProjectFactory(name="园区项目", kind=ProjectKind.PARK)
    ProjectFactory(name="逾期项目", planned_completion=days(-3))
    client.force_login(staff_a)
    assert names_in(client.get(f"/projects/?{query}")) == expected


def test_project_list_filters_by_chain_area_unit_and_missing_chain(client, staff_a, unit_a):
    chain = IndustryChain.objects.create(name="新型显示")
    area = Area.objects.create(name="王台片区", kind=Area.Kind.AREA)
    ProjectFactory(name="有链", chain=chain, area=area, responsible_unit=unit_a)
    ProjectFactory(name="无链")
    client.force_login(staff_a)
    assert names_in(client.get(f"/projects/?chain={chain.pk}")) == ["有链"]
    assert names_in(client.get("/projects/?chain=null")) == ["无链"]
    assert names_in(client.get(f"/projects/?area={area.pk}")) == ["有链"]
    assert names_in(client.get(f"/projects/?unit={unit_a.pk}")) == ["有链"]


def test_project_list_sorts_by_investment(client, staff_a):
    ProjectFactory(name="甲", total_investment=Decimal("10"))
    ProjectFactory(name="乙", total_investment=Decimal("300"))
    ProjectFactory(name="丙", total_investment=Decimal("20"))
    client.force_login(staff_a)
    assert names_in(client.get("/projects/?sort=-total_investment")) == ["乙", "丙", "甲"]


@pytest.mark.parametrize("rows", [1, 5])
def test_project_list_query_count_is_constant(client, staff_a, django_assert_num_queries, rows):
    for n in range(rows):
        project = ProjectFactory(planned_start=days(-10), planned_completion=days(90))
        MilestoneFactory(project=project, due_date=days(n))
        ProgressLogFactory(project=project, date=days(-n), percent_complete=n)
    client.force_login(staff_a)
    # session, user, then the chain, area and unit choices of the filter form, then the page.
    with django_assert_num_queries(6):
        response = client.get("/projects/")
    assert len(names_in(response)) == rows


def test_project_list_never_counts_the_table(client, staff_a):
    for _ in range(30):
        ProjectFactory()
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/projects/?page=2")
    assert len(names_in(response)) == 5
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_project_list_exports_csv_with_neutralised_formula(client, staff_a):
    ProjectFactory(name="=HYPERLINK(1)", total_investment=Decimal("81.7"))
    client.force_login(staff_a)
    response = client.get("/projects/?_export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["状态", "状态说明", "项目名称"]
    assert rows[1][2:4] == ["'=HYPERLINK(1)", "产业项目"]
    assert rows[0][8:10] == ["总投资", "金额单位"]
    assert rows[1][8:10] == ["81.7", "亿元"]


def test_project_list_exports_xlsx(client, staff_a):
    ProjectFactory(name="光电产业园")
    client.force_login(staff_a)
    response = client.get("/projects/?_export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][2] == "光电产业园"


# --- milestone list -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("overdue", ["昨天到期"]),
        ("next30", ["今天到期", "30天后到期"]),
        ("open", ["昨天到期", "今天到期", "30天后到期", "31天后到期"]),
        ("done", ["已完成"]),
    ],
)
def test_milestone_list_filters_by_due(client, staff_a, due, expected):
    project = ProjectFactory()
    MilestoneFactory(project=project, title="昨天到期", due_date=days(-1))
    MilestoneFactory(project=project, title="今天到期", due_date=TODAY)
    MilestoneFactory(project=project, title="30天后到期", due_date=days(30))
    MilestoneFactory(project=project, title="31天后到期", due_date=days(31))
    MilestoneFactory(project=project, title="已完成", due_date=days(-5), done_date=days(-6))
    client.force_login(staff_a)
    response = client.get(f"/projects/milestones/?due={due}")
    assert [row.record.title for row in response.context["table"].paginated_rows] == expected


def test_milestone_list_filters_by_project_unit_and_text(client, staff_a, unit_a, unit_b):
    mine = ProjectFactory(name="甲项目", responsible_unit=unit_a)
    theirs = ProjectFactory(name="乙项目", responsible_unit=unit_b)
    MilestoneFactory(project=mine, title="甲节点")
    MilestoneFactory(project=theirs, title="乙节点")
    client.force_login(staff_a)

    def titles(query):
        response = client.get(f"/projects/milestones/?{query}")
        return [row.record.title for row in response.context["table"].paginated_rows]

    assert titles(f"project={theirs.pk}") == ["乙节点"]
    assert titles(f"unit={unit_a.pk}") == ["甲节点"]
    assert titles("q=乙项目") == ["乙节点"]


def test_milestone_list_offers_complete_only_for_own_unit(client, staff_a, unit_a, unit_b):
    mine = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a), due_date=days(3))
    theirs = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_b), due_date=days(4))
    client.force_login(staff_a)
    html = client.get("/projects/milestones/").content.decode()
    assert f"/projects/milestones/{mine.pk}/complete/" in html
    assert f"/projects/milestones/{theirs.pk}/complete/" not in html


@pytest.mark.parametrize("rows", [1, 5])
def test_milestone_list_query_count_is_constant(
    client, staff_a, unit_a, django_assert_num_queries, rows
):
    for n in range(rows):
        MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a), due_date=days(n - 2))
    client.force_login(staff_a)
    # session, user, person and unit (for the complete links), the unit choices, the page.
    with django_assert_num_queries(4):
        response = client.get("/projects/milestones/")
    assert len(response.context["table"].paginated_rows) == rows


@pytest.mark.parametrize("projects", [2, 30])
def test_milestone_list_project_filter_lists_only_the_chosen_project(
    client, staff_a, unit_a, django_assert_num_queries, projects
):
    chosen, *others = [
        ProjectFactory(name=f"项目{n:02d}", responsible_unit=unit_a) for n in range(projects)
    ]
    MilestoneFactory(project=chosen, title="甲节点")
    MilestoneFactory(project=others[0], title="乙节点")
    client.force_login(staff_a)

    # As above, plus checking the chosen project exists and fetching it for its option.
    with django_assert_num_queries(6):
        response = client.get(f"/projects/milestones/?project={chosen.pk}")

    field = response.context["filter"].form["project"]
    options = [(str(value), label) for value, label in field.field.widget.choices]
    assert options == [("", "全部"), (str(chosen.pk), "项目00")]
    assert f'<option value="{chosen.pk}" selected>项目00</option>' in str(field)
    assert [row.record.title for row in response.context["table"].paginated_rows] == ["甲节点"]


def test_milestone_list_exports_csv_without_action_column(client, staff_a):
    MilestoneFactory(project=ProjectFactory(name="光电产业园"), title="+SUM(A1)", due_date=days(-2))
    client.force_login(staff_a)
    rows = list(
        csv.reader(
            io.StringIO(client.get("/projects/milestones/?_export=csv").content.decode("utf-8-sig"))
        )
    )
    assert rows[0] == [
        "状态",
        "项目",
        "节点",
        "责任单位",
        "开始日期",
        "计划完成日期",
        "实际完成日期",
        "期限表述",
    ]
    assert rows[1][:3] == ["逾期 2 天", "光电产业园", "'+SUM(A1)"]


# --- project detail -------------------------------------------------------------------------


def test_project_detail_shows_fields_phases_milestones_logs_and_light(client, staff_a, unit_a):
    project = ProjectFactory(
        name="光电产业园",
        responsible_unit=unit_a,
        total_investment=Decimal("5000"),
        investment_unit="wan",
        currency="USD",
        planned_start=days(-50),
        planned_completion=days(50),
    )
    ProjectPhaseFactory(project=project, name="一期", stage=Stage.TOPPED_OUT)
    MilestoneFactory(project=project, title="主体封顶", due_date=days(3))
    ProgressLogFactory(
        project=project,
        date=days(-10),
        text="桩基完成",
        percent_complete=40,
        investment_completed=Decimal("1200"),
        investment_unit="wan",
    )
    client.force_login(staff_a)
    response = client.get(f"/projects/{project.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "5000 万美元" in html
    assert "一期" in html and "主体封顶" in html and "桩基完成" in html
    light = response.context["light"]
    assert (light.light, light.reason_code) == ("yellow", "due_soon")
    assert light.reason in html
    chart = response.context["chart"]
    assert chart["data"]["labels"] == [days(-10).isoformat()]
    assert chart["data"]["datasets"][0]["data"] == [0.12]
    assert chart["data"]["datasets"][0]["label"] == "累计完成投资（亿美元）"
    assert 'data-chart="investment-chart"' in html


def test_project_detail_shows_photo_through_media_view(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    log = ProgressLog(project=project, date=TODAY, text="现场")
    log.photo.save("site.png", image_file(), save=True)
    client.force_login(staff_a)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/media/{log.photo.name}"' in html
    assert f'src="/media/{thumbnail_name(log.photo.name)}"' in html


def test_project_detail_edit_actions_only_for_owning_unit(client, staff_a, staff_b, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    milestone = MilestoneFactory(project=project, due_date=days(5))
    client.force_login(staff_b)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert f"/projects/{project.pk}/progress/" not in html
    assert f"/projects/milestones/{milestone.pk}/complete/" not in html
    client.force_login(staff_a)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert f"/projects/{project.pk}/progress/" in html
    assert f"/projects/milestones/{milestone.pk}/complete/" in html


def test_project_detail_history_names_who_changed_what(client, staff_a, unit_a, frozen_today):
    project = ProjectFactory(responsible_unit=unit_a, stage=Stage.SIGNED)
    client.force_login(staff_a)
    frozen_today.shift(60)
    # A change made through a request is recorded with its user by HistoryRequestMiddleware.
    client.post(
        f"/projects/{project.pk}/progress/",
        {"text": "开工", "percent_complete": "5", "investment_unit": "yi"},
    )
    frozen_today.shift(60)
    project.stage = Stage.STARTED
    project._history_user = staff_a
    project.save()
    entries = client.get(f"/projects/{project.pk}/").context["history"]
    assert [(e.who, e.action, e.kind) for e in entries] == [
        ("staff_a", "修改", "项目"),
        ("staff_a", "新建", "进展"),
        ("系统", "新建", "项目"),
    ]
    assert [(c.field, c.old, c.new) for c in entries[0].changes] == [("阶段", "签约", "开工")]


def test_project_detail_has_a_delivery_log_block():
    template = get_template("projects/detail.html").template
    from django.template.loader_tags import BlockNode

    names = {node.name for node in template.nodelist.get_nodes_by_type(BlockNode)}
    assert "delivery_log" in names


def test_project_detail_missing_is_404(client, staff_a):
    client.force_login(staff_a)
    assert client.get("/projects/999999/").status_code == 404


@pytest.mark.parametrize("rows", [1, 5])
def test_project_detail_query_count_is_constant(
    client, staff_a, unit_a, django_assert_num_queries, rows
):
    project = ProjectFactory(responsible_unit=unit_a, planned_completion=days(100))
    for n in range(rows):
        ProjectPhaseFactory(project=project, name=f"{n}期", order=n)
        MilestoneFactory(project=project, due_date=days(n + 10))
        ProgressLogFactory(
            project=project,
            date=days(-n),
            percent_complete=n,
            author=staff_a,
            investment_completed=Decimal(n),
        )
    client.force_login(staff_a)
    # session, user, project, logs, person, unit, phases, milestones and three history tables, and its 督办 orders.
    with django_assert_num_queries(11):
        response = client.get(f"/projects/{project.pk}/")
    assert len(response.context["logs"]) == rows


# --- logging progress -----------------------------------------------------------------------


def test_progress_create_saves_log_with_author_and_redirects(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)
    response = client.post(
        f"/projects/{project.pk}/progress/",
        {
            "text": "主体结构施工",
            "percent_complete": "35",
            "investment_completed": "2.5",
            "investment_unit": "yi",
            "photo": image_file("site.jpg", "JPEG"),
        },
    )
    assert (response.status_code, response["Location"]) == (302, f"/projects/{project.pk}/")
    log = ProgressLog.objects.get()
    assert (log.date, log.author, log.percent_complete, log.investment_completed) == (
        TODAY,
        staff_a,
        35,
        Decimal("2.5"),
    )
    assert log.photo.name.startswith("progress/2024/06/")
    assert log.history.get().history_user == staff_a


def test_progress_create_other_unit_is_refused_naming_the_unit(client, staff_b, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_b)
    page = client.get(f"/projects/{project.pk}/progress/")
    assert page.status_code == 403
    assert "此项属于甲单位，只有该单位的人员可以修改。" in page.content.decode()
    response = client.post(
        f"/projects/{project.pk}/progress/",
        {"text": "x", "percent_complete": "1", "investment_unit": "yi"},
    )
    assert response.status_code == 403
    assert ProgressLog.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("percent_complete", "101", "完成百分比必须在 0 到 100 之间。"),
        ("percent_complete", "-1", "完成百分比必须在 0 到 100 之间。"),
        ("percent_complete", "abc", "完成百分比须是 0 到 100 之间的整数。"),
        ("investment_completed", "-3", "累计完成投资不能为负数。"),
        ("text", "", "请填写进展情况。"),
    ],
)
def test_progress_create_invalid_input_rerenders_with_message_and_typed_values(
    client, staff_a, unit_a, field, value, message
):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)
    data = {
        "text": "场地平整",
        "percent_complete": "20",
        "investment_completed": "1.5",
        "investment_unit": "yi",
    }
    data[field] = value
    response = client.post(f"/projects/{project.pk}/progress/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in html
    kept = data["text"] if field != "text" else data["percent_complete"]
    assert kept in html
    assert ProgressLog.objects.count() == 0


def test_progress_create_decrease_asks_for_confirmation_then_saves(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    ProgressLogFactory(project=project, date=days(-7), percent_complete=60)
    client.force_login(staff_a)
    data = {"text": "复核后下调", "percent_complete": "50", "investment_unit": "yi"}
    response = client.post(f"/projects/{project.pk}/progress/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "完成百分比低于上次填报的 60%（2024-06-08）。如确需下调，请勾选“确认下调”后再提交。" in html
    )
    assert 'name="confirm_decrease"' in html
    assert ProgressLog.objects.count() == 1
    response = client.post(f"/projects/{project.pk}/progress/", {**data, "confirm_decrease": "on"})
    assert response.status_code == 302
    assert ProgressLog.objects.latest().percent_complete == 50


def test_progress_create_decrease_is_reported_with_other_errors(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    ProgressLogFactory(project=project, date=days(-7), percent_complete=60)
    client.force_login(staff_a)
    response = client.post(
        f"/projects/{project.pk}/progress/",
        {"text": "", "percent_complete": "50", "investment_unit": "yi"},
    )
    assert set(response.context["form"].errors) == {"text", "percent_complete"}


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "x.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
            ),
            "上传的文件不是有效的图片，或图片已损坏。",
        ),
        (image_file("x.gif", "GIF"), "只接受 JPEG、PNG 或 WebP 格式的照片。"),
    ],
)
def test_progress_create_refuses_files_that_are_not_allowed_images(
    client, staff_a, unit_a, upload, message
):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)
    response = client.post(
        f"/projects/{project.pk}/progress/",
        {"text": "现场", "percent_complete": "10", "investment_unit": "yi", "photo": upload},
    )
    assert response.context["form"].errors["photo"] == [message]
    assert ProgressLog.objects.count() == 0


def test_progress_create_refuses_photo_over_size_limit(client, staff_a, unit_a, settings):
    settings.UPLOAD_MAX_BYTES = 100
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)
    response = client.post(
        f"/projects/{project.pk}/progress/",
        {
            "text": "现场",
            "percent_complete": "10",
            "investment_unit": "yi",
            "photo": image_file(size=(200, 200)),
        },
    )
    assert response.context["form"].errors["photo"] == ["照片不能大于 100\xa0字节。"]


# --- completing milestones ------------------------------------------------------------------


def test_milestone_complete_htmx_get_returns_form_row(client, staff_a, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a), due_date=days(2))
    client.force_login(staff_a)
    html = client.get(f"/projects/milestones/{milestone.pk}/complete/", headers=HX).content.decode()
    assert html.strip().startswith(f'<tr id="milestone-{milestone.pk}"')
    assert "<html" not in html
    assert f'value="{TODAY.isoformat()}"' in html


def test_milestone_complete_htmx_post_swaps_row_and_light(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a, planned_completion=days(300))
    milestone = MilestoneFactory(project=project, due_date=days(-1))
    client.force_login(staff_a)
    response = client.post(
        f"/projects/milestones/{milestone.pk}/complete/",
        {"done_date": TODAY.isoformat()},
        headers=HX,
    )
    html = response.content.decode()
    milestone.refresh_from_db()
    assert milestone.done_date == TODAY
    assert milestone.history.first().history_user == staff_a
    assert f'<tr id="milestone-{milestone.pk}">' in html
    assert "已于 2024-06-15 完成" in html
    assert re.search(r'id="project-light"[^>]*hx-swap-oob="true"', html)
    assert "按计划推进。" in html


def test_milestone_complete_htmx_post_error_keeps_typed_date(client, staff_a, unit_a):
    milestone = MilestoneFactory(
        project=ProjectFactory(responsible_unit=unit_a), start_date=days(-10), due_date=days(2)
    )
    client.force_login(staff_a)
    typed = days(-11).isoformat()
    response = client.post(
        f"/projects/milestones/{milestone.pk}/complete/", {"done_date": typed}, headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "实际完成日期不能早于开始日期（2024-06-05）。" in html
    assert f'value="{typed}"' in html
    milestone.refresh_from_db()
    assert milestone.done_date is None


def test_milestone_complete_plain_post_redirects_to_project(client, staff_a, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    client.force_login(staff_a)
    response = client.post(
        f"/projects/milestones/{milestone.pk}/complete/", {"done_date": TODAY.isoformat()}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"/projects/{milestone.project_id}/",
    )
    assert Milestone.objects.get().done_date == TODAY


def test_milestone_complete_plain_post_invalid_date_rerenders_page(client, staff_a, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    client.force_login(staff_a)
    response = client.post(
        f"/projects/milestones/{milestone.pk}/complete/", {"done_date": "2024-02-30"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请填写有效的日期，例如 2023-06-30。" in html
    assert 'value="2024-02-30"' in html


def test_milestone_complete_already_done_says_so(client, staff_a, unit_a):
    milestone = MilestoneFactory(
        project=ProjectFactory(responsible_unit=unit_a), done_date=days(-1)
    )
    client.force_login(staff_a)
    response = client.post(
        f"/projects/milestones/{milestone.pk}/complete/", {"done_date": TODAY.isoformat()}
    )
    assert "该节点已于 2024-06-14 完成。" in response.content.decode()
    assert Milestone.objects.get().done_date == days(-1)


def test_milestone_complete_other_unit_is_refused_naming_the_unit(client, staff_b, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    client.force_login(staff_b)
    page = client.get(f"/projects/milestones/{milestone.pk}/complete/")
    assert page.status_code == 403
    assert "此项属于甲单位，只有该单位的人员可以修改。" in page.content.decode()
    response = client.post(
        f"/projects/milestones/{milestone.pk}/complete/",
        {"done_date": TODAY.isoformat()},
        headers=HX,
    )
    assert response.status_code == 403
    assert Milestone.objects.get().done_date is None


def test_milestone_row_returns_read_only_row(client, staff_b, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a), title="封顶")
    client.force_login(staff_b)
    html = client.get(f"/projects/milestones/{milestone.pk}/row/", headers=HX).content.decode()
    assert html.strip().startswith(f'<tr id="milestone-{milestone.pk}">')
    assert "/complete/" not in html


def test_progress_create_error_is_in_the_users_language(client, staff_a, unit_a, settings):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        f"/projects/{project.pk}/progress/",
        {"text": "site levelled", "percent_complete": "101", "investment_unit": "yi"},
    )
    with translation.override("en"):
        message = gettext("完成百分比必须在 0 到 100 之间。")
    html = response.content.decode()
    assert message != "完成百分比必须在 0 到 100 之间。"
    assert message in html
    assert "site levelled" in html


def test_milestone_list_never_counts_the_table(client, staff_a):
    project = ProjectFactory()
    for n in range(30):
        MilestoneFactory(project=project, due_date=days(n))
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/projects/milestones/?page=2")
    assert len(response.context["table"].paginated_rows) == 5
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("rows", [1, 5])
def test_progress_form_query_count_is_constant(
    client, staff_a, unit_a, django_assert_num_queries, rows
):
    project = ProjectFactory(responsible_unit=unit_a)
    for n in range(rows):
        ProgressLogFactory(project=project, date=days(-n), percent_complete=n)
    client.force_login(staff_a)
    # session, user, person, unit, the project, its latest log.
    with django_assert_num_queries(4):
        response = client.get(f"/projects/{project.pk}/progress/")
    assert response.context["form"].initial["percent_complete"] == 0


@pytest.mark.parametrize("rows", [1, 5])
def test_milestone_complete_page_query_count_is_constant(
    client, staff_a, unit_a, django_assert_num_queries, rows
):
    project = ProjectFactory(responsible_unit=unit_a)
    milestones = [MilestoneFactory(project=project, due_date=days(n)) for n in range(rows)]
    client.force_login(staff_a)
    # session, user, person, unit, the milestone with its project.
    with django_assert_num_queries(3):
        response = client.get(f"/projects/milestones/{milestones[-1].pk}/complete/")
    assert response.status_code == 200


def test_project_list_sorts_investment_across_units(client, staff_a):
    ProjectFactory(name="亿元项目", total_investment=Decimal("81.7"))
    ProjectFactory(name="万元项目", total_investment=Decimal("5000"), investment_unit="wan")
    client.force_login(staff_a)

    response = client.get("/projects/", {"sort": "total_investment"})

    names = [row.record.name for row in response.context["table"].page.object_list]
    assert names == ["万元项目", "亿元项目"]
