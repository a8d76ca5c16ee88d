"""Ledger files built in memory: a workbook or CSV of projects and milestones."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
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


def admin_preview(client, admin, data: bytes, filename="l.xlsx"):
    """Upload a file on an admin's Import page (`admin` as in "projects_project")."""
    return client.post(
        reverse(f"admin:{admin}_import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile(filename, data)},
    )


def admin_confirm(client, admin, preview):
    """Confirm the import an admin_preview response offers."""
    confirm = preview.context["confirm_form"]
    assert confirm is not None
    return client.post(
        reverse(f"admin:{admin}_process_import"),
        {name: field.initial for name, field in confirm.fields.items()}
        | {k: v for k, v in confirm.initial.items()},
    )


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
