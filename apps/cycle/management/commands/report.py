"""Write a round's report (XLSX and PDF) into a folder and print the paths."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from apps.cycle.reports import (
    ReportError,
    build_report,
    default_report_dir,
    round_for_period,
    write_report,
)


class Command(BaseCommand):
    help = "Write the report of a reporting round (--period 2026-W48 or 2026-11) as XLSX and PDF."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="The round's period: 2026-W48 (week) or 2026-11."
        )
        parser.add_argument(
            "--out", type=Path, default=None, help="Folder to write into (default var/reports/)."
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the report (default the zone's).",
        )

    def handle(self, *args, period, out, language, **options):
        with translation.override(language):
            try:
                round_ = round_for_period(period)
            except ReportError as error:
                raise CommandError(str(error)) from error
            paths = write_report(build_report(round_), out or default_report_dir())
        for path in paths:
            self.stdout.write(str(path))
