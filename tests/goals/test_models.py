"""Goal models: constraints refuse bad rows in the database and in full_clean, natural keys."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from apps.goals.models import (
    Award,
    CheckIn,
    Evaluation,
    Event,
    Goal,
    Indicator,
    Measure,
    Plan,
    Ranking,
    Target,
    TargetStatus,
)
from tests.constraints import assert_database_refuses, constraint_names, full_clean_errors

pytestmark = pytest.mark.django_db

PLAN = "2023年六个创新突破"
GOAL = "在实施更高水平开放、构建内外联动格局上创新突破"


def saved_goal():
    plan = Plan.objects.create(name=PLAN, short_name="六个创新突破", year=2023)
    return Goal.objects.create(plan=plan, order=1, title=GOAL)


def duplicate_plan():
    Plan.objects.create(name=PLAN)
    return Plan(name=PLAN, year=2023)


def duplicate_goal_order():
    goal = saved_goal()
    return Goal(plan=goal.plan, order=1, title="在建设现代产业体系上创新突破")


def duplicate_goal_title():
    goal = saved_goal()
    return Goal(plan=goal.plan, order=2, title=GOAL)


def duplicate_target():
    goal = saved_goal()
    Target.objects.create(goal=goal, title="实际使用外资")
    return Target(goal=goal, title="实际使用外资", metric_unit="亿美元")


def target_deadline_before_start():
    return Target(
        goal=saved_goal(),
        title="芯屏产业链三年成形",
        start_date=date(2023, 1, 28),
        deadline=date(2023, 1, 27),
    )


def duplicate_indicator():
    Indicator.objects.create(name="创新举措", value=Decimal("11"), unit="项")
    return Indicator(name="创新举措", value=Decimal("12"), unit="项")


def duplicate_evaluation():
    Evaluation.objects.create(
        name="国家级经开区综合发展水平考核评价", published_year=2023, data_year=2022
    )
    return Evaluation(name="国家级经开区综合发展水平考核评价", published_year=2022, data_year=2021)


def saved_evaluation():
    return Evaluation.objects.create(
        name="国家级经开区综合发展水平考核评价", published_year=2023, data_year=2022
    )


def duplicate_ranking():
    evaluation = saved_evaluation()
    Ranking.objects.create(evaluation=evaluation, subject="综合排名", rank=7)
    return Ranking(evaluation=evaluation, subject="综合排名", rank=8)


def ranking_zero():
    return Ranking(evaluation=saved_evaluation(), subject="综合排名", rank=0)


def duplicate_award():
    Award.objects.create(name="山东省外贸新业态特色园区")
    return Award(name="山东省外贸新业态特色园区", year=2022)


KEY = uuid.UUID("3f0c5a52-8a8e-4d7e-9d0a-1c2b3d4e5f60")


def duplicate_checkin_key():
    target = Target.objects.create(goal=saved_goal(), title="新签约外资项目")
    CheckIn.objects.create(
        target=target, date=date(2023, 3, 1), status=TargetStatus.ON_TRACK, submission_key=KEY
    )
    return CheckIn(
        target=target, date=date(2023, 3, 2), status=TargetStatus.AT_RISK, submission_key=KEY
    )


def duplicate_event():
    Event.objects.create(name="融通产业链主题沙龙活动", role=Event.Role.HELD)
    return Event(name="融通产业链主题沙龙活动", role=Event.Role.HELD, year=2022)


def duplicate_measure():
    Measure.objects.create(name="产业发展顾问系列制度", kind=Measure.Kind.SYSTEM)
    return Measure(name="产业发展顾问系列制度", kind=Measure.Kind.SYSTEM, year=2022)


CASES = {
    "goals_plan_name_unique": (duplicate_plan, {"name": ["具有 名称 的 工作计划 已存在。"]}),
    "goals_goal_plan_order_unique": (
        duplicate_goal_order,
        {"__all__": ["包含 计划 和 序号 的 目标 已经存在。"]},
    ),
    "goals_goal_plan_title_unique": (
        duplicate_goal_title,
        {"__all__": ["包含 计划 和 目标 的 目标 已经存在。"]},
    ),
    "goals_target_goal_title_unique": (
        duplicate_target,
        {"__all__": ["包含 目标 和 指标/任务 的 指标任务 已经存在。"]},
    ),
    "goals_target_deadline_after_start": (
        target_deadline_before_start,
        {"__all__": ["完成期限不能早于起算日期。"]},
    ),
    "goals_indicator_name_unique": (
        duplicate_indicator,
        {"name": ["具有 名称 的 统计数据 已存在。"]},
    ),
    "goals_evaluation_name_unique": (
        duplicate_evaluation,
        {"name": ["具有 名称 的 考核评价 已存在。"]},
    ),
    "goals_ranking_subject_unique": (
        duplicate_ranking,
        {"__all__": ["包含 考核评价 和 排名项目 的 排名 已经存在。"]},
    ),
    "goals_ranking_rank_positive": (ranking_zero, {"__all__": ["名次必须大于等于 1。"]}),
    "goals_award_name_unique": (duplicate_award, {"name": ["具有 名称 的 荣誉 已存在。"]}),
    "goals_checkin_submission_key_unique": (
        duplicate_checkin_key,
        {"submission_key": ["具有 提交标识 的 指标填报 已存在。"]},
    ),
    "goals_event_name_unique": (duplicate_event, {"name": ["具有 名称 的 活动与会议 已存在。"]}),
    "goals_measure_name_unique": (
        duplicate_measure,
        {"name": ["具有 名称 的 举措与制度 已存在。"]},
    ),
}


def test_constraint_cases_cover_every_goals_constraint():
    assert set(CASES) == constraint_names("goals")


@pytest.mark.parametrize("name", sorted(CASES))
def test_constraint_refuses_bad_row_at_database(name):
    make_bad, _ = CASES[name]

    assert_database_refuses(make_bad(), name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_constraint_refuses_bad_row_in_full_clean_with_chinese_message(name):
    make_bad, messages = CASES[name]

    assert full_clean_errors(make_bad()) == messages


def test_constraint_boundaries_are_accepted():
    goal = saved_goal()
    rows = [
        Target(
            goal=goal, title="当年见效", start_date=date(2023, 1, 28), deadline=date(2023, 1, 28)
        ),
        Ranking(evaluation=saved_evaluation(), subject="综合排名", rank=1),
        # The same order and title under another plan.
        Goal(plan=Plan.objects.create(name="2022年提质攻坚行动"), order=1, title=GOAL),
    ]

    for row in rows:
        row.full_clean()
        row.save()

    assert Goal.objects.filter(title=GOAL).count() == 2


def make_plan():
    return Plan.objects.create(name="414计划")


def make_target():
    return Target.objects.create(goal=saved_goal(), title="实际使用外资")


def make_indicator():
    return Indicator.objects.create(name="链主企业占比", value=Decimal("36"), unit="%")


def make_ranking():
    return Ranking.objects.create(evaluation=saved_evaluation(), subject="综合排名", rank=7)


def make_award():
    return Award.objects.create(name="山东省外贸新业态特色园区", year=2022)


@pytest.mark.parametrize(
    "make",
    [
        make_plan,
        saved_goal,
        make_target,
        make_indicator,
        saved_evaluation,
        make_ranking,
        make_award,
    ],
    ids=["Plan", "Goal", "Target", "Indicator", "Evaluation", "Ranking", "Award"],
)
def test_natural_key_round_trips(make):
    obj = make()
    model = type(obj)

    assert model.objects.get_by_natural_key(*obj.natural_key()) == obj


def test_natural_key_tells_same_titled_targets_of_two_plans_apart():
    first = make_target()
    other_plan = Plan.objects.create(name="2022年提质攻坚行动")
    other_goal = Goal.objects.create(plan=other_plan, order=1, title=GOAL)
    second = Target.objects.create(goal=other_goal, title="实际使用外资")

    assert Target.objects.get_by_natural_key(*second.natural_key()) == second
    assert Target.objects.get_by_natural_key(*first.natural_key()) == first


def test_evaluation_without_publication_year_is_valid():
    # The document names the 2022 edition, not the year it was published.
    evaluation = Evaluation(name="2022年国家级经济技术开发区综合发展水平考核评价", data_year=2021)

    evaluation.full_clean()
    evaluation.save()

    assert Evaluation.objects.get().published_year is None
