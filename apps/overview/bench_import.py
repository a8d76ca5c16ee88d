"""The ledger import at volume: a generated file of projects with four milestones each, timed
from the file's bytes to the reminders' Deadline rows, then rolled back."""

import io
import time
from dataclasses import dataclass

from django.db import connection, transaction
from openpyxl import Workbook

from apps.ledger import services
from apps.org.models import Unit
from apps.reminders.models import Deadline

from .volume import VOLUME_PREFIX

MILESTONES_PER_PROJECT = 4
PROJECT_HEADERS = [
    "项目名称",
    "项目类型",
    "阶段",
    "责任单位",
    "总投资",
    "金额单位",
    "计划开工",
    "计划完成",
]
MILESTONE_HEADERS = ["项目名称", "节点", "开始日期", "计划完成日期", "期限表述"]


@dataclass
class Timing:
    projects: int
    milestones: int
    bytes: int
    preview_s: float
    import_s: float
    import_cpu_s: float  # this process's CPU time: the figure the other load on the machine spares
    deadlines: int
    errors: int


def ledger_file(projects: int) -> bytes:
    units = list(Unit.objects.order_by("name").values_list("name", flat=True)) or [""]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("项目")
    sheet.append(PROJECT_HEADERS)
    for i in range(projects):
        sheet.append(
            [
                f"{VOLUME_PREFIX}导入项目{i:06d}",
                "产业项目",
                "在建",
                units[i % len(units)],
                10 + i % 90,
                "亿元" if i % 3 else "万美元",
                "2026-01-01",
                "2027-12-31",
            ]
        )
    sheet = workbook.create_sheet("节点")
    sheet.append(MILESTONE_HEADERS)
    for i in range(projects):
        for m in range(MILESTONES_PER_PROJECT):
            sheet.append(
                [
                    f"{VOLUME_PREFIX}导入项目{i:06d}",
                    f"节点{m + 1}",
                    "2026-01-01",
                    f"2027-{m * 3 + 1:02d}-28",
                    "",
                ]
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def measure(projects: int, user=None) -> Timing:
    data = ledger_file(projects)
    start = time.perf_counter()
    preview = services.ledger_import(data=data, filename="bench.xlsx", user=user, dry_run=True)
    preview_s = time.perf_counter() - start
    with transaction.atomic():
        before = Deadline.objects.count()
        start, cpu = time.perf_counter(), time.process_time()
        report = services.ledger_import(data=data, filename="bench.xlsx", user=user, dry_run=False)
        if connection.vendor == "postgresql":
            # What a commit would check, so that the figure includes the deferred constraints.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        import_s = time.perf_counter() - start
        import_cpu_s = time.process_time() - cpu
        deadlines = Deadline.objects.count() - before
        transaction.set_rollback(True)  # leave the benchmark database as it was
    return Timing(
        projects=report.count("new") and projects,
        milestones=projects * MILESTONES_PER_PROJECT,
        bytes=len(data),
        preview_s=preview_s,
        import_s=import_s,
        import_cpu_s=import_cpu_s,
        deadlines=deadlines,
        errors=len(report.errors) + len(preview.errors),
    )
