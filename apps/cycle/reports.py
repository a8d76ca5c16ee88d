"""The round's report (调度报告): built from the board's figures, written as XLSX and as PDF.

One build serves the `report` command, the downloads on the board and the leaders' email: every
item of the round grouped by park, by chain and by unit, reds first; investment completed in the
period against the planned total; the units' ranking (红黑榜). Each file says when it was made and
for which round. A fixed number of queries, whatever the size of the round.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe
from tablib import Dataset

from apps.core.exports import Percent, attachment_header, xlsx_book_bytes
from apps.core.models import Currency, MoneyUnit, convert_money
from apps.core.pdf import html_to_pdf
from apps.core.rules import Light

from .board import GROUPINGS, BoardItem, UnitRank, _group_of, _key, board_data, board_round
from .models import Punctuality, ReportingRound, Submission, SubmissionState

PERIOD_RE = re.compile(r"[0-9]{4}-(W[0-9]{2}|[0-9]{2})")
ROUND_ID_RE = re.compile(r"[0-9]{1,18}")
# What a unit reported counts once the office has it: a returned report is not counted.
REPORTED = Q(state__in=[SubmissionState.SUBMITTED, SubmissionState.ACCEPTED])
LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, Light.GREY: 3}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The charts' drawing area in CSS pixels (an A4 page less its margins is about 680 px wide).
CHART_LABEL_WIDTH, CHART_BAR_WIDTH = 190, 380
CHART_ROW_HEIGHT = 18


class ReportError(Exception):
    """No report can be made: the period is malformed or has no round."""


@dataclass
class ReportRow:
    entry: BoardItem
    planned: Decimal | None  # total investment in 万元 (yuan projects only)
    period: Decimal | None  # completed in this round, 万元
    cumulative: Decimal | None  # completed in every round up to this one, 万元

    @property
    def submission(self) -> Submission:
        return self.entry.submission

    @property
    def percent(self) -> Decimal | None:
        if not self.planned or self.cumulative is None:
            return None
        return (self.cumulative * 100 / self.planned).quantize(Decimal("0.1"))


@dataclass
class ReportGroup:
    key: str
    name: str
    rows: list[ReportRow] = field(default_factory=list)

    def count(self, light: str) -> int:
        return sum(1 for row in self.rows if row.entry.light == light)

    @property
    def reds(self) -> int:
        return self.count(Light.RED)

    @property
    def yellows(self) -> int:
        return self.count(Light.YELLOW)

    @property
    def greens(self) -> int:
        return self.count(Light.GREEN)

    @property
    def greys(self) -> int:
        return self.count(Light.GREY)

    def _sum(self, attribute: str) -> Decimal:
        return sum((getattr(row, attribute) or Decimal(0) for row in self.rows), Decimal(0))

    @property
    def planned(self) -> Decimal:
        return self._sum("planned")

    @property
    def period(self) -> Decimal:
        return self._sum("period")

    @property
    def cumulative(self) -> Decimal:
        return self._sum("cumulative")

    @property
    def percent(self) -> Decimal | None:
        planned = self.planned
        if not planned:
            return None
        return (self.cumulative * 100 / planned).quantize(Decimal("0.1"))


@dataclass
class Report:
    round: ReportingRound
    previous: ReportingRound | None
    made_at: datetime.datetime
    rows: list[ReportRow]
    groupings: dict[str, list[ReportGroup]]  # "park" | "chain" | "unit" -> groups, reds first
    ranking: list[UnitRank]
    counts: dict
    streak: int

    @property
    def made_at_label(self) -> str:
        return timezone.localtime(self.made_at).strftime("%Y-%m-%d %H:%M")

    @property
    def stamp(self) -> str:
        """'made at <time> for round <period>', on every file and every page."""
        return _("生成于 %(time)s，%(period)s 轮次") % {
            "time": self.made_at_label,
            "period": self.round.period,
        }

    @property
    def title(self) -> str:
        kind = _("周报") if self.round.kind == "weekly" else _("月报")
        return _("调度%(kind)s %(period)s") % {"kind": kind, "period": self.round.period}

    @property
    def totals(self) -> ReportGroup:
        return ReportGroup("", _("合计"), self.rows)

    @property
    def problems(self) -> list[ReportRow]:
        return [
            row
            for row in self.rows
            if row.submission.state != SubmissionState.PENDING
            and (row.submission.problems or row.submission.help_requested)
        ]


def round_for_period(period: str) -> ReportingRound:
    """The round of a period label (2026-W48, 2026-11); ReportError when there is none."""
    period = (period or "").strip()
    if not PERIOD_RE.fullmatch(period):
        raise ReportError(
            _("期次“%(period)s”格式不对：周报写作 2026-W48，月报写作 2026-11。")
            % {"period": period}
        )
    round_ = ReportingRound.objects.filter(period=period).first()
    if round_ is None:
        known = list(ReportingRound.objects.order_by("-opens_at").values_list("period", flat=True))
        message = _("没有 %(period)s 的填报轮次。") % {"period": period}
        if known:
            message += " " + _("已有的轮次：%(periods)s。") % {"periods": ", ".join(known[:12])}
        raise ReportError(message)
    return round_


def _planned(project) -> Decimal | None:
    if project is None or project.total_investment is None or project.currency != Currency.CNY:
        return None
    return convert_money(project.total_investment, project.investment_unit, MoneyUnit.WAN)


def _sorted_groups(rows: list[ReportRow], by: str) -> list[ReportGroup]:
    groups: dict[str, ReportGroup] = {}
    for row in rows:
        key, name, _link = _group_of(row.submission, by)
        groups.setdefault(key, ReportGroup(key, name)).rows.append(row)
    for group in groups.values():
        group.rows.sort(
            key=lambda row: (
                LIGHT_ORDER.get(row.entry.light, 9),
                -row.entry.streak,
                str(row.entry.item),
            )
        )
    return sorted(groups.values(), key=lambda g: (-g.reds, -g.yellows, g.key == "", g.name))


def build_report(round_: ReportingRound, *, now: datetime.datetime | None = None) -> Report:
    """Everything the report files show, read in a fixed number of queries."""
    now = now or timezone.now()
    data = board_data(round_=round_)
    items: list[BoardItem] = data["items"]
    reported = Submission.objects.filter(REPORTED, investment_completed__isnull=False)
    this_round = Submission.objects.filter(round=round_)
    cumulative = {}
    for project_id, target_id, total in (
        reported.filter(round__opens_at__lte=round_.opens_at)
        .filter(
            Q(project_id__in=this_round.values("project_id"))
            | Q(target_id__in=this_round.values("target_id"))
        )
        .values("project_id", "target_id")
        .annotate(total=Sum("investment_completed"))
        .values_list("project_id", "target_id", "total")
    ):
        cumulative[("p", project_id) if project_id else ("t", target_id)] = total
    rows = []
    for entry in items:
        submission = entry.submission
        counted = submission.state in (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED)
        rows.append(
            ReportRow(
                entry=entry,
                planned=_planned(submission.project if submission.project_id else None),
                period=submission.investment_completed if counted else None,
                cumulative=cumulative.get(_key(submission)),
            )
        )
    return Report(
        round=round_,
        previous=data.get("previous"),
        made_at=now,
        rows=rows,
        groupings={by: _sorted_groups(rows, by) for by in GROUPINGS},
        ranking=data.get("ranking", []),
        counts=data.get("counts", {}),
        streak=data.get("streak", 0),
    )


# XLSX ---------------------------------------------------------------------------------------


def _local(value: datetime.datetime | None):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _light_label(light: str | None) -> str:
    return str(Light(light).label) if light else ""


def _punctuality(submission: Submission, now: datetime.datetime) -> str:
    punctuality = submission.punctuality(now)
    # Not sent yet reads as 未填报 in the report, whether or not its deadline has passed.
    if punctuality == Punctuality.WAITING:
        punctuality = Punctuality.MISSING
    return str(punctuality.label)


def _summary_sheet(report: Report) -> Dataset:
    round_ = report.round
    totals = report.totals
    sheet = Dataset(title=_("概况"))
    sheet.headers = [_("项目"), _("内容")]
    for label, value in [
        (_("报告"), report.title),
        (_("轮次"), round_.period),
        (_("周期"), round_.get_kind_display()),
        (_("开始时间"), _local(round_.opens_at)),
        (_("截止时间"), _local(round_.deadline)),
        (_("状态"), round_.get_state_display()),
        (_("对比上一轮"), report.previous.period if report.previous else ""),
        (_("生成时间"), _local(report.made_at)),
        (_("红灯"), report.counts.get(Light.RED, 0)),
        (_("黄灯"), report.counts.get(Light.YELLOW, 0)),
        (_("绿灯"), report.counts.get(Light.GREEN, 0)),
        (_("灰灯"), report.counts.get(Light.GREY, 0)),
        (_("计划总投资（万元）"), totals.planned),
        (_("本期完成投资（万元）"), totals.period),
        (_("累计填报完成投资（万元）"), totals.cumulative),
    ]:
        sheet.append([str(label), value])
    return sheet


def _item_sheet(report: Report, by: str) -> Dataset:
    group_header = {"park": _("园区/片区"), "chain": _("产业链"), "unit": _("责任单位")}[by]
    sheet = Dataset(title=str(GROUPINGS[by]))
    sheet.headers = [
        group_header,
        _("项目或指标"),
        _("类型"),
        _("本轮亮灯"),
        _("上一轮亮灯"),
        _("连续红灯轮数"),
        _("亮灯原因"),
        _("责任单位"),
        _("填报状态"),
        _("是否按时"),
        _("首次提交时间"),
        _("计划总投资（万元）"),
        _("本期完成投资（万元）"),
        _("累计填报完成投资（万元）"),
        _("累计完成比例"),
        _("进展情况"),
        _("存在问题"),
        _("需协调事项"),
    ]
    for group in report.groupings[by]:
        for row in group.rows:
            submission = row.submission
            entry = row.entry
            sheet.append(
                [
                    group.name,
                    str(entry.item),
                    pgettext("one", "重点项目")
                    if submission.project_id
                    else pgettext("one", "指标任务"),
                    _light_label(entry.light),
                    _light_label(entry.previous),
                    entry.streak,
                    entry.reason,
                    submission.responsible_unit.name if submission.responsible_unit else "",
                    submission.get_state_display(),
                    _punctuality(submission, report.made_at),
                    _local(submission.first_submitted_at),
                    row.planned,
                    row.period,
                    row.cumulative,
                    Percent(row.percent) if row.percent is not None else None,
                    submission.progress,
                    submission.problems,
                    submission.help_requested,
                ]
            )
    return sheet


def _investment_sheet(report: Report) -> Dataset:
    sheet = Dataset(title=_("投资完成"))
    sheet.headers = [
        _("分组方式"),
        _("分组"),
        _("项目与指标数"),
        _("红灯"),
        _("黄灯"),
        _("计划总投资（万元）"),
        _("本期完成投资（万元）"),
        _("累计填报完成投资（万元）"),
        _("累计完成比例"),
    ]
    for by, groups in report.groupings.items():
        for group in groups:
            sheet.append(
                [
                    str(GROUPINGS[by]),
                    group.name,
                    len(group.rows),
                    group.reds,
                    group.yellows,
                    group.planned,
                    group.period,
                    group.cumulative,
                    Percent(group.percent) if group.percent is not None else None,
                ]
            )
    return sheet


def _ranking_sheet(report: Report) -> Dataset:
    sheet = Dataset(title=_("红黑榜"))
    sheet.headers = [
        _("名次"),
        _("责任单位"),
        _("应填报"),
        _("按时填报"),
        _("按时比例"),
        _("逾期"),
        _("未填报"),
        _("红灯销号"),
        _("督办逾期"),
    ]
    for rank in report.ranking:
        sheet.append(
            [
                rank.rank,
                str(rank.name),
                rank.due,
                rank.on_time,
                Percent(rank.on_time_percent),
                rank.late,
                rank.missing,
                rank.reds_cleared,
                rank.orders_overdue,
            ]
        )
    return sheet


def report_xlsx(report: Report) -> bytes:
    return xlsx_book_bytes(
        [
            _summary_sheet(report),
            *(_item_sheet(report, by) for by in GROUPINGS),
            _investment_sheet(report),
            _ranking_sheet(report),
        ]
    )


# PDF ----------------------------------------------------------------------------------------


def _light_chart(groups: list[ReportGroup]) -> dict:
    """Stacked bars of each group's lights, red then yellow, green, grey."""
    widest = max((len(group.rows) for group in groups), default=0) or 1
    bars = []
    for index, group in enumerate(groups):
        x = CHART_LABEL_WIDTH
        segments = []
        for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.GREY):
            count = group.count(light)
            if count:
                width = count * CHART_BAR_WIDTH / widest
                segments.append({"light": light, "x": x, "width": width, "count": count})
                x += width
        bars.append(
            {
                "label": group.name,
                "y": index * CHART_ROW_HEIGHT,
                "segments": segments,
                "total": len(group.rows),
                "end": x + 4,
            }
        )
    return _chart(bars)


def _investment_chart(groups: list[ReportGroup]) -> dict:
    widest = max((group.period for group in groups), default=Decimal(0)) or Decimal(1)
    bars = []
    for index, group in enumerate(groups):
        width = float(group.period * CHART_BAR_WIDTH / widest)
        bars.append(
            {
                "label": group.name,
                "y": index * CHART_ROW_HEIGHT,
                "width": width,
                "value": group.period,
                "end": CHART_LABEL_WIDTH + width + 4,
            }
        )
    return _chart(bars)


def _chart(bars: list[dict]) -> dict:
    return {
        "bars": bars,
        "height": max(len(bars), 1) * CHART_ROW_HEIGHT,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 80,
        "label_width": CHART_LABEL_WIDTH - 6,
        "bar_height": CHART_ROW_HEIGHT - 6,
    }


def report_html(report: Report) -> str:
    parks = report.groupings["park"]
    return render_to_string(
        "cycle/report_pdf.html",
        {
            "report": report,
            "round": report.round,
            "totals": report.totals,
            "light_chart": _light_chart(parks),
            "investment_chart": _investment_chart(parks),
            "flagged": [
                (group, [row for row in group.rows if row.entry.light in (Light.RED, Light.YELLOW)])
                for group in parks
                if group.reds or group.yellows
            ],
            "summaries": [(GROUPINGS[by], report.groupings[by]) for by in GROUPINGS],
            "lights": [
                (Light.RED, Light.RED.label),
                (Light.YELLOW, Light.YELLOW.label),
                (Light.GREEN, Light.GREEN.label),
                (Light.GREY, Light.GREY.label),
            ],
        },
    )


def report_pdf(report: Report) -> bytes:
    return html_to_pdf(report_html(report))


# Files and downloads ------------------------------------------------------------------------


def default_report_dir() -> Path:
    return Path(settings.VAR_DIR) / "reports"


def report_filename(round_: ReportingRound, extension: str) -> str:
    return f"report-{round_.period}.{extension}"


def download_filename(round_: ReportingRound, extension: str) -> str:
    return _("调度报告-%(period)s.%(ext)s") % {"period": round_.period, "ext": extension}


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write the XLSX and the PDF into out_dir; their paths, XLSX first."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for extension, content in (("xlsx", report_xlsx(report)), ("pdf", report_pdf(report))):
        path = out_dir / report_filename(report.round, extension)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(content)
        partial.replace(path)  # never leave half a file under the final name
        paths.append(path)
    return paths


@require_safe
def report_download(request, extension: str):
    """The board's report as a download (?round=<id>, else the board's round)."""
    round_id = request.GET.get("round", "")
    if ROUND_ID_RE.fullmatch(round_id):
        round_ = get_object_or_404(ReportingRound, pk=int(round_id))
    else:
        round_ = board_round()
        if round_ is None:
            raise Http404(_("还没有填报轮次。"))
    report = build_report(round_)
    if extension == "pdf":
        content, content_type = report_pdf(report), "application/pdf"
    else:
        content, content_type = report_xlsx(report), XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(
        download_filename(round_, extension), report_filename(round_, extension)
    )
    return response
