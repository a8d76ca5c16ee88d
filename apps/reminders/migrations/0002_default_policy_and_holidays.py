"""The default reminder ladder (30/7/1/0 days).

This migration once also loaded the holiday calendar from a hand-written file; the calendar now
comes from the chinese-calendar library (0005), and the file is gone.
"""

from django.db import migrations


def load(apps, schema_editor):
    Policy = apps.get_model("reminders", "Policy")
    LeadTime = apps.get_model("reminders", "LeadTime")
    policy, created = Policy.objects.get_or_create(key="default")
    if created:
        LeadTime.objects.bulk_create(
            [LeadTime(policy=policy, days_before=days) for days in (30, 7, 1, 0)]
        )


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
