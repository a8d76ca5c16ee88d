"""The cycle's services with time frozen: open, submit, return, resubmit, close, and refusals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.cycle import services
from apps.cycle.models import (
    CycleSetting,
    Punctuality,
    ReportingRound,
    RoundLight,
    RoundState,
    Submission,
    SubmissionState,
    SubmissionVersion,
)
from tests.cycle.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def submit(user, submission, **fields):
    values = {
        "progress": "主体结构施工",
        "investment_completed": Decimal("120.50"),
        "problems": "",
        "help_requested": "",
        **fields,
    }
    submission.refresh_from_db()
    return services.submission_submit(
        user=user,
        submission=submission,
        version=fields.pop("version", submission.version),
        **{k: v for k, v in values.items() if k != "version"},
    )


def test_round_from_opening_to_close(clock, office, staff_a, staff_b, items):
    clock(MONDAY)
    opened = services.round_open(user=office)
    round_ = opened.round
    assert (opened.created, round_.period, round_.kind, round_.state) == (
        True,
        "2026-W48",
        "weekly",
        RoundState.OPEN,
    )
    assert round_.deadline == at(date(2026, 11, 26), 17)
    # Every open item, not the finished project.
    assert sorted(str(s.item) for s in round_.submissions.all()) == [
        "工业产值",
        "正常项目",
        "落后项目",
    ]
    assert set(round_.submissions.values_list("state", flat=True)) == {SubmissionState.PENDING}

    clock(at(date(2026, 11, 25), 10))
    behind = round_.submissions.get(project=items["behind"])
    submit(staff_a, behind, problems="用地手续未完成", help_requested="请协调自然资源局")
    clock(at(date(2026, 11, 27), 10))  # after the Thursday 17:00 deadline
    submit(staff_b, round_.submissions.get(target=items["target"]))

    clock(at(date(2026, 11, 27), 18))
    assert services.round_close(user=office, round_=round_) is True
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
    lights = {str(row.project or row.target): row.light for row in RoundLight.objects.all()}
    assert lights == {"落后项目": "red", "正常项目": "yellow", "工业产值": "grey"}
    behind.refresh_from_db()
    assert behind.punctuality() == Punctuality.ON_TIME
    assert round_.submissions.get(target=items["target"]).punctuality() == Punctuality.LATE
    steady = round_.submissions.get(project=items["steady"])
    assert steady.first_submitted_at is None
    assert steady.punctuality() == Punctuality.MISSING
    counts = Submission.objects.filter(round=round_).round_counts(timezone.now())
    assert counts[round_.pk] == {
        "expected": 3,
        "submitted": 2,
        "on_time": 1,
        "late": 1,
        "missing": 1,
        "accepted": 0,
        "returned": 0,
    }


def test_round_open_twice_does_its_work_once(clock, office, items):
    clock(MONDAY)
    first = services.round_open(user=office)
    second = services.round_open(user=office)
    assert (first.created, second.created, second.round) == (True, False, first.round)
    assert (ReportingRound.objects.count(), Submission.objects.count()) == (1, 3)


def test_round_close_twice_snapshots_once(clock, office, items):
    clock(MONDAY)
    round_ = services.round_open(user=office).round
    assert services.round_close(user=office, round_=round_) is True
    assert services.round_close(user=office, round_=round_) is False
    assert RoundLight.objects.count() == 3


def test_round_open_follows_the_monthly_setting(clock, office, items):
    CycleSetting.objects.create(cadence="monthly", deadline_day=25)
    clock(at(date(2026, 11, 3)))
    round_ = services.round_open(user=office).round
    assert (round_.period, round_.kind, round_.deadline) == (
        "2026-11",
        "monthly",
        at(date(2026, 11, 25), 17),
    )


def test_round_open_after_the_deadline_is_refused(clock, office, items):
    clock(at(date(2026, 11, 27), 9))  # Friday: this week's Thursday deadline has passed
    with pytest.raises(ValidationError):
        services.round_open(user=office)
    assert ReportingRound.objects.count() == 0


def test_returned_submission_is_resubmitted_with_both_versions_kept(clock, office, staff_a, items):
    clock(MONDAY)
    round_ = services.round_open(user=office).round
    submission = round_.submissions.get(project=items["behind"])
    submit(staff_a, submission, progress="第一稿")
    submission.refresh_from_db()
    services.submission_return(
        user=office, submission=submission, version=submission.version, reason="投资数据有误"
    )
    submission.refresh_from_db()
    assert (submission.state, submission.return_reason) == (
        SubmissionState.RETURNED,
        "投资数据有误",
    )
    clock(MONDAY + timedelta(hours=3))
    submit(staff_a, submission, progress="第二稿")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED
    versions = list(SubmissionVersion.objects.filter(submission=submission).order_by("number"))
    assert [(v.number, v.progress, v.submitted_by) for v in versions] == [
        (1, "第一稿", staff_a),
        (2, "第二稿", staff_a),
    ]
    assert submission.first_submitted_at == MONDAY


def test_stale_form_is_refused(clock, office, staff_a, items):
    clock(MONDAY)
    round_ = services.round_open(user=office).round
    submission = round_.submissions.get(project=items["behind"])
    shown_at = submission.version
    submit(staff_a, submission)
    services.submission_return(
        user=office, submission=submission, version=shown_at + 1, reason="补充"
    )
    with pytest.raises(ValidationError) as error:
        services.submission_submit(
            user=staff_a,
            submission=submission,
            version=shown_at,
            progress="旧页面",
            investment_completed=None,
            problems="",
            help_requested="",
        )
    assert "刷新页面" in error.value.messages[0]
    assert SubmissionVersion.objects.filter(submission=submission).count() == 1


def test_staff_of_another_unit_cannot_submit(clock, office, staff_b, items):
    clock(MONDAY)
    round_ = services.round_open(user=office).round
    with pytest.raises(PermissionDenied):
        submit(staff_b, round_.submissions.get(project=items["behind"]))
    assert SubmissionVersion.objects.count() == 0


def test_only_the_office_opens_returns_and_closes(clock, office, staff_a, make_user, items):
    from apps.org.models import Person

    leader = make_user("leader", unit=items["behind"].responsible_unit, role=Person.Role.LEADER)
    clock(MONDAY)
    for user in (staff_a, leader):
        with pytest.raises(PermissionDenied):
            services.round_open(user=user)
    round_ = services.round_open(user=office).round
    submission = round_.submissions.get(project=items["behind"])
    submit(staff_a, submission)
    submission.refresh_from_db()
    for user in (staff_a, leader):
        with pytest.raises(PermissionDenied):
            services.submission_return(
                user=user, submission=submission, version=submission.version, reason="x"
            )
        with pytest.raises(PermissionDenied):
            services.round_close(user=user, round_=round_)
    round_.refresh_from_db()
    submission.refresh_from_db()
    assert (round_.state, submission.state) == (RoundState.OPEN, SubmissionState.SUBMITTED)


def test_submit_after_close_is_refused(clock, office, staff_a, items):
    clock(MONDAY)
    round_ = services.round_open(user=office).round
    services.round_close(user=office, round_=round_)
    with pytest.raises(ValidationError):
        submit(staff_a, round_.submissions.get(project=items["behind"]))


def test_submission_needs_exactly_one_item(clock, office, items):
    from django.db import IntegrityError, transaction

    clock(MONDAY)
    round_ = services.round_open(user=office).round
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(round=round_)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(round=round_, project=items["done"], target=items["target"])


def test_punctuality_filter_and_property_agree_before_and_after_the_deadline(
    clock, office, staff_a, items
):
    clock(MONDAY)
    round_ = services.round_open(user=office).round
    submit(staff_a, round_.submissions.get(project=items["behind"]))

    def by_rule(now):
        return {
            value: sorted(round_.submissions.punctuality(value, now).values_list("pk", flat=True))
            for value in Punctuality.values
        }

    def by_property(now):
        found = {value: [] for value in Punctuality.values}
        for submission in round_.submissions.order_by("pk"):
            found[submission.punctuality(now)].append(submission.pk)
        return found

    before, after = round_.deadline - timedelta(hours=1), round_.deadline + timedelta(hours=1)
    sent = round_.submissions.get(project=items["behind"]).pk
    assert by_rule(before) == by_property(before)
    assert by_rule(after) == by_property(after)
    assert by_rule(before)[Punctuality.ON_TIME] == [sent]
    assert len(by_rule(before)[Punctuality.WAITING]) == 2
    assert len(by_rule(after)[Punctuality.MISSING]) == 2
