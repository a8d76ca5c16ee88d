"""Filters of the inspection and hazard lists. The hazard parameters grade, status, unit and
overdue are linked to from the dashboard; status also takes `open` (not yet closed)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import SmallFilterMixin
from apps.core.search import any_of
from apps.org.models import Enterprise, Unit, enterprise_text_q

from .models import Hazard, HazardGrade, HazardStatus, Inspection, InspectionTeam, Site

ALL = _("全部")
OPEN = "open"


def _date_widget():
    return forms.DateInput(attrs={"type": "date"})


class InspectionFilter(SmallFilterMixin, django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("责任单位"),
        field_name="responsible_unit",
        queryset=Unit.objects.all(),
    )
    site = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("监管区域"),
        queryset=Site.objects.all(),
    )
    team = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("检查队伍"),
        queryset=InspectionTeam.objects.all(),
    )
    date_after = django_filters.DateFilter(
        label=_("检查日期起"), field_name="date", lookup_expr="gte", widget=_date_widget()
    )
    date_before = django_filters.DateFilter(
        label=_("检查日期止"), field_name="date", lookup_expr="lte", widget=_date_widget()
    )

    class Meta:
        model = Inspection
        fields = ["unit", "site", "team", "date_after", "date_before"]


def hazard_text_q(value: str) -> Q:
    """What the hazard list's search box and the site search match."""
    return any_of(
        Hazard,
        Q(description__icontains=value) | Q(location__icontains=value),
        # 隐患编号 as written or in capitals (YH2023-00012), through its unique index.
        Q(code__in={value.strip(), value.strip().upper()}),
        Q(enterprise__in=Enterprise.objects.filter(enterprise_text_q(value)).values("pk")),
        Q(responsible_unit__in=Unit.objects.filter(name__icontains=value).values("pk")),
    )


class HazardFilter(SmallFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("描述、位置或企业")}),
    )
    grade = django_filters.ChoiceFilter(
        empty_label=ALL,
        label=_("隐患等级"),
        choices=HazardGrade.choices,
    )
    status = django_filters.ChoiceFilter(
        empty_label=ALL,
        label=_("状态"),
        choices=[(OPEN, _("未销号"))] + HazardStatus.choices,
        method="filter_status",
    )
    unit = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("责任单位"),
        field_name="responsible_unit",
        queryset=Unit.objects.all(),
    )
    site = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("监管区域"),
        queryset=Site.objects.all(),
    )
    overdue = django_filters.ChoiceFilter(
        empty_label=ALL,
        label=_("整改逾期"),
        choices=[("1", _("仅看逾期"))],
        method="filter_overdue",
    )

    class Meta:
        model = Hazard
        fields = ["q", "grade", "status", "unit", "site", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(hazard_text_q(value))

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.open()
        return queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        if value != "1":
            return queryset
        return queryset.overdue(timezone.localdate())
