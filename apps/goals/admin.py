"""Admin for plans, goals, targets and their check-ins, indicators, evaluations, awards, events
and measures."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import SourcedAdmin, StaleEditAdminMixin, StaleEditInlineMixin

from .models import (
    Award,
    CheckIn,
    Evaluation,
    Event,
    Goal,
    Indicator,
    Measure,
    Plan,
    Ranking,
    Target,
)


class GoalInline(admin.TabularInline):
    model = Goal
    fields = ("order", "title", "responsible_unit", "leading_official")
    autocomplete_fields = ("responsible_unit", "leading_official")
    extra = 0
    show_change_link = True


class TargetInline(StaleEditInlineMixin, admin.StackedInline):
    model = Target
    fields = (
        ("title", "status"),
        ("metric_unit", "baseline", "target_value", "current_value"),
        ("start_date", "deadline", "deadline_phrase"),
        "start_source_text",
        ("responsible_unit", "leading_official"),
    )
    autocomplete_fields = ("responsible_unit", "leading_official")
    extra = 0
    show_change_link = True


class CheckInInline(admin.TabularInline):
    model = CheckIn
    fields = ("date", "value", "status", "comment", "author")
    autocomplete_fields = ("author",)
    extra = 0
    show_change_link = True


class RankingInline(admin.TabularInline):
    model = Ranking
    fields = ("subject", "rank")
    extra = 0


@admin.register(Plan)
class PlanAdmin(SourcedAdmin):
    list_display = ("name", "short_name", "year", "task_count")
    list_filter = ("year", *SourcedAdmin.list_filter)
    search_fields = ("name", "short_name", "description")
    inlines = (GoalInline,)
    fieldsets = (
        (None, {"fields": ("name", "short_name", "year", "task_count", "description")}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Goal)
class GoalAdmin(SourcedAdmin):
    list_display = ("title", "plan", "order", "responsible_unit", "leading_official")
    # Person.__str__ names the unit.
    list_select_related = ("plan", "responsible_unit", "leading_official__unit")
    list_filter = ("plan", "responsible_unit", *SourcedAdmin.list_filter)
    search_fields = ("title", "description", "plan__name")
    autocomplete_fields = ("plan", "responsible_unit", "leading_official")
    inlines = (TargetInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("plan", "order"),
                    "title",
                    "description",
                    ("responsible_unit", "leading_official"),
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Target)
class TargetAdmin(StaleEditAdminMixin, SourcedAdmin):
    list_display = (
        "title",
        "goal",
        "status",
        "metric_unit",
        "baseline",
        "target_value",
        "current_value",
        "deadline",
        "responsible_unit",
    )
    list_select_related = ("goal", "responsible_unit")
    list_filter = ("status", "goal__plan", "responsible_unit", *SourcedAdmin.list_filter)
    search_fields = ("title", "deadline_phrase", "goal__title")
    date_hierarchy = "deadline"
    autocomplete_fields = ("goal", "responsible_unit", "leading_official")
    inlines = (CheckInInline,)
    fieldsets = (
        (None, {"fields": ("goal", "title", "status")}),
        (
            _("数值"),
            {"fields": (("metric_unit", "baseline", "target_value", "current_value"),)},
        ),
        (
            _("期限"),
            {"fields": (("start_date", "deadline"), "deadline_phrase", "start_source_text")},
        ),
        (_("责任"), {"fields": (("responsible_unit", "leading_official"),)}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(CheckIn)
class CheckInAdmin(SourcedAdmin):
    list_display = ("date", "target", "value", "status", "author")
    list_select_related = ("target", "author")
    list_filter = ("status", *SourcedAdmin.list_filter)
    search_fields = ("comment", "target__title")
    date_hierarchy = "date"
    autocomplete_fields = ("target", "author")
    fieldsets = (
        (None, {"fields": ("target", ("date", "value", "status"), "comment", "author")}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Indicator)
class IndicatorAdmin(SourcedAdmin):
    list_display = ("name", "year", "value_label", "plan")
    list_select_related = ("plan",)
    list_filter = ("year", "plan", *SourcedAdmin.list_filter)
    search_fields = ("name",)
    autocomplete_fields = ("plan",)
    fieldsets = (
        (None, {"fields": ("name", "year", ("qualifier", "value", "unit"), "plan")}),
        SourcedAdmin.source_fieldset,
    )

    @admin.display(description=_("数值"), ordering="value")
    def value_label(self, obj):
        # "760 余项", "36 %": the figure as the document writes it.
        return f"{obj.value.normalize():f} {obj.qualifier}{obj.unit}"


@admin.register(Evaluation)
class EvaluationAdmin(SourcedAdmin):
    list_display = ("name", "published_year", "data_year", "participants", "publisher")
    list_filter = ("published_year", *SourcedAdmin.list_filter)
    search_fields = ("name", "publisher", "method")
    inlines = (RankingInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    ("published_year", "data_year"),
                    ("method", "publisher"),
                    ("participants", "category_count", "indicator_count"),
                    "categories",
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Ranking)
class RankingAdmin(SourcedAdmin):
    list_display = ("subject", "rank", "evaluation")
    list_select_related = ("evaluation",)
    list_filter = ("evaluation", *SourcedAdmin.list_filter)
    search_fields = ("subject", "evaluation__name")
    fieldsets = (
        (None, {"fields": ("evaluation", "subject", "rank")}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Award)
class AwardAdmin(SourcedAdmin):
    list_display = ("name", "year", "awarded_by")
    list_filter = ("year", *SourcedAdmin.list_filter)
    search_fields = ("name", "awarded_by")
    fieldsets = ((None, {"fields": ("name", "year", "awarded_by")}), SourcedAdmin.source_fieldset)


@admin.register(Event)
class EventAdmin(SourcedAdmin):
    list_display = ("name", "role", "year", "date")
    list_filter = ("role", "year", *SourcedAdmin.list_filter)
    search_fields = ("name", "description")
    date_hierarchy = "date"
    fieldsets = (
        (None, {"fields": ("name", "role", ("year", "date"), "description")}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Measure)
class MeasureAdmin(SourcedAdmin):
    list_display = ("name", "kind", "year", "area", "plan")
    list_select_related = ("area", "plan")
    list_filter = ("kind", "year", *SourcedAdmin.list_filter)
    search_fields = ("name", "items", "description")
    autocomplete_fields = ("area", "plan")
    fieldsets = (
        (None, {"fields": ("name", ("kind", "year"), "items", ("area", "plan"), "description")}),
        SourcedAdmin.source_fieldset,
    )
