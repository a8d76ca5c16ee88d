"""What every area's forms and filters share: Bootstrap's classes, invalid fields marked, and a
service's ValidationError shown on the form it came from."""

from django import forms
from django.core.exceptions import ValidationError


def bootstrap_class(widget: forms.Widget, *, small: bool = False) -> str:
    """Bootstrap's class for a widget: a check box, a select or any other control."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select form-select-sm" if small else "form-select"
    return "form-control form-control-sm" if small else "form-control"


def style_widgets(fields, *, small: bool = False) -> None:
    """Give each field's widget its Bootstrap class (other attributes are kept)."""
    for field in fields.values():
        field.widget.attrs["class"] = bootstrap_class(field.widget, small=small)


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
