"""Load public holidays and adjusted working days from chinese-calendar (idempotent)."""

from django.core.management.base import BaseCommand

from apps.reminders import services


class Command(BaseCommand):
    help = (
        "Bring the holiday calendar in line with the installed chinese-calendar; "
        "days set in the admin are kept. Run it after upgrading chinese-calendar."
    )

    def handle(self, *args, **options):
        result = services.calendar_load()
        rescheduled = services.deadlines_reschedule()
        years = services.calendar_library_years()
        self.stdout.write(
            f"calendar days created: {result.created}, updated: {result.updated}, "
            f"deleted: {result.deleted}; kept as set in the admin: {result.overrides}; "
            f"from {services.calendar_source()} ({years[0]}-{years[-1]}); "
            f"deadlines rescheduled: {rescheduled}"
        )
        for year in services.calendar_missing_years():
            self.stderr.write(
                f"No holiday calendar for {year}: reminders treat every weekday of it as a "
                "working day. Upgrade chinese-calendar (pip install -U chinese-calendar) and run "
                "this again, or add the days in the admin."
            )
