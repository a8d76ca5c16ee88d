"""The weekly digest: Monday morning (Asia/Shanghai), what is due in 14 days or overdue."""

from datetime import date

import pytest
from django.core import mail

from apps.reminders import services
from apps.reminders.models import Delivery, DeliveryKind, Preference
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db


def test_digest_goes_out_on_monday_morning_once(clock, policy, team, make_milestone):
    clock(at(date(2025, 3, 14)))  # Friday
    make_milestone(date(2025, 3, 12), title="已逾期节点")
    make_milestone(date(2025, 3, 28), title="两周内节点")
    make_milestone(date(2025, 4, 30), title="远期节点")
    services.dispatch()  # first tick: the digest job learns its next run
    Delivery.objects.all().delete()

    clock(at(date(2025, 3, 17), 8, 29))
    services.dispatch()
    assert Delivery.objects.filter(kind=DeliveryKind.DIGEST).count() == 0

    clock(at(date(2025, 3, 17), 8, 31))
    mail.outbox.clear()
    services.send_pending()
    services.send_pending()

    digests = Delivery.objects.filter(kind=DeliveryKind.DIGEST).select_related("recipient")
    assert sorted((d.recipient.name, d.rung_date) for d in digests) == [
        ("li", date(2025, 3, 17)),
        ("wang", date(2025, 3, 17)),
        ("zhang", date(2025, 3, 17)),
    ]
    zhang = next(
        m for m in mail.outbox if m.to == ["zhang@example.org"] and "每周汇总" in m.subject
    )
    assert zhang.subject == "【每周汇总】2 项工作即将到期或已逾期"
    assert "已逾期节点" in zhang.body
    assert "两周内节点" in zhang.body
    assert "远期节点" not in zhang.body

    clock(at(date(2025, 3, 24), 8, 31))
    services.dispatch()
    assert Delivery.objects.filter(kind=DeliveryKind.DIGEST).count() == 6


def test_digest_respects_opt_out(clock, policy, team, make_milestone):
    clock(at(date(2025, 3, 14)))
    make_milestone(date(2025, 3, 20))
    services.dispatch()
    Preference.objects.create(person=team["staff"], digest=False)
    clock(at(date(2025, 3, 17), 8, 35))
    services.dispatch()
    names = Delivery.objects.filter(kind=DeliveryKind.DIGEST).values_list(
        "recipient__name", flat=True
    )
    assert sorted(names) == ["li", "wang"]


def test_digest_moves_to_tuesday_after_a_holiday_monday(
    clock, holidays, policy, team, make_milestone
):
    clock(at(date(2024, 10, 5)))
    make_milestone(date(2024, 10, 15))
    services.dispatch()

    clock(at(date(2024, 10, 7), 9))  # National Day holiday, a Monday
    services.dispatch()
    assert Delivery.objects.filter(kind=DeliveryKind.DIGEST).count() == 0

    clock(at(date(2024, 10, 8), 8, 31))
    services.dispatch()
    assert (
        sorted(
            Delivery.objects.filter(kind=DeliveryKind.DIGEST).values_list("rung_date", flat=True)
        )
        == [date(2024, 10, 7)] * 3
    )
