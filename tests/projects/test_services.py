"""Logging progress and completing milestones: the rules and who may apply them."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from apps.projects import services
from apps.projects.models import ProgressLog
from tests.factories import MilestoneFactory, ProgressLogFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False):
        yield


def log(user, project, **fields):
    fields.setdefault("text", "主体结构施工")
    fields.setdefault("percent_complete", 40)
    return services.progress_log_create(user=user, project=project, **fields)


def test_progress_log_create_records_today_author_and_history(staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    entry = log(staff_a, project, investment_completed=Decimal("12.5"), investment_unit="yi")
    assert (entry.date, entry.author, entry.percent_complete, entry.investment_completed) == (
        TODAY,
        staff_a,
        40,
        Decimal("12.5"),
    )
    assert entry.history.count() == 1


def test_progress_log_create_other_unit_is_denied(staff_b, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    with pytest.raises(PermissionDenied):
        log(staff_b, project)
    assert ProgressLog.objects.count() == 0


def test_progress_log_create_project_without_unit_is_denied(staff_a):
    with pytest.raises(PermissionDenied):
        log(staff_a, ProjectFactory())


def test_progress_log_create_superuser_may_log_any_project(superuser, unit_a):
    assert log(superuser, ProjectFactory(responsible_unit=unit_a)).author == superuser


@pytest.mark.parametrize("percent", [-1, 101])
def test_progress_log_create_percent_out_of_range_is_refused(staff_a, unit_a, percent):
    with pytest.raises(ValidationError) as error:
        log(staff_a, ProjectFactory(responsible_unit=unit_a), percent_complete=percent)
    assert error.value.message_dict == {"percent_complete": ["完成百分比必须在 0 到 100 之间。"]}


@pytest.mark.parametrize("percent", [0, 100])
def test_progress_log_create_percent_at_bounds_is_accepted(staff_a, unit_a, percent):
    assert log(staff_a, ProjectFactory(responsible_unit=unit_a), percent_complete=percent).pk


def test_progress_log_create_negative_investment_is_refused(staff_a, unit_a):
    with pytest.raises(ValidationError) as error:
        log(staff_a, ProjectFactory(responsible_unit=unit_a), investment_completed=Decimal("-0.1"))
    assert error.value.message_dict == {"investment_completed": ["累计完成投资不能为负数。"]}


def test_progress_log_create_blank_text_is_refused(staff_a, unit_a):
    with pytest.raises(ValidationError) as error:
        log(staff_a, ProjectFactory(responsible_unit=unit_a), text="   ")
    assert error.value.message_dict == {"text": ["请填写进展情况。"]}


def test_progress_log_create_lower_percent_needs_confirmation(staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    ProgressLogFactory(project=project, date=date(2024, 6, 1), percent_complete=60)
    with pytest.raises(ValidationError) as error:
        log(staff_a, project, percent_complete=55)
    assert error.value.error_dict["percent_complete"][0].code == "decrease"
    assert "60%" in error.value.message_dict["percent_complete"][0]
    assert ProgressLog.objects.count() == 1


def test_progress_log_create_lower_percent_confirmed_is_saved(staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    ProgressLogFactory(project=project, date=date(2024, 6, 1), percent_complete=60)
    assert log(staff_a, project, percent_complete=55, confirm_decrease=True).percent_complete == 55


def test_progress_log_create_same_percent_needs_no_confirmation(staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    ProgressLogFactory(project=project, date=date(2024, 6, 1), percent_complete=60)
    assert log(staff_a, project, percent_complete=60).percent_complete == 60


def test_progress_log_create_lower_investment_compares_across_units(staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    ProgressLogFactory(
        project=project,
        date=date(2024, 6, 1),
        investment_completed=Decimal("1.2"),
        investment_unit="yi",
    )
    # 11000 万 is 1.1 亿: lower than before, although the number is larger.
    with pytest.raises(ValidationError) as error:
        log(staff_a, project, investment_completed=Decimal("11000"), investment_unit="wan")
    assert error.value.error_dict["investment_completed"][0].code == "decrease"
    # 12000 万 is exactly 1.2 亿: not lower.
    entry = log(staff_a, project, investment_completed=Decimal("12000"), investment_unit="wan")
    assert entry.investment_unit == "wan"


def test_milestone_complete_sets_done_date(staff_a, unit_a):
    milestone = MilestoneFactory(
        project=ProjectFactory(responsible_unit=unit_a), start_date=date(2024, 6, 1)
    )
    services.milestone_complete(user=staff_a, milestone=milestone, done_date=date(2024, 6, 1))
    milestone.refresh_from_db()
    assert milestone.done_date == date(2024, 6, 1)
    # Without a request (no middleware) the service still names who completed it.
    assert milestone.history.first().history_user == staff_a


def test_milestone_complete_before_start_is_refused(staff_a, unit_a):
    milestone = MilestoneFactory(
        project=ProjectFactory(responsible_unit=unit_a), start_date=date(2024, 6, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.milestone_complete(user=staff_a, milestone=milestone, done_date=date(2024, 5, 31))
    assert error.value.message_dict == {
        "done_date": ["实际完成日期不能早于开始日期（2024-06-01）。"]
    }


def test_milestone_complete_in_future_is_refused(staff_a, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    with pytest.raises(ValidationError) as error:
        services.milestone_complete(user=staff_a, milestone=milestone, done_date=date(2024, 6, 16))
    assert error.value.message_dict == {"done_date": ["实际完成日期不能晚于今天。"]}


def test_milestone_complete_twice_is_refused(staff_a, unit_a):
    milestone = MilestoneFactory(
        project=ProjectFactory(responsible_unit=unit_a), done_date=date(2024, 6, 2)
    )
    with pytest.raises(ValidationError) as error:
        services.milestone_complete(user=staff_a, milestone=milestone, done_date=TODAY)
    assert error.value.messages == ["该节点已于 2024-06-02 完成。"]


def test_milestone_complete_other_unit_is_denied(staff_b, unit_a):
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    with pytest.raises(PermissionDenied):
        services.milestone_complete(user=staff_b, milestone=milestone, done_date=TODAY)
    milestone.refresh_from_db()
    assert milestone.done_date is None
