"""Forms for logging progress and completing milestones; the rules themselves live in services."""

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import BootstrapFormMixin, MarkInvalidMixin
from apps.core.models import MoneyUnit

# Pillow's name for each image format a photo may have, and its content type.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def clean_photo(photo):
    """A photo is a JPEG, PNG or WebP image no larger than UPLOAD_MAX_BYTES."""
    if not photo:
        return photo
    if photo.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            _("照片不能大于 %(limit)s。"),
            params={"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        )
    # forms.ImageField has already opened the file with Pillow and kept the image on it.
    image = getattr(photo, "image", None)
    if image is None or image.format not in PHOTO_FORMATS:
        raise forms.ValidationError(_("照片只能是 JPEG、PNG 或 WebP 格式。"))
    return photo


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
    photo = forms.ImageField(
        label=_("现场照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("可选，JPEG、PNG 或 WebP。"),
        error_messages={"invalid_image": _("上传的文件不是有效的图片。")},
    )
    confirm_decrease = forms.BooleanField(label=_("确认下调"), required=False)

    def clean_photo(self):
        return clean_photo(self.cleaned_data.get("photo"))


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
