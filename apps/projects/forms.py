"""Forms for logging progress and completing milestones; the rules themselves live in services."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import BootstrapFormMixin, MarkInvalidMixin, SubmissionKeyField
from apps.core.media import PhotoField
from apps.core.models import MoneyUnit


class ProgressLogForm(BootstrapFormMixin, MarkInvalidMixin, forms.Form):
    text = forms.CharField(
        label=_("进展情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("请填写进展情况。")},
    )
    percent_complete = forms.IntegerField(
        label=_("完成百分比（%）"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
        error_messages={
            "required": _("请填写完成百分比。"),
            "invalid": _("完成百分比须是 0 到 100 之间的整数。"),
            "min_value": _("完成百分比必须在 0 到 100 之间。"),
            "max_value": _("完成百分比必须在 0 到 100 之间。"),
        },
    )
    investment_completed = forms.DecimalField(
        label=_("累计完成投资"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"min": 0, "step": "any", "inputmode": "decimal"}),
        help_text=_("截至今天的累计数，不填表示本次不报。"),
        error_messages={
            "min_value": _("累计完成投资不能为负数。"),
            "invalid": _("请填写数字。"),
        },
    )
    investment_unit = forms.ChoiceField(
        label=_("金额单位"), choices=MoneyUnit.choices, initial=MoneyUnit.YI
    )
    photo = PhotoField(
        label=_("现场照片"), required=False, help_text=_("可选，JPEG、PNG 或 WebP。")
    )
    confirm_decrease = forms.BooleanField(label=_("确认下调"), required=False)
    # Sent twice (a double click, a resubmitted page), the form still makes one log.
    submission_key = SubmissionKeyField()


class MilestoneCompleteForm(BootstrapFormMixin, MarkInvalidMixin, forms.Form):
    done_date = forms.DateField(
        label=_("实际完成日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写实际完成日期。"),
            "invalid": _("请填写有效的日期，例如 2023-06-30。"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("done_date", timezone.localdate())
