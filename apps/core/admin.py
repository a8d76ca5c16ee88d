"""The base every area's ModelAdmin builds on, axes' access attempts fixed up, and the names of
axes' rows and of permissions given in the reader's language.

The site itself (titles, the checks every admin gets) is apps/core/admin_site.py.
"""

from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import router, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from .admin_site import is_valid_key
from .forms import VERSION, StaleEditMixin, VersionedModelForm
from .models import LightThresholds


class HistoryValuesHelper(HistoricalRecordContextHelper):
    """Shows a changed field's old and new values in the reader's language: an empty one as the
    admin shows one ("-"), a row since deleted by its kind and id. simple_history writes both in
    English ("None", "Deleted 人员 (pk=None)")."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if value is None or isinstance(value, DeletedObject) and value.pk is None:
            return "-"
        if isinstance(value, DeletedObject):
            return _("已删除的%(model)s（ID %(pk)s）") % {
                "model": value.model._meta.verbose_name,
                "pk": value.pk,
            }
        return value


class HistoryAdmin(SimpleHistoryAdmin):
    """Edit history whose pages answer a malformed id in the URL with a 404, values shown in the
    reader's language."""

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryValuesHelper(self.model, historical_record)

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


class SourcedAdmin(HistoryAdmin):
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

    @admin.display(description=_("状态"))
    def status(self, obj):
        left = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left <= 0:
            return _("已锁定")
        return ngettext("还可尝试 %(count)d 次", "还可尝试 %(count)d 次", left) % {"count": left}


# axes names its rows in English f-strings whatever the reader's language; these are translated.
def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


AccessAttempt.__str__ = lambda self: str(
    _("%(username)s 的登录尝试（%(time)s）")
    % {"username": self.username, "time": _when(self.attempt_time)}
)
AccessLog.__str__ = lambda self: str(
    _("%(username)s 的登录日志（%(time)s）")
    % {"username": self.username, "time": _when(self.attempt_time)}
)
AccessFailureLog.__str__ = lambda self: str(
    _("%(username)s 的登录失败（%(time)s，来自 %(ip)s）")
    % {"username": self.username, "time": _when(self.attempt_time), "ip": self.ip_address}
)
apps.get_app_config("axes").verbose_name = _("登录限制")


if admin.site.is_registered(AccessAttempt):  # unless AXES_ENABLE_ADMIN is off
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)


# What each of Django's default permissions lets one do, by the first word of its codename.
PERMISSION_ACTIONS = {
    "add": _("可添加%(model)s"),
    "change": _("可修改%(model)s"),
    "delete": _("可删除%(model)s"),
    "view": _("可查看%(model)s"),
}


def permission_label(permission: Permission) -> str:
    """'重点项目 | 可修改项目节点': Django stores a permission's name once, in English words around
    the untranslated model name ('Can change 项目节点'); the label is built in the reader's language."""
    model = permission.content_type.model_class()
    action = PERMISSION_ACTIONS.get(permission.codename.split("_", 1)[0])
    if model is None or action is None:
        return str(permission)
    original = getattr(model, "instance_type", None)  # simple_history's historical models
    if original is not None:
        name = _("%(model)s的历史记录") % {"model": original._meta.verbose_name}
    else:
        name = model._meta.verbose_name
    return f"{model._meta.app_config.verbose_name} | {action % {'model': name}}"


class PermissionLabelsMixin:
    """For the admin of a model with permissions: each is listed by permission_label()."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.remote_field.model is Permission:
            formfield.label_from_instance = permission_label
        return formfield


class GroupAdmin(PermissionLabelsMixin, DjangoGroupAdmin):
    pass


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
    admin.site.register(Group, GroupAdmin)


@admin.register(LightThresholds)
class LightThresholdsAdmin(HistoryAdmin):
    """One row: the 序时进度 thresholds every status light reads (docs/status-rules.md)."""

    list_display = ("__str__", "yellow_points", "red_points", "unstarted_months", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not LightThresholds.objects.exists()
