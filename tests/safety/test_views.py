"""Inspection and hazard pages, recording an inspection, and the hazard workflow through the web."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.core.media import thumbnail_name
from apps.org.models import Enterprise, Person
from apps.reminders.models import Deadline
from apps.safety.models import Hazard, HazardGrade, HazardStatus, Inspection, Site
from apps.safety.services import (
    hazard_mark_rectified,
    hazard_reject,
    hazard_start_rectification,
)
from tests.factories import InspectionFactory, InspectionTeamFactory

pytestmark = pytest.mark.django_db

INSPECTIONS = "/safety/inspections/"
HAZARDS = "/safety/hazards/"
NEW = "/safety/inspections/new/"
FOUND = date(2023, 3, 1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def image(name="photo.png", fmt="PNG", size=(4, 4)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def rows_of(response):
    return [row.record for row in response.context["table"].paginated_rows]


@pytest.fixture
def site():
    return Site.objects.create(name="黄岛石化区")


@pytest.fixture
def colleague_a(make_user, unit_a):
    return make_user("colleague_a", unit=unit_a)


def inspection(site, unit, **fields):
    return InspectionFactory(site=site, responsible_unit=unit, **fields)


# --- inspection list ----------------------------------------------------------------------------


def test_inspection_list_anonymous_redirects_to_login(client):
    response = client.get(INSPECTIONS)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={INSPECTIONS}"


@pytest.mark.parametrize("rows", [1, 5])
def test_inspection_list_queries_constant(
    client, staff_a, unit_a, site, hazard_factory, django_assert_num_queries, rows
):
    team = InspectionTeamFactory(site=site)
    for n in range(rows):
        found = inspection(site, unit_a, team=team, inspector=staff_a, title=f"检查{n}")
        hazard_factory(unit=unit_a, site=site, inspection=found)
    client.force_login(staff_a)

    with django_assert_num_queries(6):
        response = client.get(INSPECTIONS)

    assert len(rows_of(response)) == rows
    assert [row.hazard_count for row in rows_of(response)] == [1] * rows


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unit": "b"}, ["乙单位检查"]),
        ({"date_after": "2023-03-02"}, ["乙单位检查", "较晚检查"]),
        ({"date_before": "2023-03-01"}, ["甲单位检查"]),
        ({"date_after": "2023-03-02", "date_before": "2023-03-02"}, ["乙单位检查"]),
        ({"site": "other"}, ["较晚检查"]),
        ({"team": "team"}, ["甲单位检查"]),
    ],
)
def test_inspection_list_filters(client, staff_a, unit_a, unit_b, site, params, expected):
    other = Site.objects.create(name="另一园区")
    team = InspectionTeamFactory(site=site)
    inspection(site, unit_a, title="甲单位检查", team=team)
    inspection(site, unit_b, title="乙单位检查", date=FOUND + timedelta(days=1))
    inspection(other, unit_a, title="较晚检查", date=FOUND + timedelta(days=2))
    ids = {"b": unit_b.pk, "other": other.pk, "team": team.pk}
    client.force_login(staff_a)

    response = client.get(INSPECTIONS, {k: ids.get(v, v) for k, v in params.items()})

    assert sorted(row.title for row in rows_of(response)) == sorted(expected)


def test_inspection_list_sorts_by_date(client, staff_a, unit_a, site):
    inspection(site, unit_a, title="早", date=FOUND)
    inspection(site, unit_a, title="晚", date=FOUND + timedelta(days=3))
    client.force_login(staff_a)

    assert [r.title for r in rows_of(client.get(INSPECTIONS))] == ["晚", "早"]
    assert [r.title for r in rows_of(client.get(INSPECTIONS, {"sort": "date"}))] == ["早", "晚"]


def test_inspection_list_record_button_for_staff_with_unit(client, staff_a, make_user):
    client.force_login(staff_a)
    assert NEW in client.get(INSPECTIONS).content.decode()

    client.force_login(make_user("loner"))
    assert NEW not in client.get(INSPECTIONS).content.decode()


# --- hazard list --------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 5])
def test_hazard_list_queries_constant(
    client, staff_a, unit_a, site, hazard_factory, django_assert_num_queries, rows
):
    enterprise = Enterprise.objects.create(name="青岛某石化有限公司")
    for _ in range(rows):
        hazard_factory(unit=unit_a, site=site, enterprise=enterprise)
    client.force_login(staff_a)

    with django_assert_num_queries(5):
        response = client.get(HAZARDS)

    assert len(rows_of(response)) == rows


@pytest.fixture
def hazard_set(unit_a, unit_b, site, hazard_factory, make_user):
    today = timezone.localdate()
    other = Site.objects.create(name="另一园区")
    enterprise = Enterprise.objects.create(name="丽东化工有限公司", short_name="丽东")
    hazard_factory(
        unit=unit_a,
        site=site,
        description="逾期未整改",
        found_date=today - timedelta(days=10),
        rectification_deadline=today - timedelta(days=1),
    )
    hazard_factory(
        unit=unit_a,
        site=site,
        description="今天到期",
        found_date=today - timedelta(days=10),
        rectification_deadline=today,
        status=HazardStatus.RECTIFYING,
    )
    hazard_factory(
        unit=unit_a,
        site=site,
        description="已销号",
        found_date=today - timedelta(days=10),
        rectification_deadline=today - timedelta(days=5),
        rectified_on=today - timedelta(days=2),
        closed_on=today - timedelta(days=1),
        status=HazardStatus.CLOSED,
        verifier=make_user("verifier"),
    )
    hazard_factory(
        unit=unit_b,
        site=other,
        description="重大隐患",
        grade=HazardGrade.MAJOR,
        enterprise=enterprise,
        status=HazardStatus.RECTIFIED,
        location="东区管廊",
    )
    return {"b": unit_b.pk, "other": other.pk}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"grade": "major"}, ["重大隐患"]),
        ({"status": "rectifying"}, ["今天到期"]),
        ({"status": "open"}, ["逾期未整改", "今天到期", "重大隐患"]),
        ({"status": "closed"}, ["已销号"]),
        ({"unit": "b"}, ["重大隐患"]),
        ({"overdue": "1"}, ["逾期未整改"]),
        ({"site": "other"}, ["重大隐患"]),
        ({"q": "丽东"}, ["重大隐患"]),
        ({"q": "管廊"}, ["重大隐患"]),
        ({"overdue": "1", "grade": "major"}, []),
    ],
)
def test_hazard_list_filters(client, staff_a, hazard_set, params, expected):
    client.force_login(staff_a)

    response = client.get(HAZARDS, {k: hazard_set.get(v, v) for k, v in params.items()})

    assert sorted(h.description for h in rows_of(response)) == sorted(expected)


def test_hazard_list_bad_filter_value_answers_with_message(client, staff_a, hazard_set):
    client.force_login(staff_a)

    response = client.get(HAZARDS, {"status": "lost"})

    assert response.status_code == 200
    assert rows_of(response) == []
    assert "选择一个有效的选项" in response.content.decode()


def test_hazard_list_marks_overdue(client, staff_a, hazard_set):
    client.force_login(staff_a)

    content = client.get(HAZARDS, {"overdue": "1"}).content.decode()

    assert "逾期</span>" in content


def test_hazard_list_csv_export_neutralises_formulas(client, staff_a, unit_a, hazard_factory):
    hazard_factory(unit=unit_a, description="@SUM(A1)", location="+86 管廊")
    client.force_login(staff_a)

    response = client.get(HAZARDS, {"_export": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["隐患描述", "隐患等级", "状态"]
    assert (rows[1][0], rows[1][4]) == ("'@SUM(A1)", "'+86 管廊")


# --- recording an inspection --------------------------------------------------------------------


def form_data(site, **overrides):
    data = {
        "site": site.pk,
        "team": "",
        "campaign": "",
        "date": "2023-03-01",
        "title": "节前安全大检查",
        "notes": "",
        "hazards-TOTAL_FORMS": "2",
        "hazards-INITIAL_FORMS": "0",
        "hazards-MIN_NUM_FORMS": "0",
        "hazards-MAX_NUM_FORMS": "50",
        "hazards-0-description": "消防通道堵塞",
        "hazards-0-grade": "major",
        "hazards-0-location": "3号罐区",
        "hazards-0-enterprise": "",
        "hazards-0-rectification_deadline": "2023-03-10",
        "hazards-1-description": "",
        "hazards-1-grade": "general",
        "hazards-1-location": "",
        "hazards-1-enterprise": "",
        "hazards-1-rectification_deadline": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("rows", [1, 5])
def test_inspection_create_page_queries_constant(
    client, staff_a, site, django_assert_num_queries, rows
):
    for n in range(rows):
        Enterprise.objects.create(name=f"企业{n}")
    client.force_login(staff_a)

    with django_assert_num_queries(6):
        response = client.get(NEW)

    assert response.status_code == 200
    assert response.content.decode().count("企业0") == 2  # the row and the template row


def test_inspection_create_records_inspection_and_hazards(client, staff_a, unit_a, site):
    client.force_login(staff_a)

    response = client.post(NEW, form_data(site, **{"hazards-0-photo_before": image("现场.png")}))

    created = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{INSPECTIONS}{created.pk}/"
    assert (created.responsible_unit, created.inspector, created.title) == (
        unit_a,
        staff_a,
        "节前安全大检查",
    )
    hazard = created.hazards.get()
    assert (hazard.description, hazard.grade, hazard.rectification_deadline) == (
        "消防通道堵塞",
        HazardGrade.MAJOR,
        date(2023, 3, 10),
    )
    assert hazard.photo_before.name.endswith(".png")


def test_inspection_create_hazard_due_on_the_last_day_is_recorded(client, staff_a, site):
    client.force_login(staff_a)

    response = client.post(
        NEW, form_data(site, **{"hazards-0-rectification_deadline": "9999-12-31"})
    )

    assert response.status_code == 302
    hazard = Inspection.objects.get().hazards.get()
    assert hazard.rectification_deadline == date.max
    assert Deadline.objects.get(kind="hazard", object_id=hazard.pk).next_reminder_at is not None


def test_inspection_create_without_hazards(client, staff_a, site):
    client.force_login(staff_a)

    blank_row = {
        "hazards-0-description": "",
        "hazards-0-grade": "general",
        "hazards-0-location": "",
        "hazards-0-rectification_deadline": "",
    }

    response = client.post(NEW, form_data(site, **blank_row))

    assert response.status_code == 302
    assert Inspection.objects.get().hazards.count() == 0


def test_inspection_create_removed_row_ignored(client, staff_a, site):
    client.force_login(staff_a)

    response = client.post(
        NEW,
        form_data(
            site,
            **{
                "hazards-1-description": "",
                "hazards-1-location": "写了一半",
                "hazards-1-DELETE": "1",
            },
        ),
    )

    assert response.status_code == 302
    assert Hazard.objects.count() == 1


def test_inspection_create_missing_title_keeps_typed_values(client, staff_a, site):
    client.force_login(staff_a)

    response = client.post(NEW, form_data(site, title=""))

    content = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项。" in content
    assert "消防通道堵塞" in content
    assert 'value="3号罐区"' in content
    assert Inspection.objects.count() == 0


def test_inspection_create_hazard_deadline_before_found_on_its_row(client, staff_a, site):
    client.force_login(staff_a)

    response = client.post(
        NEW, form_data(site, **{"hazards-0-rectification_deadline": "2023-02-01"})
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[0].non_field_errors() == ["整改期限不能早于发现日期。"]
    assert Inspection.objects.count() == 0


def test_inspection_create_row_without_description_refused(client, staff_a, site):
    client.force_login(staff_a)

    response = client.post(NEW, form_data(site, **{"hazards-1-location": "2号泵房"}))

    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors == {"description": ["这个字段是必填项。"]}
    assert Inspection.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("fake.jpg", b"<html>not an image</html>"),
            "上传的文件不是有效的图片，或图片已损坏。",
        ),
        (image("anim.gif", fmt="GIF"), "只接受 JPEG、PNG 或 WebP 格式的照片。"),
    ],
)
def test_inspection_create_bad_photo_refused(client, staff_a, site, upload, message):
    client.force_login(staff_a)

    response = client.post(NEW, form_data(site, **{"hazards-0-photo_before": upload}))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {"photo_before": [message]}
    assert Inspection.objects.count() == 0


def test_inspection_create_photo_over_limit_refused(client, settings, staff_a, site):
    photo = image("big.png", size=(64, 64))
    settings.UPLOAD_MAX_BYTES = photo.size - 1
    client.force_login(staff_a)

    response = client.post(NEW, form_data(site, **{"hazards-0-photo_before": photo}))

    assert response.context["formset"].forms[0].errors == {
        "photo_before": [f"照片不能大于 {photo.size - 1}\xa0字节。"]
    }


def test_inspection_create_photo_at_limit_accepted(client, settings, staff_a, site):
    photo = image("exact.webp", fmt="WEBP", size=(16, 16))
    settings.UPLOAD_MAX_BYTES = photo.size
    client.force_login(staff_a)

    response = client.post(NEW, form_data(site, **{"hazards-0-photo_before": photo}))

    assert response.status_code == 302
    assert Hazard.objects.get().photo_before.name.endswith(".webp")


def test_inspection_create_superuser_chooses_unit(client, superuser, unit_b, site):
    client.force_login(superuser)

    page = client.get(NEW).content.decode()
    response = client.post(NEW, form_data(site, responsible_unit=unit_b.pk))

    assert 'name="responsible_unit"' in page
    assert response.status_code == 302
    assert Inspection.objects.get().responsible_unit == unit_b


def test_inspection_create_staff_cannot_choose_other_unit(client, staff_a, unit_a, unit_b, site):
    client.force_login(staff_a)

    response = client.post(NEW, form_data(site, responsible_unit=unit_b.pk))

    assert response.status_code == 302
    assert Inspection.objects.get().responsible_unit == unit_a


def test_inspection_create_user_without_unit_refused(client, make_user, site):
    client.force_login(make_user("loner"))

    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(site)).status_code == 403
    assert Inspection.objects.count() == 0


# --- inspection detail --------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 5])
def test_inspection_detail_queries_constant(
    client, staff_a, unit_a, site, hazard_factory, django_assert_num_queries, rows
):
    found = inspection(site, unit_a, inspector=staff_a)
    enterprise = Enterprise.objects.create(name="青岛某石化有限公司")
    for _ in range(rows):
        hazard_factory(unit=unit_a, site=site, inspection=found, enterprise=enterprise)
    client.force_login(staff_a)

    with django_assert_num_queries(4):
        response = client.get(f"{INSPECTIONS}{found.pk}/")

    assert len(response.context["hazards"]) == rows


# --- hazard detail and workflow -----------------------------------------------------------------


def detail(hazard):
    return f"{HAZARDS}{hazard.pk}/"


def act(hazard, step):
    return f"{HAZARDS}{hazard.pk}/{step}/"


@pytest.mark.parametrize("rows", [1, 5])
def test_hazard_detail_queries_constant(
    client, staff_a, colleague_a, unit_a, hazard_factory, django_assert_num_queries, rows
):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    if rows == 5:
        hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
        hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND, photo_after=image())
        hazard_reject(user=colleague_a, hazard=hazard, reason="不彻底")
        hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND)
    client.force_login(colleague_a)

    with django_assert_num_queries(7):  # with the hazard's 督办 orders
        response = client.get(detail(hazard))

    assert len(response.context["history"]) == rows


def test_hazard_detail_history_names_people_changes_and_reason(
    client, staff_a, colleague_a, unit_a, hazard_factory
):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND, photo_after=image())
    hazard_reject(user=colleague_a, hazard=hazard, reason="照片不清楚")
    client.force_login(staff_a)

    response = client.get(detail(hazard))

    entries = [
        (e.who, e.action, [(c.field, c.old, c.new) for c in e.changes], e.reason)
        for e in response.context["history"]
    ]
    assert entries == [
        (
            "colleague_a",
            "修改",
            [("状态", "已整改", "整改中"), ("整改完成日期", "2023-03-01", "—")],
            "照片不清楚",
        ),
        (
            "staff_a",
            "修改",
            [
                ("状态", "整改中", "已整改"),
                ("整改完成日期", "—", "2023-03-01"),
                ("整改后照片", "—", hazard.photo_after.name),
            ],
            "",
        ),
        (
            "staff_a",
            "修改",
            [("状态", "已发现", "整改中"), ("整改措施", "—", "清理"), ("整改人", "—", "staff_a")],
            "",
        ),
        ("系统", "新建", [], ""),
    ]
    content = response.content.decode()
    assert "照片不清楚" in content
    assert "colleague_a" in content
    assert f'href="/media/{hazard.photo_after.name}"' in content
    assert f'src="/media/{thumbnail_name(hazard.photo_after.name)}"' in content


def test_hazard_detail_shows_only_the_next_step(client, staff_a, staff_b, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a)

    client.force_login(staff_a)
    own = client.get(detail(hazard)).content.decode()
    client.force_login(staff_b)
    other = client.get(detail(hazard)).content.decode()

    assert 'data-testid="start-form"' in own
    assert 'data-testid="rectified-form"' not in own
    assert 'data-testid="start-form"' not in other


def test_hazard_detail_rectifier_sees_no_verify_form(
    client, staff_a, colleague_a, unit_a, hazard_factory
):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND, photo_after=image())

    client.force_login(staff_a)
    rectifier_page = client.get(detail(hazard)).content.decode()
    client.force_login(colleague_a)
    colleague_page = client.get(detail(hazard)).content.decode()

    assert 'data-testid="close-form"' not in rectifier_page
    assert "须由其他人员验收销号" in rectifier_page
    assert 'data-testid="close-form"' in colleague_page
    assert 'data-testid="reject-form"' in colleague_page


def test_hazard_found_to_closed_by_two_users(client, staff_a, colleague_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    client.force_login(staff_a)

    started = client.post(act(hazard, "start"), {"measures": "清理通道"})
    done = client.post(
        act(hazard, "rectified"),
        {"rectified_on": "2023-03-05", "photo_after": image("after.jpg", fmt="JPEG")},
    )
    client.force_login(colleague_a)
    closed = client.post(act(hazard, "close"), {"closed_on": "2023-03-06"})

    assert [started.status_code, done.status_code, closed.status_code] == [302, 302, 302]
    hazard.refresh_from_db()
    assert (hazard.status, hazard.rectifier, hazard.verifier, hazard.closed_on) == (
        HazardStatus.CLOSED,
        staff_a,
        colleague_a,
        date(2023, 3, 6),
    )
    assert hazard.photo_after.name.endswith(".jpg")


def test_hazard_close_by_rectifier_answered_with_message(client, staff_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND, photo_after=image())
    client.force_login(staff_a)

    response = client.post(act(hazard, "close"), {"closed_on": "2023-03-02"})

    assert response.status_code == 200
    assert "验收人不能是整改人本人：请由整改人以外的人员验收。" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED


def test_hazard_illegal_transition_answered_with_message(client, staff_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    client.force_login(staff_a)

    response = client.post(act(hazard, "rectified"), {"rectified_on": "2023-03-02"})

    assert response.status_code == 200
    assert response.context["action_errors"] == ["该隐患当前状态为“已发现”，不能标记为已整改。"]
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND


def test_hazard_step_not_offered_with_bad_input_answered_with_message(
    client, staff_a, unit_a, hazard_factory
):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    client.force_login(staff_a)

    response = client.post(act(hazard, "rectified"), {"rectified_on": "not a date"})

    assert response.status_code == 200
    assert response.context["action_errors"] == ["该隐患当前状态为“已发现”，不能执行这一步。"]


def test_hazard_illegal_transition_with_valid_input_names_the_status(
    client, staff_a, unit_a, hazard_factory
):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    client.force_login(staff_a)

    response = client.post(act(hazard, "start"), {"measures": "再次开始"})

    assert response.status_code == 200
    assert response.context["action_errors"] == ["该隐患当前状态为“整改中”，不能开始整改。"]


def test_hazard_rectified_bad_date_keeps_typed_values(client, staff_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    client.force_login(staff_a)

    response = client.post(
        act(hazard, "rectified"),
        {"rectified_on": "2023-02-01", "measures": "更换阀门", "photo_after": image()},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "整改完成日期不能早于发现日期（2023-03-01）。" in content
    assert 'value="2023-02-01"' in content
    assert "更换阀门" in content


def test_hazard_rectified_without_photo_refused(client, staff_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    client.force_login(staff_a)

    response = client.post(act(hazard, "rectified"), {"rectified_on": "2023-03-02"})

    assert response.context["mark_form"].errors == {"photo_after": ["请上传整改后照片。"]}


def test_hazard_reject_empty_reason_refused(client, staff_a, colleague_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND, photo_after=image())
    client.force_login(colleague_a)

    response = client.post(act(hazard, "reject"), {"reason": ""})

    assert response.context["reject_form"].errors == {"reason": ["这个字段是必填项。"]}
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED


def test_hazard_reject_by_colleague(client, staff_a, colleague_a, unit_a, hazard_factory):
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND, photo_after=image())
    client.force_login(colleague_a)

    response = client.post(act(hazard, "reject"), {"reason": "仍有杂物"})

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING


def test_hazard_close_by_zone_leader_of_other_unit(
    client, staff_a, make_user, unit_a, unit_b, hazard_factory
):
    leader = make_user("leader", unit=unit_b, role=Person.Role.LEADER)
    hazard = hazard_factory(unit=unit_a, found_date=FOUND)
    hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理")
    hazard_mark_rectified(user=staff_a, hazard=hazard, rectified_on=FOUND, photo_after=image())
    client.force_login(leader)

    response = client.post(act(hazard, "close"), {"closed_on": "2023-03-02"})

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.status, hazard.verifier) == (HazardStatus.CLOSED, leader)


@pytest.mark.parametrize(
    ("step", "status", "data"),
    [
        ("start", HazardStatus.FOUND, {"measures": "清理"}),
        ("rectified", HazardStatus.RECTIFYING, {"rectified_on": "2023-03-02"}),
        ("close", HazardStatus.RECTIFIED, {"closed_on": "2023-03-02"}),
        ("reject", HazardStatus.RECTIFIED, {"reason": "不合格"}),
    ],
)
def test_hazard_step_by_other_unit_forbidden(
    client, staff_a, staff_b, unit_a, hazard_factory, step, status, data
):
    hazard = hazard_factory(
        unit=unit_a,
        found_date=FOUND,
        status=status,
        rectifier=staff_a if status != HazardStatus.FOUND else None,
        rectified_on=FOUND if status == HazardStatus.RECTIFIED else None,
    )
    client.force_login(staff_b)

    response = client.post(act(hazard, step), data)

    assert response.status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == status


@pytest.mark.parametrize("step", ["start", "rectified", "close", "reject"])
def test_hazard_step_anonymous_redirects_to_login(client, unit_a, hazard_factory, step):
    hazard = hazard_factory(unit=unit_a)

    response = client.post(act(hazard, step), {})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("step", ["start", "rectified", "close", "reject"])
def test_hazard_step_get_not_allowed(client, staff_a, unit_a, hazard_factory, step):
    hazard = hazard_factory(unit=unit_a)
    client.force_login(staff_a)

    assert client.get(act(hazard, step)).status_code == 405
