"""The ledger's import and export in the admin, on the existing project, milestone and hazard admins.

The admins are re-registered with django-import-export's mixin in front, so their own
behaviour (stale-edit checks, history, filters) is kept. Files are read by apps.ledger.files,
as on the staff page: formulas and merged cells are refused, a GBK CSV is understood.
"""

import tablib
from django.contrib import admin
from django.utils.translation import gettext as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats

from apps.projects.admin import MilestoneAdmin, ProjectAdmin
from apps.projects.models import Milestone, Project
from apps.safety.admin import HazardAdmin
from apps.safety.models import Hazard

from . import files, services
from .resources import HazardResource, MilestoneResource, ProjectResource
from .widgets import listing


def _dataset(book: files.Book, resource_class) -> tablib.Dataset:
    for sheet in book.sheets:
        if services.resource_for(sheet) is resource_class:
            return tablib.Dataset(*sheet.rows, headers=sheet.headers)
    raise files.LedgerFileError(
        _("文件中没有含“%(columns)s”列的表。") % {"columns": listing(resource_class.key_columns)}
    )


def ledger_formats(resource_class):
    class LedgerXLSX(base_formats.XLSX):
        def create_dataset(self, in_stream):
            return _dataset(files.read_xlsx(bytes(in_stream)), resource_class)

    class LedgerCSV(base_formats.CSV):
        def is_binary(self):
            return True  # read as bytes: files.read_csv tells UTF-8 from GBK

        def get_read_mode(self):
            return "rb"

        def create_dataset(self, in_stream):
            return _dataset(files.read_csv(bytes(in_stream)), resource_class)

    return [LedgerXLSX, LedgerCSV]


# Import only: the ledger's export is the staff page's (/ledger/export.xlsx), in the same template.
class LedgerImportMixin(ImportMixin):
    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, files.LedgerFileError):
            form.add_error("import_file", str(e))  # says what is wrong, in the user's language
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}


admin.site.unregister(Project)
admin.site.unregister(Milestone)
admin.site.unregister(Hazard)


@admin.register(Project)
class ProjectLedgerAdmin(LedgerImportMixin, ProjectAdmin):
    resource_classes = [ProjectResource]
    import_formats = ledger_formats(ProjectResource)


@admin.register(Milestone)
class MilestoneLedgerAdmin(LedgerImportMixin, MilestoneAdmin):
    resource_classes = [MilestoneResource]
    import_formats = ledger_formats(MilestoneResource)


@admin.register(Hazard)
class HazardLedgerAdmin(LedgerImportMixin, HazardAdmin):
    resource_classes = [HazardResource]
    import_formats = ledger_formats(HazardResource)
