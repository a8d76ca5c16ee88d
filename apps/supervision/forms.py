"""Forms of the order workflow: issue, answer, accept, return. Each step form carries the order's
version (a stale page is refused) and a submission key (a form sent twice counts once)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import MarkInvalidMixin, SubmissionKeyField, VersionField
from apps.core.media import PhotoField
from apps.org.models import Unit

from .services import REASON_MAX


class IssueForm(MarkInvalidMixin, forms.Form):
    instruction = forms.CharField(
        label=_("督办事项"),
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )
    unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.all(),
        required=False,
        empty_label=_("（事项的责任单位）"),
        help_text=_("留空则由该事项的责任单位答复。"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    response_deadline = forms.DateField(
        label=_("答复期限"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )
    submission_key = SubmissionKeyField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("response_deadline", timezone.localdate() + timedelta(days=7))


class _StepForm(MarkInvalidMixin, forms.Form):
    version = VersionField()
    submission_key = SubmissionKeyField()

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None and not self.is_bound:
            self.initial["version"] = order.version


class AnswerForm(_StepForm):
    text = forms.CharField(
        label=_("办理情况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )
    evidence = PhotoField(label=_("佐证照片"))


class AcceptForm(_StepForm):
    comment = forms.CharField(
        label=_("验收意见"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )


class ReturnForm(_StepForm):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
