"""Load the official holiday and adjusted-working-day calendar (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.reminders import services


class Command(BaseCommand):
    help = "Insert or update public holidays and adjusted working days from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(services.HOLIDAYS_FILE),
            help="A file in the format of apps/reminders/data/cn_public_holidays.json.",
        )

    def handle(self, *args, path, **options):
        created, updated = services.calendar_load(path=Path(path))
        rescheduled = services.deadlines_reschedule()
        self.stdout.write(
            f"calendar days created: {created}, updated: {updated}; "
            f"deadlines rescheduled: {rescheduled}"
        )
