"""The targets list, a target's page and checking in on it, through the web."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.goals.models import CheckIn, TargetStatus
from apps.goals.services import checkin_create
from apps.org.models import Person
from tests.factories import CheckInFactory, GoalFactory, PlanFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/goals/targets/"


def detail_url(target):
    return f"/goals/targets/{target.pk}/"


def checkin_url(target):
    return f"/goals/targets/{target.pk}/checkins/"


def titles(response):
    return [row.record.title for row in response.context["table"].paginated_rows]


@pytest.fixture
def official(unit_a):
    return Person.objects.create(name="王主任", unit=unit_a, role=Person.Role.OFFICIAL)


# --- list ---------------------------------------------------------------------------------------


def test_target_list_anonymous_redirects_to_login(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={LIST_URL}"


@pytest.mark.parametrize("rows", [1, 5])
def test_target_list_queries_constant(
    client, staff_a, unit_a, official, target_factory, django_assert_num_queries, rows
):
    today = timezone.localdate()
    for n in range(rows):
        target = target_factory(
            unit=unit_a,
            leading_official=official,
            deadline=today + timedelta(days=30),
            deadline_phrase="三年成形",
            baseline=Decimal("1"),
            target_value=Decimal("10"),
            current_value=Decimal(n),
        )
        CheckInFactory(target=target, date=today)
    client.force_login(staff_a)

    with django_assert_num_queries(6):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    assert len(titles(response)) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_target_list_light_filter_queries_constant(
    client, staff_a, unit_a, target_factory, django_assert_num_queries, rows
):
    for _ in range(rows):
        target_factory(unit=unit_a, deadline=timezone.localdate() - timedelta(days=1))
    client.force_login(staff_a)

    with django_assert_num_queries(7):
        response = client.get(LIST_URL, {"light": "red"})

    assert len(titles(response)) == rows


def test_target_list_shows_columns(client, staff_a, unit_a, official, target_factory):
    target_factory(
        unit=unit_a,
        title="新签约过亿元项目",
        leading_official=official,
        metric_unit="个",
        baseline=Decimal("10"),
        current_value=Decimal("12"),
        target_value=Decimal("20.5"),
        deadline=date(2030, 12, 31),
        deadline_phrase="三年成形",
    )
    client.force_login(staff_a)

    content = client.get(LIST_URL).content.decode()

    assert "新签约过亿元项目" in content
    assert "基数 10 · 当前 12 / 目标 20.5 个" in content
    assert "2030-12-31（三年成形）" in content
    assert ">王主任</td>" in content
    assert "status-light" in content


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("goal", ["甲指标"]),
        ("status", ["乙指标"]),
        ("unit", ["乙指标"]),
        ("plan", ["丙指标"]),
        ("q", ["丙指标"]),
    ],
)
def test_target_list_filters(client, staff_a, unit_a, unit_b, target_factory, param, expected):
    first = target_factory(unit=unit_a, title="甲指标")
    second = target_factory(unit=unit_b, title="乙指标", status=TargetStatus.AT_RISK)
    other_plan = PlanFactory(name="另一个计划")
    third = target_factory(
        unit=unit_a,
        title="丙指标",
        goal=GoalFactory(plan=other_plan, title="独有目标"),
    )
    values = {
        "goal": first.goal_id,
        "status": TargetStatus.AT_RISK,
        "unit": second.responsible_unit_id,
        "plan": other_plan.pk,
        "q": "独有",
    }
    assert third.goal.plan == other_plan
    client.force_login(staff_a)

    response = client.get(LIST_URL, {param: values[param]})

    assert titles(response) == expected


def test_target_list_filter_by_light(client, staff_a, unit_a, target_factory):
    today = timezone.localdate()
    target_factory(unit=unit_a, title="无期限")
    target_factory(unit=unit_a, title="已逾期", deadline=today - timedelta(days=1))
    target_factory(unit=unit_a, title="有风险", deadline=today, status=TargetStatus.AT_RISK)
    target_factory(unit=unit_a, title="正常", deadline=today)
    client.force_login(staff_a)

    found = {
        light: titles(client.get(LIST_URL, {"light": light}))
        for light in ("grey", "red", "yellow", "green")
    }

    assert found == {"grey": ["无期限"], "red": ["已逾期"], "yellow": ["有风险"], "green": ["正常"]}


def test_target_list_bad_filter_value_answers_with_message(client, staff_a, target_factory):
    target_factory(title="甲指标")
    client.force_login(staff_a)

    response = client.get(LIST_URL, {"light": "purple"})

    assert response.status_code == 200
    assert titles(response) == []
    assert "选择一个有效的选项" in response.content.decode()


def test_target_list_sorts_by_status(client, staff_a, target_factory):
    target_factory(title="甲", status=TargetStatus.ON_TRACK)
    target_factory(title="乙", status=TargetStatus.ACHIEVED)
    client.force_login(staff_a)

    response = client.get(LIST_URL, {"sort": "status"})

    # In the order a target moves through (TargetStatus as declared): on track before achieved.
    assert titles(response) == ["甲", "乙"]


def test_target_list_csv_export_neutralises_formulas(client, staff_a, unit_a, target_factory):
    target_factory(unit=unit_a, title="=HYPERLINK(1)", deadline=date(2030, 1, 1))
    client.force_login(staff_a)

    response = client.get(LIST_URL, {"_export": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "指标/任务",
        "状态灯",
        "状态",
        "指标值",
        "完成期限",
        "期限表述",
        "责任单位",
        "牵头领导",
        "目标",
        "计划",
    ]
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][4] == "2030-01-01"
    assert rows[1][1] in {"正常", "预警", "滞后"}


def test_target_list_xlsx_export(client, staff_a, target_factory):
    target_factory(title="甲指标")
    client.force_login(staff_a)

    response = client.get(LIST_URL, {"_export": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


# --- detail -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 5])
def test_target_detail_queries_constant(
    client, staff_a, unit_a, official, target_factory, django_assert_num_queries, rows
):
    target = target_factory(
        unit=unit_a,
        leading_official=official,
        start_date=date(2023, 1, 1),
        deadline=date(2030, 1, 1),
        deadline_phrase="两年见成效、三年大变样",
        target_value=Decimal("100"),
    )
    for n in range(rows):
        checkin_create(
            user=staff_a, target=target, value=Decimal(n + 1), status=TargetStatus.ON_TRACK
        )
    client.force_login(staff_a)

    with django_assert_num_queries(8):  # with the target's 督办 orders
        response = client.get(detail_url(target))

    assert response.status_code == 200
    assert len(response.context["checkins"]) == rows
    assert len(response.context["history"]) == rows + 1


def test_target_detail_shows_deadline_dates(client, staff_b, target_factory):
    target = target_factory(
        start_date=date(2023, 1, 1),
        deadline=date(2026, 1, 1),
        deadline_phrase="两年见成效、三年大变样",
    )
    client.force_login(staff_b)

    response = client.get(detail_url(target))

    assert response.context["deadline_steps"] == [
        (date(2025, 1, 1), "两年见成效", "2 年"),
        (date(2026, 1, 1), "三年大变样", "3 年"),
    ]
    content = response.content.decode()
    assert "<strong>2025-01-01</strong> 起算后 2 年：“两年见成效”" in content
    assert "<strong>2026-01-01</strong> 起算后 3 年：“三年大变样”" in content


def test_target_detail_deadline_dates_in_english(client, staff_b, target_factory):
    target = target_factory(
        start_date=date(2023, 1, 28), deadline=date(2024, 1, 28), deadline_phrase="一年行动"
    )
    client.force_login(staff_b)
    client.cookies["django_language"] = "en"

    content = client.get(detail_url(target)).content.decode()

    assert "<strong>2024-01-28</strong> 1 year from the start: “一年行动”" in content


def test_target_detail_phrase_without_start_shows_no_dates(client, staff_b, target_factory):
    target = target_factory(
        deadline_phrase="三年成形", start_source_text="中日(青岛)地方发展合作示范区建设深入推进"
    )
    client.force_login(staff_b)

    response = client.get(detail_url(target))

    assert response.context["deadline_steps"] == []
    assert response.context["deadline_steps_error"] == (
        "起算日期文件未载明，不推算期限表述对应的日期。"
    )
    assert response.context["deadline_text"] == "三年成形（起算日期文件未载明）"
    content = response.content.decode()
    assert '<dd class="col-8" data-testid="target-start">起算日期文件未载明</dd>' in content
    assert "文件中的相关原文（未载明起算日期）" in content
    assert "中日(青岛)地方发展合作示范区建设深入推进" in content


def test_target_detail_cites_the_start_it_counts_from(client, staff_b, target_factory):
    target = target_factory(
        start_date=date(2023, 1, 28),
        deadline=date(2026, 1, 28),
        deadline_phrase="三年行动",
        start_source_text="兔年首个工作日，青岛开发区“开年第一会”专题研究部署本年度重点工作",
    )
    client.force_login(staff_b)

    content = client.get(detail_url(target)).content.decode()

    assert "起算依据" in content
    assert "“开年第一会”专题研究部署本年度重点工作" in content


def test_target_detail_bad_deadline_phrase_explained(client, staff_b, target_factory):
    target = target_factory(start_date=date(2023, 1, 1), deadline_phrase="尽快")
    client.force_login(staff_b)

    response = client.get(detail_url(target))

    assert response.status_code == 200
    assert response.context["deadline_steps"] == []
    assert response.context["deadline_steps_error"].startswith("无法识别的期限表述“尽快”")


def test_target_detail_deadline_phrase_counted_past_9999_explained(client, staff_b, target_factory):
    target = target_factory(start_date=date(9999, 12, 31), deadline_phrase="三年成形")
    client.force_login(staff_b)

    response = client.get(detail_url(target))

    assert response.status_code == 200
    assert response.context["deadline_steps"] == []
    assert response.context["deadline_steps_error"] == (
        "从 9999-12-31 起按“三年成形”推算，日期超过了 9999 年。"
    )


def test_target_detail_shows_light_and_reason(client, staff_b, target_factory):
    target = target_factory(deadline=timezone.localdate() - timedelta(days=1))
    client.force_login(staff_b)

    response = client.get(detail_url(target))

    assert response.context["light"].color == "red"
    assert "已过，仍未完成" in response.content.decode()


def test_target_detail_chart_when_numeric(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a, target_value=Decimal("50"))
    CheckInFactory(target=target, date=date(2024, 1, 31), value=Decimal("10"))
    CheckInFactory(target=target, date=date(2024, 2, 29), value=Decimal("20"))
    client.force_login(staff_a)

    response = client.get(detail_url(target))

    chart = response.context["chart"]
    assert chart["data"]["labels"] == ["2024-01-31", "2024-02-29"]
    assert chart["data"]["datasets"][0]["data"] == [10.0, 20.0]
    assert chart["data"]["datasets"][1]["data"] == [50.0, 50.0]
    assert 'data-chart="checkin-chart"' in response.content.decode()


def test_target_detail_no_chart_without_values(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    CheckInFactory(target=target, date=date(2024, 1, 31))
    client.force_login(staff_a)

    response = client.get(detail_url(target))

    assert response.context["chart"] is None


def test_target_detail_history_names_change_and_user(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    checkin_create(user=staff_a, target=target, value=Decimal("3"), status=TargetStatus.ON_TRACK)
    client.force_login(staff_a)

    response = client.get(detail_url(target))

    newest = response.context["history"][0]
    assert newest.who == "staff_a"
    assert {(c.field, c.old, c.new) for c in newest.changes} == {
        ("当前值", "—", "3"),
        ("状态", "未开始", "正常推进"),
    }


def test_target_detail_history_skips_saves_that_changed_nothing(
    client, staff_a, unit_a, target_factory
):
    target = target_factory(unit=unit_a)
    target.save()
    client.force_login(staff_a)

    response = client.get(detail_url(target))

    assert [entry.action for entry in response.context["history"]] == ["新建"]


def test_target_detail_form_only_for_owning_unit(client, staff_a, staff_b, unit_a, target_factory):
    target = target_factory(unit=unit_a)

    client.force_login(staff_a)
    own = client.get(detail_url(target)).content.decode()
    client.force_login(staff_b)
    other = client.get(detail_url(target)).content.decode()

    assert 'data-testid="checkin-form"' in own
    assert 'data-testid="checkin-form"' not in other


# --- check in -----------------------------------------------------------------------------------


def test_target_checkin_post_records_and_redirects(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    client.force_login(staff_a)

    response = client.post(
        checkin_url(target), {"value": "12.5", "status": "on_track", "comment": "进展顺利"}
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(target)
    target.refresh_from_db()
    assert (target.current_value, target.status) == (Decimal("12.5"), TargetStatus.ON_TRACK)
    assert CheckIn.objects.get(target=target).comment == "进展顺利"


def test_target_checkin_htmx_returns_updated_history(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    client.force_login(staff_a)

    response = client.post(
        checkin_url(target),
        {"value": "7", "status": "at_risk", "comment": "原材料涨价"},
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "已记录本次填报。" in content
    assert "原材料涨价" in content
    assert 'id="target-summary"' in content and 'hx-swap-oob="true"' in content
    assert CheckIn.objects.filter(target=target).count() == 1


def test_target_checkin_missing_reason_keeps_typed_values(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    client.force_login(staff_a)

    response = client.post(
        checkin_url(target),
        {"value": "8.25", "status": "off_track", "comment": ""},
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "状态为“存在风险”或“滞后”时，请在说明中写明原因。" in content
    assert 'value="8.25"' in content
    assert '<option value="off_track" selected>' in content
    assert CheckIn.objects.count() == 0


def test_target_checkin_bad_number_answered_in_chinese(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    client.force_login(staff_a)

    response = client.post(
        checkin_url(target), {"value": "十二", "status": "on_track", "comment": "说明文字"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "输入一个数字" in content
    assert "说明文字" in content
    assert CheckIn.objects.count() == 0


def test_target_checkin_other_unit_is_refused_naming_the_unit(
    client, staff_b, unit_a, target_factory
):
    target = target_factory(unit=unit_a)
    client.force_login(staff_b)

    response = client.post(checkin_url(target), {"value": "1", "status": "on_track"})

    assert response.status_code == 403
    assert "此项属于甲单位，只有该单位的人员可以修改。" in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_target_checkin_get_not_allowed(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    client.force_login(staff_a)

    assert client.get(checkin_url(target)).status_code == 405


def test_target_checkin_anonymous_redirects_to_login(client, unit_a, target_factory):
    target = target_factory(unit=unit_a)

    response = client.post(checkin_url(target), {"value": "1", "status": "on_track"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert CheckIn.objects.count() == 0


# --- not assessed ---------------------------------------------------------------------------------


def test_target_list_and_csv_show_not_assessed(client, staff_a, target_factory):
    target_factory(title="拓展“金融管家”试点成果", status=TargetStatus.NOT_ASSESSED)
    client.force_login(staff_a)

    page = client.get(LIST_URL)
    response = client.get(LIST_URL, {"_export": "csv"})

    row = page.context["table"].paginated_rows[0]
    assert (row.get_cell("status"), row.get_cell_value("light")) == ("未评估", "无法判断")
    assert "状态未评估：文件未给出其状态，也还没有人填报。" in page.content.decode()
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["指标/任务"], row["状态"], row["状态灯"]) for row in rows] == [
        ("拓展“金融管家”试点成果", "未评估", "无法判断")
    ]


def test_target_list_filters_not_assessed(client, staff_a, target_factory):
    target_factory(title="未评估的指标", status=TargetStatus.NOT_ASSESSED)
    target_factory(title="未开始的指标", status=TargetStatus.NOT_STARTED)
    client.force_login(staff_a)

    response = client.get(LIST_URL, {"status": "not_assessed"})

    assert titles(response) == ["未评估的指标"]


def test_checkin_form_offers_no_not_assessed(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a, status=TargetStatus.NOT_ASSESSED)
    client.force_login(staff_a)

    form = client.get(detail_url(target)).context["form"]

    assert [value for value, _label in form.fields["status"].choices] == [
        "not_started",
        "on_track",
        "at_risk",
        "off_track",
        "achieved",
    ]
    assert form["status"].value() is None


def test_checkin_not_assessed_refused(client, staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a, status=TargetStatus.NOT_ASSESSED)
    client.force_login(staff_a)

    response = client.post(checkin_url(target), {"status": "not_assessed", "comment": ""})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["status"]
    assert CheckIn.objects.count() == 0
