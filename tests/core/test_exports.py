"""Exports carry plain values, open in any spreadsheet, and never run a cell as a formula."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import django_tables2 as tables
import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.exports import (
    BOM,
    ExportColumn,
    Percent,
    SafeTableExport,
    attachment_header,
    display_width,
    export_columns,
    neutralise,
)
from tests.core.conftest import LISTS, LONG_DESCRIPTION
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
    UnitFactory,
    UserFactory,
)
from tests.factories.safety import InspectionTeamFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


class RowTable(tables.Table):
    text = tables.Column(verbose_name="文本")
    number = tables.Column(verbose_name="数字")


class TypedTable(tables.Table):
    text = tables.Column(verbose_name="文本")
    day = tables.Column(verbose_name="日期")
    moment = tables.Column(verbose_name="时间")
    share = tables.Column(verbose_name="进度")
    amount = tables.Column(verbose_name="金额")
    unit = ExportColumn(verbose_name="单位", after="amount")

    def value_share(self, value):
        return Percent(value)

    def value_unit(self, record):
        return "亿元"


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


def typed_rows():
    return [
        {
            "text": "=1+1",
            "day": datetime.date(2026, 12, 2),
            # 23:30 UTC is already the next morning in Qingdao.
            "moment": datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC),
            "share": 35,
            "amount": Decimal("81.7000"),
        },
        {"text": "青岛光电产业园", "day": None, "moment": None, "share": None, "amount": None},
    ]


def test_csv_export_starts_with_a_byte_order_mark_and_neutralises_formula_cells():
    content = SafeTableExport("csv", RowTable(rows())).export()

    assert content[:3] == b"\xef\xbb\xbf"
    assert content.decode("utf-8").removeprefix(BOM).split("\r\n") == [
        "文本,数字",
        '"\'=HYPERLINK(""http://x"",""y"")",3',
        "安全,-1",
        "",
    ]


def test_csv_export_writes_plain_values():
    content = SafeTableExport("csv", TypedTable(typed_rows())).export()

    assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == [
        ["文本", "日期", "时间", "进度", "金额", "单位"],
        ["'=1+1", "2026-12-02", "2026-12-03 07:30", "35%", "81.7", "亿元"],
        ["青岛光电产业园", "", "", "", "", "亿元"],
    ]


def load(content):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_xlsx_export_stores_formula_text_as_text_without_apostrophe():
    sheet = load(SafeTableExport("xlsx", RowTable(rows())).export())

    assert (sheet["A2"].value, sheet["A2"].data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert (sheet["B2"].value, sheet["B2"].data_type) == (3, "n")
    assert (sheet["B3"].value, sheet["B3"].data_type) == (-1, "n")


def test_xlsx_export_writes_typed_cells():
    sheet = load(SafeTableExport("xlsx", TypedTable(typed_rows())).export())

    header, first, empty = sheet.iter_rows(min_row=1, max_row=3)
    assert [cell.value for cell in header] == ["文本", "日期", "时间", "进度", "金额", "单位"]
    assert [(cell.value, cell.data_type) for cell in first] == [
        ("=1+1", "s"),
        (datetime.datetime(2026, 12, 2), "d"),
        (datetime.datetime(2026, 12, 3, 7, 30), "d"),
        (0.35, "n"),
        (81.7, "n"),
        ("亿元", "s"),
    ]
    assert [cell.number_format for cell in first[1:4]] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0%"]
    assert [cell.value for cell in empty] == ["青岛光电产业园", None, None, None, None, "亿元"]


def test_xlsx_export_has_a_bold_frozen_header_and_widths_that_count_cjk_twice():
    sheet = load(SafeTableExport("xlsx", TypedTable(typed_rows())).export())

    assert [cell.font.b for cell in sheet[1]] == [True] * 6
    assert [cell.font.b for cell in sheet[2]] == [False] * 6
    assert sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEF"]
    # 青岛光电产业园: 7 wide characters; a date 10, a time 16; the rest fall back to the minimum.
    assert widths == [16, 12, 18, 6, 6, 6]


def test_xlsx_export_drops_control_characters_xml_cannot_hold():
    table = RowTable([{"text": "检查\x01记录\x0b", "number": 1}])

    sheet = load(SafeTableExport("xlsx", table).export())

    assert sheet["A2"].value == "检查记录"


@pytest.mark.parametrize(
    ("text", "width"), [("abc", 3), ("青岛", 4), ("ＡＢ", 4), ("安全 OK", 7), ("", 0)]
)
def test_display_width_counts_wide_and_fullwidth_characters_twice(text, width):
    assert display_width(text) == width


def test_export_columns_follow_the_column_they_belong_to():
    names = [column.name for column in export_columns(TypedTable([]))]

    assert names == ["text", "day", "moment", "share", "amount", "unit"]


@pytest.mark.parametrize(
    ("filename", "fallback", "header"),
    [
        (
            "Targets-2026-12-02.csv",
            "Targets-2026-12-02.csv",
            'attachment; filename="Targets-2026-12-02.csv"',
        ),
        (
            "项目-2026-12-02.xlsx",
            "Projects-2026-12-02.xlsx",
            "attachment; filename=\"Projects-2026-12-02.xlsx\"; filename*=UTF-8''"
            "%E9%A1%B9%E7%9B%AE-2026-12-02.xlsx",
        ),
        (
            'a/b"c\r\n.csv',
            'a/b"c\r\n.csv',
            'attachment; filename="a b c .csv"',
        ),
        (
            "项目.csv",
            "项目.csv",
            "attachment; filename=\".csv\"; filename*=UTF-8''%E9%A1%B9%E7%9B%AE.csv",
        ),
    ],
)
def test_attachment_header_has_a_utf8_name_and_an_ascii_fallback(filename, fallback, header):
    assert attachment_header(filename, fallback) == header


# --- every list -------------------------------------------------------------------------------

EXPECTED_CSV = {
    "projects": [
        ["状态", "状态说明", "项目名称", "项目类型", "阶段", "产业链", "园区/片区", "责任单位"]
        + ["总投资", "金额单位", "最新进度", "计划完成"],
        ["滞后", "有节点逾期未完成（最早应于 2026-11-29 完成）。", "'=1+1", "产业项目", "签约"]
        + ["新型显示", "青岛光电产业园", "甲单位", "81.7", "亿元", "35%", "2027-06-30"],
        ["无法判断", "没有计划日期和节点，无法判断。", "Sino-US lab 中美实验室", "产业项目"]
        + ["签约", "", "", "", "5000", "万美元", "", ""],
    ],
    "milestones": [
        [
            "状态",
            "项目",
            "节点",
            "责任单位",
            "开始日期",
            "计划完成日期",
            "实际完成日期",
            "期限表述",
        ],
        [
            "已于 2026-11-27 完成",
            "'=1+1",
            "一期厂房交付",
            "甲单位",
            "",
            "2026-11-28",
            "2026-11-27",
            "",
        ],
        ["逾期 3 天", "'=1+1", "'+SUM(A1)", "甲单位", "2026-11-01", "2026-11-29", "", ""],
        ["未定期限", "'=1+1", "二期规划", "甲单位", "", "", "", "三年成形"],
    ],
    "targets": [
        ["指标/任务", "状态灯", "状态", "指标值", "完成期限", "期限表述", "责任单位", "牵头领导"]
        + ["目标", "计划"],
        ["'@SUM(1)", "滞后", "未开始", "基数 100 · 当前 120.5 / 目标 200 亿元", "2026-01-28"]
        + ["三年行动", "甲单位", "王局长", "测试目标1", "测试计划"],
        ["中日示范区", "无法判断", "未开始", "", "", "三年成形（起算日期文件未载明）", "", ""]
        + ["测试目标2", "测试计划"],
    ],
    "inspections": [
        ["检查日期", "检查内容", "监管区域", "检查队伍", "责任单位", "检查人", "隐患数"],
        ["2026-11-29", "封闭区出入管理检查", "测试监管区域", "封闭区保安", "甲单位", "孙婷", "2"],
        ["2026-11-22", "'-2 号罐区", "测试监管区域", "", "", "", "0"],
    ],
    "hazards": [
        ["隐患描述", "隐患等级", "状态", "监管区域", "位置", "所属企业", "责任单位", "发现日期"]
        + ["整改期限", "是否逾期"],
        ['\'=HYPERLINK("http://example.org","点击")', "一般隐患", "已发现", "测试监管区域"]
        + ["", "", "", "2026-11-29", "2026-12-13", ""],
        [LONG_DESCRIPTION, "重大隐患", "整改中", "测试监管区域", "'-2 号罐区", "青岛炼化"]
        + ["甲单位", "2026-11-15", "2026-11-30", "逾期"],
    ],
}


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("export_list", LISTS, ids=lambda lst: lst.name)
def test_list_csv_export_writes_every_column_plain(client, staff_a, export_rows, export_list):
    client.force_login(staff_a)

    response = client.get(export_list.url, {"_export": "csv"})

    assert response.content[:3] == b"\xef\xbb\xbf"
    assert csv_rows(response) == EXPECTED_CSV[export_list.name]


@pytest.mark.parametrize("export_list", LISTS, ids=lambda lst: lst.name)
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_list_export_has_no_html_in_any_cell(
    client, staff_a, export_rows, export_list, export_format
):
    client.force_login(staff_a)

    response = client.get(export_list.url, {"_export": export_format})

    if export_format == "csv":
        cells = [cell for row in csv_rows(response) for cell in row]
    else:
        cells = [cell for row in load(response.content).iter_rows(values_only=True) for cell in row]
    assert len(cells) == sum(len(row) for row in EXPECTED_CSV[export_list.name])
    assert [cell for cell in cells if isinstance(cell, str) and ("<" in cell or "&" in cell)] == []


@pytest.mark.parametrize("export_list", LISTS, ids=lambda lst: lst.name)
def test_list_xlsx_export_has_the_csv_values_typed(client, staff_a, export_rows, export_list):
    """The XLSX holds what the CSV holds, as numbers, dates and text without apostrophes."""
    client.force_login(staff_a)

    sheet = load(client.get(export_list.url, {"_export": "xlsx"}).content)

    def as_csv(cell):
        if cell.value is None:
            return ""
        if cell.is_date:
            assert cell.number_format == "yyyy-mm-dd"
            return cell.value.date().isoformat()
        if cell.number_format == "0%":
            return f"{round(cell.value * 100)}%"
        if cell.data_type == "n":
            return f"{Decimal(str(cell.value)).normalize():f}"
        assert cell.data_type == "s"
        return neutralise(cell.value)

    assert sheet.title == export_list.title
    assert [[as_csv(cell) for cell in row] for row in sheet.iter_rows()] == EXPECTED_CSV[
        export_list.name
    ]


@pytest.mark.parametrize("export_list", LISTS, ids=lambda lst: lst.name)
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_list_export_is_named_after_the_list_and_the_day(
    client, staff_a, today, export_list, export_format
):
    client.force_login(staff_a)

    chinese = client.get(export_list.url, {"_export": export_format})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(export_list.url, {"_export": export_format})

    quoted = "".join(f"%{byte:02X}" for byte in export_list.title.encode())
    fallback = f"{export_list.english_title}-2026-12-02.{export_format}"
    assert chinese["Content-Disposition"] == (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}-2026-12-02.{export_format}"
    )
    assert english["Content-Disposition"] == f'attachment; filename="{fallback}"'


def more_rows_of_every_list(count):
    """`count` more rows in every list, each with related rows of its own."""
    for _ in range(count):
        project = ProjectFactory(
            chain=IndustryChainFactory(), area=AreaFactory(), responsible_unit=UnitFactory()
        )
        ProgressLogFactory(project=project, percent_complete=10)
        MilestoneFactory(project=ProjectFactory(responsible_unit=UnitFactory()))
        TargetFactory(responsible_unit=UnitFactory(), leading_official=PersonFactory())
        inspection = InspectionFactory(
            team=InspectionTeamFactory(),
            responsible_unit=UnitFactory(),
            inspector=UserFactory(unit=UnitFactory()),
        )
        HazardFactory(
            inspection=inspection, enterprise=EnterpriseFactory(), responsible_unit=UnitFactory()
        )


@pytest.mark.parametrize("export_list", LISTS, ids=lambda lst: lst.name)
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_list_export_queries_do_not_grow_with_rows(
    client, staff_a, export_rows, export_list, export_format
):
    client.force_login(staff_a)
    client.get(export_list.url)  # the session and the language, loaded once

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(export_list.url, {"_export": export_format})
        assert response.status_code == 200
        return len(captured)

    few = queries()
    more_rows_of_every_list(3)

    assert queries() == few
