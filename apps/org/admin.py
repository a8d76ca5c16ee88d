"""Admin for logins, units and their people, industry chains, parks and areas, enterprises."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.admin import PermissionLabelsMixin, SourcedAdmin

from .models import Area, Enterprise, IndustryChain, Person, Unit, User


@admin.register(User)
class UserAdmin(PermissionLabelsMixin, DjangoUserAdmin):
    # User has no HistoricalRecords, so its history page is Django's own log of admin edits.
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("偏好与人员"), {"fields": ("language", "linked_person")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (*DjangoUserAdmin.add_fieldsets[0][1]["fields"], "language"),
            },
        ),
    )
    readonly_fields = ("linked_person",)
    list_display = (
        "username",
        "email",
        "last_name",
        "first_name",
        "linked_person",
        "language",
        "is_staff",
        "is_active",
    )
    list_filter = (*DjangoUserAdmin.list_filter, "language")
    search_fields = (*DjangoUserAdmin.search_fields, "person__name", "person__unit__name")
    # Person.__str__ names the unit.
    list_select_related = ("person__unit",)
    show_full_result_count = False

    @admin.display(description=_("人员"))
    def linked_person(self, obj):
        person = getattr(obj, "person", None)
        if person is None:
            return "-"
        url = reverse("admin:org_person_change", args=[person.pk])
        return format_html('<a href="{}">{}</a>', url, person)


class PersonInline(admin.TabularInline):
    model = Person
    fields = ("name", "title", "role", "email", "user")
    autocomplete_fields = ("user",)
    extra = 0
    show_change_link = True


@admin.register(Unit)
class UnitAdmin(SourcedAdmin):
    list_display = ("name", "short_name", "head", "updated_at")
    list_select_related = ("head__unit",)
    search_fields = ("name", "short_name")
    autocomplete_fields = ("head",)
    inlines = (PersonInline,)
    fieldsets = ((None, {"fields": ("name", "short_name", "head")}), SourcedAdmin.source_fieldset)


@admin.register(Person)
class PersonAdmin(SourcedAdmin):
    list_display = ("name", "unit", "title", "role", "email", "user")
    list_select_related = ("unit", "user")
    list_filter = ("role", "unit", *SourcedAdmin.list_filter)
    search_fields = ("name", "title", "email", "unit__name", "user__username")
    autocomplete_fields = ("unit", "user")
    fieldsets = (
        (None, {"fields": ("name", "unit", "title", "role", "email", "user")}),
        SourcedAdmin.source_fieldset,
    )


@admin.register(IndustryChain)
class IndustryChainAdmin(SourcedAdmin):
    list_display = ("name", "aliases", "order")
    search_fields = ("name", "aliases")
    fieldsets = ((None, {"fields": ("name", "aliases", "order")}), SourcedAdmin.source_fieldset)


@admin.register(Area)
class AreaAdmin(SourcedAdmin):
    list_display = ("name", "kind", "parent", "size_label")
    list_select_related = ("parent",)
    list_filter = ("kind", *SourcedAdmin.list_filter)
    search_fields = ("name", "description")
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "parent", ("size", "size_unit"), "description")}),
        SourcedAdmin.source_fieldset,
    )

    @admin.display(description=_("面积"), ordering="size")
    def size_label(self, obj):
        if obj.size is None:
            return "-"
        return f"{obj.size.normalize():f} {obj.get_size_unit_display()}"


@admin.register(Enterprise)
class EnterpriseAdmin(SourcedAdmin):
    list_display = ("name", "short_name", "chain", "is_chain_leader")
    list_select_related = ("chain",)
    list_filter = ("chain", "is_chain_leader", *SourcedAdmin.list_filter)
    search_fields = ("name", "short_name")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "chain", "is_chain_leader")}),
        SourcedAdmin.source_fieldset,
    )
