from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import BootstrapFormMixin

from . import files


class UploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("台账文件（.xlsx 或 .csv）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before the file is read: the size is known from the upload itself.
        error = files.size_error(upload.size)
        if error:
            raise forms.ValidationError(error)
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只能导入 .xlsx 或 .csv 文件。"))
        return upload
