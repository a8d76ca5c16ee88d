"""A person's deadlines as an iCalendar feed (all-day events on the due dates)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Deadline, site_host


def person_calendar(person) -> bytes:
    host = site_host()
    calendar = Calendar()
    calendar.add("prodid", "-//zonetracker//reminders//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("%(name)s 的到期事项") % {"name": person.name})
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    deadlines = (
        Deadline.objects.open()
        .owned_by(person)
        .select_related("responsible_unit")
        .order_by("due_date", "pk")
    )
    for deadline in deadlines:
        event = Event()
        event.add("uid", f"{deadline.kind}-{deadline.object_id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due_date)
        if deadline.due_date < date.max:
            # Without an end an all-day event lasts its day (RFC 5545), as on 9999-12-31.
            event.add("dtend", deadline.due_date + timedelta(days=1))
        event.add("summary", f"[{deadline.kind_label}] {deadline.title}")
        lines = [deadline.title]
        if deadline.deadline_phrase:
            lines.append(_("期限表述：%(phrase)s") % {"phrase": deadline.deadline_phrase})
        if deadline.responsible_unit:
            lines.append(_("责任单位：%(unit)s") % {"unit": deadline.responsible_unit})
        lines.append(deadline.item_url)
        event.add("description", "\n".join(lines))
        event.add("url", deadline.item_url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
