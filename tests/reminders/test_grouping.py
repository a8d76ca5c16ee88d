"""One email per person per dispatch, listing everything due for them, each reminder once."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.reminders import services
from apps.reminders.models import Delivery, DeliveryKind, DeliveryStatus, Message
from tests.reminders.conftest import at
from tests.reminders.smtp import ids_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_digest")]

TODAY = date(2025, 3, 13)  # a Thursday


@pytest.fixture
def four_due(clock, policy, team, make_milestone):
    """Due in 7 days, tomorrow, 7 days overdue and 21 days overdue (escalated)."""
    clock(at(date(2025, 2, 1)))
    titles = {}
    for name, due in [
        ("七天后", TODAY + timedelta(days=7)),
        ("明天", TODAY + timedelta(days=1)),
        ("逾期七天", TODAY - timedelta(days=7)),
        ("逾期三周", TODAY - timedelta(days=21)),
    ]:
        milestone = make_milestone(due, title=name)
        titles[name] = f"{milestone.project.name}：{name}"
    clock(at(TODAY))
    return titles


def listed(body: str, titles: dict) -> list[str]:
    """The names of the items a text body lists, in its order."""
    found = [(body.index(f". {title} | "), name) for name, title in titles.items() if title in body]
    return [name for _position, name in sorted(found)]


def test_dispatch_sends_each_person_one_email_listing_every_item_overdue_first(four_due, team):
    services.send_pending()

    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["li@example.org", "wang@example.org", "zhang@example.org"]
    for address in ["zhang@example.org", "li@example.org"]:
        message = by_address[address]
        assert listed(message.body, four_due) == ["逾期三周", "逾期七天", "明天", "七天后"]
        assert message.subject == "【工作提醒】4 项工作需要关注，其中逾期 2 项"
        html = message.alternatives[0].content
        assert html.index("逾期三周") < html.index("逾期七天") < html.index("明天")
        rows = Delivery.objects.filter(recipient__email=address)
        assert ids_of(message) == ",".join(
            str(pk) for pk in rows.order_by("pk").values_list("pk", flat=True)
        )
        assert {row.state for row in rows.select_related("message")} == {DeliveryStatus.SENT}
    # The escalation goes to the leading official on its own, copied to the unit's head.
    escalation = by_address["wang@example.org"]
    assert listed(escalation.body, four_due) == ["逾期三周"]
    assert escalation.cc == ["li@example.org"]
    assert escalation.subject == f"【督办】{four_due['逾期三周']}已逾期 21 天"
    assert Delivery.objects.get(recipient=team["official"]).kind == DeliveryKind.ESCALATION


def test_dispatch_second_run_sends_nothing(four_due):
    services.send_pending()
    sent = len(mail.outbox)

    dispatched, again = services.send_pending()

    assert (sent, dispatched.queued, again.emails) == (3, [], 0)
    assert len(mail.outbox) == 3


def test_escalations_of_two_units_go_in_an_email_per_unit(clock, policy, team, make_milestone):
    from tests.factories import UnitFactory

    other = UnitFactory(name="经济发展局")
    clock(at(date(2025, 2, 1)))
    make_milestone(TODAY - timedelta(days=21), title="甲")
    make_milestone(TODAY - timedelta(days=21), title="乙", unit=other)
    clock(at(TODAY))

    services.send_pending()

    to_official = [m for m in mail.outbox if m.to == ["wang@example.org"]]
    assert len(to_official) == 2
    assert sorted(m.cc for m in to_official) == [
        [],
        ["li@example.org"],
    ]  # the other unit has no head


def test_crash_between_claim_and_send_sends_each_email_once(four_due, settings, clock):
    result = services.dispatch()
    # A worker claims the batch and dies before sending anything.
    services._claim(result.queued, now=at(TODAY))
    assert {row.state for row in Delivery.objects.select_related("message")} == {
        DeliveryStatus.SENDING
    }
    services.send_pending()
    assert mail.outbox == []  # a live claim is not taken back

    # Past the claim timeout the sweep takes the claims back: each email goes out once.
    clock(at(TODAY) + timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT_SECONDS + 60))
    dispatched, sent = services.send_pending()
    services.send_pending()

    assert (dispatched.swept, sent.emails) == (Message.objects.count(), 3)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "li@example.org",
        "wang@example.org",
        "zhang@example.org",
    ]
    assert {row.state for row in Delivery.objects.select_related("message")} == {
        DeliveryStatus.SENT
    }


def test_dispatch_drains_a_backlog_larger_than_a_batch_in_one_run(
    clock, policy, team, make_milestone, settings
):
    settings.REMINDERS_BATCH_SIZE = 3
    clock(at(date(2025, 2, 1)))
    for n in range(10):
        make_milestone(TODAY + timedelta(days=1 + n % 2), title=f"节点{n}")
    clock(at(TODAY))

    dispatched, sent = services.send_pending()

    assert (dispatched.deadlines, dispatched.steps, sent.emails) == (10, 4, 2)
    for message in mail.outbox:
        assert all(f"：节点{n} | " in message.body for n in range(10))
        assert message.subject == "【工作提醒】10 项工作即将到期"
    assert services.send_pending()[1].emails == 0


def dispatch_and_send_queries(count: int, make_milestone) -> tuple[int, int]:
    for n in range(count):
        make_milestone(TODAY + timedelta(days=1 + n % 3), title=f"{count}-{n}")
    with CaptureQueriesContext(connection) as captured:
        _dispatched, sent = services.send_pending()
    return len(captured), sent.emails


def test_dispatch_and_send_queries_do_not_grow_with_the_items_per_email(
    clock, policy, team, make_milestone
):
    clock(at(date(2025, 2, 1)))
    services.work_calendar()
    services.dispatch()  # the first dispatch ever creates its lease row
    clock(at(TODAY))
    make_milestone(TODAY - timedelta(days=21), title="督办")  # an escalation email too
    small = dispatch_and_send_queries(3, make_milestone)
    clock(at(TODAY + timedelta(days=1)))  # the next day's rungs: a new dispatch
    make_milestone(TODAY - timedelta(days=20), title="督办二")

    large = dispatch_and_send_queries(30, make_milestone)

    assert small[1] == large[1] == 3  # staff, head, and the official's escalation
    assert small[0] == large[0]


def test_email_in_the_recipients_language_text_and_html(four_due, team):
    user = team["staff"].user
    user.language = "en"
    user.save(update_fields=["language"])

    services.send_pending()

    message = next(m for m in mail.outbox if m.to == ["zhang@example.org"])
    assert message.subject == "[Reminder] 4 items need attention, 2 overdue"
    assert message.body.startswith(
        "Hello zhang,\n\n4 items need your attention, 2 of them overdue (listed first)."
    )
    assert f". {four_due['七天后']} | 2025-03-20 | due in 7 days | {settings.SITE_URL}/" in (
        message.body
    )
    assert "| 21 days overdue | " in message.body
    assert "\nOverdue (2 items)\n" in message.body
    assert "\nDue soon (2 items)\n" in message.body
    html = message.alternatives[0].content
    assert "<strong>21 days overdue</strong>" in html
    assert ">Item</th>" in html
    assert ">Overdue (2 items)</th>" in html
    chinese = next(m for m in mail.outbox if m.to == ["li@example.org"])
    assert "| 2025-03-20 | 还有 7 天到期 | " in chinese.body
