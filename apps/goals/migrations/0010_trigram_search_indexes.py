# The site search and the target list's search box (icontains); PostgreSQL only.

from django.db import migrations

from apps.core.migration_operations import AddTrigramIndex


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0004_trigram_search_indexes"),
        ("goals", "0009_merge_facts_and_versions"),
    ]

    operations = [
        AddTrigramIndex("target", "title", "goals_target_title_trgm"),
        AddTrigramIndex("goal", "title", "goals_goal_title_trgm"),
        AddTrigramIndex("target", "deadline_phrase", "goals_target_phrase_trgm"),
        AddTrigramIndex("target", "metric_unit", "goals_target_metric_unit_trgm"),
    ]
