"""Import a ledger file (preview or apply, all or nothing) and export the ledger to its template.

The staff page, the admin and the ledger_import / ledger_export commands all come here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export.results import RowResult
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from apps.core.exports import xlsx_cell
from apps.core.models import AreaUnit
from apps.org.models import Area, IndustryChain, Unit
from apps.projects.models import ProjectKind, Stage
from apps.safety.models import HazardGrade, HazardStatus, Site

from . import files
from .resources import RESOURCES, LedgerResource
from .widgets import MONEY_UNITS, ChoiceWidget

STATUS = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "changed",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
    RowResult.IMPORT_TYPE_INVALID: "invalid",
    RowResult.IMPORT_TYPE_ERROR: "invalid",
}


@dataclass
class RowReport:
    sheet: str
    row: int
    key: str
    status: str  # new, changed, unchanged, invalid
    changed: list[str] = field(default_factory=list)


@dataclass
class ErrorReport:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class ImportReport:
    rows: list[RowReport] = field(default_factory=list)
    errors: list[ErrorReport] = field(default_factory=list)
    encoding: str = ""
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("new", "changed", "unchanged", "invalid")}

    @property
    def has_changes(self) -> bool:
        return bool(self.count("new") or self.count("changed"))

    def refuse(self, message: str, sheet: str = "") -> ImportReport:
        self.errors.append(ErrorReport(sheet=sheet, row=None, column="", message=message))
        return self


def resource_for(sheet: files.Sheet) -> type[LedgerResource] | None:
    headers = set(sheet.headers)
    for resource in reversed(RESOURCES):  # the most specific key first (项目名称 + 节点)
        if set(resource.key_columns) <= headers:
            return resource
    return None


def _messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return [force_str(m) for m in error.messages]
    return [force_str(error) or error.__class__.__name__]


def _collect(report: ImportReport, sheet: files.Sheet, resource: LedgerResource, result) -> None:
    title = sheet.title
    for error in result.base_errors:
        for message in _messages(error.error):
            report.refuse(message, sheet=title)
    invalid = {row.number: row for row in result.invalid_rows}
    failed = dict(result.row_errors())
    for index, row_result in enumerate(result.rows, start=1):
        number = resource.file_row(index)
        key = " / ".join(
            resource.row_key(dict(zip(sheet.headers, sheet.rows[index - 1], strict=False)))
        )
        report.rows.append(
            RowReport(
                sheet=title,
                row=number,
                key=key,
                status=STATUS.get(row_result.import_type, "invalid"),
                changed=getattr(row_result, "changed_columns", []),
            )
        )
        if index in invalid:
            for name, messages in invalid[index].error.message_dict.items():
                column = "" if name == NON_FIELD_ERRORS else resource.column_of(name) or name
                for message in messages:
                    report.errors.append(ErrorReport(title, number, column, message))
        for error in failed.get(index, []):
            for message in _messages(error.error):
                report.errors.append(ErrorReport(title, number, "", message))


def ledger_import(*, data: bytes, filename: str, user=None, dry_run: bool = True) -> ImportReport:
    """Read, check and (unless dry_run, and only if every row passes) apply a ledger file.

    Everything runs in one transaction that is rolled back for a preview or on any refusal, so
    the preview runs exactly what the confirmation will, and a refused file changes nothing.
    """
    report = ImportReport()
    try:
        book = files.read(data, filename)
    except files.LedgerFileError as error:
        return report.refuse(str(error))
    report.encoding = book.encoding
    plan = []
    for sheet in book.sheets:
        resource_class = resource_for(sheet)
        if resource_class is None:
            continue
        if any(known is resource_class for known, _sheet in plan):
            return report.refuse(
                _("文件中有两张“%(sheet)s”表，请合并为一张。")
                % {"sheet": resource_class.sheet_title}
            )
        plan.append((resource_class, sheet))
    if not plan:
        return report.refuse(
            _(
                "文件中没有可导入的表：项目表需有“项目名称”列，节点表需有“项目名称”和“节点”列，"
                "目标任务表需有“工作计划”“目标”“指标/任务”列，隐患表需有“隐患编号”列。"
            )
        )
    plan.sort(key=lambda item: RESOURCES.index(item[0]))
    with transaction.atomic():
        for resource_class, sheet in plan:
            resource = resource_class(user=user)
            resource.file_rows = sheet.numbers
            dataset = tablib.Dataset(*sheet.rows, headers=sheet.headers)
            result = resource.import_data(
                dataset, dry_run=False, use_transactions=False, raise_errors=False, user=user
            )
            _collect(report, sheet, resource, result)
        if dry_run or report.errors:
            transaction.set_rollback(True)
        else:
            report.applied = True
    return report


# --- Export and template -------------------------------------------------------------------


def _instructions() -> list[list[str]]:
    return [
        [_("重点项目台账导入说明")],
        [
            _(
                "1. “项目”表每行一个项目，以“项目名称”识别：名称已存在的项目按表中内容更新，新名称则新建。"
            )
        ],
        [_("2. “节点”表每行一个项目节点，以“项目名称”和“节点”识别，项目须已存在或在“项目”表中。")],
        [_("3. 不需要的列可以删除：没有的列不会改动原有内容；空白单元格会清空该项。")],
        [_("4. 金额按文件中的单位填写，并在“金额单位”一栏写明，如 亿元、万元、万美元。")],
        [_("5. 日期写成 2026-06-30（也可以是 2026/6/30、2026年6月30日 或 Excel 日期）。")],
        [_("6. 项目类型、阶段、单位等只能填写“可选值”表中列出的内容。")],
        [_("7. 不要使用公式和合并单元格；同一项目名称在一个文件中只能出现一次。")],
        [
            _(
                "8. 导入前会先预览每一行是新增、修改（列出修改的列）还是不变，确认后才写入；任何一行有错误，整个文件都不会导入。"
            )
        ],
        [
            _(
                "9. “目标任务”表每行一个指标任务，以“工作计划”“目标”“指标/任务”识别；工作计划和目标须已存在。状态和当前值只能通过填报更新，不在此导入。"
            )
        ],
        [
            _(
                "10. “隐患”表每行一个隐患，以“隐患编号”识别：编号已存在的隐患按表中内容更新，新编号则新建（状态为“已发现”）。整改、验收只能在系统中办理，“状态”一栏仅供核对，不能修改。"
            )
        ],
    ]


def _choices() -> tuple[list[str], list[list[str]]]:
    columns = {
        "项目类型": ChoiceWidget(ProjectKind).labels(),
        "阶段": ChoiceWidget(Stage).labels(),
        "金额单位": list(MONEY_UNITS),
        "面积单位": ChoiceWidget(AreaUnit).labels(),
        "责任单位": list(Unit.objects.order_by("name").values_list("name", flat=True)),
        "产业链": list(IndustryChain.objects.order_by("name").values_list("name", flat=True)),
        "园区/片区": list(Area.objects.order_by("name").values_list("name", flat=True)),
        "监管区域": list(Site.objects.order_by("name").values_list("name", flat=True)),
        "隐患等级": ChoiceWidget(HazardGrade).labels(),
        "状态（隐患）": ChoiceWidget(HazardStatus).labels(),
    }
    headers = list(columns)
    depth = max(len(values) for values in columns.values())
    rows = [
        [values[i] if i < len(values) else "" for values in columns.values()] for i in range(depth)
    ]
    return headers, rows


def _write_sheet(workbook, title, headers, rows):
    sheet = workbook.create_sheet(title)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) * 2 + 4)
    if headers:
        sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    if headers:
        sheet.append([xlsx_cell(sheet, header, bold) for header in headers])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])


def ledger_export(*, with_rows: bool = True) -> bytes:
    """The ledger template (instructions, 项目, 节点, 目标任务, 隐患, valid values), with every row or none.

    Importing an export unchanged reports every row as unchanged.
    """
    workbook = Workbook(write_only=True)
    _write_sheet(workbook, _("说明"), [], _instructions())
    for resource_class in RESOURCES:
        resource = resource_class()
        queryset = resource.get_queryset() if with_rows else resource.get_queryset().none()
        dataset = resource.export(queryset)
        headers = [field.column_name for field in resource.get_import_fields()]
        _write_sheet(workbook, resource_class.sheet_title, headers, list(dataset))
    headers, rows = _choices()
    _write_sheet(workbook, "可选值", headers, rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
