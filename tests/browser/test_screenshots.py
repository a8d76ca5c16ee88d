"""Screenshots of the main pages at desktop and phone sizes, saved to test-artifacts/screenshots/.

The pictures are for people to look at (layout, Chinese text, charts); the test also checks what a
machine can: every page answers 200 in Chinese, every chart is drawn, and nothing on a phone is
wider than the screen (wide tables scroll inside their own box).
"""

import io
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.goals.models import TargetStatus
from apps.org.models import Area
from apps.projects.models import Stage
from apps.safety import services as safety_services
from apps.safety.models import HazardGrade
from tests.factories import (
    AreaFactory,
    CheckInFactory,
    GoalFactory,
    HazardFactory,
    IndustryChainFactory,
    InspectionFactory,
    MilestoneFactory,
    PlanFactory,
    ProgressLogFactory,
    ProjectFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)

from .conftest import APT_PACKAGES, ARTIFACTS, DESKTOP, PHONE, login

SCREENSHOTS = ARTIFACTS / "screenshots"

GOALS = [
    "在实施更高水平开放、构建内外联动格局上创新突破",
    "在推动产业链群发展、构建现代产业体系上创新突破",
    "在加快科技创新、培育发展新动能上创新突破",
    "在深化改革攻坚、优化营商环境上创新突破",
    "在推进城市更新、提升城市品质上创新突破",
    "在守牢安全底线、保障改善民生上创新突破",
]


def photo(name):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (70, 130, 180)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def zone(unit_a, unit_b):
    """A small zone: projects with logs and milestones, six goals with targets, hazards."""
    today = timezone.localdate()
    staff = UserFactory(username="wangfang", unit=unit_a, person__name="王芳")
    verifier = UserFactory(username="zhaolei", unit=unit_a, person__name="赵磊")
    unit_c = UnitFactory(name="中德生态园管委")
    display = IndustryChainFactory(name="新型显示", order=1)
    chips = IndustryChainFactory(name="集成电路", order=2)
    home = IndustryChainFactory(name="智能家电", order=3)
    optics = AreaFactory(name="光电产业园", kind=Area.Kind.INDUSTRIAL_PARK)
    sino_german = AreaFactory(name="中德生态园", kind=Area.Kind.PARK)

    projects = []
    for n, (name, stage, chain, area, unit, amount) in enumerate(
        [
            (
                "京东方物联网移动显示端口器件项目",
                Stage.UNDER_CONSTRUCTION,
                display,
                optics,
                unit_a,
                "81.7",
            ),
            ("芯恩集成电路二期项目", Stage.STARTED, chips, sino_german, unit_a, "150"),
            ("海尔智能家电产业园", Stage.IN_PRODUCTION, home, sino_german, unit_b, "32.5"),
            ("光电显示模组项目", Stage.SIGNED, display, optics, unit_c, "20"),
            ("半导体封装测试基地", Stage.UNDER_CONSTRUCTION, chips, optics, unit_b, "45"),
        ]
    ):
        projects.append(
            ProjectFactory(
                name=name,
                stage=stage,
                chain=chain,
                area=area,
                responsible_unit=unit,
                total_investment=Decimal(amount),
                planned_start=today - timedelta(days=200 + 20 * n),
                planned_completion=today + timedelta(days=300 - 40 * n),
                description="建设全面屏、柔性显示模组生产线及配套设施。",
            )
        )
    main = projects[0]
    for days_ago, percent, done in [
        (120, 10, "5"),
        (75, 25, "15.2"),
        (30, 40, "28.6"),
        (3, 52, "36"),
    ]:
        ProgressLogFactory(
            project=main,
            date=today - timedelta(days=days_ago),
            author=staff,
            text=f"完成主体结构施工，设备进场 {percent}%。",
            percent_complete=percent,
            investment_completed=Decimal(done),
        )
    ProgressLogFactory(
        project=projects[1],
        date=today - timedelta(days=10),
        author=staff,
        text="桩基施工完成。",
        percent_complete=15,
        investment_completed=Decimal("22"),
    )
    MilestoneFactory(
        project=main, title="主体封顶", due_date=today - timedelta(days=5), deadline_phrase="年中"
    )
    MilestoneFactory(
        project=main, title="设备搬入", due_date=today + timedelta(days=12), deadline_phrase="下月"
    )
    MilestoneFactory(
        project=main,
        title="桩基完成",
        due_date=today - timedelta(days=90),
        done_date=today - timedelta(days=95),
    )
    MilestoneFactory(project=projects[1], title="厂房开工", due_date=today + timedelta(days=25))

    plan = PlanFactory(name="2023年六个创新突破", short_name="六个创新突破")
    statuses = list(TargetStatus)
    start, end = today - timedelta(days=180), today + timedelta(days=180)
    targets = []
    for order, title in enumerate(GOALS, start=1):
        goal = GoalFactory(plan=plan, order=order, title=title, responsible_unit=unit_a)
        for k in range(3):
            targets.append(
                TargetFactory(
                    goal=goal,
                    title=f"{title[1:7]}指标{k + 1}",
                    metric_unit="亿元",
                    baseline=Decimal("100"),
                    target_value=Decimal("200"),
                    current_value=Decimal(110 + 20 * k + 5 * order),
                    start_date=start,
                    # 三年成形: three years from the start date, as the phrase says.
                    deadline=start.replace(year=start.year + 3) if k == 0 else end,
                    status=statuses[(order + k) % len(statuses)],
                    responsible_unit=unit_a if k != 2 else unit_b,
                    deadline_phrase="三年成形" if k == 0 else "",
                )
            )
    tracked = targets[0]
    for days_ago, value in [(90, "120"), (60, "135"), (30, "150"), (2, "162")]:
        CheckInFactory(
            target=tracked,
            date=today - timedelta(days=days_ago),
            value=Decimal(value),
            comment="按月调度推进。",
            author=staff,
        )
    tracked.current_value = Decimal("162")
    tracked.save(update_fields=["current_value"])

    inspection = InspectionFactory(
        site__name="黄岛石化区",
        responsible_unit=unit_a,
        date=today - timedelta(days=8),
        title="储罐区专项检查",
        inspector=staff,
    )
    hazards = []
    for n, (description, grade, unit) in enumerate(
        [
            ("储罐区消防泵出口阀门锈蚀，无法全开", HazardGrade.MAJOR, unit_a),
            ("装卸站台静电接地线断开", HazardGrade.GENERAL, unit_a),
            ("管廊支架防腐层脱落", HazardGrade.GENERAL, unit_b),
            ("可燃气体报警器未按期校验", HazardGrade.MAJOR, unit_b),
        ]
    ):
        hazards.append(
            HazardFactory(
                inspection=inspection,
                site=inspection.site,
                description=description,
                grade=grade,
                found_date=today - timedelta(days=8),
                rectification_deadline=today + timedelta(days=7 - 5 * n),
                responsible_unit=unit,
                location="3号储罐区",
                photo_before=photo(f"before-{n}.jpg"),
            )
        )
    closed = hazards[0]
    safety_services.hazard_start_rectification(
        user=staff, hazard=closed, measures="更换阀门并做防腐处理"
    )
    safety_services.hazard_mark_rectified(
        user=staff, hazard=closed, rectified_on=today, photo_after=photo("after.jpg")
    )
    safety_services.hazard_verify_close(user=verifier, hazard=closed, closed_on=today)
    safety_services.hazard_start_rectification(
        user=staff, hazard=hazards[1], measures="重新敷设接地线"
    )
    return {"project": main, "target": tracked, "hazard": closed}


def pages(zone):
    return [
        ("dashboard", "/"),
        ("my-work", "/my-work/"),
        ("project-list", "/projects/"),
        ("project-detail", f"/projects/{zone['project'].pk}/"),
        ("target-list", "/goals/targets/"),
        ("target-detail", f"/goals/targets/{zone['target'].pk}/"),
        ("hazard-list", "/safety/hazards/"),
        ("hazard-detail", f"/safety/hazards/{zone['hazard'].pk}/"),
    ]


def check_page(page, *, phone):
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main h1")).to_be_visible()
    charts = page.locator("canvas[data-chart]")
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-drawn", "1")
    if charts.count():
        # Show each chart in its final state rather than half-way through its entry animation.
        page.evaluate(
            """() => document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
                const chart = Chart.getChart(canvas);
                chart.stop();
                chart.update("none");
            })"""
        )
    if phone:
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone screen"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_main_pages(new_context, live_server, zone, viewport):
    fc_list = shutil.which("fc-list")
    assert fc_list, f"fontconfig's fc-list is missing; apt-get install {APT_PACKAGES}"
    fonts = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True)
    assert fonts.stdout.strip(), (
        f"No Chinese font, so Chinese would show as boxes: apt-get install {APT_PACKAGES}"
    )
    size = "desktop" if viewport == DESKTOP else "phone"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=viewport).new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    check_page(page, phone=viewport == PHONE)
    page.screenshot(path=SCREENSHOTS / f"00-login-{size}.png", full_page=True)
    login(page, live_server, "wangfang")
    for number, (name, path) in enumerate(pages(zone), start=1):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{path} answered {response.status}"
        check_page(page, phone=viewport == PHONE)
        page.screenshot(path=SCREENSHOTS / f"{number:02d}-{name}-{size}.png", full_page=True)
