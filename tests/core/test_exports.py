"""Exports a spreadsheet opens never run a cell as a formula."""

import io

import django_tables2 as tables
import openpyxl
import pytest

from apps.core.exports import SafeTableExport, neutralise


class RowTable(tables.Table):
    text = tables.Column(verbose_name="文本")
    number = tables.Column(verbose_name="数字")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 532", "'+86 532"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("青岛光电产业园", "青岛光电产业园"),
        ("a=b", "a=b"),
        ("", ""),
        (-2, -2),
        (None, None),
    ],
)
def test_neutralise_prefixes_formula_text_only(value, expected):
    assert neutralise(value) == expected


def rows():
    return [{"text": '=HYPERLINK("http://x","y")', "number": 3}, {"text": "安全", "number": -1}]


def test_csv_export_neutralises_formula_cells():
    export = SafeTableExport("csv", RowTable(rows()))

    assert export.export().splitlines() == [
        "文本,数字",
        '"\'=HYPERLINK(""http://x"",""y"")",3',
        "安全,-1",
    ]


def test_xlsx_export_stores_formula_text_as_text():
    export = SafeTableExport("xlsx", RowTable(rows()))

    sheet = openpyxl.load_workbook(io.BytesIO(export.export())).active
    cell = sheet["A2"]
    assert cell.value == '\'=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"
