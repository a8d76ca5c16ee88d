"""Write the ledger (every project and milestone) to the import template."""

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.ledger import services


class Command(BaseCommand):
    help = "Export projects and milestones to the ledger template (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx file to write.")
        parser.add_argument(
            "--template", action="store_true", help="Write the empty template, without rows."
        )

    def handle(self, *args, file, template, **options):
        Path(file).write_bytes(services.ledger_export(with_rows=not template))
        self.stdout.write(f"{file}")
