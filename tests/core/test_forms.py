"""The shared form helpers: Bootstrap classes, invalid fields marked, a service's errors on the form,
small filter controls on every list, and the one field template."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from apps.core.forms import (
    BootstrapFormMixin,
    MarkInvalidMixin,
    SmallFilterMixin,
    add_service_errors,
    bootstrap_class,
)
from apps.goals.filters import TargetFilter
from apps.projects.filters import MilestoneFilter, ProjectFilter
from apps.safety.filters import HazardFilter, InspectionFilter


class NoteForm(MarkInvalidMixin, forms.Form):
    title = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control"}))
    kind = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(required=False, help_text="可不填")


class StyledForm(BootstrapFormMixin, MarkInvalidMixin, forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    choice = forms.ChoiceField(choices=[("a", "A")])
    agree = forms.BooleanField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def valid_note_form() -> NoteForm:
    form = NoteForm({"title": "检查", "kind": "a", "note": ""})
    assert form.is_valid()
    return form


# --- a service's errors on the form -------------------------------------------------------------


def test_add_service_errors_field_error_goes_on_its_field():
    form = valid_note_form()

    add_service_errors(form, ValidationError({"title": "标题重复。"}))

    assert (form.errors["title"], form.non_field_errors()) == (["标题重复。"], [])


def test_add_service_errors_unknown_field_goes_on_top():
    form = valid_note_form()

    add_service_errors(form, ValidationError({"owner": ["不是本单位的。", "已停用。"]}))

    assert (dict(form.errors), form.non_field_errors()) == (
        {"__all__": ["不是本单位的。", "已停用。"]},
        ["不是本单位的。", "已停用。"],
    )


def test_add_service_errors_plain_message_goes_on_top():
    form = valid_note_form()

    add_service_errors(form, ValidationError("该记录已被他人修改。"))

    assert form.non_field_errors() == ["该记录已被他人修改。"]


def test_add_service_errors_keeps_message_params():
    form = valid_note_form()

    add_service_errors(
        form, ValidationError({"title": ValidationError("最多 %(n)d 个字。", params={"n": 5})})
    )

    assert form.errors["title"] == ["最多 5 个字。"]


# --- invalid fields marked ----------------------------------------------------------------------


def test_mark_invalid_marks_field_with_cleaning_error():
    form = NoteForm({"title": "", "kind": "a"})

    assert not form.is_valid()
    assert form.fields["title"].widget.attrs["class"] == "form-control is-invalid"
    assert form.fields["kind"].widget.attrs["class"] == "form-select"


def test_mark_invalid_marks_field_with_service_error_after_validation():
    form = valid_note_form()

    add_service_errors(form, ValidationError({"kind": "此类别已停用。"}))

    assert form.fields["kind"].widget.attrs["class"] == "form-select is-invalid"
    assert form.fields["title"].widget.attrs["class"] == "form-control"


def test_mark_invalid_adds_class_once_for_several_errors():
    form = NoteForm({"title": "", "kind": "a"})
    form.is_valid()

    form.add_error("title", "另一个问题。")
    form.add_error(None, "整体问题。")

    assert form.fields["title"].widget.attrs["class"] == "form-control is-invalid"


def test_mark_invalid_on_widget_without_class():
    form = valid_note_form()

    form.add_error("note", "太长。")

    assert form.fields["note"].widget.attrs["class"] == "is-invalid"


def test_mark_invalid_does_not_leak_into_next_form():
    NoteForm({"title": "", "kind": "a"}).is_valid()

    assert NoteForm().fields["title"].widget.attrs["class"] == "form-control"


# --- Bootstrap classes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("widget", "small", "css"),
    [
        (forms.TextInput(), False, "form-control"),
        (forms.Textarea(), False, "form-control"),
        (forms.ClearableFileInput(), False, "form-control"),
        (forms.Select(), False, "form-select"),
        (forms.SelectMultiple(), False, "form-select"),
        (forms.CheckboxInput(), False, "form-check-input"),
        (forms.TextInput(), True, "form-control form-control-sm"),
        (forms.DateInput(), True, "form-control form-control-sm"),
        (forms.Select(), True, "form-select form-select-sm"),
        (forms.NullBooleanSelect(), True, "form-select form-select-sm"),
    ],
)
def test_bootstrap_class_by_widget(widget, small, css):
    assert bootstrap_class(widget, small=small) == css


def test_bootstrap_form_mixin_styles_every_widget_and_keeps_attrs():
    form = StyledForm()

    assert {name: field.widget.attrs["class"] for name, field in form.fields.items()} == {
        "text": "form-control",
        "choice": "form-select",
        "agree": "form-check-input",
        "day": "form-control",
    }
    assert (form.fields["text"].widget.attrs["rows"], form.fields["day"].widget.input_type) == (
        4,
        "date",
    )


def test_bootstrap_form_mixin_marks_invalid_fields():
    form = StyledForm({"text": "", "choice": "a", "day": "2024-13-01"})

    assert not form.is_valid()
    assert {name: field.widget.attrs["class"] for name, field in form.fields.items()} == {
        "text": "form-control is-invalid",
        "choice": "form-select",
        "agree": "form-check-input",
        "day": "form-control is-invalid",
    }


# --- filters ------------------------------------------------------------------------------------

FILTERSETS = [ProjectFilter, MilestoneFilter, TargetFilter, InspectionFilter, HazardFilter]


@pytest.mark.parametrize("filterset_class", FILTERSETS)
def test_every_list_filter_uses_the_small_filter_mixin(filterset_class):
    assert issubclass(filterset_class, SmallFilterMixin)


@pytest.mark.django_db
@pytest.mark.parametrize("filterset_class", FILTERSETS)
def test_every_list_filter_has_small_controls(filterset_class):
    fields = filterset_class(data={}).form.fields

    classes = {
        name: field.widget.attrs["class"]
        for name, field in fields.items()
        if field.widget.attrs["class"] != bootstrap_class(field.widget, small=True)
    }
    assert classes == {}
    assert all(field.widget.attrs["class"].endswith("-sm") for field in fields.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filterset_class", "placeholder"),
    [(TargetFilter, "指标、目标或期限"), (HazardFilter, "描述、位置或企业")],
)
def test_filter_search_box_keeps_its_placeholder(filterset_class, placeholder):
    widget = filterset_class(data={}).form.fields["q"].widget

    assert (widget.attrs["class"], str(widget.attrs["placeholder"])) == (
        "form-control form-control-sm",
        placeholder,
    )


@pytest.mark.django_db
def test_filter_date_inputs_stay_date_inputs():
    fields = InspectionFilter(data={}).form.fields

    assert [
        (fields[name].widget.input_type, fields[name].widget.attrs["class"])
        for name in ("date_after", "date_before")
    ] == [("date", "form-control form-control-sm"), ("date", "form-control form-control-sm")]


# --- the field template -------------------------------------------------------------------------


def render_field(field, **options) -> str:
    return render_to_string("includes/field.html", {"field": field, **options})


def test_field_template_shows_label_star_widget_and_help():
    html = render_field(NoteForm()["title"])

    assert '<div class="mb-3">' in html
    assert (
        '<label class="form-label" for="id_title">Title <span class="text-danger"'
        ' aria-hidden="true">*</span></label>'
    ) in html
    assert 'class="form-control"' in html
    assert "invalid-feedback" not in html


def test_field_template_help_text_has_the_id_django_points_to():
    html = render_field(NoteForm()["note"])

    assert 'aria-describedby="id_note_helptext"' in html
    assert '<div class="form-text" id="id_note_helptext">可不填</div>' in html
    assert "text-danger" not in html


def test_field_template_errors_marked_and_described():
    form = NoteForm({"title": "", "kind": "a"})
    form.is_valid()

    html = render_field(form["title"])

    assert 'class="form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_error"' in html
    assert (
        '<div id="id_title_error"><div class="invalid-feedback d-block">这个字段是必填项。</div></div>'
    ) in html


def test_field_template_dense_spacing():
    html = render_field(NoteForm()["title"], dense=True)

    assert '<div class="mb-2">' in html
    assert '<label class="form-label mb-1" for="id_title">' in html


def test_field_template_compact_drops_help_text():
    html = render_field(NoteForm()["note"], compact=True)

    assert '<div class="mb-0">' in html
    assert '<label class="form-label small mb-0" for="id_note">' in html
    assert "form-text" not in html


def test_field_template_check_box_label_after_the_box():
    html = render_field(StyledForm()["agree"])

    assert '<div class="form-check mb-3">' in html
    assert html.index('type="checkbox"') < html.index('<label class="form-check-label"')
