"""Reading an uploaded ledger (XLSX or CSV) into sheets of rows, refusing what cannot be read.

Cells are read as they are stored, never computed: a formula cell is refused (its cached result
is whatever the last program to save the file computed, not something to import). Merged cells
are refused too, since only the first row of a merged range holds the value.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .widgets import listing, text


class LedgerFileError(ValueError):
    """The file as a whole cannot be imported; the message says why, in the user's language."""


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    # The row each of `rows` came from in the file, as the spreadsheet numbers it (header = 1).
    numbers: list[int] = field(default_factory=list)


@dataclass
class Book:
    sheets: list[Sheet]
    encoding: str = ""  # for a CSV: what it was read as


def max_bytes() -> int:
    return settings.LEDGER_IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.LEDGER_IMPORT_MAX_ROWS


def size_error(size: int) -> str | None:
    if size > max_bytes():
        return _("文件大小为 %(size)s，超过上限 %(limit)s。") % {
            "size": filesizeformat(size),
            "limit": filesizeformat(max_bytes()),
        }
    return None


def read(data: bytes, filename: str) -> Book:
    """The sheets of an uploaded file. LedgerFileError when it cannot be imported at all."""
    error = size_error(len(data))
    if error:
        raise LedgerFileError(error)
    name = filename.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith(".csv"):
        return read_csv(data)
    raise LedgerFileError(_("只能导入 .xlsx 或 .csv 文件。"))


def _too_many(title: str, count: int) -> LedgerFileError:
    return LedgerFileError(
        ngettext(
            "工作表“%(sheet)s”有 %(count)s 行数据，超过上限 %(limit)s 行，请分批导入。",
            "工作表“%(sheet)s”有 %(count)s 行数据，超过上限 %(limit)s 行，请分批导入。",
            count,
        )
        % {"sheet": title, "count": count, "limit": max_rows()}
    )


def _sheet(title: str, rows) -> Sheet | None:
    """Rows (tuples of cells, the header first) as a Sheet; None for an empty sheet."""
    rows = iter(rows)
    header = None
    number = 0
    for number, values in enumerate(rows, start=1):  # noqa: B007 (read after the loop)
        if any(text(v) for v in values):
            header = [text(v) for v in values]
            break
    if header is None:
        return None
    while header and not header[-1]:
        header.pop()
    seen = set()
    for name in header:
        if name and name in seen:
            raise LedgerFileError(
                _("工作表“%(sheet)s”有两列都叫“%(column)s”。") % {"sheet": title, "column": name}
            )
        seen.add(name)
    sheet = Sheet(title=title, headers=header)
    width = len(header)
    for number, values in enumerate(rows, start=number + 1):  # noqa: B020
        values = list(values)[:width]
        if not any(text(v) for v in values):
            continue
        if len(sheet.rows) >= max_rows():
            raise _too_many(title, len(sheet.rows) + 1)
        values += [None] * (width - len(values))
        sheet.rows.append(values)
        sheet.numbers.append(number)
    return sheet


MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([^"]+)"')


def read_xlsx(data: bytes) -> Book:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        # A small file that unpacks to gigabytes (a zip bomb) is refused before it is opened.
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise LedgerFileError(NOT_XLSX()) from error
    if unpacked > 20 * max_bytes():
        raise LedgerFileError(_("工作簿解压后过大，无法导入。"))
    try:
        # Read-only: rows are streamed; data_only=False: a formula cell shows as a formula.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheets = [_xlsx_sheet(archive, ws) for ws in workbook.worksheets]
    except LedgerFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise LedgerFileError(NOT_XLSX()) from error
    return Book(sheets=[sheet for sheet in sheets if sheet is not None])


def NOT_XLSX() -> str:  # noqa: N802 (a message, read when raised, in the user's language)
    return _("文件不是有效的 XLSX 工作簿，请用 Excel 或 WPS 另存为 .xlsx 后再导入。")


def _xlsx_sheet(archive: zipfile.ZipFile, ws) -> Sheet | None:
    formulas = []

    def values():
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and len(formulas) < 5:
                    formulas.append(cell.coordinate)
            yield tuple(cell.value for cell in row)

    sheet = _sheet(ws.title, values())
    if sheet is None:
        return None
    # A read-only sheet does not parse its merged ranges: they are read from its XML.
    merged = MERGE_RE.findall(archive.read(ws._worksheet_path))
    if merged:
        raise LedgerFileError(
            _(
                "工作表“%(sheet)s”含合并单元格（%(ranges)s），请取消合并，并在每一行填写完整后再导入。"
            )
            % {"sheet": ws.title, "ranges": listing(r.decode() for r in merged[:5])}
        )
    if formulas:
        raise LedgerFileError(
            _(
                "工作表“%(sheet)s”的单元格 %(cells)s 是公式，系统不计算公式：请复制后“粘贴为数值”再导入。"
            )
            % {"sheet": ws.title, "cells": listing(formulas)}
        )
    return sheet


def read_csv(data: bytes) -> Book:
    """A CSV in UTF-8 (with or without a byte-order mark) or in GBK, as Chinese Excel saves it."""
    if data.startswith(b"\xef\xbb\xbf"):
        content, encoding = data.decode("utf-8-sig"), "UTF-8"
    else:
        try:
            content, encoding = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                # GB18030 is a superset of GBK, which Excel on Chinese Windows writes.
                content, encoding = data.decode("gb18030"), "GBK"
            except UnicodeDecodeError as error:
                raise LedgerFileError(
                    _("无法识别文件的编码，请将 CSV 另存为 UTF-8 或 GBK 编码后再导入。")
                ) from error
    if "\x00" in content:
        raise LedgerFileError(_("文件不是文本格式的 CSV。"))
    first = content.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise LedgerFileError(_("CSV 文件格式有误：%(error)s") % {"error": error}) from error
    sheet = _sheet("CSV", rows)
    return Book(sheets=[sheet] if sheet else [], encoding=encoding)
