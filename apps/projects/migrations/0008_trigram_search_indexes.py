# The site search and the project and milestone lists' search boxes (icontains); PostgreSQL only.

from django.db import migrations

from apps.core.migration_operations import AddTrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_trigram_search_indexes"),
        ("projects", "0007_merge_facts_and_versions"),
    ]

    operations = [
        AddTrigramIndex("project", "name", "projects_project_name_trgm"),
        AddTrigramIndex("milestone", "title", "projects_milestone_title_trgm"),
    ]
