"""Filters of the project and milestone lists; the dashboard's links use the same parameters."""

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ChosenOnlySelect, SmallFilterMixin
from apps.core.rules import Light
from apps.core.search import any_of
from apps.org.models import Area, Enterprise, IndustryChain, Unit, enterprise_text_q

from .models import Milestone, MilestoneRules, Project, ProjectKind, Stage
from .status import reasons_for

ALL = _("全部")


class Due(models.TextChoices):
    OVERDUE = "overdue", _("已逾期")
    NEXT30 = "next30", _("30天内到期")
    OPEN = "open", _("未完成")
    DONE = "done", _("已完成")


def filter_milestones_by_due(queryset, due: str, today):
    """The milestones `due` names: overdue, due in the next 30 days, open or done."""
    if due == Due.OVERDUE:
        return queryset.overdue(today)
    if due == Due.NEXT30:
        return queryset.due_soon(today)
    if due == Due.OPEN:
        return queryset.open()
    if due == Due.DONE:
        return queryset.exclude(MilestoneRules.OPEN)
    return queryset


def project_text_q(value: str) -> Q:
    """What the project list's search box and the site search match: the project's name, its
    enterprise's name or short name, its responsible unit's name."""
    return any_of(
        Project,
        Q(name__icontains=value),
        Q(enterprise__in=Enterprise.objects.filter(enterprise_text_q(value)).values("pk")),
        Q(responsible_unit__in=Unit.objects.filter(name__icontains=value).values("pk")),
    )


def milestone_text_q(value: str) -> Q:
    """What the milestone list's search box and the site search match: the milestone's title,
    its project's name, the project's responsible unit's name."""
    return any_of(
        Milestone,
        Q(title__icontains=value),
        Q(project__in=Project.objects.filter(name__icontains=value).values("pk")),
        Q(project__responsible_unit__in=Unit.objects.filter(name__icontains=value).values("pk")),
    )


class PlaceFilter(SmallFilterMixin, django_filters.FilterSet):
    """Where a project is and who answers for it: its park or area, its chain, its unit."""

    area = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("园区/片区"),
        queryset=Area.objects.only("id", "name"),
        null_label=_("未指定"),
    )
    chain = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("产业链"),
        queryset=IndustryChain.objects.only("id", "name"),
        null_label=_("未指定"),
    )
    unit = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("责任单位"),
        field_name="responsible_unit",
        queryset=Unit.objects.only("id", "name"),
        null_label=_("未指定"),
    )

    class Meta:
        model = Project
        fields = ["area", "chain", "unit"]


class ProjectFilter(PlaceFilter):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_text",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("项目、企业或责任单位")}),
    )
    stage = django_filters.ChoiceFilter(empty_label=ALL, label=_("阶段"), choices=Stage.choices)
    kind = django_filters.ChoiceFilter(
        empty_label=ALL, label=_("项目类型"), choices=ProjectKind.choices
    )
    light = django_filters.ChoiceFilter(
        empty_label=ALL, label=_("状态灯"), choices=Light.choices, method="filter_light"
    )

    class Meta:
        model = Project
        fields = ["q", "stage", "kind", "chain", "area", "unit", "light"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(project_text_q(value)) if value else queryset

    def filter_light(self, queryset, name, value):
        # The stored light (Project.light_reason, kept by refresh_light), on an index.
        return queryset.filter(light_reason__in=reasons_for(value))


class MilestoneFilter(SmallFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("节点、项目或单位"), method="filter_text", max_length=100)
    # Not a list of every project: at a province's scale that is the whole page.
    project = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("项目"),
        queryset=Project.objects.only("id", "name"),
        widget=ChosenOnlySelect,
    )
    unit = django_filters.ModelChoiceFilter(
        empty_label=ALL,
        label=_("责任单位"),
        field_name="project__responsible_unit",
        queryset=Unit.objects.only("id", "name"),
        null_label=_("未指定"),
    )
    due = django_filters.ChoiceFilter(
        empty_label=ALL, label=_("期限"), choices=Due.choices, method="filter_due"
    )

    class Meta:
        model = Milestone
        fields = ["q", "project", "unit", "due"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(milestone_text_q(value)) if value else queryset

    def filter_due(self, queryset, name, value):
        return filter_milestones_by_due(queryset, value, timezone.localdate())


class TimelineFilter(PlaceFilter):
    """The projects on the milestone timeline: by park, chain or responsible unit."""

    class Meta:
        model = Project
        fields = ["area", "chain", "unit"]
