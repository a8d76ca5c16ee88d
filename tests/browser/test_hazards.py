"""Recording an inspection with its hazards, and a hazard taken from found to closed by two people."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.safety.models import Hazard, HazardGrade, HazardStatus, Inspection, Site
from tests.factories import UserFactory

from .conftest import login


def png_file(name="after.png"):
    """A small real PNG, as a phone would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(buffer, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


@pytest.fixture
def staff_of_unit_a(unit_a):
    """Two people of unit A with Chinese names, as the edit history shows them."""
    return (
        UserFactory(username="zhangwei", unit=unit_a, person__name="张伟"),
        UserFactory(username="lina", unit=unit_a, person__name="李娜"),
    )


@pytest.fixture
def hazard(hazard_factory, unit_a):
    today = timezone.localdate()
    return hazard_factory(
        unit=unit_a,
        description="储罐区消防泵出口阀门锈蚀，无法全开",
        grade=HazardGrade.MAJOR,
        found_date=today - timedelta(days=3),
        rectification_deadline=today + timedelta(days=7),
        location="3号储罐区",
    )


def submit_in_page(page, action, fields):
    """POST a form from inside the page (as a hand-made or stale form would) and show the answer."""
    page.evaluate(
        """([action, fields]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            for (const [name, value] of Object.entries({...fields, csrfmiddlewaretoken: token})) {
                const input = document.createElement("input");
                input.type = "hidden";
                input.name = name;
                input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        [action, fields],
    )


@pytest.mark.browser
def test_hazard_found_to_closed_by_rectifier_and_other_verifier(
    new_context, live_server, staff_of_unit_a, hazard
):
    url = f"{live_server.url}/safety/hazards/{hazard.pk}/"
    today = timezone.localdate().isoformat()
    rectifier = new_context().new_page()
    verifier = new_context().new_page()
    login(rectifier, live_server, "zhangwei")
    login(verifier, live_server, "lina")

    # 张伟 takes the hazard on.
    rectifier.goto(url)
    expect(rectifier.get_by_test_id("hazard-status")).to_have_text("已发现")
    start = rectifier.get_by_test_id("start-form")
    start.get_by_label("整改措施").fill("更换消防泵出口阀门并做防腐处理")
    start.get_by_role("button", name="开始整改").click()
    expect(rectifier.locator("main .alert-success")).to_contain_text("已开始整改。")
    expect(rectifier.get_by_test_id("hazard-status")).to_have_text("整改中")
    expect(rectifier.get_by_test_id("hazard-rectifier")).to_have_text("张伟")

    # Marking it rectified needs an after photo; the message says so and nothing changes.
    done = rectifier.get_by_test_id("rectified-form")
    done.get_by_role("button", name="标记为已整改").click()
    expect(done.locator(".invalid-feedback")).to_have_text(["请上传整改后照片。"])
    expect(rectifier.get_by_test_id("hazard-status")).to_have_text("整改中")

    done.get_by_label("整改后照片").set_input_files(png_file())
    done.get_by_role("button", name="标记为已整改").click()
    expect(rectifier.locator("main .alert-success")).to_contain_text(
        "已标记为已整改，等待他人验收。"
    )
    expect(rectifier.get_by_test_id("hazard-status")).to_have_text("已整改")
    expect(rectifier.get_by_test_id("photo-after")).to_be_visible()

    # 张伟 rectified it, so 张伟 may not close it: no close form, and a forced POST is refused.
    expect(rectifier.get_by_test_id("close-form")).to_have_count(0)
    expect(rectifier.get_by_text("您是本隐患的整改人，须由其他人员验收销号。")).to_be_visible()
    submit_in_page(rectifier, f"{url}close/", {"closed_on": today})
    expect(rectifier.get_by_test_id("action-error")).to_have_text(
        "验收人不能是整改人本人：请由整改人以外的人员验收。"
    )
    expect(rectifier.get_by_test_id("hazard-status")).to_have_text("已整改")

    # 李娜 of the same unit verifies and closes it.
    verifier.goto(url)
    expect(verifier.get_by_test_id("hazard-status")).to_have_text("已整改")
    close = verifier.get_by_test_id("close-form")
    expect(close.get_by_label("验收销号日期")).to_have_value(today)
    close.get_by_role("button", name="验收销号").click()

    expect(verifier.locator("main .alert-success")).to_contain_text("已验收销号。")
    expect(verifier.get_by_test_id("hazard-status")).to_have_text("已验收销号")
    expect(verifier.get_by_test_id("hazard-rectifier")).to_have_text("张伟")
    expect(verifier.get_by_test_id("hazard-verifier")).to_have_text("李娜")
    expect(verifier.get_by_test_id("close-form")).to_have_count(0)
    # The edit history, newest first: who made each step and the status it moved.
    entries = verifier.get_by_test_id("edit-history").locator(":scope > li")
    expect(entries.locator(":scope > div > strong")).to_have_text(["李娜", "张伟", "张伟", "系统"])
    expect(entries.nth(0)).to_contain_text("状态：已整改 → 已验收销号")
    expect(entries.nth(1)).to_contain_text("状态：整改中 → 已整改")
    expect(entries.nth(2)).to_contain_text("状态：已发现 → 整改中")
    expect(entries.nth(2)).to_contain_text("整改人：— → 张伟")

    hazard.refresh_from_db()
    assert (hazard.status, hazard.rectifier.username, hazard.verifier.username) == (
        HazardStatus.CLOSED,
        "zhangwei",
        "lina",
    )


@pytest.mark.browser
def test_inspection_recorded_with_added_and_removed_hazard_rows(page, live_server, staff_a, unit_a):
    Site.objects.create(name="黄岛石化区")
    today = timezone.localdate()
    deadline = (today + timedelta(days=15)).isoformat()
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/safety/inspections/")

    page.get_by_role("link", name="记录安全检查").click()
    form = page.get_by_test_id("inspection-form")
    form.get_by_label("监管区域").select_option(label="黄岛石化区")
    expect(form.get_by_label("检查日期")).to_have_value(today.isoformat())
    form.get_by_label("检查内容").fill("液体化工码头夜间专项检查")
    rows = form.get_by_test_id("hazard-row")
    expect(rows).to_have_count(1)
    first = rows.nth(0)
    first.get_by_label("隐患描述").fill("码头输油臂紧急切断阀未定期测试")
    first.get_by_label("隐患等级").select_option(label="重大隐患")
    first.get_by_label("位置").fill("2号泊位")
    first.get_by_label("整改期限").fill(deadline)
    first.get_by_label("整改前照片").set_input_files(png_file("before.png"))
    # Rows are added from a template and removed in place by static/js/hazard-formset.js.
    form.get_by_role("button", name="再添加一条隐患").click()
    form.get_by_role("button", name="再添加一条隐患").click()
    expect(rows).to_have_count(3)
    rows.nth(1).get_by_label("隐患描述").fill("消防通道堆放杂物")
    rows.nth(2).get_by_label("隐患描述").fill("这一条填错了，移除")
    rows.nth(2).get_by_role("button", name="移除").click()
    expect(rows.nth(2)).to_be_hidden()
    form.get_by_role("button", name="保存检查记录").click()

    expect(page.locator("main .alert-success")).to_contain_text("已记录安全检查及 2 条隐患。")
    expect(page.get_by_role("heading", name="液体化工码头夜间专项检查")).to_be_visible()
    expect(page.get_by_role("heading", name="发现隐患 2 条")).to_be_visible()
    listed = page.get_by_test_id("inspection-hazards").locator("tbody tr")
    expect(listed.locator("td:first-child")).to_have_text(
        ["码头输油臂紧急切断阀未定期测试", "消防通道堆放杂物"]
    )
    expect(listed.nth(0).locator("td")).to_have_text(
        ["码头输油臂紧急切断阀未定期测试", "重大隐患", "已发现", "2号泊位", "—", deadline]
    )
    inspection = Inspection.objects.get()
    assert (inspection.responsible_unit_id, inspection.inspector_id) == (unit_a.pk, staff_a.pk)
    hazards = list(Hazard.objects.order_by("id"))
    assert [h.description for h in hazards] == [
        "码头输油臂紧急切断阀未定期测试",
        "消防通道堆放杂物",
    ]
    assert bool(hazards[0].photo_before) and not hazards[1].photo_before


def test_dashboard_overdue_hazards_link_opens_the_overdue_list(page, live_server, staff_a, hazard):
    hazard.rectification_deadline = timezone.localdate() - timedelta(days=1)
    hazard.save()
    login(page, live_server, "staff_a")

    page.goto(f"{live_server.url}/")
    link = page.get_by_test_id("figure-hazards-overdue")
    expect(link).to_have_text("其中 1 条整改逾期")
    link.click()

    expect(page).to_have_url(f"{live_server.url}/safety/hazards/?overdue=1")
    expect(page.get_by_role("link", name=hazard.description[:10])).to_be_visible()
