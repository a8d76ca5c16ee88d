"""Ledger files built in memory: a workbook or CSV of projects and milestones."""

import csv
import io

import pytest
from openpyxl import Workbook

from tests.factories import AreaFactory, IndustryChainFactory

PROJECT_HEADERS = [
    "项目名称",
    "项目类型",
    "阶段",
    "企业",
    "产业链",
    "园区/片区",
    "责任单位",
    "牵头领导",
    "总投资",
    "金额单位",
    "计划开工",
    "计划完成",
]
MILESTONE_HEADERS = ["项目名称", "节点", "开始日期", "计划完成日期", "实际完成日期", "期限表述"]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def project_row(name, unit="甲单位", **overrides):
    row = dict(
        zip(
            PROJECT_HEADERS,
            [
                name,
                "产业项目",
                "在建",
                "某某企业",
                "新能源汽车",
                "中德生态园",
                unit,
                "",
                "12.5",
                "亿元",
                "2026-01-10",
                "2027-06-30",
            ],
            strict=True,
        )
    )
    row.update(overrides)
    return [row[h] for h in PROJECT_HEADERS]


@pytest.fixture
def places(db):
    return IndustryChainFactory(name="新能源汽车"), AreaFactory(name="中德生态园")
