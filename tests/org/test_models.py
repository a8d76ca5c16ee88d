"""Org models: constraints refuse bad rows in the database and in full_clean, natural keys, area units."""

from decimal import Decimal

import pytest

from apps.core.models import AreaUnit
from apps.org.models import Area, Enterprise, IndustryChain, Person, Unit, User
from tests.constraints import assert_database_refuses, constraint_names, full_clean_errors

pytestmark = pytest.mark.django_db


def duplicate_unit():
    Unit.objects.create(name="工委（管委）办公室")
    return Unit(name="工委（管委）办公室")


def duplicate_person_in_unit():
    unit = Unit.objects.create(name="投资促进中心")
    Person.objects.create(name="张伟", unit=unit)
    return Person(name="张伟", unit=unit)


def duplicate_chain():
    IndustryChain.objects.create(name="芯屏")
    return IndustryChain(name="芯屏", order=2)


def duplicate_area():
    Area.objects.create(name="青岛西海岸新区化工园区", kind=Area.Kind.CHEMICAL_ZONE)
    return Area(name="青岛西海岸新区化工园区", kind=Area.Kind.PARK)


def negative_area_size():
    return Area(name="芯屏产业园", kind=Area.Kind.PARK, size=Decimal("-33.95"), size_unit="km2")


def area_size_without_unit():
    return Area(name="芯屏产业园", kind=Area.Kind.PARK, size=Decimal("33.95"))


def duplicate_enterprise():
    Enterprise.objects.create(name="青岛惠科微电子有限公司")
    return Enterprise(name="青岛惠科微电子有限公司", short_name="惠科")


CASES = {
    "org_unit_name_unique": (duplicate_unit, {"name": ["具有 名称 的 责任单位 已存在。"]}),
    "org_person_unit_name_unique": (
        duplicate_person_in_unit,
        {"__all__": ["包含 所属单位 和 姓名 的 人员 已经存在。"]},
    ),
    "org_industrychain_name_unique": (duplicate_chain, {"name": ["具有 名称 的 产业链 已存在。"]}),
    "org_area_name_unique": (duplicate_area, {"name": ["具有 名称 的 园区与片区 已存在。"]}),
    "org_area_size_not_negative": (negative_area_size, {"__all__": ["面积不能为负数。"]}),
    "org_area_size_has_unit": (
        area_size_without_unit,
        {"__all__": ["填写面积时必须选择面积单位。"]},
    ),
    "org_enterprise_name_unique": (duplicate_enterprise, {"name": ["具有 名称 的 企业 已存在。"]}),
}


def test_constraint_cases_cover_every_org_constraint():
    assert set(CASES) == constraint_names("org")


@pytest.mark.parametrize("name", sorted(CASES))
def test_constraint_refuses_bad_row_at_database(name):
    make_bad, _ = CASES[name]

    assert_database_refuses(make_bad(), name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_constraint_refuses_bad_row_in_full_clean_with_chinese_message(name):
    make_bad, messages = CASES[name]

    assert full_clean_errors(make_bad()) == messages


def test_area_size_zero_with_unit_is_accepted():
    area = Area(name="保税港区", kind=Area.Kind.AREA, size=Decimal("0"), size_unit=AreaUnit.MU)

    area.full_clean()
    area.save()

    assert Area.objects.get(pk=area.pk).size == Decimal("0")


def test_person_same_name_in_two_units_is_accepted():
    first = Person.objects.create(name="张伟", unit=Unit.objects.create(name="甲单位"))
    second = Person(name="张伟", unit=Unit.objects.create(name="乙单位"))

    second.full_clean()
    second.save()

    assert Person.objects.filter(name="张伟").count() == 2
    assert first.natural_key() != second.natural_key()


def make_unit():
    return Unit.objects.create(name="安全生产监督管理局", short_name="安监局")


def make_person():
    return Person.objects.create(name="李明", unit=Unit.objects.create(name="发改局"))


def make_chain():
    return IndustryChain.objects.create(name="汽车", aliases="新能源汽车、汽车及零部件")


def make_area():
    return Area.objects.create(name="中德生态园", kind=Area.Kind.PARK)


def make_enterprise():
    return Enterprise.objects.create(name="海尔卡奥斯", is_chain_leader=True)


def make_user():
    return User.objects.create_user("zhang")


@pytest.mark.parametrize(
    "make",
    [make_unit, make_person, make_chain, make_area, make_enterprise, make_user],
    ids=["Unit", "Person", "IndustryChain", "Area", "Enterprise", "User"],
)
def test_natural_key_round_trips(make):
    obj = make()
    model = type(obj)

    assert model.objects.get_by_natural_key(*obj.natural_key()) == obj


@pytest.mark.parametrize(
    ("size", "unit", "square_metres"),
    [
        (Decimal("33.95"), AreaUnit.KM2, Decimal("33950000")),
        (Decimal("7171"), AreaUnit.MU, Decimal("4780905.7")),
        (Decimal("18.5"), AreaUnit.WAN_M2, Decimal("185000")),
        (Decimal("1200"), AreaUnit.M2, Decimal("1200")),
    ],
)
def test_area_size_converts_to_square_metres_after_saving(size, unit, square_metres):
    area = Area.objects.create(name="片区", kind=Area.Kind.AREA, size=size, size_unit=unit)
    area.refresh_from_db()

    assert area.size * AreaUnit(area.size_unit).square_metres == square_metres


def test_area_units_relate_as_the_document_counts_them():
    # 1 平方公里 = 100 万平方米 = 1,000,000 平方米; 15 亩 make a hectare (1 万平方米), so 1 亩 is
    # 666.7 平方米 to one decimal and 15 of them overshoot the hectare by half a square metre.
    assert AreaUnit.KM2.square_metres == 100 * AreaUnit.WAN_M2.square_metres
    assert AreaUnit.WAN_M2.square_metres == 10000 * AreaUnit.M2.square_metres
    assert 15 * AreaUnit.MU.square_metres - AreaUnit.WAN_M2.square_metres == Decimal("0.5")
