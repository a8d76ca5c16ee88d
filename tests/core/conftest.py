"""Rows for every exportable list, made to reach each cell's awkward cases."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apps.core.models import Currency, MoneyUnit
from apps.safety.models import HazardGrade, HazardStatus
from tests.factories import (
    AreaFactory,
    EnterpriseFactory,
    HazardFactory,
    IndustryChainFactory,
    InspectionFactory,
    MilestoneFactory,
    PersonFactory,
    ProgressLogFactory,
    ProjectFactory,
    TargetFactory,
    UserFactory,
)
from tests.factories.safety import InspectionTeamFactory

TODAY = date(2026, 12, 2)
LONG_DESCRIPTION = (
    "储罐区东侧防火堤伸缩缝破损，雨水冲刷后防火堤下部出现渗漏，需尽快修补并复查其余伸缩缝"
)


@dataclass(frozen=True)
class ExportList:
    name: str
    url: str
    title: str  # the list's title, which the file is named after
    english_title: str


LISTS = [
    ExportList("projects", reverse("projects:project_list"), "重点项目", "Key projects"),
    ExportList("milestones", reverse("projects:milestone_list"), "项目节点", "Milestones"),
    ExportList("targets", reverse("goals:target_list"), "指标任务", "Targets"),
    ExportList("inspections", reverse("safety:inspection_list"), "安全检查", "Safety inspections"),
    ExportList("hazards", reverse("safety:hazard_list"), "安全隐患", "Hidden hazards"),
]


@pytest.fixture
def today():
    """2026-12-02 in the zone (Asia/Shanghai), frozen."""
    with time_machine.travel("2026-12-02 09:30 +0800", tick=False):
        yield TODAY


@pytest.fixture
def export_rows(db, today, unit_a):
    """A few rows in every list: formula-looking text, CJK and ASCII, empty cells, money in two
    units and currencies, a percentage, dates, a major overdue hazard (its grade and deadline
    carry badges on the page), a description the page truncates."""
    official = PersonFactory(name="王局长", unit=unit_a)
    optics = ProjectFactory(
        name="=1+1",
        chain=IndustryChainFactory(name="新型显示"),
        area=AreaFactory(name="青岛光电产业园"),
        responsible_unit=unit_a,
        total_investment=Decimal("81.7"),
        planned_completion=date(2027, 6, 30),
    )
    ProgressLogFactory(project=optics, date=date(2026, 11, 20), percent_complete=35)
    ProjectFactory(
        name="Sino-US lab 中美实验室",
        total_investment=Decimal("5000"),
        investment_unit=MoneyUnit.WAN,
        currency=Currency.USD,
    )
    MilestoneFactory(
        project=optics,
        title="+SUM(A1)",
        start_date=date(2026, 11, 1),
        due_date=date(2026, 11, 29),
    )
    MilestoneFactory(
        project=optics,
        title="一期厂房交付",
        due_date=date(2026, 11, 28),
        done_date=date(2026, 11, 27),
    )
    MilestoneFactory(project=optics, title="二期规划", deadline_phrase="三年成形")
    TargetFactory(
        title="@SUM(1)",
        responsible_unit=unit_a,
        leading_official=official,
        baseline=Decimal("100"),
        current_value=Decimal("120.5"),
        target_value=Decimal("200"),
        metric_unit="亿元",
        start_date=date(2023, 1, 28),
        deadline=date(2026, 1, 28),
        deadline_phrase="三年行动",
    )
    TargetFactory(title="中日示范区", deadline_phrase="三年成形")
    inspector = UserFactory(username="inspector", unit=unit_a, person__name="孙婷")
    inspection = InspectionFactory(
        title="封闭区出入管理检查",
        date=date(2026, 11, 29),
        team=InspectionTeamFactory(name="封闭区保安"),
        responsible_unit=unit_a,
        inspector=inspector,
    )
    InspectionFactory(title="-2 号罐区", date=date(2026, 11, 22))
    HazardFactory(
        inspection=inspection,
        description=LONG_DESCRIPTION,
        grade=HazardGrade.MAJOR,
        status=HazardStatus.RECTIFYING,
        location="-2 号罐区",
        enterprise=EnterpriseFactory(name="青岛炼化"),
        responsible_unit=unit_a,
        found_date=date(2026, 11, 15),
        rectification_deadline=date(2026, 11, 30),
    )
    HazardFactory(
        inspection=inspection,
        description='=HYPERLINK("http://example.org","点击")',
        found_date=date(2026, 11, 29),
        rectification_deadline=date(2026, 12, 13),
    )
