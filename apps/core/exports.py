"""Table exports (CSV, XLSX) that open cleanly in Excel, WPS and LibreOffice.

Every cell carries the column's plain value (the table's value_<column> methods): text, numbers,
dates, never HTML. A spreadsheet can never run a cell as a formula: in CSV a formula-looking text
is prefixed with an apostrophe; in XLSX every text is written as a string cell, which no
spreadsheet evaluates, so it keeps its exact text.
"""

import csv
import datetime
import io
import re
import unicodedata
from decimal import Decimal
from urllib.parse import quote

import django_tables2 as tables
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django_tables2.export import TableExport
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from tablib import Dataset

# A spreadsheet treats a cell starting with one of these as a formula (CWE-1236).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel on Chinese Windows reads a CSV without it as GBK, which turns UTF-8 Chinese to mojibake.
BOM = "\ufeff"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Excel refuses longer text in one cell (and repairs the file, losing it).
MAX_CELL_CHARS = 32767
MIN_WIDTH, MAX_WIDTH = 6, 60
# Characters a file name cannot hold on Windows, macOS or Linux.
UNSAFE_FILENAME_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
SHEET_TITLE_UNSAFE_RE = re.compile(r"[\\/:*?\[\]]")


def neutralise(value):
    """Prefix a formula-looking text cell with an apostrophe so it is shown, not evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class Percent:
    """A percentage cell: Percent(35) is 35% (the number 0.35 shown as a percentage)."""

    def __init__(self, points: int | Decimal):
        self.points = Decimal(points)

    def __eq__(self, other):
        return isinstance(other, Percent) and other.points == self.points

    def __repr__(self):
        return f"Percent({self.points})"

    def __str__(self):
        return f"{self.points.normalize():f}%"


class ExportColumn(tables.Column):
    """A column that only exports carry, placed right after the column named `after`.

    It splits what a page shows in one cell into values a spreadsheet can sort and sum: the
    amount and its unit, the date and its phrase. Its value comes from the table's
    value_<name> method.
    """

    def __init__(self, *args, after: str, **kwargs):
        kwargs.setdefault("accessor", "pk")
        kwargs.setdefault("visible", False)
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)
        self.after = after


def export_columns(table, exclude_columns=()) -> list:
    """The bound columns an export writes, in order: the table's, with each ExportColumn
    moved right after the column it belongs to."""
    columns = [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in (exclude_columns or ()))
    ]
    placed = [column for column in columns if not isinstance(column.column, ExportColumn)]
    for column in columns:
        if isinstance(column.column, ExportColumn):
            names = [c.name for c in placed]
            at = names.index(column.column.after) + 1 if column.column.after in names else None
            placed.insert(len(placed) if at is None else at, column)
    return placed


def plain(value):
    """A cell value as the file stores it: text, a number, a date, a percentage or nothing."""
    if isinstance(value, Percent):
        return value
    value = force_str(value, strings_only=True)
    if isinstance(value, datetime.datetime):
        # The zone's local time; spreadsheets know no time zones.
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if value is None or isinstance(value, str | datetime.date | int | float | Decimal):
        return value
    return str(value)


def csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def display_width(text: str) -> int:
    """How many columns of a monospaced grid the text takes: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clean_text(value: str) -> str:
    """Text an XLSX cell can hold: without the control characters XML forbids, not too long."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_CHARS]


def xlsx_cell(sheet, value, font=None):
    if isinstance(value, Percent):
        cell = WriteOnlyCell(sheet, value=value.points / 100)
        cell.number_format = "0%" if value.points == value.points.to_integral() else "0.00%"
    elif isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=clean_text(value))
        # openpyxl takes a text starting with '=' for a formula; a string cell is never run.
        cell.data_type = "s"
    else:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
    if font is not None:
        cell.font = font
    return cell


def xlsx_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return len("2026-12-02 08:00")
    text = csv_text(value) if not isinstance(value, str) else value
    return max((display_width(line) for line in text.splitlines()), default=0)


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return SHEET_TITLE_UNSAFE_RE.sub(" ", title).strip()[:31] or "Sheet1"


def xlsx_sheet(workbook, dataset: Dataset) -> None:
    """Add the dataset to a write-only workbook as a sheet: bold frozen header, fitted widths."""
    headers = list(dataset.headers or [])
    rows = list(dataset)
    sheet = workbook.create_sheet(sheet_title(dataset.title or ""))
    # Widths and the frozen header must be set before the first row is written.
    for index, header in enumerate(headers, start=1):
        widest = max([xlsx_width(header), *(xlsx_width(row[index - 1]) for row in rows)])
        width = min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([xlsx_cell(sheet, header, bold) for header in headers])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])


def xlsx_book_bytes(datasets: list[Dataset]) -> bytes:
    """A workbook of one sheet per dataset, in order (their titles name the sheets)."""
    workbook = Workbook(write_only=True)
    for dataset in datasets:
        xlsx_sheet(workbook, dataset)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_bytes(dataset: Dataset) -> bytes:
    return xlsx_book_bytes([dataset])


def csv_bytes(dataset: Dataset) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(header) for header in dataset.headers or []])
    writer.writerows([csv_text(value) for value in row] for row in dataset)
    return (BOM + out.getvalue()).encode("utf-8")


def safe_filename(name: str) -> str:
    return " ".join(UNSAFE_FILENAME_RE.sub(" ", name).split())


def attachment_header(filename: str, ascii_fallback: str) -> str:
    """Content-Disposition for a download: the UTF-8 name (RFC 6266, RFC 5987) and an ASCII
    one for clients that know only `filename`."""
    filename = safe_filename(filename)
    fallback = safe_filename(ascii_fallback.encode("ascii", "ignore").decode()) or "export"
    header = f'attachment; filename="{fallback}"'
    if filename != fallback:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


class SafeTableExport(TableExport):
    """CSV (UTF-8 with a byte-order mark) and XLSX of a table's plain values."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        columns = export_columns(table, exclude_columns)
        model = table._meta.model
        kwargs = {"title": force_str(model._meta.verbose_name_plural) if model else "Export"}
        kwargs.update(dataset_kwargs or {})
        dataset = Dataset(**kwargs)
        dataset.headers = [force_str(column.header) for column in columns]
        for row in table.rows:
            dataset.append([plain(row.get_cell_value(column.name)) for column in columns])
        return dataset

    def export(self):
        if self.format == self.CSV:
            return csv_bytes(self.dataset)
        if self.format == self.XLSX:
            return xlsx_bytes(self.dataset)
        return super().export()

    def response(self, filename=None, ascii_filename=None):
        response = HttpResponse(self.export(), content_type=self.content_type())
        if filename is not None:
            response["Content-Disposition"] = attachment_header(
                filename, ascii_filename or filename
            )
        return response
