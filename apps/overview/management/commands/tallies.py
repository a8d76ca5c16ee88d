"""Check the dashboard's tallies against the tables they count, or rebuild them.

The services, the admin and every bulk path keep the tallies current; `migrate` rebuilds them.
This is for after a write that went around all of those (SQL typed into a database shell).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core import tallies


class Command(BaseCommand):
    help = "Check the dashboard's tallies against their tables (--rebuild: recount them)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recount every tally.")

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            groups = tallies.rebuild()
            message = ngettext("已重新汇总：%(groups)d 组。", "已重新汇总：%(groups)d 组。", groups)
            self.stdout.write(message % {"groups": groups})
            return
        found = {tally.model._meta.label: tally.differences() for tally in tallies.all_tallies()}
        wrong = {label: differences for label, differences in found.items() if differences}
        for label, differences in wrong.items():
            for key, kept, counted in differences:
                self.stderr.write(f"{label} {key}: {kept} != {counted}")
        if wrong:
            raise CommandError(_("汇总与数据不一致；用 --rebuild 重新汇总。"))
        self.stdout.write(_("汇总与数据一致。"))
