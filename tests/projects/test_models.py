"""Project models: constraints refuse bad rows in the database and in full_clean, natural keys,
and money as the document writes it."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from apps.core.models import Currency, MoneyUnit
from apps.projects.models import (
    Milestone,
    Portfolio,
    ProgressLog,
    Project,
    ProjectKind,
    ProjectPhase,
    Shop,
    Stage,
)
from tests.constraints import assert_database_refuses, constraint_names, full_clean_errors

pytestmark = pytest.mark.django_db


def project(name="中电芯屏项目", **fields):
    fields.setdefault("kind", ProjectKind.INDUSTRIAL)
    fields.setdefault("stage", Stage.UNDER_CONSTRUCTION)
    return Project(name=name, **fields)


def saved_project(name="中电芯屏项目"):
    obj = project(name)
    obj.save()
    return obj


def duplicate_portfolio():
    Portfolio.objects.create(name="2023年省重点项目")
    return Portfolio(name="2023年省重点项目", year=2023)


def negative_portfolio_investment():
    return Portfolio(name="2023年省重点项目", total_investment=Decimal("-873.7"))


def duplicate_project():
    saved_project()
    return project()


def negative_project_investment():
    return project(total_investment=Decimal("-81.7"))


def negative_floor_area():
    return project(floor_area=Decimal("-18.5"), floor_area_unit="wan_m2")


def completed_before_started():
    return project(actual_start=date(2023, 5, 1), actual_completion=date(2023, 4, 30))


def planned_completion_before_start():
    return project(planned_start=date(2023, 5, 1), planned_completion=date(2023, 4, 30))


def duplicate_phase():
    parent = saved_project()
    ProjectPhase.objects.create(project=parent, name="一期", stage=Stage.COMPLETED)
    return ProjectPhase(project=parent, name="一期", order=2, stage=Stage.STARTED)


def phase_completed_before_started():
    return ProjectPhase(
        project=saved_project(),
        name="二期",
        stage=Stage.COMPLETED,
        started_on=date(2023, 3, 1),
        completed_on=date(2023, 2, 28),
    )


def duplicate_milestone():
    parent = saved_project()
    Milestone.objects.create(project=parent, title="主体封顶")
    return Milestone(project=parent, title="主体封顶", due_date=date(2023, 6, 30))


def milestone_done_before_start():
    return Milestone(
        project=saved_project(),
        title="主体封顶",
        start_date=date(2023, 6, 1),
        done_date=date(2023, 5, 31),
    )


def milestone_due_before_start():
    return Milestone(
        project=saved_project(),
        title="主体封顶",
        start_date=date(2023, 6, 1),
        due_date=date(2023, 5, 31),
    )


def duplicate_shop():
    parent = saved_project()
    Shop.objects.create(project=parent, name="精品超市")
    return Shop(project=parent, name="精品超市", order=2)


def progress_over_100_percent():
    return ProgressLog(
        project=saved_project(), date=date(2023, 3, 1), text="设备安装", percent_complete=150
    )


KEY = uuid.UUID("3f0c5a52-8a8e-4d7e-9d0a-1c2b3d4e5f60")


def duplicate_submission_key():
    project = saved_project()
    ProgressLog.objects.create(
        project=project, date=date(2023, 3, 1), text="设备安装", submission_key=KEY
    )
    return ProgressLog(project=project, date=date(2023, 3, 2), text="主体封顶", submission_key=KEY)


def negative_investment_completed():
    return ProgressLog(
        project=saved_project(),
        date=date(2023, 3, 1),
        text="设备安装",
        investment_completed=Decimal("-1"),
    )


CASES = {
    "projects_portfolio_name_unique": (
        duplicate_portfolio,
        {"name": ["具有 名称 的 项目汇总 已存在。"]},
    ),
    "projects_portfolio_investment_not_negative": (
        negative_portfolio_investment,
        {"__all__": ["总投资不能为负数。"]},
    ),
    "projects_project_name_unique": (
        duplicate_project,
        {"name": ["具有 项目名称 的 重点项目 已存在。"]},
    ),
    "projects_project_investment_not_negative": (
        negative_project_investment,
        {"__all__": ["总投资不能为负数。"]},
    ),
    "projects_project_floor_area_not_negative": (
        negative_floor_area,
        {"__all__": ["建筑面积不能为负数。"]},
    ),
    "projects_project_completion_after_start": (
        completed_before_started,
        {"__all__": ["实际完成日期不能早于实际开工日期。"]},
    ),
    "projects_project_planned_completion_after_start": (
        planned_completion_before_start,
        {"__all__": ["计划完成日期不能早于计划开工日期。"]},
    ),
    "projects_phase_project_name_unique": (
        duplicate_phase,
        {"__all__": ["包含 项目 和 期次 的 项目期次 已经存在。"]},
    ),
    "projects_phase_completed_after_start": (
        phase_completed_before_started,
        {"__all__": ["完成日期不能早于开工日期。"]},
    ),
    "projects_milestone_project_title_unique": (
        duplicate_milestone,
        {"__all__": ["包含 项目 和 节点 的 项目节点 已经存在。"]},
    ),
    "projects_milestone_done_after_start": (
        milestone_done_before_start,
        {"__all__": ["实际完成日期不能早于开始日期。"]},
    ),
    "projects_milestone_due_after_start": (
        milestone_due_before_start,
        {"__all__": ["计划完成日期不能早于开始日期。"]},
    ),
    "projects_shop_project_name_unique": (
        duplicate_shop,
        {"__all__": ["包含 项目 和 业态 的 店面业态 已经存在。"]},
    ),
    "projects_progresslog_percent_0_100": (
        progress_over_100_percent,
        {"__all__": ["完成百分比必须在 0 到 100 之间。"]},
    ),
    "projects_progresslog_investment_not_negative": (
        negative_investment_completed,
        {"__all__": ["累计完成投资不能为负数。"]},
    ),
    "projects_progresslog_submission_key_unique": (
        duplicate_submission_key,
        {"submission_key": ["具有 提交标识 的 进展记录 已存在。"]},
    ),
}


def test_constraint_cases_cover_every_projects_constraint():
    assert set(CASES) == constraint_names("projects")


@pytest.mark.parametrize("name", sorted(CASES))
def test_constraint_refuses_bad_row_at_database(name):
    make_bad, _ = CASES[name]

    assert_database_refuses(make_bad(), name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_constraint_refuses_bad_row_in_full_clean_with_chinese_message(name):
    make_bad, messages = CASES[name]

    assert full_clean_errors(make_bad()) == messages


def test_constraint_boundaries_are_accepted():
    # Same-day start and finish, 100 percent and zero money are all legitimate.
    same_day = date(2023, 6, 30)
    rows = [
        project(
            total_investment=Decimal("0"),
            floor_area=Decimal("0"),
            actual_start=same_day,
            actual_completion=same_day,
            planned_start=same_day,
            planned_completion=same_day,
        )
    ]
    rows[0].save()
    rows += [
        ProjectPhase(
            project=rows[0],
            name="一期",
            stage=Stage.COMPLETED,
            started_on=same_day,
            completed_on=same_day,
        ),
        Milestone(
            project=rows[0],
            title="竣工",
            start_date=same_day,
            due_date=same_day,
            done_date=same_day,
        ),
        ProgressLog(
            project=rows[0],
            date=same_day,
            text="竣工投产",
            percent_complete=100,
            investment_completed=Decimal("0"),
        ),
    ]

    for row in rows:
        row.full_clean()
        row.save()

    assert ProgressLog.objects.get().percent_complete == 100


def make_portfolio():
    return Portfolio.objects.create(name="26个市级重点项目", year=2023, project_count=26)


def make_phase():
    return ProjectPhase.objects.create(project=saved_project(), name="一期", stage=Stage.STARTED)


def make_milestone():
    return Milestone.objects.create(project=saved_project(), title="主体封顶")


@pytest.mark.parametrize(
    "make",
    [
        make_portfolio,
        saved_project,
        make_phase,
        make_milestone,
    ],
    ids=["Portfolio", "Project", "ProjectPhase", "Milestone"],
)
def test_natural_key_round_trips(make):
    obj = make()
    model = type(obj)

    assert model.objects.get_by_natural_key(*obj.natural_key()) == obj


@pytest.mark.parametrize(
    ("amount", "unit", "currency", "label", "in_base_unit"),
    [
        # 总投资81.7亿元 (the document's 中电芯屏 project)
        (Decimal("81.7"), MoneyUnit.YI, Currency.CNY, "81.7 亿元", Decimal("8170000000")),
        # 一次性增资5000万美元: counted in dollars, not converted to yuan
        (Decimal("5000"), MoneyUnit.WAN, Currency.USD, "5000 万美元", Decimal("50000000")),
        (Decimal("300"), MoneyUnit.YUAN, Currency.CNY, "300 元", Decimal("300")),
    ],
)
def test_project_money_helpers_after_saving(amount, unit, currency, label, in_base_unit):
    obj = project(total_investment=amount, investment_unit=unit, currency=currency)
    obj.save()
    obj.refresh_from_db()  # stored with four decimal places: 81.7000

    assert (obj.investment_label, obj.investment_full_amount) == (label, in_base_unit)


def test_portfolio_money_helpers_after_saving():
    obj = Portfolio.objects.create(name="26个项目", total_investment=Decimal("873.7"))
    obj.refresh_from_db()

    assert (obj.investment_label, obj.investment_full_amount) == (
        "873.7 亿元",
        Decimal("87370000000"),
    )


def test_project_money_helpers_without_amount():
    obj = project()

    assert (obj.investment_label, obj.investment_full_amount) == ("", None)
