"""Take the holiday calendar from the chinese-calendar library; keep what administrators set.

The days the old hand-written file loaded name one of its notices as their source and agree
with the library on date and kind: they become library days. Any other day was added or
changed in the admin and becomes an override, which loading leaves alone. Kept apart from
services so that later changes there cannot break this migration.
"""

import chinese_calendar
from django.db import migrations

FILE_NOTICES = {
    "国办发明电〔2022〕16号",
    "国办发明电〔2023〕7号",
    "国办发明电〔2024〕12号",
    "国办发明电〔2025〕7号",
}
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}


def _name(english):
    if english in NAMES:
        return NAMES[english]
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def load(apps, schema_editor):
    CalendarDay = apps.get_model("reminders", "CalendarDay")
    source = f"chinese-calendar {chinese_calendar.__version__}"
    library = {day: ("holiday", _name(name)) for day, name in chinese_calendar.holidays.items()}
    library.update(
        (day, ("workday", f"{_name(name)}调休上班"))
        for day, name in chinese_calendar.workdays.items()
    )
    for row in CalendarDay.objects.all():
        kind, name = library.get(row.date, (None, None))
        if row.source in FILE_NOTICES and row.kind == kind:
            row.name, row.source = name, source
            row.save(update_fields=["name", "source"])
        else:
            row.is_override = True
            row.save(update_fields=["is_override"])
    present = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, kind=kind, name=name, source=source)
            for day, (kind, name) in sorted(library.items())
            if day not in present
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("reminders", "0004_calendarday_is_override")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
