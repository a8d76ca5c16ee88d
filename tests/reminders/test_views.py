"""Preferences page, calendar token reset, the iCal feed, and the delivery log on an item's page."""

import uuid
from datetime import date
from urllib.parse import quote

import pytest
from django.template import Context, Template
from django.urls import reverse
from icalendar import Calendar

from apps.reminders import services
from apps.reminders.models import Delivery, DeliveryKind, DeliveryStatus, Message, Preference

pytestmark = pytest.mark.django_db


def login(client, person):
    client.force_login(person.user)
    return client


def test_preferences_require_login(client):
    response = client.get(reverse("reminders:preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_calendar_token_reset_requires_login(client):
    response = client.post(reverse("reminders:calendar_token_reset"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_preferences_page_shows_feed_url(client, team):
    response = login(client, team["staff"]).get(reverse("reminders:preferences"))
    token = Preference.objects.get(person=team["staff"]).calendar_token
    assert response.status_code == 200
    assert f"/reminders/calendar/{token}.ics" in response.content.decode()


def test_preferences_feed_url_is_built_from_site_url_not_the_request_host(client, team, settings):
    settings.SITE_URL = "https://zone.example.org"

    response = login(client, team["staff"]).get(
        reverse("reminders:preferences"), HTTP_HOST="127.0.0.1"
    )

    token = Preference.objects.get(person=team["staff"]).calendar_token
    expected = f"https://zone.example.org/reminders/calendar/{token}.ics"
    assert response.context["feed_url"] == expected
    assert f'value="{expected}"' in response.content.decode()


def test_preferences_post_saves_choices(client, team):
    response = login(client, team["staff"]).post(
        reverse("reminders:preferences"), {"overdue": "on"}
    )
    assert response.status_code == 302
    preference = Preference.objects.get(person=team["staff"])
    assert (preference.lead, preference.overdue, preference.digest) == (False, True, False)


def test_preferences_without_person_explains_why_there_are_no_reminders(client, make_user):
    client.force_login(make_user("nobody"))

    response = client.get(reverse("reminders:preferences"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "您的账号没有关联人员记录，因此不会收到提醒" in content
    assert "请联系管理员为您的账号关联人员记录" in content
    assert reverse("admin:org_person_changelist") not in content


def test_preferences_without_person_links_a_superuser_to_the_people_in_the_admin(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("reminders:preferences"))

    assert response.status_code == 200
    assert f'href="{reverse("admin:org_person_changelist")}"' in response.content.decode()


def test_calendar_token_reset_without_person_goes_back_to_the_explanation(client, make_user):
    client.force_login(make_user("nobody"))

    response = client.post(reverse("reminders:calendar_token_reset"))

    assert response.status_code == 302
    assert response["Location"] == reverse("reminders:preferences")


def test_calendar_feed_parses_and_lists_owned_deadlines(client, team, make_milestone):
    milestone = make_milestone(date(2026, 1, 28), title="三年成形", deadline_phrase="三年成形")
    make_milestone(date(2026, 2, 1), title="已完成", done_date=date(2025, 12, 1))
    token = services.preference_get(person=team["staff"]).calendar_token

    response = client.get(reverse("reminders:calendar_feed", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [f"[项目节点] {milestone.project.name}：三年成形"]
    assert events[0].decoded("dtstart") == date(2026, 1, 28)
    assert str(events[0]["uid"]).startswith(f"milestone-{milestone.pk}@")


def test_calendar_feed_shows_a_deadline_on_the_last_day_as_that_day(client, team, make_milestone):
    make_milestone(date.max, title="万年")
    token = services.preference_get(person=team["staff"]).calendar_token

    response = client.get(reverse("reminders:calendar_feed", args=[token]))

    assert response.status_code == 200
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == date.max
    assert "dtend" not in event


def test_calendar_feed_wrong_token_is_404(client, team):
    services.preference_get(person=team["staff"])
    response = client.get(reverse("reminders:calendar_feed", args=["not-the-token"]))
    assert response.status_code == 404


@pytest.mark.parametrize("token", ["a\x00b", "x" * 100_000, "a%FFb", "a b", "a" * 65])
def test_calendar_feed_token_that_no_token_looks_like_is_404(client, team, token):
    services.preference_get(person=team["staff"])

    response = client.get(f"/reminders/calendar/{quote(token, safe='%')}.ics")

    assert response.status_code == 404


def test_calendar_token_reset_changes_token_and_old_url_stops_working(client, team):
    old = services.preference_get(person=team["staff"]).calendar_token

    response = login(client, team["staff"]).post(reverse("reminders:calendar_token_reset"))

    new = Preference.objects.get(person=team["staff"]).calendar_token
    assert response.status_code == 302
    assert new != old
    assert client.get(reverse("reminders:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("reminders:calendar_feed", args=[new])).status_code == 200


def test_calendar_token_reset_refuses_get(client, team):
    response = login(client, team["staff"]).get(reverse("reminders:calendar_token_reset"))
    assert response.status_code == 405


def test_delivery_log_tag_lists_the_items_reminders(team, make_milestone):
    milestone = make_milestone(date(2026, 1, 28))
    other = make_milestone(date(2026, 1, 29))
    deadline = milestone_deadline(milestone)
    Delivery.objects.create(
        deadline=deadline,
        recipient=team["staff"],
        kind=DeliveryKind.LEAD,
        rung_date=date(2025, 12, 29),
        last_error="",
    )

    html = Template("{% load reminders %}{% delivery_log item %}").render(
        Context({"item": milestone})
    )
    other_html = Template("{% load reminders %}{% delivery_log item %}").render(
        Context({"item": other})
    )

    assert "提前提醒" in html
    assert "zhang" in html
    assert "尚未发送提醒" in other_html


def test_items_delivery_log_tag_lists_reminders_of_a_projects_milestones(
    team, make_milestone, django_assert_num_queries
):
    first = make_milestone(date(2026, 1, 28), title="开工")
    project = first.project
    second = project.milestones.create(title="竣工", due_date=date(2026, 6, 30))
    elsewhere = make_milestone(date(2026, 1, 29), title="别的项目节点")
    for n, milestone in enumerate([first, second, elsewhere]):
        deadline = milestone_deadline(milestone)
        Delivery.objects.create(
            deadline=deadline,
            recipient=team["staff"],
            kind=DeliveryKind.LEAD,
            rung_date=date(2025, 12, 1 + n),
            message=Message.objects.create(
                message_key=uuid.uuid4(),
                recipient=team["staff"],
                status=DeliveryStatus.SENT,
                cc="li@example.org",
                next_attempt_at=deadline.updated_at,
                sent_at=deadline.updated_at,
            ),
        )
    template = Template("{% load reminders %}{% items_delivery_log project.milestones.all %}")

    with django_assert_num_queries(1):
        html = template.render(Context({"project": project}))

    assert f"{project.name}：开工" in html
    assert f"{project.name}：竣工" in html
    assert "别的项目节点" not in html
    assert html.count("提前提醒") == 2
    assert html.count("已发送") == 2  # the status of each reminder's email
    assert html.count("li@example.org") == 2


def milestone_deadline(milestone):
    from apps.reminders.models import Deadline

    return Deadline.objects.get(kind="milestone", object_id=milestone.pk)
