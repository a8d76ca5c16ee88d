"""Filters of the order list: state (or open, awaiting answer, overdue), unit, kind of item, text."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.forms import SmallFilterMixin
from apps.org.models import Unit

from .models import OrderState, SupervisionOrder

ALL = _("全部")
OPEN = "open"
AWAITING_ANSWER = "awaiting"
OVERDUE = "overdue"


class OrderFilter(SmallFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("督办事项")}),
    )
    state = django_filters.ChoiceFilter(
        empty_label=ALL,
        label=_("状态"),
        choices=[
            (OPEN, _("未办结")),
            (AWAITING_ANSWER, _("待单位答复")),
            (OVERDUE, _("答复逾期")),
            *OrderState.choices,
        ],
        method="filter_state",
    )
    unit = django_filters.ModelChoiceFilter(
        empty_label=ALL, label=_("责任单位"), queryset=Unit.objects.all()
    )
    kind = django_filters.ChoiceFilter(
        empty_label=ALL,
        label=_("督办对象"),
        choices=[
            ("project", pgettext_lazy("one", "重点项目")),
            ("target", _("指标任务")),
            ("hazard", _("安全隐患")),
        ],
        method="filter_kind",
    )

    class Meta:
        model = SupervisionOrder
        fields = ["q", "state", "unit", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(instruction__icontains=value)) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.open()
        if value == AWAITING_ANSWER:
            return queryset.awaiting_answer()
        if value == OVERDUE:
            return queryset.overdue(timezone.localdate())
        return queryset.filter(state=value)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})
