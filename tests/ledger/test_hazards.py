"""Importing hazards: matched by 隐患编号, status only checked, units' own rows, deadlines synced."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.ledger import services
from apps.org.models import Enterprise
from apps.reminders.models import Deadline
from apps.safety import services as safety
from apps.safety.models import Hazard, HazardStatus
from tests.factories import EnterpriseFactory, SiteFactory

from .conftest import admin_confirm, admin_preview, xlsx

pytestmark = pytest.mark.django_db

HEADERS = [
    "隐患编号",
    "监管区域",
    "隐患描述",
    "隐患等级",
    "发现日期",
    "位置",
    "所属企业",
    "责任单位",
    "整改期限",
    "状态",
]


def row(code, unit="甲单位", **overrides):
    values = dict(
        zip(
            HEADERS,
            [
                code,
                "测试监管区域",
                f"{code}：消防通道堵塞",
                "一般隐患",
                "2026-11-02",
                "3号罐区",
                "某化工企业",
                unit,
                "2026-11-30",
                "",
            ],
            strict=True,
        )
    )
    values.update(overrides)
    return [values[h] for h in HEADERS]


def saved(code, site, unit, **fields):
    """A hazard already in the database, found on 1 November 2026 unless told otherwise."""
    fields = {"description": "d", "found_date": datetime.date(2026, 11, 1), **fields}
    return Hazard.objects.create(code=code, site=site, responsible_unit=unit, **fields)


def run(data, user=None, dry_run=False):
    return services.ledger_import(data=data, filename="h.xlsx", user=user, dry_run=dry_run)


@pytest.fixture
def site(db):
    EnterpriseFactory(name="某化工企业")
    return SiteFactory(name="测试监管区域")


def test_hazard_saved_without_a_code_is_numbered_and_its_history_shows_it(hazard_factory, unit_a):
    hazard = hazard_factory(unit=unit_a)

    hazard.refresh_from_db()
    assert hazard.code == f"YH2023-{hazard.pk:05d}"
    assert hazard.history.get().code == hazard.code
    assert hazard_factory(unit=unit_a, code="AJ-7").code == "AJ-7"


def test_import_hazards_creates_updates_and_syncs_deadlines(site, unit_a, superuser):
    existing = saved("YH-001", site, unit_a, description="旧描述")
    data = xlsx({"隐患": [HEADERS, row("YH-001", 隐患等级="重大隐患"), row("YH-002")]})

    report = run(data, superuser)

    assert report.errors == []
    assert [(r.key, r.status) for r in report.rows] == [("YH-001", "changed"), ("YH-002", "new")]
    existing.refresh_from_db()
    assert existing.grade == "major"
    assert existing.description == "YH-001：消防通道堵塞"
    assert existing.status == HazardStatus.FOUND
    new = Hazard.objects.get(code="YH-002")
    assert (new.status, new.responsible_unit, new.enterprise.name, new.location) == (
        HazardStatus.FOUND,
        unit_a,
        "某化工企业",
        "3号罐区",
    )
    assert new.history.get().history_user == superuser
    assert new.history.get().history_change_reason == "台账导入"
    deadlines = Deadline.objects.filter(kind="hazard").order_by("title")
    assert [(d.due_date, d.responsible_unit_id) for d in deadlines] == [
        (datetime.date(2026, 11, 30), unit_a.pk),
        (datetime.date(2026, 11, 30), unit_a.pk),
    ]
    assert run(data, superuser).counts == {"new": 0, "changed": 0, "unchanged": 2, "invalid": 0}


def test_import_refuses_to_move_a_hazards_status(site, unit_a, staff_a, superuser):
    hazard = saved("YH-001", site, unit_a)
    safety.hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理通道")
    data = xlsx({"隐患": [HEADERS, row("YH-001", 状态="已验收销号"), row("YH-002", 状态="已整改")]})

    report = run(data, superuser)

    assert [(e.row, e.column) for e in report.errors] == [(2, "状态"), (3, "状态")]
    assert "整改中" in report.errors[0].message
    assert "已发现" in report.errors[1].message
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
    assert not Hazard.objects.filter(code="YH-002").exists()


def test_import_keeps_the_status_a_service_gave_and_reports_unchanged(site, unit_a, staff_a):
    hazard = saved(
        "YH-001",
        site,
        unit_a,
        description="YH-001：消防通道堵塞",
        found_date=datetime.date(2026, 11, 2),
        location="3号罐区",
        enterprise=Enterprise.objects.get(name="某化工企业"),
        rectification_deadline=datetime.date(2026, 11, 30),
    )
    safety.hazard_start_rectification(user=staff_a, hazard=hazard, measures="清理通道")

    report = run(xlsx({"隐患": [HEADERS, row("YH-001", 状态="整改中")]}), staff_a)

    assert report.errors == []
    assert report.counts["unchanged"] == 1


def test_import_refuses_bad_hazard_rows_and_imports_none(site, unit_a, superuser):
    data = xlsx(
        {
            "隐患": [
                HEADERS,
                row("YH-001"),
                row("YH-002", 监管区域=""),
                row("YH-003", 隐患等级="特大隐患"),
                row("YH-004", 整改期限="2026-10-01"),
                row("YH-001"),
            ]
        }
    )

    report = run(data, superuser)

    assert sorted((e.row, e.column) for e in report.errors) == [
        (3, "监管区域"),
        (4, "隐患等级"),
        (5, "整改期限"),
        (6, "隐患编号"),
    ]
    assert Hazard.objects.count() == 0


def test_unit_staff_import_only_their_units_hazards(site, unit_a, unit_b, staff_a):
    theirs = saved("YH-009", site, unit_b)
    data = xlsx({"隐患": [HEADERS, row("YH-001"), row("YH-002", unit="乙单位"), row("YH-009")]})

    report = run(data, staff_a)

    assert [(e.row, e.column) for e in report.errors] == [(3, "责任单位"), (4, "责任单位")]
    assert Hazard.objects.count() == 1
    theirs.refresh_from_db()
    assert theirs.responsible_unit == unit_b


def test_export_then_import_hazards_reports_no_changes(site, unit_a, staff_a, superuser):
    run(xlsx({"隐患": [HEADERS, row("YH-001"), row("YH-002", 整改期限="")]}), superuser)
    first = Hazard.objects.get(code="YH-001")
    safety.hazard_start_rectification(user=staff_a, hazard=first, measures="清理通道")

    exported = services.ledger_export()
    sheet = load_workbook(io.BytesIO(exported))["隐患"]
    rows = list(sheet.values)
    assert list(rows[0]) == HEADERS
    assert [r[0] for r in rows[1:]] == ["YH-001", "YH-002"]
    assert rows[1][-1] == "整改中"

    report = services.ledger_import(
        data=exported, filename="ledger.xlsx", user=superuser, dry_run=True
    )
    assert report.errors == []
    assert report.has_changes is False
    assert report.count("unchanged") >= 2


def _queries(n, superuser):
    rows = [row(f"YH-{i:03d}") for i in range(n)]
    with CaptureQueriesContext(connection) as queries:
        report = run(xlsx({"隐患": [HEADERS, *rows]}), superuser)
    assert report.errors == []
    return len(queries)


def test_hazard_import_query_count_does_not_grow_with_rows(site, unit_a, superuser):
    _queries(1, superuser)  # the reminder policy is made once
    Hazard.objects.all().delete()
    small = _queries(2, superuser)
    Hazard.objects.all().delete()
    assert _queries(8, superuser) == small


def test_admin_hazard_import_previews_then_imports(client, site, unit_a, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:safety_hazard_import")).status_code == 200
    data = xlsx({"隐患": [HEADERS, row("YH-001")]})

    preview = admin_preview(client, "safety_hazard", data, "h.xlsx")

    assert preview.status_code == 200
    assert Hazard.objects.count() == 0
    response = admin_confirm(client, "safety_hazard", preview)
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert (hazard.code, hazard.history.get().history_user) == ("YH-001", superuser)
    assert client.get(reverse("admin:safety_hazard_changelist"), {"q": "YH-001"}).status_code == 200
