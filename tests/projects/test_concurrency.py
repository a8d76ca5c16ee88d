"""Two staff at once on a project: a milestone is completed once."""

from datetime import date, timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from apps.projects import services
from apps.projects.models import Milestone
from tests.factories import MilestoneFactory, ProjectFactory
from tests.threads import at_once


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
