"""Importing a hazard ledger in the browser: upload, preview each row, confirm, find the hazard."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.safety.models import Hazard, HazardStatus
from tests.factories import SiteFactory
from tests.ledger.conftest import xlsx

from .conftest import login

HEADERS = ["隐患编号", "监管区域", "隐患描述", "隐患等级", "发现日期", "责任单位", "整改期限"]


@pytest.mark.browser
def test_unit_staff_import_hazards_from_the_ledger_page(page, live_server, staff_a, tmp_path):
    SiteFactory(name="测试监管区域")
    today = timezone.localdate()
    due = (today + datetime.timedelta(days=20)).isoformat()
    rows = [
        [
            "AJ-2026-001",
            "测试监管区域",
            "罐区消防通道堆放杂物",
            "一般隐患",
            today.isoformat(),
            "甲单位",
            due,
        ],
        [
            "AJ-2026-002",
            "测试监管区域",
            "可燃气体报警器失效",
            "重大隐患",
            today.isoformat(),
            "甲单位",
            due,
        ],
    ]
    upload = tmp_path / "隐患台账.xlsx"
    upload.write_bytes(xlsx({"隐患": [HEADERS, *rows]}))
    login(page, live_server, "staff_a")

    page.goto(f"{live_server.url}/ledger/import/")
    page.get_by_test_id("ledger-upload").locator("input[type=file]").set_input_files(upload)
    page.get_by_role("button", name="预览").click()

    expect(page.get_by_test_id("ledger-counts")).to_have_text(
        "新增 2 行，修改 0 行，不变 0 行，有误 0 行。"
    )
    cells = page.get_by_test_id("ledger-rows").locator("tbody tr").first.locator("td")
    expect(cells.nth(0)).to_have_text("隐患")
    expect(cells.nth(2)).to_have_text("AJ-2026-001")
    assert Hazard.objects.count() == 0  # a preview writes nothing

    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_text("导入完成：新增 2 行，修改 0 行，不变 0 行。")).to_be_visible()
    hazard = Hazard.objects.get(code="AJ-2026-002")
    assert (hazard.grade, hazard.status, hazard.responsible_unit) == (
        "major",
        HazardStatus.FOUND,
        staff_a.person.unit,
    )
    page.goto(f"{live_server.url}/safety/hazards/{hazard.pk}/")
    expect(page.get_by_test_id("hazard-code")).to_have_text("AJ-2026-002")
