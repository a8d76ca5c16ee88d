"""The back office of reminders: the policy and calendar to edit, deadlines, emails and the
delivery log."""

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import registry, services
from .models import (
    CalendarDay,
    Deadline,
    Delivery,
    DeliveryStatus,
    Job,
    LeadTime,
    Message,
    Policy,
    Preference,
)
from .tasks import reschedule


def _reschedule_after_commit():
    transaction.on_commit(reschedule.delay)


def _warn_calendar_gap(request):
    """Say on the page when this year or the next has no calendar: weekdays then all count."""
    if request.method != "GET":  # a POST redirects, and the next page says it
        return
    for year in services.calendar_missing_years():
        messages.warning(
            request,
            _(
                "%(year)s 年还没有节假日与调休数据，提醒会把这一年的每个星期一至星期五都当作工作日。"
                "请升级 chinese-calendar 后运行 manage.py load_holidays，或在“节假日与调休”中添加。"
            )
            % {"year": year},
        )


class DeadlineKindFilter(admin.SimpleListFilter):
    """The kinds the areas registered, by their labels."""

    title = _("类型")
    parameter_name = "kind"
    field_path = "kind"

    def lookups(self, request, model_admin):
        return [(source.kind, source.label) for source in registry.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field_path: self.value()})
        return queryset


class DeliveryDeadlineKindFilter(DeadlineKindFilter):
    parameter_name = "deadline__kind"
    field_path = "deadline__kind"


class LeadTimeInline(admin.TabularInline):
    model = LeadTime
    extra = 1


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "send_time",
        "overdue_every_days",
        "escalate_after_days",
        "digest_weekday",
        "digest_time",
        "working_days_only",
    ]
    inlines = [LeadTimeInline]

    def changelist_view(self, request, extra_context=None):
        _warn_calendar_gap(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        _warn_calendar_gap(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return not Policy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _reschedule_after_commit()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source", "is_override"]
    list_filter = ["kind", "is_override"]
    search_fields = ["name"]
    date_hierarchy = "date"
    readonly_fields = ["is_override"]
    actions = ["use_library"]

    def changelist_view(self, request, extra_context=None):
        _warn_calendar_gap(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # A day set here wins over the library: loading it again leaves this row alone.
        if not change or form.has_changed():
            obj.is_override = True
        super().save_model(request, obj, form, change)
        _reschedule_after_commit()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _reschedule_after_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        _reschedule_after_commit()

    @admin.action(description=_("选中的后台设定改回节假日库的数据"))
    def use_library(self, request, queryset):
        count = services.calendar_overrides_reset(ids=list(queryset.values_list("pk", flat=True)))
        if count:
            _reschedule_after_commit()
        self.message_user(
            request,
            ngettext(
                "%(count)d 个日期已改回节假日库（%(source)s）的数据。",
                "%(count)d 个日期已改回节假日库（%(source)s）的数据。",
                count,
            )
            % {"count": count, "source": services.calendar_source()},
            messages.SUCCESS,
        )


class DeliveryStateFilter(admin.SimpleListFilter):
    """A row's status as people see it: its email's, unless the row has an outcome of its own."""

    title = _("状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return DeliveryStatus.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.in_state(self.value())
        return queryset


class _DeliveryColumns:
    """What a delivery row shows of its email, written as the admin writes a field's value
    (local time, the admin's mark for nothing): a callable's None would otherwise show "None"."""

    @admin.display(description=_("状态"))
    def state(self, obj):
        return obj.get_state_display()

    @admin.display(description=_("收件地址"))
    def email(self, obj):
        return display_for_value(
            obj.message.email if obj.message_id else "", self.get_empty_value_display()
        )

    @admin.display(description=_("尝试次数"))
    def attempts(self, obj):
        return display_for_value(
            obj.message.attempts if obj.message_id else 0, self.get_empty_value_display()
        )

    @admin.display(description=_("发送时间"))
    def sent_at(self, obj):
        return display_for_value(
            obj.message.sent_at if obj.message_id else None, self.get_empty_value_display()
        )


class DeliveryInline(_DeliveryColumns, admin.TabularInline):
    model = Delivery
    fields = ["created_at", "kind", "recipient", "state", "attempts", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient__unit", "message")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind_label",
        "due_date",
        "is_open",
        "responsible_unit",
        "leading_official",
        "next_reminder_at",
    ]
    list_filter = [DeadlineKindFilter, "is_open"]
    list_select_related = ["responsible_unit", "leading_official__unit"]
    search_fields = ["title"]
    date_hierarchy = "due_date"
    readonly_fields = ["kind_label" if f.name == "kind" else f.name for f in Deadline._meta.fields]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("类型"), ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label


@admin.register(Delivery)
class DeliveryAdmin(_DeliveryColumns, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "deadline",
        "recipient",
        "email",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = [DeliveryStateFilter, "kind", DeliveryDeadlineKindFilter]
    list_select_related = ["deadline", "recipient__unit", "message"]
    search_fields = ["deadline__title", "recipient__name", "message__email"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("重新发送选中的失败记录"))
    def send_again(self, request, queryset):
        count = services.deliveries_send_again(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d 条记录将在下次调度时重新发送。",
                "%(count)d 条记录将在下次调度时重新发送。",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "email",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status"]
    list_select_related = ["recipient__unit"]
    search_fields = ["recipient__name", "email", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "lead", "overdue", "digest"]
    list_filter = ["lead", "overdue", "digest"]
    list_select_related = ["person__unit"]
    search_fields = ["person__name"]
    autocomplete_fields = []
    raw_id_fields = ["person"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["name", "next_run_at", "last_run_at", "lease_until"]
    readonly_fields = ["name", "last_run_at", "lease_until"]

    def has_add_permission(self, request):
        return False
