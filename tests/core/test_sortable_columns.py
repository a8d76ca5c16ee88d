"""Every sortable column of every list is backed by an index, so sorting never scans a big table."""

import pytest
from django.db import models
from django_tables2 import Table

from apps.goals.tables import TargetTable
from apps.projects.tables import MilestoneTable, ProjectTable
from apps.safety.tables import HazardTable, InspectionTable

TABLES = [ProjectTable, MilestoneTable, TargetTable, InspectionTable, HazardTable]


def indexed_prefixes(model) -> list[tuple[str, ...]]:
    """Field lists the database can walk in order: indexes, unique constraints, FKs, the pk."""
    prefixes = [("id",), ("pk",)]
    for index in model._meta.indexes:
        prefixes.append(tuple(f.lstrip("-") for f in index.fields))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            prefixes.append(tuple(constraint.fields))
    for field in model._meta.fields:
        if field.is_relation or field.db_index or field.unique:
            prefixes.append((field.attname,))
            prefixes.append((field.name,))
    return prefixes


def leading_field(order_by: tuple[str, ...]) -> str:
    return order_by[0].lstrip("-").removesuffix("_id") if order_by else ""


@pytest.mark.parametrize("table_class", TABLES, ids=lambda t: t.__name__)
def test_sortable_columns_lead_with_an_indexed_field(table_class: type[Table]):
    model = table_class._meta.model
    prefixes = indexed_prefixes(model)
    for column in table_class([]).columns:
        if not column.orderable:
            continue
        order_by = tuple(o.lstrip("-") for o in column.order_by)
        first = leading_field(order_by)
        assert any(p[0].removesuffix("_id") == first for p in prefixes), (
            f"{table_class.__name__}.{column.name} sorts by {order_by} with no index on {first}"
        )
