"""The base every area's ModelAdmin builds on, and axes' access attempts fixed up.

The site itself (titles, the checks every admin gets) is apps/core/admin_site.py.
"""

from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import ImproperlyConfigured
from django.db import router, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_site import is_valid_key
from .forms import VERSION, StaleEditMixin, VersionedModelForm


class SourcedAdmin(SimpleHistoryAdmin):
    """For SourcedModel subclasses: edit history, read-only timestamps, a demo-data filter.

    Subclasses add to `list_filter` with `SourcedAdmin.list_filter`, so demo rows stay easy to find.
    """

    list_filter = ("is_demo",)
    readonly_fields = ("created_at", "updated_at")
    # The changelist shows "N results" without a second COUNT(*) over the whole table.
    show_full_result_count = False
    list_per_page = 50
    source_fieldset = (
        _("来源"),
        {"fields": ("source_text", "is_demo", "created_at", "updated_at"), "classes": ["collapse"]},
    )

    # simple_history looks the ids in the URL up as they are: a word there breaks the query.
    def history_view(self, request, object_id, extra_context=None):
        _require_key(self.model._meta.pk, unquote(object_id))
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _require_key(self.model._meta.pk, unquote(object_id))
        _require_key(self.model.history.model._meta.pk, version_id)
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )


def _require_key(field, value) -> None:
    """A 404 for an id that cannot be one of the field's values (not a number, out of range)."""
    if not is_valid_key(field, value):
        raise Http404


class WholeRowConstraintsForm(forms.ModelForm):
    """Checks every constraint against the whole row, read-only fields included.

    Django skips a constraint when the form does not edit all of its fields; with some of them
    read-only, a change to the others could then break it and the database would refuse the row.
    The instance holds the read-only fields' stored values, so they take part in the check.
    """

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        not_on_form = {f.name for f in self._meta.model._meta.concrete_fields} - set(self.fields)
        return exclude - not_on_form


class _VersionOnFormMixin:
    """Puts the form's hidden version field on the page (in the first fieldset) and keeps it out
    of the model fields the admin builds the form from (the model field is not editable)."""

    form = VersionedModelForm

    def get_fieldsets(self, request, obj=None):
        (name, options), *rest = super().get_fieldsets(request, obj)
        return [(name, {**options, "fields": [*options["fields"], VERSION]}), *rest]

    def _without_version(self, request, obj, kwargs: dict) -> dict:
        """The form's kwargs with the version left out of the fields it is built from."""
        fields = kwargs.get("fields")
        if fields is None and "fields" not in kwargs:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        if fields is not None:
            kwargs["fields"] = [name for name in fields if name != VERSION]
        return kwargs

    def _check_stale_edit_form(self, form):
        if not issubclass(form, StaleEditMixin):
            raise ImproperlyConfigured(
                f"{type(self).__name__}.form must be a StaleEditMixin form, e.g. VersionedModelForm."
            )
        return form


class StaleEditAdminMixin(_VersionOnFormMixin):
    """For the ModelAdmin of a VersionedModel: a change saved from a page opened before someone
    else's save is refused with what they changed (apps.core.forms.StaleEditMixin). The change
    view validates and saves in one transaction, so the row stays locked from check to save;
    the history's revert page is made to do the same."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs = self._without_version(request, obj, kwargs)
        return self._check_stale_edit_form(super().get_form(request, obj, change=change, **kwargs))

    def history_form_view(self, request, *args, **kwargs):
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, *args, **kwargs)


class StaleEditInlineMixin(_VersionOnFormMixin):
    """For an inline of a VersionedModel: each row it shows is checked the same way."""

    def get_formset(self, request, obj=None, **kwargs):
        kwargs = self._without_version(request, obj, kwargs)
        formset = super().get_formset(request, obj, **kwargs)
        self._check_stale_edit_form(formset.form)
        return formset


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """axes' access attempts, whose "clean up expired attempts" action works from the admin."""

    @admin.action(
        description=axes_admin.AccessAttemptAdmin.cleanup_expired_attempts.short_description
    )
    def cleanup_expired_attempts(self, request, queryset):
        # axes reads the time of the attempt from the request, and sets it only on a sign-in.
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):  # unless AXES_ENABLE_ADMIN is off
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)
