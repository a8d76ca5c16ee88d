"""Admin for supervision orders, with their steps inline. The state moves only through the services
(the order's page), so it is read-only here, as are the steps: they are the record."""

from django.contrib import admin

from apps.core.admin import SourcedAdmin, StaleEditAdminMixin, WholeRowConstraintsForm
from apps.core.forms import StaleEditMixin

from .models import OrderStep, StepKind, SupervisionOrder


class SupervisionOrderAdminForm(StaleEditMixin, WholeRowConstraintsForm):
    """Refuses an edit made on a page opened before someone else's save or a workflow step."""


class OrderStepInline(admin.TabularInline):
    model = OrderStep
    form = WholeRowConstraintsForm
    fields = ("kind", "text", "evidence", "by", "at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    # The steps are the record: shown, never added, changed or deleted here.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(StaleEditAdminMixin, SourcedAdmin):
    form = SupervisionOrderAdminForm
    list_display = ("__str__", "unit", "issued_by", "issued_at", "response_deadline", "state")
    list_select_related = ("project", "target", "hazard", "unit", "issued_by")
    list_filter = ("state", "unit", *SourcedAdmin.list_filter)
    search_fields = ("instruction", "unit__name")
    date_hierarchy = "issued_at"
    autocomplete_fields = ("project", "target", "hazard", "unit", "issued_by")
    readonly_fields = ("state", *SourcedAdmin.readonly_fields)
    inlines = (OrderStepInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("project", "target", "hazard"),
                    "instruction",
                    "unit",
                    ("issued_by", "issued_at"),
                    ("response_deadline", "state"),
                )
            },
        ),
        SourcedAdmin.source_fieldset,
    )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Who issued the order and when are the record; they are typed only for an order issued
        # on paper and entered here.
        return (*fields, "issued_by", "issued_at") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            OrderStep.objects.create(
                order=obj, kind=StepKind.ISSUED, text=obj.instruction, by=obj.issued_by
            )


@admin.register(OrderStep)
class OrderStepAdmin(SourcedAdmin):
    """A step is no SourcedModel; SourcedAdmin brings the edit history and its guarded URLs."""

    list_display = ("order", "kind", "by", "at")
    list_select_related = ("order__project", "order__target", "order__hazard", "by")
    list_filter = ("kind",)
    date_hierarchy = "at"
    fields = ("order", "kind", "text", "evidence", "by", "at")
    readonly_fields = ()
    autocomplete_fields = ("by",)
    raw_id_fields = ("order",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # A step recorded is the record: it is added (a step taken on paper), never changed.
        return self.fields if obj is not None else ()
