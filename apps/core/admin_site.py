"""The admin site: its Chinese titles, and malformed input answered with a message.

Django's admin trusts some of what comes back from the browser: a word or a 20-digit number
where a related row's id belongs or among the rows an action is for, a NUL in a list filter or
the autocomplete's search, a year of twenty digits in the date drill-down. Each of those reaches
the database or Python's date arithmetic and ends in a server error. Every ModelAdmin registered
on this site, ours and the libraries' (auth's groups, axes' access logs), and every inline of
theirs, gets the checks below first.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Longer search terms find nothing anyway, and SQLite refuses LIKE patterns of 50,000 bytes.
SEARCH_MAX_LENGTH = 200


def is_valid_key(field, value) -> bool:
    """Whether `value` is a non-empty value of the model field that the database can hold, so
    that a lookup with it cannot fail (a word for an integer key, a number beyond 64 bits)."""
    if value in field.empty_values:
        return False
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


def _target_field(db_field):
    """The field of the related model that a foreign key or many-to-many field refers to."""
    opts = db_field.remote_field.model._meta
    return opts.get_field(getattr(db_field.remote_field, "field_name", None) or opts.pk.name)


class KeyCheckedAutocompleteMixin:
    """An autocomplete select that shows only the submitted values that are valid keys: Django's
    looks up whatever a re-shown form holds, and a word there breaks the query."""

    def optgroups(self, name, value, attr=None):
        field = _target_field(self.field)
        value = [v for v in value if is_valid_key(field, v)]
        return super().optgroups(name, value, attr)


class KeyCheckedAutocompleteSelect(KeyCheckedAutocompleteMixin, AutocompleteSelect):
    pass


class KeyCheckedAutocompleteSelectMultiple(KeyCheckedAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class KeyCheckedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids the database cannot hold before looking them up (SQLite fails on 2**63)."""

    def _check_values(self, value):
        model = self.queryset.model
        field = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        for pk in value:
            if not is_valid_key(field, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class KeyCheckedFieldsMixin:
    """For ModelAdmins and inlines: related-row fields that refuse ids the database cannot hold."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", KeyCheckedMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CheckedChangeListMixin:
    """A changelist whose bad lookups go the way Django sends the ones it recognises: back to
    the unfiltered list with an error flag."""

    def get_filters(self, request):
        # PostgreSQL refuses NUL in a query; Django passes a filter's value through as it is.
        lookups = self.get_filters_params()
        if any("\x00" in value for values in lookups.values() for value in values):
            raise IncorrectLookupParameters
        try:
            return super().get_filters(request)
        except OverflowError as error:
            # The date drill-down's year, month or day, too large for a date.
            raise IncorrectLookupParameters(error) from error


class CheckedInputAdminMixin(KeyCheckedFieldsMixin):
    """For ModelAdmins: besides those fields, searches, filters and actions the database can take."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, CheckedChangeListMixin):
            return changelist
        return type(changelist.__name__, (CheckedChangeListMixin, changelist), {})

    def get_search_results(self, request, queryset, search_term):
        # The changelist's search form refuses NUL itself; the autocomplete's term comes as it is.
        if "\x00" in search_term:
            return queryset.none(), False
        if len(search_term) > SEARCH_MAX_LENGTH:
            match = getattr(request, "resolver_match", None)
            if match is None or match.url_name != "autocomplete":
                self.message_user(
                    request,
                    _("搜索词不能超过 %(max)d 个字。") % {"max": SEARCH_MAX_LENGTH},
                    messages.ERROR,
                )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_valid_key(self.model._meta.pk, value) for value in selected):
            self.message_user(request, _("所选条目无效，未执行任何操作。"), messages.WARNING)
            return None
        return super().response_action(request, queryset, *args, **kwargs)


def _checked(admin_class, mixin):
    if issubclass(admin_class, mixin):
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__}
    if mixin is CheckedInputAdminMixin:
        attrs["inlines"] = [
            _checked(inline, KeyCheckedFieldsMixin) for inline in admin_class.inlines
        ]
    return type(admin_class.__name__, (mixin, admin_class), attrs)


class ZoneAdminSite(admin.AdminSite):
    """The default admin site (ZoneAdminConfig): every registered admin and its inlines get the
    checks of CheckedInputAdminMixin and KeyCheckedFieldsMixin."""

    site_header = gettext_lazy("开发区重点工作管理系统")
    site_title = gettext_lazy("开发区重点工作管理系统")
    index_title = gettext_lazy("后台管理")

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = _checked(admin_class or admin.ModelAdmin, CheckedInputAdminMixin)
        super().register(model_or_iterable, admin_class, **options)
