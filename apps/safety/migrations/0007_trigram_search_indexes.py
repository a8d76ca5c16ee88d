# The site search and the hazard list's search box (icontains); PostgreSQL only.

from django.db import migrations

from apps.core.migration_operations import AddTrigramIndex


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0004_trigram_search_indexes"),
        ("safety", "0006_merge_facts_and_versions"),
    ]

    operations = [
        AddTrigramIndex("hazard", "description", "safety_hazard_description_trgm"),
        AddTrigramIndex("hazard", "location", "safety_hazard_location_trgm"),
    ]
