"""How a ledger cell becomes a value and back: names, choice labels, money units, dates, numbers.

Every refusal is a ValueError whose text is shown to the user next to the row and column, in the
user's language. Lookups by name load their table once per import (the caches live on the widget,
and a resource builds new widgets for every import).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from import_export import widgets

from apps.core.models import Currency, MoneyUnit

EMPTY = (None, "")


def listing(items) -> str:
    """Items joined as the user's language lists them (甲、乙 or A, B)."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def text(value) -> str:
    """A cell as stripped text ("" for an empty cell); whole floats lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return force_str(value).strip()


def zh(label) -> str:
    """A choice's label as the ledger writes it: in Chinese, whatever the user's language."""
    with translation.override("zh-hans"):
        return force_str(label)


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else force_str(value)


class ChoiceWidget(widgets.Widget):
    """A choice written as its Chinese label (洽谈), its English label or its stored value."""

    def __init__(self, choices, *, blank=False):
        self.choices = choices
        self.blank = blank
        self.lookup = {}
        for value, label in choices.choices:
            self.lookup[value.lower()] = value
            self.lookup[zh(label).lower()] = value
            with translation.override("en"):
                self.lookup[force_str(label).lower()] = value

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        if not value:
            return ""
        try:
            return self.lookup[value.lower()]
        except KeyError:
            raise ValueError(
                _("“%(value)s”不是有效的选项，可选：%(choices)s")
                % {"value": value, "choices": listing(self.labels())}
            ) from None

    def labels(self) -> list[str]:
        return [zh(label) for _value, label in self.choices.choices]

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return zh(self.choices(value).label)


# 金额单位 as the document writes it: the unit of the number and its currency in one word.
MONEY_UNITS = {
    "亿元": (MoneyUnit.YI, Currency.CNY),
    "万元": (MoneyUnit.WAN, Currency.CNY),
    "元": (MoneyUnit.YUAN, Currency.CNY),
    "亿美元": (MoneyUnit.YI, Currency.USD),
    "万美元": (MoneyUnit.WAN, Currency.USD),
    "美元": (MoneyUnit.YUAN, Currency.USD),
}
MONEY_UNIT_LABELS = {pair: label for label, pair in MONEY_UNITS.items()}


class MoneyUnitWidget(widgets.Widget):
    """亿元, 万元, 万美元…: cleans to a (MoneyUnit, Currency) pair."""

    def clean(self, value, row=None, **kwargs):
        value = text(value).replace(" ", "")
        if not value:
            return None
        try:
            return MONEY_UNITS[value]
        except KeyError:
            raise ValueError(
                _("未知的金额单位“%(value)s”，可选：%(choices)s")
                % {"value": value, "choices": listing(MONEY_UNITS)}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return MONEY_UNIT_LABELS.get(tuple(value), "") if value else ""


class DecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip().replace(",", "")
        if value in EMPTY:
            return None
        try:
            # str() first: a float cell 81.7 is the decimal 81.7, not its binary neighbour.
            return Decimal(text(value))
        except InvalidOperation:
            raise ValueError(_("“%(value)s”不是数字。") % {"value": text(value)}) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value.normalize() if isinstance(value, Decimal) else value


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class DateWidget(widgets.Widget):
    """A date cell, or a text in one of DATE_FORMATS (2026-06-30, 2026/6/30, 2026年6月30日)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        value = text(value)
        if not value:
            return None
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s”不是日期，请写成 2026-06-30。") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value if value else ""


class NameWidget(widgets.Widget):
    """A related row named by its name (or short name): loaded once, refused when unknown.

    `create` makes a missing row (an enterprise new to the zone) instead of refusing it.
    """

    def __init__(self, model, *, also=(), create=False):
        self.model = model
        self.also = also  # other fields that name a row too (short_name)
        self.create = create
        self._by_name = None

    def by_name(self) -> dict:
        if self._by_name is None:
            self._by_name = {}
            for obj in self.model.objects.order_by("pk"):
                for name in self.also:
                    if getattr(obj, name):
                        self._by_name.setdefault(getattr(obj, name), obj)
                self._by_name[obj.name] = obj  # a full name wins over another's short name
        return self._by_name

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        if not value:
            return None
        obj = self.by_name().get(value)
        if obj is None and self.create:
            obj = self.model(name=value)
            obj.full_clean()
            obj.save()
            self._by_name[value] = obj
        if obj is None:
            raise ValueError(
                _("未知的%(kind)s“%(value)s”。")
                % {"kind": self.model._meta.verbose_name, "value": value}
            )
        return obj

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


class PersonWidget(widgets.Widget):
    """A leading official by name; a name two units share is settled by the row's unit."""

    def __init__(self, model, unit_widget, unit_column):
        self.model = model
        self.unit_widget = unit_widget
        self.unit_column = unit_column
        self._by_name = None

    def clean(self, value, row=None, **kwargs):
        value = text(value)
        if not value:
            return None
        if self._by_name is None:
            self._by_name = {}
            for person in self.model.objects.order_by("pk"):
                self._by_name.setdefault(person.name, []).append(person)
        people = self._by_name.get(value, [])
        if len(people) > 1 and row is not None and text(row.get(self.unit_column)):
            try:
                unit = self.unit_widget.clean(row.get(self.unit_column))
            except ValueError:
                unit = None
            people = [p for p in people if unit is not None and p.unit_id == unit.pk] or people
        if not people:
            raise ValueError(_("未知的人员“%(value)s”。") % {"value": value})
        if len(people) > 1:
            raise ValueError(
                _("有多位人员名为“%(value)s”，请在责任单位一栏写明其所在单位。") % {"value": value}
            )
        return people[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""
