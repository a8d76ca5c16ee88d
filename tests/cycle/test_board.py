"""The 调度 board: reds first, this round against the last, streaks, a red turned yellow, 红黑榜."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from apps.cycle import services
from apps.cycle.board import board_data
from apps.cycle.models import ReportingRound, RoundLight, RoundState, Submission
from apps.goals.models import TargetStatus
from tests.cycle.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def closed_round(period, weeks_before, lights):
    opens = MONDAY - timedelta(weeks=weeks_before)
    round_ = ReportingRound.objects.create(
        period=period,
        kind="weekly",
        opens_at=opens,
        deadline=opens + timedelta(days=3, hours=8),
        state=RoundState.CLOSED,
        closed_at=opens + timedelta(days=4),
    )
    for item, light in lights:
        field = "project" if hasattr(item, "stage") else "target"
        RoundLight.objects.create(round=round_, light=light, **{field: item})
        Submission.objects.create(
            round=round_,
            responsible_unit=item.responsible_unit,
            state="submitted",
            first_submitted_at=opens + timedelta(days=1),
            **{field: item},
        )
    return round_


@pytest.fixture
def history(clock, office, staff_a, items):
    """Two closed rounds in which 落后项目 and 工业产值 were red; this week 工业产值 is at risk."""
    clock(MONDAY)
    target = items["target"]
    target.status = TargetStatus.AT_RISK
    target.deadline = date(2027, 6, 30)
    target.save()
    closed_round("2026-W46", 2, [(items["behind"], "red"), (target, "green")])
    closed_round("2026-W47", 1, [(items["behind"], "red"), (target, "red")])
    round_ = services.round_open(user=office).round
    submission = round_.submissions.get(project=items["behind"])
    services.submission_submit(
        user=staff_a,
        submission=submission,
        version=submission.version,
        progress="征地推进中",
        investment_completed=None,
        problems="拆迁未完成",
        help_requested="请区政府协调拆迁",
    )
    return round_


def test_board_shows_reds_first_with_a_streak_and_a_red_turned_yellow(history, items):
    data = board_data(by="unit")
    rows = [
        (str(row.item), row.light, row.previous, row.streak)
        for g in data["groups"]
        for row in g.items
    ]
    assert rows[0] == ("落后项目", "red", "red", 3)
    by_item = {str(row.item): row for g in data["groups"] for row in g.items}
    assert by_item["落后项目"].is_streak is True
    assert (by_item["工业产值"].light, by_item["工业产值"].previous) == ("yellow", "red")
    assert data["previous"].period == "2026-W47"


def test_board_page_renders_streak_turn_problems_and_ranking(client, history, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("cycle:board"), {"by": "unit"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "连续 3 轮红灯" in html
    assert "本轮由红转黄" in html
    assert "拆迁未完成" in html and "请区政府协调拆迁" in html
    assert 'data-testid="board-ranking"' in html


def test_board_red_turned_yellow_is_remembered_in_later_rounds(clock, history, office, items):
    clock(at(date(2026, 11, 27), 18))
    services.round_close(user=office, round_=history)
    data = board_data(by="park")
    by_item = {str(row.item): row for g in data["groups"] for row in g.items}
    assert by_item["工业产值"].turned_yellow_in is None  # the closed round is the current one
    assert by_item["工业产值"].previous == "red"


def test_ranking_counts_on_time_and_reds_cleared(clock, history, office, staff_b, items):
    # Unit B reports its target (red last round, yellow now) late, after Thursday 17:00.
    clock(at(date(2026, 11, 27), 9))
    submission = history.submissions.get(target=items["target"])
    services.submission_submit(
        user=staff_b,
        submission=submission,
        version=submission.version,
        progress="已补报",
        investment_completed=None,
        problems="",
        help_requested="",
    )
    data = board_data(by="unit")
    ranks = {rank.name: rank for rank in data["ranking"]}
    unit_a, unit_b = items["behind"].responsible_unit.name, items["target"].responsible_unit.name
    assert (ranks[unit_a].on_time, ranks[unit_a].missing, ranks[unit_a].due) == (1, 1, 2)
    assert (ranks[unit_b].on_time, ranks[unit_b].late, ranks[unit_b].reds_cleared) == (0, 1, 1)
    assert [rank.name for rank in data["ranking"]] == [unit_a, unit_b]


@pytest.mark.parametrize("by", ["park", "chain", "unit", "nonsense"])
def test_board_groupings_switch_by_get_parameter(client, history, staff_a, by):
    client.force_login(staff_a)
    response = client.get(reverse("cycle:board"), {"by": by})
    assert response.status_code == 200
    assert response.context["by"] == (by if by != "nonsense" else "park")


def test_board_without_rounds_says_so(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("cycle:board"))
    assert 'data-testid="board-empty"' in response.content.decode()


def test_ranking_counts_a_units_overdue_orders_and_links_to_them(client, history, staff_a, items):
    from tests.factories.supervision import SupervisionOrderFactory

    unit_a, unit_b = items["behind"].responsible_unit, items["target"].responsible_unit
    # Past its response deadline and unanswered: overdue. Due next week: not yet.
    SupervisionOrderFactory(
        project=items["behind"], unit=unit_a, response_deadline=MONDAY.date() - timedelta(days=1)
    )
    SupervisionOrderFactory(
        project=items["behind"], unit=unit_b, response_deadline=MONDAY.date() + timedelta(days=7)
    )

    ranks = {rank.unit_id: rank for rank in board_data(by="unit")["ranking"]}

    assert (ranks[unit_a.pk].orders_overdue, ranks[unit_b.pk].orders_overdue) == (1, 0)
    client.force_login(staff_a)
    html = client.get(reverse("cycle:board")).content.decode()
    assert f'?unit={unit_a.pk}&amp;state=overdue">1</a>' in html
