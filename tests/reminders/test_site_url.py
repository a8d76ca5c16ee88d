"""Links in reminder emails and calendar feeds are built from SITE_URL, whatever port serves."""

from datetime import date

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from apps.reminders import services
from tests.reminders.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest")]

SITE = "http://127.0.0.1:8100"  # make demo PORT=8100


def test_reminder_mail_links_use_site_url(clock, policy, team, make_milestone, settings):
    settings.SITE_URL = SITE
    clock(at(date(2025, 2, 1)))
    milestone = make_milestone(date(2025, 3, 20))
    clock(at(date(2025, 3, 13)))

    services.send_pending()

    message = next(m for m in mail.outbox if m.to == ["zhang@example.org"])
    html = message.alternatives[0].content
    item = f"{SITE}/projects/{milestone.project_id}/"
    preferences = f"{SITE}{reverse('reminders:preferences')}"
    assert (item in message.body, f'href="{item}"' in html) == (True, True)
    assert f'href="{preferences}"' in html
    assert ":8000" not in message.body + html


def test_calendar_feed_links_use_site_url(client, team, make_milestone, settings):
    settings.SITE_URL = SITE
    milestone = make_milestone(date(2026, 1, 28), title="三年成形")
    token = services.preference_get(person=team["staff"]).calendar_token

    feed = icalendar.Calendar.from_ical(
        client.get(reverse("reminders:calendar_feed", args=[token])).content
    )

    (event,) = feed.walk("VEVENT")
    assert str(event["URL"]) == f"{SITE}/projects/{milestone.project_id}/"
    assert f"{SITE}/projects/{milestone.project_id}/" in str(event["DESCRIPTION"])
