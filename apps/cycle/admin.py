"""Admin for the reporting cycle: the cadence, rounds, submissions with their versions, lights."""

from django.contrib import admin

from apps.core.admin import HistoryAdmin, StaleEditAdminMixin

from .models import (
    CycleSetting,
    ReportingRound,
    ReportMailing,
    RoundLight,
    Submission,
    SubmissionVersion,
)


@admin.register(CycleSetting)
class CycleSettingAdmin(HistoryAdmin):
    list_display = ("__str__", "deadline_weekday", "deadline_day", "deadline_time", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not CycleSetting.objects.exists()


@admin.register(ReportingRound)
class ReportingRoundAdmin(HistoryAdmin):
    list_display = ("period", "kind", "opens_at", "deadline", "state", "is_demo")
    list_filter = ("state", "kind", "is_demo")
    search_fields = ("period",)
    raw_id_fields = ("opened_by", "closed_by")
    show_full_result_count = False


class SubmissionVersionInline(admin.TabularInline):
    model = SubmissionVersion
    fields = ("number", "submitted_at", "submitted_by", "progress", "investment_completed")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(StaleEditAdminMixin, HistoryAdmin):
    list_display = ("round", "project", "target", "responsible_unit", "state", "submitted_at")
    list_select_related = ("round", "project", "target", "responsible_unit")
    list_filter = ("state", "round", "is_demo")
    search_fields = ("project__name", "target__title", "responsible_unit__name")
    raw_id_fields = ("round", "project", "target", "responsible_unit")
    # Set by the submit service, with a version kept each time; not typed.
    readonly_fields = ("submitted_at", "first_submitted_at", "submitted_by")
    inlines = (SubmissionVersionInline,)
    show_full_result_count = False


@admin.register(SubmissionVersion)
class SubmissionVersionAdmin(HistoryAdmin):
    list_display = ("submission", "number", "submitted_at", "submitted_by")
    list_select_related = (
        "submission__round",
        "submission__project",
        "submission__target",
        "submitted_by",
    )
    raw_id_fields = ("submission", "submitted_by")
    show_full_result_count = False


@admin.register(RoundLight)
class RoundLightAdmin(HistoryAdmin):
    list_display = ("round", "project", "target", "light")
    list_select_related = ("round", "project", "target")
    list_filter = ("light", "round")
    raw_id_fields = ("round", "project", "target")
    show_full_result_count = False


@admin.register(ReportMailing)
class ReportMailingAdmin(HistoryAdmin):
    list_display = ("round", "person", "email", "claimed_at", "sent_at")
    list_select_related = ("round", "person__unit")
    list_filter = ("round",)
    raw_id_fields = ("round", "person")
    show_full_result_count = False
