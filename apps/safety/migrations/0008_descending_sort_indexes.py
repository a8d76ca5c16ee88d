# The hazard list's descending sort by rectification deadline (DESC NULLS LAST); PostgreSQL only.

from django.db import migrations

from apps.core.migration_operations import AddDescendingSortIndex


class Migration(migrations.Migration):
    dependencies = [("safety", "0007_trigram_search_indexes")]

    operations = [
        AddDescendingSortIndex("hazard", "rectification_deadline", "safety_hazard_deadline_desc"),
    ]
