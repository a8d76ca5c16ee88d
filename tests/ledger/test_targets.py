"""Importing targets: matched by plan, goal and title; planning columns only; deadlines synced."""

import datetime

import pytest

from apps.goals.models import Target
from apps.ledger import services
from apps.reminders.models import Deadline
from tests.factories import GoalFactory, TargetFactory

from .conftest import xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["工作计划", "目标", "指标/任务", "计量单位", "目标值", "完成期限", "责任单位"]


def run(data, user=None):
    return services.ledger_import(data=data, filename="t.xlsx", user=user, dry_run=False)


def test_import_targets_creates_updates_and_syncs_deadlines(unit_a, superuser):
    goal = GoalFactory(title="产业升级")
    existing = TargetFactory(goal=goal, title="规上工业增加值", responsible_unit=unit_a)
    data = xlsx(
        {
            "目标任务": [
                HEADERS,
                ["测试计划", "产业升级", "规上工业增加值", "%", "8", "2026-12-31", "甲单位"],
                ["测试计划", "产业升级", "新增专精特新企业", "家", "20", "2026-10-31", "甲单位"],
            ]
        }
    )

    report = run(data, superuser)

    assert report.errors == []
    assert [(r.key, r.status) for r in report.rows] == [
        ("测试计划 / 产业升级 / 规上工业增加值", "changed"),
        ("测试计划 / 产业升级 / 新增专精特新企业", "new"),
    ]
    existing.refresh_from_db()
    assert existing.deadline == datetime.date(2026, 12, 31)
    assert Target.objects.count() == 2
    deadlines = Deadline.objects.filter(kind="target").order_by("due_date")
    assert [(d.title, d.due_date) for d in deadlines] == [
        ("新增专精特新企业", datetime.date(2026, 10, 31)),
        ("规上工业增加值", datetime.date(2026, 12, 31)),
    ]
    assert run(data, superuser).counts["unchanged"] == 2


def test_import_target_under_an_unknown_goal_is_refused(unit_a):
    GoalFactory(title="产业升级")
    data = xlsx({"目标任务": [HEADERS, ["测试计划", "没有的目标", "x", "", "", "", ""]]})

    report = run(data)

    assert [(e.row, e.column) for e in report.errors] == [(2, "目标")]
    assert Target.objects.count() == 0
