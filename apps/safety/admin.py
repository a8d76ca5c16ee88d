"""Admin for the petrochemical zone's sites, teams, campaigns, inspections, hazards and works."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin import (
    SourcedAdmin,
    StaleEditAdminMixin,
    StaleEditInlineMixin,
    WholeRowConstraintsForm,
)
from apps.core.forms import StaleEditMixin

from . import services
from .models import Campaign, Hazard, Inspection, InspectionTeam, SafetyWork, Site

HAZARD_RECTIFICATION_FIELDS = (
    ("status", "rectification_deadline"),
    ("rectifier", "rectified_on"),
    ("verifier", "closed_on"),
)
# The workflow's fields change only through the services (and their verifier-is-not-the-
# rectifier rule): read-only here, moved on by the hazard page or the admin action below.
HAZARD_WORKFLOW_FIELDS = ("status", "rectifier", "rectified_on", "verifier", "closed_on")


class HazardAdminForm(StaleEditMixin, WholeRowConstraintsForm):
    """Refuses an edit made on a page opened before someone else's save or a workflow step."""


class HazardInline(StaleEditInlineMixin, admin.StackedInline):
    model = Hazard
    fields = (
        "description",
        ("grade", "site", "found_date"),
        ("location", "enterprise", "responsible_unit"),
        *HAZARD_RECTIFICATION_FIELDS,
    )
    form = HazardAdminForm
    autocomplete_fields = ("enterprise", "responsible_unit")
    readonly_fields = HAZARD_WORKFLOW_FIELDS
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
class HazardAdmin(StaleEditAdminMixin, SourcedAdmin):
    list_display = (
        "code",
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
    search_fields = ("code", "description", "location", "enterprise__name")
    date_hierarchy = "found_date"
    form = HazardAdminForm
    autocomplete_fields = ("inspection", "enterprise", "responsible_unit")
    readonly_fields = (*SourcedAdmin.readonly_fields, *HAZARD_WORKFLOW_FIELDS, "workflow_link")
    actions = ("verify_close",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("code", "grade"),
                    "description",
                    ("site", "found_date"),
                    ("location", "enterprise"),
                    ("inspection", "responsible_unit"),
                )
            },
        ),
        (
            _("整改与验收"),
            {
                "fields": (
                    "workflow_link",
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

    @admin.display(description=_("整改流程"))
    def workflow_link(self, obj):
        if obj is None or obj.pk is None:
            return _("新隐患从“已发现”开始；保存后在隐患页面办理整改与验收。")
        return format_html(
            '<a href="{}">{}</a>', obj.get_absolute_url(), _("在隐患页面办理整改与验收")
        )

    @admin.action(description=_("验收销号所选隐患（今天）"))
    def verify_close(self, request, queryset):
        closed, refused = 0, []
        for hazard in queryset.order_by("pk"):
            try:
                services.hazard_verify_close(user=request.user, hazard=hazard)
            except PermissionDenied:
                refused.append(f"{Truncator(hazard.description).chars(20)}：{_('无权验收')}")
            except ValidationError as error:
                refused.append(
                    f"{Truncator(hazard.description).chars(20)}：{' '.join(error.messages)}"
                )
            else:
                closed += 1
        if closed:
            self.message_user(
                request,
                ngettext("已验收销号 %(count)d 条隐患。", "已验收销号 %(count)d 条隐患。", closed)
                % {"count": closed},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)


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
