"""The filter bars' selects written in Python give the HTML their template gives."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from apps.core.forms import INLINE_SELECT, style_widgets
from apps.core.renderers import ZoneFormRenderer
from tests.core.test_table_rows import LISTS, rows  # noqa: F401 -- the lists' rows fixture

pytestmark = pytest.mark.django_db


def by_template(widget, name, value):
    return DjangoTemplates().render(INLINE_SELECT, widget.get_context(name, value, None))


class Edge(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a&b", "<A & B>"), (3, 2026)])
    grouped = forms.ChoiceField(
        choices=[("园区", [("1", "一区"), ("2", "二区")]), ("x", "other")],
        widget=forms.Select(attrs={"required": True, "disabled": False, "data-x": '"q"'}),
    )
    many = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two")])


@pytest.mark.parametrize(
    ("name", "value"), [("plain", "a&b"), ("plain", None), ("grouped", "2"), ("many", ["1", "2"])]
)
def test_a_select_written_in_python_is_its_template(name, value):
    form = Edge()
    style_widgets(form.fields, small=True)
    widget = form.fields[name].widget
    assert widget.template_name == INLINE_SELECT

    ours = widget.render(name, value, renderer=ZoneFormRenderer())

    assert ours == by_template(widget, name, value)
    assert "<option" in ours


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("url", LISTS)
def test_every_filter_bar_select_is_its_template(client, staff_a, url):
    client.force_login(staff_a)
    response = client.get(url, {"unit": staff_a.person.unit_id})
    form = response.context["filter"].form
    names = [field.name for field in form if field.field.widget.template_name == INLINE_SELECT]
    ours = {name: str(form[name]) for name in names}

    form.renderer = DjangoTemplates()
    theirs = {name: str(form[name]) for name in names}

    assert names
    assert ours == theirs
    assert all(html in response.content.decode() for html in ours.values())
