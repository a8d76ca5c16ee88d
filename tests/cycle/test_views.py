"""The cycle's pages: who may do what, the form's messages, constant queries at two sizes."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.cycle import services
from apps.cycle.models import ReportingRound, Submission, SubmissionState, SubmissionVersion
from apps.projects.models import Stage
from tests.cycle.conftest import MONDAY
from tests.factories import ProjectFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(clock, office, items):
    clock(MONDAY)
    return services.round_open(user=office).round


def form_data(submission, **extra):
    return {
        "version": submission.version,
        "progress": "完成桩基",
        "investment_completed": "35.5",
        "problems": "电力接入滞后",
        "help_requested": "请协调供电公司",
        **extra,
    }


def test_office_opens_a_round_from_the_list_once(client, clock, office, items):
    clock(MONDAY)
    client.force_login(office)
    response = client.post(reverse("cycle:round_open"))
    again = client.post(reverse("cycle:round_open"), follow=True)
    assert response.status_code == 302
    assert ReportingRound.objects.count() == 1
    assert Submission.objects.count() == 3
    assert "没有重复开启" in again.content.decode()


def test_staff_submits_their_units_item(client, round_, staff_a, items):
    submission = round_.submissions.get(project=items["behind"])
    client.force_login(staff_a)
    page = client.get(submission.get_absolute_url())
    assert page.status_code == 200
    assert page.context["form"] is not None
    response = client.post(submission.get_absolute_url(), form_data(submission))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.state, str(submission.investment_completed)) == ("submitted", "35.50")


def test_staff_of_another_unit_is_refused(client, round_, staff_b, items):
    submission = round_.submissions.get(project=items["behind"])
    client.force_login(staff_b)
    assert client.get(submission.get_absolute_url()).context["form"] is None
    response = client.post(submission.get_absolute_url(), form_data(submission))
    assert response.status_code == 403
    assert SubmissionVersion.objects.count() == 0


def test_staff_cannot_open_close_or_return(client, round_, staff_a, items):
    submission = round_.submissions.get(project=items["behind"])
    client.force_login(staff_a)
    client.post(submission.get_absolute_url(), form_data(submission))
    submission.refresh_from_db()
    responses = [
        client.post(reverse("cycle:round_open")),
        client.post(reverse("cycle:round_close", args=[round_.pk])),
        client.post(
            reverse("cycle:submission_return", args=[submission.pk]),
            {"version": submission.version, "reason": "x"},
        ),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    round_.refresh_from_db()
    submission.refresh_from_db()
    assert (round_.state, submission.state) == ("open", "submitted")


def test_returned_form_shows_the_reason_and_resubmits(client, round_, office, staff_a, items):
    submission = round_.submissions.get(project=items["behind"])
    client.force_login(staff_a)
    client.post(submission.get_absolute_url(), form_data(submission))
    submission.refresh_from_db()
    client.force_login(office)
    review = client.get(submission.get_absolute_url())
    assert review.context["return_form"] is not None
    response = client.post(
        reverse("cycle:submission_return", args=[submission.pk]),
        {"version": submission.version, "reason": "投资数与台账不符"},
    )
    assert response.status_code == 302
    client.force_login(staff_a)
    page = client.get(submission.get_absolute_url())
    assert "投资数与台账不符" in page.content.decode()
    submission.refresh_from_db()
    client.post(submission.get_absolute_url(), form_data(submission, investment_completed="30"))
    assert SubmissionVersion.objects.filter(submission=submission).count() == 2


def test_stale_form_is_refused_with_a_message(client, round_, office, staff_a, items):
    submission = round_.submissions.get(project=items["behind"])
    shown = form_data(submission)
    client.force_login(staff_a)
    client.post(submission.get_absolute_url(), shown)
    submission.refresh_from_db()
    client.force_login(office)
    client.post(
        reverse("cycle:submission_return", args=[submission.pk]),
        {"version": submission.version, "reason": "补充材料"},
    )
    client.force_login(staff_a)
    response = client.post(submission.get_absolute_url(), shown)  # the page opened before
    assert response.status_code == 200
    assert "刷新页面" in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.RETURNED


def test_my_submissions_lists_what_the_unit_owes(client, round_, staff_a, staff_b):
    client.force_login(staff_a)
    response = client.get(reverse("cycle:my_submissions"))
    assert sorted(str(row.record.item) for row in response.context["table"].rows) == [
        "正常项目",
        "落后项目",
    ]
    client.force_login(staff_b)
    response = client.get(reverse("cycle:my_submissions"))
    assert [str(row.record.item) for row in response.context["table"].rows] == ["工业产值"]


def _grow(unit_a, unit_b, n):
    for i in range(n):
        ProjectFactory(stage=Stage.UNDER_CONSTRUCTION, responsible_unit=unit_a, name=f"扩{n}-{i}")
        TargetFactory(responsible_unit=unit_b)


@pytest.mark.parametrize("url_name", ["round_list", "round_detail", "my_submissions", "board"])
def test_pages_query_count_is_constant(
    client, clock, office, staff_a, unit_a, unit_b, url_name, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 4):
        ReportingRound.objects.all().delete()
        _grow(unit_a, unit_b, size)
        clock(MONDAY)
        round_ = services.round_open(user=office).round
        for submission in Submission.objects.filter(responsible_unit=unit_a):
            services.submission_submit(
                user=staff_a,
                submission=submission,
                version=submission.version,
                progress="进展",
                investment_completed=None,
                problems="问题",
                help_requested="",
            )
        args = [round_.pk] if url_name == "round_detail" else []
        client.force_login(staff_a)
        client.get(reverse(f"cycle:{url_name}", args=args))  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(f"cycle:{url_name}", args=args))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
        clock(MONDAY + timedelta(weeks=1))
    assert counts[0] == counts[1], counts
