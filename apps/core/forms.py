"""What every area's forms and filters share: Bootstrap's classes, invalid fields marked, a
service's ValidationError shown on the form it came from, the version an edit form was shown at,
and the key that makes a form submitted twice count once."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.models import to_historic

from .concurrency import stale_edit_message
from .history import changes_since


def bootstrap_class(widget: forms.Widget, *, small: bool = False) -> str:
    """Bootstrap's class for a widget: a check box, a select or any other control."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select form-select-sm" if small else "form-select"
    return "form-control form-control-sm" if small else "form-control"


DJANGO_SELECT = "django/forms/widgets/select.html"
# The same HTML, its options inline rather than a template included per option.
INLINE_SELECT = "core/widgets/select.html"


def style_widgets(fields, *, small: bool = False) -> None:
    """Give each field's widget its Bootstrap class (other attributes are kept)."""
    for field in fields.values():
        field.widget.attrs["class"] = bootstrap_class(field.widget, small=small)
        if getattr(field.widget, "template_name", None) == DJANGO_SELECT:
            field.widget.template_name = INLINE_SELECT


class BootstrapFormMixin:
    """A form whose widgets get Bootstrap's classes without naming them field by field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.fields)


class SmallFilterMixin:
    """A FilterSet with Bootstrap's small controls, so the filter bar stays one line on a desktop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.form.fields, small=True)


class MarkInvalidMixin:
    """Give the widgets of fields with errors Bootstrap's `is-invalid` class.

    Every error goes through add_error, those found while cleaning and those a view adds from a
    service afterwards, so both are marked. (Django itself adds aria-invalid and aria-describedby.)
    """

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field if the form has it, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class SubmissionKeyField(forms.UUIDField):
    """A hidden key, new each time the form is shown, that the service stores on the row it
    creates (apps.core.concurrency.recorded_once). A missing or malformed key is no key: the
    form then works as it would without one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None


VERSION = "version"


class VersionField(forms.IntegerField):
    """The version of the row the form was shown at (hidden). It is never a change of its own:
    an inline row nobody touched is not saved just because the row moved on meanwhile."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("版本"))
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None

    def has_changed(self, initial, data):
        return False


class StaleEditMixin:
    """A ModelForm of a VersionedModel that will not save over an edit made after it was shown.

    The form carries the row's version as a hidden field. When the form changes something, clean()
    locks the row (select_for_update) and compares: a newer stored version means someone saved
    since the page was opened, and the form is refused with who changed which fields (from the
    edit history), their new values beside those fields, and what the user typed kept. The
    refused form carries the stored version, so saving it again is a deliberate overwrite. A
    current version moves the instance to the next one, written by the save under the same lock:
    validate and save in one transaction.atomic(), as the admin's change view does.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[VERSION] = VersionField()
        instance = self.instance
        if instance.pk is not None and VERSION not in self.initial:
            if to_historic(instance) is not None:
                # Reverting to an old version from the admin's history: that page shows the
                # row's current version, so only an edit after it opened counts as stale.
                self.initial[VERSION] = self._stored_version(lock=False)
            else:
                self.initial[VERSION] = instance.version

    def _stored_version(self, *, lock: bool) -> int | None:
        # Without the model's ordering: an ordering through a nullable relation joins it, and
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        rows = type(self.instance)._base_manager.filter(pk=self.instance.pk).order_by()
        if lock:
            rows = rows.select_for_update()
        return rows.values_list(VERSION, flat=True).first()

    def clean(self):
        cleaned_data = super().clean()
        instance = self.instance
        # A revert writes the old record's values over the row, changed on the form or not.
        if instance.pk is None or not (self.has_changed() or to_historic(instance) is not None):
            return cleaned_data
        stored = self._stored_version(lock=True)
        if stored is None:
            raise ValidationError(_("这条记录已被删除，无法保存。"))
        seen = cleaned_data.get(VERSION)
        if seen == stored:
            instance.version = stored + 1
        else:
            self._refuse_stale(seen, stored)
        return cleaned_data

    def _refuse_stale(self, seen: int | None, stored: int) -> None:
        changes = changes_since(self.instance, seen) if seen is not None else None
        if changes is None:
            self.add_error(
                None, _("无法确认您看到的是最新内容：这条记录可能已被他人修改。请核对后再次保存。")
            )
        else:
            self.add_error(None, stale_edit_message(changes))
            for change in changes.fields:
                field = self.fields.get(change.name)
                if field is not None and not field.widget.is_hidden:
                    self.add_error(
                        change.name,
                        _("%(who)s 已改为：%(value)s") % {"who": change.who, "value": change.new},
                    )
        # Saving the re-shown form again overwrites knowingly: it now carries the stored version.
        data = self.data.copy()
        data[self.add_prefix(VERSION)] = str(stored)
        self.data = data


class VersionedModelForm(StaleEditMixin, forms.ModelForm):
    """The ModelForm the admin uses for a VersionedModel unless it names another."""


class ChosenOnlySelect(forms.Select):
    """A select over a table that grows without bound (every project, say): it lists the empty
    choice and the row chosen, never every row, so the page stays the same size whatever the
    table holds. Finding a row is the text search's job; links (from a project's page, from the
    dashboard) arrive with the row chosen. The field still validates against its whole queryset.
    """

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        if queryset is not None:
            chosen = [v for v in value if v and str(v).isdigit()]
            empty = getattr(iterator.field, "empty_label", None)
            choices = [("", empty)] if empty is not None else []
            choices += [
                (obj.pk, iterator.field.label_from_instance(obj))
                for obj in (queryset.filter(pk__in=chosen) if chosen else [])
            ]
            self.choices = choices
        return super().optgroups(name, value, attrs)
