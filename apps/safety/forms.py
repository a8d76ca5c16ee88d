"""Forms of the safety area: an inspection with its hazards, and the hazard workflow's steps."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import MarkInvalidMixin, SubmissionKeyField
from apps.core.media import PhotoField
from apps.org.models import Enterprise, Unit

from .models import Campaign, HazardGrade, InspectionTeam, Site

CHOOSE = _("请选择")
NONE = _("（无）")


def _date_input():
    return forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")


class InspectionForm(MarkInvalidMixin, forms.Form):
    site = forms.ModelChoiceField(
        label=_("监管区域"),
        queryset=Site.objects.all(),
        empty_label=CHOOSE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    team = forms.ModelChoiceField(
        label=_("检查队伍"),
        queryset=InspectionTeam.objects.all(),
        required=False,
        empty_label=NONE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    campaign = forms.ModelChoiceField(
        label=_("专项行动"),
        queryset=Campaign.objects.all(),
        required=False,
        empty_label=NONE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date = forms.DateField(label=_("检查日期"), widget=_date_input())
    title = forms.CharField(
        label=_("检查内容"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    notes = forms.CharField(
        label=_("检查记录"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    responsible_unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.all(),
        empty_label=CHOOSE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # Sent twice (a double click, a resubmitted page), the form still records one inspection.
    submission_key = SubmissionKeyField()

    def __init__(self, *args, choose_unit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff record inspections for their own unit; only superusers choose one.
        if not choose_unit:
            del self.fields["responsible_unit"]
        if not self.is_bound and "date" not in self.initial:
            self.initial["date"] = timezone.localdate()


class HazardForm(MarkInvalidMixin, forms.Form):
    description = forms.CharField(
        label=_("隐患描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    grade = forms.ChoiceField(
        label=_("隐患等级"),
        choices=HazardGrade.choices,
        initial=HazardGrade.GENERAL,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    location = forms.CharField(
        label=_("位置"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    enterprise = forms.ModelChoiceField(
        label=_("所属企业"),
        queryset=Enterprise.objects.all(),
        required=False,
        empty_label=NONE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    rectification_deadline = forms.DateField(
        label=_("整改期限"), required=False, widget=_date_input()
    )
    photo_before = PhotoField(label=_("整改前照片"), required=False)


class BaseHazardFormSet(forms.BaseFormSet):
    # The row's "remove" button sets this hidden field; removed rows are neither checked nor saved.
    deletion_widget = forms.HiddenInput

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Every row offers the same enterprises: read them once, not once per row.
        if not hasattr(self, "_enterprise_choices"):
            self._enterprise_choices = [("", NONE)] + [
                (e.pk, str(e)) for e in Enterprise.objects.all()
            ]
        form.fields["enterprise"].choices = self._enterprise_choices

    def filled_forms(self):
        """The forms with something typed in; blank extra rows are ignored."""
        return [
            form for form in self.forms if form.has_changed() and not self._should_delete_form(form)
        ]


HazardFormSet = forms.formset_factory(
    HazardForm, formset=BaseHazardFormSet, extra=1, max_num=50, validate_max=True, can_delete=True
)


class StartRectificationForm(MarkInvalidMixin, forms.Form):
    measures = forms.CharField(
        label=_("整改措施"),
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


class MarkRectifiedForm(MarkInvalidMixin, forms.Form):
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=_date_input())
    photo_after = PhotoField(label=_("整改后照片"), required=False)
    measures = forms.CharField(
        label=_("整改措施"),
        max_length=4000,
        required=False,
        help_text=_("可补充实际采取的措施；留空则保留原有内容。"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("rectified_on", timezone.localdate())


class VerifyCloseForm(MarkInvalidMixin, forms.Form):
    closed_on = forms.DateField(label=_("验收销号日期"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("closed_on", timezone.localdate())


class RejectForm(MarkInvalidMixin, forms.Form):
    # The reason is kept as the history record's change reason, which holds 100 characters.
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=100,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
