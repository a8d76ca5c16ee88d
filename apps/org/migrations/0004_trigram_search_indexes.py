# The site search and the lists' search boxes match names with icontains; on PostgreSQL these
# pg_trgm indexes serve them. SQLite has no pg_trgm: there the operations do nothing.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from apps.core.migration_operations import AddTrigramIndex


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0003_real_timestamps_for_seeded_rows"),
    ]

    operations = [
        # Does nothing off PostgreSQL (CreateExtension checks the database's vendor itself).
        TrigramExtension(),
        AddTrigramIndex("unit", "name", "org_unit_name_trgm"),
        AddTrigramIndex("enterprise", "name", "org_enterprise_name_trgm"),
        AddTrigramIndex("enterprise", "short_name", "org_enterprise_short_name_trgm"),
    ]
