"""Rebuild the Deadline rows from every item of every registered source."""

from django.core.management.base import BaseCommand

from apps.reminders import services


class Command(BaseCommand):
    help = "Create or update the Deadline row of every item of every registered source."

    def handle(self, *args, **options):
        count = services.deadlines_sync_all()
        self.stdout.write(f"deadlines in step: {count}")
