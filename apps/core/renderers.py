"""The form renderer: Django's, except that the filter bars' selects are written in Python.

A list page's filter bar holds selects of every unit, park and chain; through a template each
option is a loop iteration with its attributes resolved variable by variable, a large share of
the page's time. `render_select` writes the same HTML as core/widgets/select.html (which stays
the reference and is what a template renders), escaped the same way, stripped as Django's
renderer strips what a template gives.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape

from .forms import INLINE_SELECT


class ZoneFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == INLINE_SELECT:
            return render_select(context["widget"])
        return super().render(template_name, context, request=request)


def _text(value) -> str:
    """`{{ value }}` in a template: localized, then escaped."""
    return conditional_escape(localize(value))


def _attrs(attrs) -> str:
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_select(widget) -> str:
    """core/widgets/select.html for a widget's context (`widget` as Widget.get_context gives it)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
