"""The shared form helpers: a service's errors on the form."""

from django import forms
from django.core.exceptions import ValidationError

from apps.core.forms import add_service_errors


class NoteForm(forms.Form):
    title = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control"}))
    kind = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(required=False, help_text="可不填")


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
