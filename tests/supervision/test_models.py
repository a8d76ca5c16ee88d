"""The order's constraints hold in the database (SQLite and PostgreSQL) and in full_clean."""

import pytest

from apps.supervision.models import SupervisionOrder
from tests.constraints import assert_database_refuses, full_clean_errors
from tests.factories import HazardFactory, SupervisionOrderFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_order_on_two_items_refused_by_database():
    order = SupervisionOrderFactory()
    order.target = TargetFactory()
    assert_database_refuses(order, "supervision_order_one_item")


def test_order_on_no_item_refused_by_database():
    order = SupervisionOrderFactory()
    order.project = None
    assert_database_refuses(order, "supervision_order_one_item")


def test_order_on_no_item_refused_by_full_clean():
    order = SupervisionOrderFactory()
    order.project = None
    order.hazard = HazardFactory()
    order.target = TargetFactory()
    assert "__all__" in full_clean_errors(order)


def test_order_unknown_state_refused_by_database():
    order = SupervisionOrderFactory()
    order.state = "bogus"
    assert_database_refuses(order, "supervision_order_state_valid")


def test_order_one_item_saves():
    order = SupervisionOrderFactory()
    assert SupervisionOrder.objects.get(pk=order.pk).item == order.project
