"""Filters of the targets list. The parameter names goal, status, unit and light are linked to."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.forms import SmallFilterMixin
from apps.core.rules import Light
from apps.core.search import any_of
from apps.org.models import Unit

from .models import Goal, Plan, Target, TargetStatus
from .status import targets_with_light

ALL = _("全部")


def target_text_q(value: str) -> Q:
    """What the target list's search box and the site search match."""
    return any_of(
        Target,
        Q(title__icontains=value)
        | Q(deadline_phrase__icontains=value)
        | Q(metric_unit__icontains=value),
        Q(goal__in=Goal.objects.filter(title__icontains=value).values("pk")),
        Q(responsible_unit__in=Unit.objects.filter(name__icontains=value).values("pk")),
    )


class TargetFilter(SmallFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("指标、目标或期限")}),
    )
    plan = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("计划"),
        field_name="goal__plan",
        queryset=Plan.objects.all(),
    )
    goal = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("目标"),
        queryset=Goal.objects.all(),
    )
    unit = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("责任单位"),
        field_name="responsible_unit",
        queryset=Unit.objects.all(),
    )
    status = django_filters.ChoiceFilter(
        empty_label=ALL,
        label=_("状态"),
        choices=TargetStatus.choices,
    )
    light = django_filters.ChoiceFilter(
        empty_label=ALL,
        label=_("状态灯"),
        choices=Light.choices,
        method="filter_light",
    )

    class Meta:
        model = Target
        fields = ["q", "plan", "goal", "unit", "status", "light"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(target_text_q(value))

    def filter_light(self, queryset, name, value):
        return targets_with_light(queryset, value)
