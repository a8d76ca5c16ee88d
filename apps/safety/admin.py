"""Admin for the petrochemical zone's sites, teams, campaigns, inspections, hazards and works."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core.admin import SourcedAdmin

from .models import Campaign, Hazard, Inspection, InspectionTeam, SafetyWork, Site

# Every field a Hazard check constraint reads is on each hazard form, so Django validates the
# constraint and shows its message instead of the database refusing the row.
HAZARD_RECTIFICATION_FIELDS = (
    ("status", "rectification_deadline"),
    ("rectifier", "rectified_on"),
    ("verifier", "closed_on"),
)


class HazardInline(admin.StackedInline):
    model = Hazard
    fields = (
        "description",
        ("grade", "site", "found_date"),
        ("location", "enterprise", "responsible_unit"),
        *HAZARD_RECTIFICATION_FIELDS,
    )
    autocomplete_fields = ("enterprise", "responsible_unit", "rectifier", "verifier")
    extra = 0
    show_change_link = True


@admin.register(Site)
class SiteAdmin(SourcedAdmin):
    list_display = ("name", "area")
    list_select_related = ("area",)
    search_fields = ("name", "description")
    autocomplete_fields = ("area",)
    fieldsets = ((None, {"fields": ("name", "area", "description")}), SourcedAdmin.source_fieldset)


@admin.register(InspectionTeam)
class InspectionTeamAdmin(SourcedAdmin):
    list_display = ("name", "kind", "site", "unit")
    list_select_related = ("site", "unit")
    list_filter = ("kind", "site", *SourcedAdmin.list_filter)
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("unit",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "site", "unit")}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Campaign)
class CampaignAdmin(SourcedAdmin):
    list_display = ("name", "year", "site", "hazard_count_label")
    list_select_related = ("site",)
    list_filter = ("year", "site", *SourcedAdmin.list_filter)
    search_fields = ("name", "description")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    ("year", "site"),
                    ("hazards_investigated_rectified", "count_qualifier"),
                    "description",
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )

    @admin.display(description=_("排查整治隐患数"), ordering="hazards_investigated_rectified")
    def hazard_count_label(self, obj):
        if obj.hazards_investigated_rectified is None:
            return "-"
        return f"{obj.hazards_investigated_rectified}{obj.count_qualifier}"


@admin.register(Inspection)
class InspectionAdmin(SourcedAdmin):
    list_display = ("date", "title", "site", "team", "campaign", "responsible_unit", "inspector")
    list_select_related = ("site", "team", "campaign", "responsible_unit", "inspector")
    list_filter = ("site", "team", "campaign", "responsible_unit", *SourcedAdmin.list_filter)
    search_fields = ("title", "notes")
    date_hierarchy = "date"
    autocomplete_fields = ("responsible_unit", "inspector")
    inlines = (HazardInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("date", "site"),
                    "title",
                    ("team", "campaign"),
                    ("responsible_unit", "inspector"),
                    "notes",
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )


@admin.register(Hazard)
class HazardAdmin(SourcedAdmin):
    list_display = (
        "short_description",
        "grade",
        "status",
        "site",
        "enterprise",
        "responsible_unit",
        "found_date",
        "rectification_deadline",
        "rectifier",
        "verifier",
    )
    list_select_related = ("site", "enterprise", "responsible_unit", "rectifier", "verifier")
    list_filter = ("status", "grade", "site", "responsible_unit", *SourcedAdmin.list_filter)
    search_fields = ("description", "location", "enterprise__name")
    date_hierarchy = "found_date"
    autocomplete_fields = ("inspection", "enterprise", "responsible_unit", "rectifier", "verifier")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "description",
                    ("grade", "site", "found_date"),
                    ("location", "enterprise"),
                    ("inspection", "responsible_unit"),
                )
            },
        ),
        (
            _("整改与验收"),
            {
                "fields": (
                    *HAZARD_RECTIFICATION_FIELDS,
                    "rectification_measures",
                    ("photo_before", "photo_after"),
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )

    @admin.display(description=_("隐患描述"), ordering="description")
    def short_description(self, obj):
        return Truncator(obj.description).chars(40)


@admin.register(SafetyWork)
class SafetyWorkAdmin(SourcedAdmin):
    list_display = ("name", "kind", "status", "site", "responsible_unit")
    list_select_related = ("site", "responsible_unit")
    list_filter = ("kind", "status", "site", *SourcedAdmin.list_filter)
    search_fields = ("name",)
    autocomplete_fields = ("responsible_unit",)
    fieldsets = (
        (None, {"fields": ("name", ("kind", "status"), "site", "responsible_unit")}),
        SourcedAdmin.source_fieldset,
    )
