"""The one edit history: entries from apps.core.history and the includes/history.html template that
the project, target and hazard pages show."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from apps.core.history import Change, HistoryEntry, history_entries
from apps.org.models import Person, Unit
from apps.safety.services import hazard_start_rectification

pytestmark = pytest.mark.django_db

WHEN = timezone.make_aware(timezone.datetime(2024, 6, 15, 10, 30))


def target_history(target, *related):
    records = target.history.select_related("history_user__person", *related).order_by(
        "-history_date", "-history_id"
    )
    return history_entries([("指标", records, lambda record: record.title)])


def save_as(target, user, reason="", **changes):
    for name, value in changes.items():
        setattr(target, name, value)
    target._history_user = user
    if reason:
        target._change_reason = reason
    target.save()


def test_history_names_who_by_person_then_full_name_then_username(
    make_user, unit_a, target_factory
):
    named = make_user("zhangwei", first_name="Wei", last_name="Zhang")
    Person.objects.create(name="张伟", unit=unit_a, user=named)
    full_named = make_user("lina", first_name="Na", last_name="Li")
    plain = make_user("wang")
    target = target_factory(unit=unit_a)
    save_as(target, named, metric_unit="个")
    save_as(target, full_named, metric_unit="家")
    save_as(target, plain, metric_unit="项")

    entries = target_history(target)

    assert [entry.who for entry in entries] == ["wang", "Na Li", "张伟", "系统"]


def test_history_says_what_changed_newest_first(staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a, title="新增市场主体")
    save_as(target, staff_a, current_value=Decimal("12.5000"), status="on_track")

    entries = target_history(target)

    assert [(e.action, e.kind, e.label) for e in entries] == [
        ("修改", "指标", "新增市场主体"),
        ("新建", "指标", "新增市场主体"),
    ]
    assert entries[0].changes == [
        Change("当前值", "—", "12.5"),
        Change("状态", "未开始", "正常推进"),
    ]


def test_history_names_foreign_key_rows_when_selected(staff_a, unit_a, unit_b, target_factory):
    target = target_factory(unit=unit_a)
    save_as(target, staff_a, responsible_unit=unit_b)

    assert target_history(target, "responsible_unit")[0].changes == [
        Change("责任单位", "甲单位", "乙单位")
    ]


def test_history_gives_foreign_key_ids_when_not_selected(staff_a, unit_a, unit_b, target_factory):
    target = target_factory(unit=unit_a)
    save_as(target, staff_a, responsible_unit=unit_b)

    assert target_history(target)[0].changes == [
        Change("责任单位", f"#{unit_a.pk}", f"#{unit_b.pk}")
    ]


def test_history_names_a_user_foreign_key_by_person(
    staff_a, colleague, unit_a, hazard_factory, django_assert_num_queries
):
    hazard = hazard_factory(unit=unit_a)
    hazard_start_rectification(user=colleague, hazard=hazard, measures="清理")
    records = hazard.history.select_related("history_user__person", "rectifier__person").order_by(
        "-history_date"
    )

    with django_assert_num_queries(1):
        entries = history_entries([("隐患", records, lambda record: record.description)])

    assert (entries[0].who, entries[0].changes[-1]) == ("李娜", Change("整改人", "—", "李娜"))


def test_history_foreign_key_to_a_deleted_row_gives_its_id(staff_a, unit_a, target_factory):
    gone = Unit.objects.create(name="撤并单位")
    target = target_factory(unit=unit_a)
    save_as(target, staff_a, responsible_unit=gone)
    gone_id = gone.pk
    target.responsible_unit = None
    target.save()
    gone.delete()

    changes = [entry.changes for entry in target_history(target, "responsible_unit")]

    assert changes[1] == [Change("责任单位", "甲单位", f"#{gone_id}")]


def test_history_leaves_out_saves_that_changed_nothing(staff_a, unit_a, target_factory):
    target = target_factory(unit=unit_a)
    save_as(target, staff_a)

    assert [entry.action for entry in target_history(target)] == ["新建"]


def test_history_keeps_a_save_that_changed_nothing_but_has_a_reason(
    staff_a, unit_a, target_factory
):
    target = target_factory(unit=unit_a)
    save_as(target, staff_a, reason="核对无误")

    newest = target_history(target)[0]

    assert (newest.action, newest.changes, newest.reason) == ("修改", [], "核对无误")


def test_history_merges_sources_newest_first_and_limits(staff_a, unit_a, target_factory):
    first, second = target_factory(unit=unit_a), target_factory(unit=unit_a)
    save_as(second, staff_a, metric_unit="个")
    save_as(first, staff_a, metric_unit="家")

    def records(target):
        return target.history.select_related("history_user__person").order_by("-history_date")

    entries = history_entries(
        [("甲", records(first), lambda r: r.title), ("乙", records(second), lambda r: r.title)],
        limit=3,
    )

    assert [(e.kind, e.action) for e in entries] == [("甲", "修改"), ("乙", "修改"), ("乙", "新建")]


# --- the template -------------------------------------------------------------------------------


def test_history_template_one_line_per_entry():
    entry = HistoryEntry(
        when=WHEN,
        who="李娜",
        kind="隐患",
        label="消防通道堵塞",
        action="修改",
        changes=[Change("状态", "已整改", "整改中")],
        reason="照片不清楚",
    )

    html = render_to_string("includes/history.html", {"history": [entry]})

    assert "<div><strong>李娜</strong> · 2024-06-15 10:30 · 修改隐患「消防通道堵塞」</div>" in html
    assert "<li>状态：已整改 → 整改中</li>" in html
    assert '<div class="text-body-secondary">照片不清楚</div>' in html
    assert "尚无修改记录。" not in html


def test_history_template_empty_state():
    html = render_to_string("includes/history.html", {"history": []})

    assert '<li class="list-group-item text-body-secondary">尚无修改记录。</li>' in html
    assert html.count("<li") == 1


def test_history_template_in_english():
    entry = HistoryEntry(WHEN - timedelta(hours=1), "Li Na", "Project", "BOE", "Changed")
    entry.changes = [Change("Stage", "Signed", "Started")]

    with translation.override("en"):
        html = render_to_string("includes/history.html", {"history": [entry]})

    assert "Changed Project “BOE”" in html
    assert "<li>Stage: Signed → Started</li>" in html


@pytest.fixture
def colleague(make_user, unit_a):
    user = make_user("lina")
    Person.objects.create(name="李娜", unit=unit_a, user=user)
    return user
