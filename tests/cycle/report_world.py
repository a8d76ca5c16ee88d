"""Two closed weekly rounds (2026-W47, 2026-W48) with every light, for the report tests."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.core.rules import Light
from apps.cycle.models import (
    Cadence,
    ReportingRound,
    RoundLight,
    RoundState,
    Submission,
    SubmissionState,
)
from apps.projects.models import Stage
from tests.factories import AreaFactory, IndustryChainFactory, ProjectFactory, TargetFactory

ZONE = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=ZONE)


def closed_round(period: str, opens: datetime.datetime) -> ReportingRound:
    return ReportingRound.objects.create(
        period=period,
        kind=Cadence.WEEKLY,
        opens_at=opens,
        deadline=opens + datetime.timedelta(days=3, hours=8),
        state=RoundState.CLOSED,
        closed_at=opens + datetime.timedelta(days=4),
    )


def report(round_, item, light, *, unit, state=SubmissionState.PENDING, sent=None, **fields):
    kind = "project" if hasattr(item, "stage") else "target"
    submission = Submission.objects.create(
        round=round_,
        responsible_unit=unit,
        state=state,
        first_submitted_at=sent,
        submitted_at=sent,
        **{kind: item},
        **fields,
    )
    RoundLight.objects.create(round=round_, light=light, reason=f"{light}原因", **{kind: item})
    return submission


def build_world(unit_a, unit_b, *, extra: int = 0) -> dict:
    """W47 and W48 closed; in W48 a red two rounds running, a yellow, a green, a grey target.

    `extra` more green projects in W48 (for the query counts at two sizes).
    """
    park = AreaFactory(name="光电产业园")
    chain = IndustryChainFactory(name="新型显示")
    red = ProjectFactory(
        name="京东方显示基地",
        area=park,
        chain=chain,
        responsible_unit=unit_a,
        stage=Stage.UNDER_CONSTRUCTION,
        total_investment=Decimal("81.7"),
        investment_unit="yi",
    )
    yellow = ProjectFactory(
        name="光电产业园二期",
        area=park,
        chain=chain,
        responsible_unit=unit_b,
        stage=Stage.UNDER_CONSTRUCTION,
        total_investment=Decimal("5000"),
        investment_unit="wan",
    )
    green = ProjectFactory(
        name="望台片区更新",
        responsible_unit=unit_a,
        stage=Stage.UNDER_CONSTRUCTION,
        total_investment=Decimal("2"),
        investment_unit="yi",
    )
    target = TargetFactory(title="高新技术企业数量", responsible_unit=unit_b)
    w47 = closed_round("2026-W47", at(16, 9))
    w48 = closed_round("2026-W48", at(23, 9))
    report(
        w47,
        red,
        Light.RED,
        unit=unit_a,
        state=SubmissionState.ACCEPTED,
        sent=at(17, 10),
        investment_completed=Decimal("800"),
        progress="主体施工",
    )
    report(
        w47,
        yellow,
        Light.RED,
        unit=unit_b,
        state=SubmissionState.ACCEPTED,
        sent=at(17, 10),
        investment_completed=Decimal("100"),
        progress="场平",
    )
    report(w47, green, Light.GREEN, unit=unit_a)
    report(
        w48,
        red,
        Light.RED,
        unit=unit_a,
        state=SubmissionState.ACCEPTED,
        sent=at(24, 10),
        investment_completed=Decimal("1200"),
        progress="钢结构吊装",
        problems="土地指标待落实",
        help_requested="请自然资源局协调用地",
    )
    report(
        w48,
        yellow,
        Light.YELLOW,
        unit=unit_b,
        state=SubmissionState.SUBMITTED,
        sent=at(27, 10),
        investment_completed=Decimal("300"),
        progress="桩基施工",
    )
    report(w48, green, Light.GREEN, unit=unit_a)
    report(w48, target, Light.GREY, unit=unit_b)
    for n in range(extra):
        project = ProjectFactory(
            name=f"补充项目{n}", responsible_unit=unit_a, stage=Stage.UNDER_CONSTRUCTION
        )
        report(
            w48,
            project,
            Light.GREEN,
            unit=unit_a,
            state=SubmissionState.ACCEPTED,
            sent=at(24, 10),
            investment_completed=Decimal("10"),
            progress="推进",
        )
    return {
        "w47": w47,
        "w48": w48,
        "red": red,
        "yellow": yellow,
        "green": green,
        "target": target,
        "park": park,
        "chain": chain,
    }
