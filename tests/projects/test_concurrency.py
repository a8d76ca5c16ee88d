"""Two staff at once on a project: a milestone is completed once, a progress form sent twice makes
one log."""

import re
import uuid
from datetime import date, timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from apps.core.concurrency import AlreadyRecorded
from apps.projects import services
from apps.projects.models import Milestone, ProgressLog
from tests.factories import MilestoneFactory, ProjectFactory
from tests.threads import at_once

ALREADY_RECORDED = "这次提交已经记录过了，没有重复保存。"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers on one file lock, so two threads never race; "
    "the race this test is about needs PostgreSQL's concurrent transactions",
)
def test_milestone_complete_from_two_threads_at_once_one_wins(make_user, unit_a):
    first, second = make_user("chen", unit=unit_a), make_user("liu", unit=unit_a)
    project = ProjectFactory(responsible_unit=unit_a)
    today = timezone.localdate()
    days = {"chen": today, "liu": today - timedelta(days=1)}

    for trial in range(10):
        milestone = MilestoneFactory(project=project, title=f"并发节点{trial}")
        # Both read the milestone before either has completed it, as two open pages do.
        seen = [Milestone.objects.select_related("project").get(pk=milestone.pk) for _ in "ab"]

        outcomes = at_once(
            *[
                partial(
                    services.milestone_complete,
                    user=user,
                    milestone=instance,
                    done_date=days[user.username],
                )
                for user, instance in zip((first, second), seen, strict=True)
            ]
        )

        won = [isinstance(outcome, Milestone) for outcome in outcomes]
        assert sorted(won) == [False, True], outcomes
        winner = first if won[0] else second
        refusal = outcomes[won.index(False)]
        assert isinstance(refusal, ValidationError), refusal
        assert refusal.messages == [
            f"该节点已由 {winner.username} 于 {days[winner.username].isoformat()} 完成，"
            "本次提交未作更改。"
        ]
        milestone.refresh_from_db()
        assert (milestone.done_date, milestone.version) == (days[winner.username], 2)


@pytest.mark.django_db
def test_milestone_complete_second_completer_is_told_by_whom_and_when(make_user, unit_a):
    first, second = make_user("chen", unit=unit_a), make_user("liu", unit=unit_a)
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    stale = Milestone.objects.get(pk=milestone.pk)
    today = timezone.localdate()
    services.milestone_complete(user=first, milestone=milestone, done_date=today)

    with pytest.raises(ValidationError) as error:
        services.milestone_complete(
            user=second, milestone=stale, done_date=today - timedelta(days=1)
        )

    assert error.value.messages == [
        f"该节点已由 chen 于 {today.isoformat()} 完成，本次提交未作更改。"
    ]
    milestone.refresh_from_db()
    assert (milestone.done_date, milestone.version) == (today, 2)
    assert milestone.history.count() == 2  # created, completed once


@pytest.mark.django_db
def test_milestone_complete_refusal_comes_in_english_for_english_users(client, make_user, unit_a):
    first = make_user("chen", unit=unit_a)
    second = make_user("liu", unit=unit_a, language="en")
    milestone = MilestoneFactory(project=ProjectFactory(responsible_unit=unit_a))
    services.milestone_complete(user=first, milestone=milestone, done_date=date(2024, 6, 14))
    client.force_login(second)
    client.cookies["django_language"] = "en"

    # The request switches this thread to English; the override switches it back afterwards.
    with translation.override("zh-hans"):
        response = client.post(
            f"/projects/milestones/{milestone.pk}/complete/", {"done_date": "2024-06-13"}
        )

    assert response.status_code == 200
    assert (
        "This milestone was already completed by chen on 2024-06-14; nothing was changed."
        in response.content.decode()
    )


# --- a progress form sent twice --------------------------------------------------------------


@pytest.fixture
def frozen_today():
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False):
        yield


def progress_key(client, project) -> str:
    page = client.get(f"/projects/{project.pk}/progress/").content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


@pytest.mark.django_db
def test_progress_form_carries_a_new_key_each_time_it_is_shown(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)

    keys = {progress_key(client, project), progress_key(client, project)}

    assert len(keys) == 2


@pytest.mark.django_db
def test_progress_form_posted_twice_makes_one_log(client, staff_a, unit_a, frozen_today):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)
    url = f"/projects/{project.pk}/progress/"
    data = {
        "text": "主体结构封顶",
        "percent_complete": "60",
        "investment_unit": "yi",
        "submission_key": progress_key(client, project),
    }

    first = client.post(url, data, follow=True)
    second = client.post(url, data)

    assert first.redirect_chain == [(f"/projects/{project.pk}/", 302)]
    assert (second.status_code, second["Location"]) == (302, f"/projects/{project.pk}/")
    assert messages_of(second) == [ALREADY_RECORDED]
    log = ProgressLog.objects.get()
    assert (log.text, log.submission_key) == ("主体结构封顶", uuid.UUID(data["submission_key"]))


@pytest.mark.django_db
def test_progress_form_without_key_still_records(client, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    client.force_login(staff_a)
    data = {"text": "主体结构封顶", "percent_complete": "60", "investment_unit": "yi"}

    client.post(f"/projects/{project.pk}/progress/", data)
    client.post(f"/projects/{project.pk}/progress/", data | {"submission_key": "not-a-key"})

    assert list(ProgressLog.objects.values_list("submission_key", flat=True)) == [None, None]


@pytest.mark.django_db
def test_progress_log_create_same_key_returns_the_first_log(staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    key = uuid.uuid4()
    first = services.progress_log_create(
        user=staff_a, project=project, text="设备进场", percent_complete=30, submission_key=key
    )

    # Resubmitted after a later log raised the figures: still the first log, not a decrease error.
    services.progress_log_create(user=staff_a, project=project, text="安装", percent_complete=50)
    with pytest.raises(AlreadyRecorded) as recorded:
        services.progress_log_create(
            user=staff_a, project=project, text="设备进场", percent_complete=30, submission_key=key
        )

    assert recorded.value.instance == first
    assert ProgressLog.objects.count() == 2


@pytest.mark.django_db
def test_progress_log_create_another_persons_key_is_refused(make_user, staff_a, unit_a):
    project = ProjectFactory(responsible_unit=unit_a)
    key = uuid.uuid4()
    services.progress_log_create(
        user=staff_a, project=project, text="设备进场", percent_complete=30, submission_key=key
    )

    with pytest.raises(ValidationError) as error:
        services.progress_log_create(
            user=make_user("liu", unit=unit_a),
            project=project,
            text="设备进场",
            percent_complete=30,
            submission_key=key,
        )

    assert error.value.messages == ["这张表单已失效，请刷新页面后重新填写。"]
    assert ProgressLog.objects.count() == 1
