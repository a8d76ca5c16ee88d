"""The round's report written by `manage.py report` and read back: XLSX cells and PDF text."""

import datetime
import re
import subprocess
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from apps.core.pdf import OfflineFetcher, html_to_pdf
from apps.cycle.reports import ReportError, build_report, report_html, round_for_period
from tests.cycle.report_world import ZONE, build_world

pytestmark = pytest.mark.django_db

MADE_AT = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=ZONE)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def world(unit_a, unit_b):
    return build_world(unit_a, unit_b)


@pytest.fixture
def written(world, tmp_path):
    out = StringIO()
    with time_machine.travel(MADE_AT, tick=False):
        call_command("report", "--period", "2026-W48", "--out", str(tmp_path), stdout=out)
    return [Path(line) for line in out.getvalue().split()]


def test_report_command_prints_the_paths_of_both_files(written, tmp_path):
    assert written == [tmp_path / "report-2026-W48.xlsx", tmp_path / "report-2026-W48.pdf"]
    assert all(path.stat().st_size > 1000 for path in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "report-2026-W48.pdf",
        "report-2026-W48.xlsx",
    ]


def test_report_xlsx_has_a_sheet_per_grouping_and_the_ranking(written):
    book = load_workbook(written[0])
    assert book.sheetnames == ["概况", "按园区", "按产业链", "按责任单位", "投资完成", "红黑榜"]


def test_report_xlsx_says_which_round_and_when(written):
    summary = {
        row[0]: row[1] for row in load_workbook(written[0])["概况"].iter_rows(values_only=True)
    }
    assert summary["轮次"] == "2026-W48"
    assert summary["生成时间"] == datetime.datetime(2026, 12, 1, 9, 30)
    assert summary["对比上一轮"] == "2026-W47"
    assert (summary["红灯"], summary["黄灯"], summary["绿灯"], summary["灰灯"]) == (1, 1, 1, 1)
    assert summary["计划总投资（万元）"] == 842000  # 81.7 亿 + 5000 万 + 2 亿
    assert summary["本期完成投资（万元）"] == 1500  # the returned or pending reports count nothing


def test_report_xlsx_lists_reds_first_with_their_figures(written):
    rows = list(load_workbook(written[0])["按园区"].iter_rows(values_only=True))
    header, first, second = (
        rows[0],
        dict(zip(rows[0], rows[1], strict=True)),
        dict(zip(rows[0], rows[2], strict=True)),
    )
    assert header[:4] == ("园区/片区", "项目或指标", "类型", "本轮亮灯")
    assert (first["园区/片区"], first["项目或指标"], first["本轮亮灯"]) == (
        "光电产业园",
        "京东方显示基地",
        "滞后",
    )
    assert first["上一轮亮灯"] == "滞后"
    assert first["连续红灯轮数"] == 2
    assert first["计划总投资（万元）"] == 817000
    assert first["本期完成投资（万元）"] == 1200
    assert first["累计填报完成投资（万元）"] == 2000
    assert first["是否按时"] == "按时"
    assert first["存在问题"] == "土地指标待落实"
    assert (second["项目或指标"], second["本轮亮灯"], second["是否按时"]) == (
        "光电产业园二期",
        "预警",
        "逾期",
    )
    assert [row[1] for row in rows[3:]] == ["望台片区更新", "高新技术企业数量"]


def test_report_xlsx_ranks_the_units(written):
    rows = list(load_workbook(written[0])["红黑榜"].iter_rows(values_only=True))
    assert rows[0] == (
        "名次",
        "责任单位",
        "应填报",
        "按时填报",
        "按时比例",
        "逾期",
        "未填报",
        "红灯销号",
        "督办逾期",
    )
    assert rows[1] == (1, "甲单位", 2, 1, 0.5, 0, 1, 0, 0)
    assert rows[2] == (2, "乙单位", 2, 0, 0, 1, 1, 1, 0)


def test_report_xlsx_keeps_formula_looking_text_as_text(world, tmp_path):
    submission = world["w48"].submissions.get(project=world["red"])
    submission.problems = '=HYPERLINK("http://example.org")'
    submission.save()
    call_command("report", "--period", "2026-W48", "--out", str(tmp_path), stdout=StringIO())
    sheet = load_workbook(tmp_path / "report-2026-W48.xlsx")["按园区"]
    cell = sheet.cell(row=2, column=17)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://example.org")', "s")


def test_report_pdf_is_a4_with_chinese_text_figures_and_page_numbers(written):
    text = pdf_text(written[1])
    assert "调度周报 2026-W48" in text
    assert "京东方显示基地" in text
    assert "土地指标待落实" in text
    assert "生成于 2026-12-01 09:30，2026-W48 轮次" in text
    assert "842000.00" in text
    assert "1500.00" in text
    pages = int(
        subprocess.run(["pdfinfo", str(written[1])], capture_output=True, text=True, check=True)
        .stdout.split("Pages:")[1]
        .split()[0]
    )
    assert pages >= 2
    for page, page_text in enumerate(text.split("\f")[:pages], start=1):
        # Each page's foot: the stamp on the left, "page / pages" on the right.
        foot = page_text.strip().splitlines()[-1]
        assert foot.startswith("生成于 2026-12-01 09:30，2026-W48 轮次"), foot
        assert re.search(rf"\b{page}\s*/\s*{pages}$", foot), foot
    info = subprocess.run(["pdfinfo", str(written[1])], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_report_pdf_embeds_its_chinese_font(written):
    fonts = subprocess.run(
        ["pdffonts", str(written[1])], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk
    assert all(" yes yes " in line for line in cjk)


def test_report_in_english_reads_in_english(world, tmp_path):
    call_command(
        "report",
        "--period",
        "2026-W48",
        "--out",
        str(tmp_path),
        "--language",
        "en",
        stdout=StringIO(),
    )
    assert load_workbook(tmp_path / "report-2026-W48.xlsx").sheetnames == [
        "Summary",
        "By park",
        "By industry chain",
        "By unit",
        "Investment",
        "Unit ranking",
    ]
    assert "Weekly report 2026-W48" in pdf_text(tmp_path / "report-2026-W48.pdf")


def test_report_for_a_month(world, tmp_path):
    world["w48"].period = "2026-11"
    world["w48"].kind = "monthly"
    world["w48"].save()
    out = StringIO()
    call_command("report", "--period", "2026-11", "--out", str(tmp_path), stdout=out)
    assert out.getvalue().split() == [
        str(tmp_path / "report-2026-11.xlsx"),
        str(tmp_path / "report-2026-11.pdf"),
    ]
    assert "调度月报 2026-11" in pdf_text(tmp_path / "report-2026-11.pdf")


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-W50", "没有 2026-W50 的填报轮次。 已有的轮次：2026-W48, 2026-W47。"),
        ("week 48", "期次“week 48”格式不对：周报写作 2026-W48，月报写作 2026-11。"),
    ],
)
def test_report_for_an_unknown_period_fails_with_a_message(world, tmp_path, period, message):
    with pytest.raises(CommandError) as error:
        call_command("report", "--period", period, "--out", str(tmp_path), stdout=StringIO())
    assert str(error.value) == message
    assert list(tmp_path.iterdir()) == []


def test_report_command_exits_non_zero_for_an_unknown_period(db):
    completed = subprocess.run(
        [".venv/bin/python", "manage.py", "report", "--period", "2026-W50"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode != 0


def test_round_for_period_finds_the_round(world):
    assert round_for_period(" 2026-W47 ") == world["w47"]
    with pytest.raises(ReportError):
        round_for_period("")


def test_report_html_fetches_nothing(world):
    fetcher = OfflineFetcher()
    html_to_pdf(report_html(build_report(world["w48"])), fetcher=fetcher)
    assert fetcher.refused == []


def test_pdf_refuses_to_fetch_from_the_network():
    fetcher = OfflineFetcher()
    html = (
        '<link rel="stylesheet" href="https://example.org/a.css">'
        '<img src="http://example.org/a.png"><p>中文</p>'
    )
    assert html_to_pdf(html, fetcher=fetcher).startswith(b"%PDF")
    assert fetcher.refused == ["https://example.org/a.css", "http://example.org/a.png"]


@pytest.mark.parametrize("extra", [1, 4])
def test_report_build_takes_the_same_queries_at_any_size(
    unit_a, unit_b, extra, django_assert_num_queries
):
    world = build_world(unit_a, unit_b, extra=extra)
    with (
        translation.override("zh-hans"),
        django_assert_num_queries(6),
    ):  # with the overdue orders by unit
        report = build_report(world["w48"])
        report_html(report)
    assert len(report.rows) == 4 + extra
    assert report.totals.period == Decimal("1500") + 10 * extra


def test_report_of_an_open_round_uses_the_lights_as_they_stand(world, tmp_path):
    world["w48"].state = "open"
    world["w48"].closed_at = None
    world["w48"].save()
    report = build_report(world["w48"])
    assert len(report.rows) == 4
    assert {row.entry.light for row in report.rows} <= {"red", "yellow", "green", "grey"}
    out = StringIO()
    call_command("report", "--period", "2026-W48", "--out", str(tmp_path), stdout=out)
    assert len(out.getvalue().split()) == 2
