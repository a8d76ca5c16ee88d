"""Every list's CSV and XLSX, opened in a real spreadsheet engine, shows what the page shows.

LibreOffice Calc (headless, with a profile of its own for each test run so parallel runs don't meet)
converts each export to a fresh XLSX, which openpyxl reads back: the cells must carry the page's
text (whitespace normalised), dates must be dates, and no text may have run as a formula. The
tests fail, never skip, when LibreOffice is missing, unless ZONETRACKER_SKIP_SPREADSHEET=1.
"""

import datetime
import io
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from django.utils.text import Truncator

from apps.core.exports import FORMULA_PREFIXES
from tests.core.conftest import LISTS

pytestmark = [pytest.mark.spreadsheet, pytest.mark.django_db]

APT_PACKAGE = "libreoffice-calc-nogui"
SKIP_VARIABLE = "ZONETRACKER_SKIP_SPREADSHEET"
# LibreOffice's CSV filter: comma-separated, double-quoted, UTF-8 (76), what Excel reads a file
# with a byte-order mark as. LibreOffice's headless import ignores the mark and takes the
# system's character set otherwise.
CSV_FILTER = "Text - txt - csv (StarCalc):44,34,76"
TIMEOUT_S = 180


@pytest.fixture
def soffice():
    path = shutil.which("soffice")
    if path is None:
        message = f"The spreadsheet tests need LibreOffice Calc: apt-get install {APT_PACKAGE}"
        if os.environ.get(SKIP_VARIABLE) == "1":
            pytest.skip(f"{message} (skipped: {SKIP_VARIABLE}=1)")
        pytest.fail(f"{message} (or set {SKIP_VARIABLE}=1 to skip them)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def libreoffice_profile(tmp_path_factory):
    """A LibreOffice user profile of this test run's own, so parallel runs don't share one."""
    return tmp_path_factory.mktemp("libreoffice-profile")


@pytest.fixture
def convert(soffice, libreoffice_profile, tmp_path):
    """convert([files], infilter=None) -> the XLSX LibreOffice made of each file, read back."""

    def run(files: list[Path], infilter: str | None = None) -> dict[str, openpyxl.Workbook]:
        out = tmp_path / "converted"
        command = [
            soffice,
            f"-env:UserInstallation={libreoffice_profile.as_uri()}",
            "--headless",
            "--norestore",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, files),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
        books = {}
        for file in files:
            converted = out / f"{file.stem}.xlsx"
            assert converted.exists(), f"LibreOffice did not convert {file.name}: {result}"
            books[file.stem] = openpyxl.load_workbook(converted)
        return books

    return run


class TableText(HTMLParser):
    """The list's table as text: header cells, and each body cell's text and title attributes.
    What is hidden from screen readers (a header's sort arrow) is decoration, not text."""

    def __init__(self):
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[tuple[str, list[str]]]] = []
        self._in = None
        self._text: list[str] = []
        self._titles: list[str] = []
        self._depth = 0
        self._hidden: str | None = None

    def handle_starttag(self, tag, attrs):
        if self._hidden is None and dict(attrs).get("aria-hidden") == "true":
            self._hidden = tag
        if tag == "table":
            self._depth += 1
        if self._depth != 1:
            return
        if tag == "tr" and self._in is None:
            self._row = []
        if tag in ("th", "td"):
            self._in, self._text, self._titles = tag, [], []
        elif self._in and dict(attrs).get("title"):
            self._titles.append(dict(attrs)["title"])

    def handle_endtag(self, tag):
        if tag == self._hidden:
            self._hidden = None
        if tag == "table":
            self._depth -= 1
        if self._depth != 1 or tag != self._in:
            if tag == "tr" and self._depth == 1 and getattr(self, "_row", None):
                self.rows.append(self._row)
                self._row = []
            return
        text = " ".join("".join(self._text).split())
        if tag == "th":
            self.headers.append(text)
        else:
            self._row.append((text, self._titles))
        self._in = None

    def handle_data(self, data):
        if self._in and self._hidden is None:
            self._text.append(data)


def page_table(client, url):
    parser = TableText()
    parser.feed(client.get(url, {"per_page": 100}).content.decode())
    return parser


def shown(value) -> str:
    """A cell read back from the spreadsheet, written the way the page writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.time()
            else f"{value:%Y-%m-%d %H:%M}"
        )
    if isinstance(value, float | int):
        return f"{value:g}"
    return " ".join(str(value).split())


def percent_shown(cell) -> str:
    if cell.data_type == "n" and "%" in cell.number_format:
        return f"{cell.value * 100:g}%"
    return shown(cell.value)


def joined(*parts, template="{} {}"):
    present = [part for part in parts if part]
    return template.format(*present) if len(present) == 2 else "".join(present)


def expected_page_cells(list_name, cells, values) -> dict[str, tuple[str, list[str] | None]]:
    """What the page shows for one exported row: {header: (text, titles or None)}, built from the
    spreadsheet's cells and their values by header. Export-only columns fold back into the
    page's cell they were split from."""
    text = {header: shown(value) for header, value in values.items()}
    page = {header: (value, None) for header, value in text.items()}
    if list_name == "projects":
        page["状态"] = (text["状态"], [text["状态说明"]])
        page["总投资"] = (joined(text["总投资"], text["金额单位"]), None)
        page["最新进度"] = (percent_shown(cells["最新进度"]), None)
        del page["状态说明"], page["金额单位"]
    elif list_name == "targets":
        page["完成期限"] = (joined(text["完成期限"], text["期限表述"], template="{}（{}）"), None)
        del page["期限表述"]
    elif list_name == "hazards":
        page["隐患描述"] = (Truncator(text["隐患描述"]).chars(40), None)
        page["整改期限"] = (joined(text["整改期限"], text["是否逾期"]), None)
        del page["是否逾期"]
    return page


def unguarded(value, *, csv: bool):
    """The text without the apostrophe a CSV puts before a formula-looking text."""
    if (
        csv
        and isinstance(value, str)
        and value[:1] == "'"
        and value[1:].startswith(FORMULA_PREFIXES)
    ):
        return value[1:]
    return value


def compare(list_name, page, sheet, *, csv: bool) -> list[str]:
    """Every difference between the page's table and the spreadsheet's cells, as sentences."""
    problems = []
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    body = rows[1:]
    if len(body) != len(page.rows):
        return [f"{list_name}: {len(body)} rows in the spreadsheet, {len(page.rows)} on the page"]
    for number, (row, page_row) in enumerate(zip(body, page.rows, strict=True), start=2):
        cells = dict(zip(headers, row, strict=True))
        values = {header: unguarded(cell.value, csv=csv) for header, cell in cells.items()}
        on_page = {
            header: cell for header, cell in zip(page.headers, page_row, strict=True) if header
        }
        problems += [
            f"{list_name} {cell.coordinate}: ran as a formula: {cell.value}"
            for cell in row
            if cell.data_type == "f"
        ]
        expected = expected_page_cells(list_name, cells, values)
        if set(expected) != set(on_page):
            problems.append(f"{list_name}: columns {sorted(expected)} against {sorted(on_page)}")
            continue
        for header, (text, titles) in expected.items():
            page_text, page_titles = on_page[header]
            page_text = "" if page_text == "—" else page_text
            if text != page_text:
                problems.append(
                    f"{list_name} row {number} {header}: {text!r} != page {page_text!r}"
                )
            if titles is not None and titles != [" ".join(t.split()) for t in page_titles]:
                problems.append(f"{list_name} row {number} {header}: {titles} != {page_titles}")
            if len(page_text) == 10 and page_text[4] == page_text[7] == "-":
                if not isinstance(values[header], datetime.datetime):
                    problems.append(f"{list_name} row {number} {header}: not a date")
    return problems


def exports(client, tmp_path, export_format) -> tuple[list[Path], dict]:
    folder = tmp_path / export_format
    folder.mkdir()
    files, pages = [], {}
    for export_list in LISTS:
        response = client.get(export_list.url, {"_export": export_format})
        assert response.status_code == 200
        path = folder / f"{export_list.name}.{export_format}"
        path.write_bytes(response.content)
        files.append(path)
        pages[export_list.name] = page_table(client, export_list.url)
    return files, pages


def test_every_list_xlsx_reads_back_as_the_page(client, staff_a, export_rows, convert, tmp_path):
    client.force_login(staff_a)
    files, pages = exports(client, tmp_path, "xlsx")

    books = convert(files)

    problems = []
    for name, book in books.items():
        problems += compare(name, pages[name], book.active, csv=False)
    assert problems == []
    # The project named =1+1 is the text =1+1, not 2; a date is a date cell.
    projects = books["projects"].active
    assert (projects["C2"].value, projects["C2"].data_type) == ("=1+1", "s")
    assert (projects["L2"].value, projects["L2"].is_date) == (datetime.datetime(2027, 6, 30), True)


def test_every_list_csv_reads_back_as_the_page(client, staff_a, export_rows, convert, tmp_path):
    client.force_login(staff_a)
    files, pages = exports(client, tmp_path, "csv")

    books = convert(files, infilter=CSV_FILTER)

    problems = []
    for name, book in books.items():
        sheet = book.active
        # The byte-order mark is taken for what it is, not kept in the first header.
        assert sheet["A1"].value == pages[name].headers[0]
        problems += compare(name, pages[name], sheet, csv=True)
    assert problems == []
    assert books["projects"].active["C2"].value == "'=1+1"


def test_the_engine_runs_a_formula_left_unguarded(convert, tmp_path):
    """The check above could fail: an XLSX formula cell and a CSV text without the apostrophe do
    run in LibreOffice."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "=1+1"  # openpyxl's own default makes this a formula
    workbook.save(tmp_path / "formula.xlsx")
    (tmp_path / "unguarded.csv").write_bytes("\ufeff名称\r\n=1+1\r\n".encode())

    xlsx = convert([tmp_path / "formula.xlsx"])["formula"].active
    text = convert([tmp_path / "unguarded.csv"], infilter=CSV_FILTER)["unguarded"].active

    assert (xlsx["A1"].value, xlsx["A1"].data_type) == ("=1+1", "f")
    assert (text["A1"].value, text["A2"].value, text["A2"].data_type) == ("名称", "=1+1", "f")
    computed = openpyxl.load_workbook(
        io.BytesIO((tmp_path / "converted" / "unguarded.xlsx").read_bytes()), data_only=True
    ).active
    assert computed["A2"].value == 2
