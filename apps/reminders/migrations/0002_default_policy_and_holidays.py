"""The default reminder ladder (30/7/1/0 days) and the official holiday calendar."""

from django.db import migrations


def load(apps, schema_editor):
    from apps.reminders.services import calendar_days_from_file

    Policy = apps.get_model("reminders", "Policy")
    LeadTime = apps.get_model("reminders", "LeadTime")
    CalendarDay = apps.get_model("reminders", "CalendarDay")
    policy, created = Policy.objects.get_or_create(key="default")
    if created:
        LeadTime.objects.bulk_create(
            [LeadTime(policy=policy, days_before=days) for days in (30, 7, 1, 0)]
        )
    for row in calendar_days_from_file():
        CalendarDay.objects.update_or_create(
            date=row["date"],
            defaults={"kind": row["kind"], "name": row["name"], "source": row["source"]},
        )


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
