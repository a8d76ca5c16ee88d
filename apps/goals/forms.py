"""Forms of the goals area: a check-in on a target."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import MarkInvalidMixin, SubmissionKeyField

from .models import CHECKIN_STATUSES


class CheckInForm(MarkInvalidMixin, forms.Form):
    value = forms.DecimalField(
        label=_("当前值"),
        required=False,
        max_digits=16,
        decimal_places=4,
        help_text=_("可不填：只报告状态时保留原有数值。"),
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=CHECKIN_STATUSES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    comment = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        help_text=_("状态为“存在风险”或“滞后”时必填。"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    # Sent twice (a double click, a resubmitted page), the form still makes one check-in.
    submission_key = SubmissionKeyField()
