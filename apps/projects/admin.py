"""Admin for key projects with their phases, milestones and progress logs, and project totals."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import SourcedAdmin, StaleEditAdminMixin, StaleEditInlineMixin
from apps.core.models import money_label

from .models import Milestone, Portfolio, ProgressLog, Project, ProjectPhase, Shop


@admin.display(description=_("总投资"), ordering="total_investment")
def investment(obj):
    return obj.investment_label or "-"


class ProjectPhaseInline(admin.TabularInline):
    model = ProjectPhase
    fields = ("order", "name", "stage", "started_on", "completed_on", "duration_note")
    extra = 0
    show_change_link = True


class MilestoneInline(StaleEditInlineMixin, admin.TabularInline):
    model = Milestone
    fields = ("title", "start_date", "due_date", "done_date", "deadline_phrase")
    extra = 0
    show_change_link = True


class ShopInline(admin.TabularInline):
    model = Shop
    fields = ("order", "name", "source_text")
    extra = 0
    show_change_link = True


class ProgressLogInline(admin.StackedInline):
    model = ProgressLog
    fields = (
        ("date", "author"),
        "text",
        ("percent_complete", "investment_completed", "investment_unit"),
        "photo",
    )
    autocomplete_fields = ("author",)
    extra = 0
    show_change_link = True


@admin.register(Portfolio)
class PortfolioAdmin(SourcedAdmin):
    list_display = ("name", "year", "project_count", investment, "stage", "chain", "area")
    list_select_related = ("chain", "area")
    list_filter = ("year", "stage", "chain", "currency", *SourcedAdmin.list_filter)
    search_fields = ("name",)
    autocomplete_fields = ("area",)
    fieldsets = (
        (None, {"fields": ("name", "year", "project_count", "stage", "chain", "area")}),
        (_("投资"), {"fields": (("total_investment", "investment_unit", "currency"),)}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Project)
class ProjectAdmin(StaleEditAdminMixin, SourcedAdmin):
    list_display = (
        "name",
        "kind",
        "stage",
        investment,
        "enterprise",
        "chain",
        "area",
        "responsible_unit",
        "leading_official",
        "planned_completion",
    )
    # Person.__str__ names the unit.
    list_select_related = (
        "enterprise",
        "chain",
        "area",
        "responsible_unit",
        "leading_official__unit",
    )
    list_filter = (
        "stage",
        "kind",
        "chain",
        "responsible_unit",
        "currency",
        *SourcedAdmin.list_filter,
    )
    search_fields = ("name", "description", "enterprise__name", "enterprise__short_name")
    date_hierarchy = "planned_completion"
    autocomplete_fields = (
        "enterprise",
        "area",
        "portfolio",
        "responsible_unit",
        "leading_official",
    )
    readonly_fields = (*SourcedAdmin.readonly_fields, "investment_label")
    inlines = (ProjectPhaseInline, MilestoneInline, ShopInline, ProgressLogInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    ("kind", "stage"),
                    ("enterprise", "chain"),
                    ("area", "portfolio"),
                    ("responsible_unit", "leading_official"),
                    "description",
                )
            },
        ),
        (
            _("投资与规模"),
            {
                "fields": (
                    ("total_investment", "investment_unit", "currency"),
                    "investment_label",
                    "capacity",
                    ("floor_area", "floor_area_unit"),
                )
            },
        ),
        (
            _("日期"),
            {
                "fields": (
                    ("planned_start", "planned_completion"),
                    ("actual_start", "actual_completion"),
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )

    @admin.display(description=_("总投资（含单位）"))
    def investment_label(self, obj):
        return obj.investment_label or "-"


@admin.register(ProjectPhase)
class ProjectPhaseAdmin(SourcedAdmin):
    list_display = ("project", "name", "order", "stage", "started_on", "completed_on")
    list_select_related = ("project",)
    list_filter = ("stage", *SourcedAdmin.list_filter)
    search_fields = ("name", "project__name")
    date_hierarchy = "started_on"
    autocomplete_fields = ("project",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "project",
                    ("name", "order"),
                    "stage",
                    ("started_on", "completed_on"),
                    "duration_note",
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Milestone)
class MilestoneAdmin(StaleEditAdminMixin, SourcedAdmin):
    list_display = ("title", "project", "start_date", "due_date", "done_date", "deadline_phrase")
    list_select_related = ("project",)
    list_filter = (("done_date", admin.EmptyFieldListFilter), *SourcedAdmin.list_filter)
    search_fields = ("title", "deadline_phrase", "project__name")
    date_hierarchy = "due_date"
    autocomplete_fields = ("project",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "project",
                    "title",
                    ("start_date", "due_date", "done_date"),
                    "deadline_phrase",
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Shop)
class ShopAdmin(SourcedAdmin):
    list_display = ("name", "project", "order")
    list_select_related = ("project",)
    search_fields = ("name", "project__name")
    autocomplete_fields = ("project",)
    fieldsets = (
        (None, {"fields": ("project", ("name", "order"))}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(ProgressLog)
class ProgressLogAdmin(SourcedAdmin):
    list_display = ("date", "project", "percent_complete", "investment_completed_label", "author")
    list_select_related = ("project", "author")
    search_fields = ("text", "project__name")
    date_hierarchy = "date"
    autocomplete_fields = ("project", "author")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "project",
                    ("date", "author"),
                    "text",
                    ("percent_complete", "investment_completed", "investment_unit"),
                    "photo",
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )

    @admin.display(description=_("累计完成投资"), ordering="investment_completed")
    def investment_completed_label(self, obj):
        # A log has no currency of its own: it counts in its project's currency.
        label = money_label(obj.investment_completed, obj.investment_unit, obj.project.currency)
        return label or "-"
