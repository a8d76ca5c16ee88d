"""Seeded rows whose created_at or updated_at is the date the fixtures used to carry, made up
(2023-01-28 00:00, the day of the zone's first meeting of 2023): given the time seed really wrote
them, from the row's own history. Rows without history (loaded by loaddata) keep theirs."""

import datetime
from zoneinfo import ZoneInfo

from django.db import migrations
from django.db.models import Max, Min, Q

MADE_UP = datetime.datetime(2023, 1, 28, tzinfo=ZoneInfo("Asia/Shanghai"))


def real_timestamps(apps, schema_editor):
    for model in apps.get_app_config("projects").get_models():
        names = {field.name for field in model._meta.get_fields()}
        if model.__name__.startswith("Historical") or "created_at" not in names:
            continue
        history = apps.get_model("projects", f"Historical{model.__name__}")
        made_up = model._default_manager.filter(Q(created_at=MADE_UP) | Q(updated_at=MADE_UP))
        for row in made_up.values("pk", "created_at", "updated_at"):
            written = history._default_manager.filter(id=row["pk"]).aggregate(
                first=Min("history_date"), last=Max("history_date")
            )
            changes = {}
            if row["created_at"] == MADE_UP and written["first"] is not None:
                changes["created_at"] = written["first"]
            if row["updated_at"] == MADE_UP and written["last"] is not None:
                changes["updated_at"] = written["last"]
            if changes:
                model._default_manager.filter(pk=row["pk"]).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_shop"),
    ]

    operations = [
        migrations.RunPython(real_timestamps, migrations.RunPython.noop),
    ]
