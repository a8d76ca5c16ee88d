"""Files the import refuses or reads carefully: each answered with a message, nothing imported."""

import io

import pytest
from django.template.defaultfilters import filesizeformat
from openpyxl import Workbook

from apps.ledger import services
from apps.projects.models import Project

from .conftest import MILESTONE_HEADERS, PROJECT_HEADERS, csv_text, project_row, xlsx

pytestmark = pytest.mark.django_db


def run(data, filename="ledger.xlsx", dry_run=False):
    return services.ledger_import(data=data, filename=filename, user=None, dry_run=dry_run)


def messages(report):
    return [e.message for e in report.errors]


def test_malformed_xlsx_is_refused(places, unit_a):
    good = xlsx({"项目": [PROJECT_HEADERS, project_row("甲项目")]})
    for data in (b"not a workbook at all", good[: len(good) // 2], b"PK\x03\x04" + b"\0" * 100):
        report = run(data)
        assert messages(report) == [
            "文件不是有效的 XLSX 工作簿，请用 Excel 或 WPS 另存为 .xlsx 后再导入。"
        ]
    assert Project.objects.count() == 0


def test_csv_in_gbk_is_read(places, unit_a):
    data = csv_text([PROJECT_HEADERS, project_row("甲项目")]).encode("gbk")

    report = run(data, "ledger.csv")

    assert report.errors == []
    assert report.encoding == "GBK"
    assert Project.objects.get().name == "甲项目"


def test_csv_with_utf8_bom_is_read(places, unit_a):
    data = ("\ufeff" + csv_text([PROJECT_HEADERS, project_row("甲项目")])).encode("utf-8")

    report = run(data, "ledger.csv")

    assert report.errors == []
    assert report.encoding == "UTF-8"
    # The mark is not part of the first header, so the key column is found.
    assert Project.objects.get().name == "甲项目"


def test_csv_in_no_known_encoding_is_refused(places, unit_a):
    data = "项目名称\n甲项目\n".encode("utf-16-le")
    report = run(data, "ledger.csv")
    assert len(report.errors) == 1
    assert Project.objects.count() == 0


def test_file_over_the_size_limit_is_refused(settings, places, unit_a):
    settings.LEDGER_IMPORT_MAX_BYTES = 1024
    data = csv_text([PROJECT_HEADERS] + [project_row(f"项目{i}") for i in range(50)]).encode()

    report = run(data, "ledger.csv")

    assert messages(report) == [f"文件大小为 {filesizeformat(len(data))}，超过上限 1.0\xa0KB。"]
    assert Project.objects.count() == 0


def test_default_size_limit_is_50_mb_and_above_the_photo_limit(settings):
    assert settings.LEDGER_IMPORT_MAX_BYTES == 50 * 1024 * 1024
    assert settings.LEDGER_IMPORT_MAX_BYTES > settings.UPLOAD_MAX_BYTES


def test_upload_over_the_size_limit_is_refused_before_reading(client, settings, superuser):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.LEDGER_IMPORT_MAX_BYTES = 10
    client.force_login(superuser)
    response = client.post(
        reverse("ledger:import"), {"file": SimpleUploadedFile("big.csv", b"x" * 11)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith("文件大小为")


@pytest.mark.parametrize("filename", ["ledger.xlsx", "ledger.csv"])
def test_too_many_rows_are_refused(settings, places, unit_a, filename):
    settings.LEDGER_IMPORT_MAX_ROWS = 5
    rows = [PROJECT_HEADERS] + [project_row(f"项目{i}") for i in range(6)]
    data = xlsx({"项目": rows}) if filename.endswith("xlsx") else csv_text(rows).encode()

    report = run(data, filename)

    assert len(report.errors) == 1
    assert "超过上限 5 行" in report.errors[0].message
    assert Project.objects.count() == 0


def test_formulas_are_refused_never_evaluated(places, unit_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "项目"
    sheet.append(PROJECT_HEADERS)
    sheet.append(project_row("甲项目", 总投资="=1+1"))
    out = io.BytesIO()
    workbook.save(out)

    report = run(out.getvalue())

    assert messages(report) == [
        "工作表“项目”的单元格 I2 是公式，系统不计算公式：请复制后“粘贴为数值”再导入。"
    ]
    assert Project.objects.count() == 0


def test_formula_looking_csv_text_is_kept_as_text(places, unit_a):
    data = csv_text(
        [PROJECT_HEADERS + ["项目内容"], project_row("甲项目") + ['=HYPERLINK("x")']]
    ).encode()

    report = run(data, "ledger.csv")

    assert report.errors == []
    assert Project.objects.get().description == '=HYPERLINK("x")'


def test_merged_cells_are_refused(places, unit_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "项目"
    sheet.append(PROJECT_HEADERS)
    sheet.append(project_row("甲项目"))
    sheet.append(project_row("乙项目"))
    sheet.merge_cells("G2:G3")
    out = io.BytesIO()
    workbook.save(out)

    report = run(out.getvalue())

    assert messages(report) == [
        "工作表“项目”含合并单元格（G2:G3），请取消合并，并在每一行填写完整后再导入。"
    ]
    assert Project.objects.count() == 0


def test_same_name_twice_is_refused_and_nothing_imported(places, unit_a):
    data = xlsx(
        {
            "项目": [
                PROJECT_HEADERS,
                project_row("甲项目"),
                project_row("乙项目"),
                project_row("甲项目"),
            ]
        }
    )

    report = run(data)

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (4, "项目名称", "“甲项目”在本文件中重复出现（第 2 行已有）。")
    ]
    assert Project.objects.count() == 0


def test_same_milestone_twice_is_refused(places, unit_a):
    data = xlsx(
        {
            "项目": [PROJECT_HEADERS, project_row("甲项目")],
            "节点": [
                MILESTONE_HEADERS,
                ["甲项目", "竣工", "", "", "", ""],
                ["甲项目", "竣工", "", "", "", ""],
            ],
        }
    )
    report = run(data)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("节点", 3, "项目名称")]
    assert Project.objects.count() == 0


def test_unknown_units_and_choices_are_refused_with_their_columns(places, unit_a):
    data = xlsx(
        {
            "项目": [
                PROJECT_HEADERS,
                project_row("甲项目", 金额单位="亿日元"),
                project_row("乙项目", 项目类型="不知道"),
                project_row("丙项目", 责任单位="不存在的单位"),
                project_row("丁项目", 计划开工="明年", 总投资="很多"),
            ]
        }
    )

    report = run(data)

    assert [(e.row, e.column) for e in report.errors] == [
        (2, "金额单位"),
        (3, "项目类型"),
        (4, "责任单位"),
        (5, "总投资"),
        (5, "计划开工"),
    ]
    assert report.errors[0].message.startswith("未知的金额单位“亿日元”，可选：亿元、万元")
    assert report.errors[2].message == "未知的责任单位“不存在的单位”。"
    assert Project.objects.count() == 0


def test_dates_out_of_order_are_refused_like_an_edit(places, unit_a):
    data = xlsx(
        {
            "项目": [
                PROJECT_HEADERS,
                project_row("甲项目", 计划开工="2027-01-01", 计划完成="2026-01-01"),
            ]
        }
    )
    report = run(data)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "计划完成", "计划完成日期不能早于计划开工日期。")
    ]


def test_unknown_column_is_refused(places, unit_a):
    data = xlsx({"项目": [PROJECT_HEADERS + ["备注栏"], project_row("甲项目") + ["x"]]})
    report = run(data)
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith("无法识别的列：备注栏")
    assert Project.objects.count() == 0


def test_one_bad_milestone_keeps_the_projects_out_too(places, unit_a):
    data = xlsx(
        {
            "项目": [PROJECT_HEADERS, project_row("甲项目")],
            "节点": [MILESTONE_HEADERS, ["没有的项目", "竣工", "", "", "", ""]],
        }
    )
    report = run(data)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("节点", 2, "项目名称")]
    assert Project.objects.count() == 0


def test_file_without_a_ledger_sheet_is_refused(places):
    report = run(xlsx({"Sheet1": [["a", "b"], [1, 2]]}))
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith("文件中没有可导入的表")
