"""Helpers for the model tests: a named constraint refuses a row at the database and in full_clean."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CheckConstraint, UniqueConstraint
from simple_history.models import HistoricalChanges


def constraint_names(app_label: str) -> set[str]:
    """Every check and unique constraint of the app's own (not historical) models."""
    return {
        constraint.name
        for model in apps.get_app_config(app_label).get_models()
        if not issubclass(model, HistoricalChanges)
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint | UniqueConstraint)
    }


def assert_database_refuses(obj, constraint_name: str) -> None:
    """Saving obj, skipping Django's validation, fails on the named constraint."""
    model = type(obj)
    constraint = next(c for c in model._meta.constraints if c.name == constraint_name)
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        obj.save()
    if connection.vendor == "sqlite" and isinstance(constraint, UniqueConstraint):
        # SQLite reports the columns of a unique index rather than its name.
        table = model._meta.db_table
        columns = [model._meta.get_field(name).column for name in constraint.fields]
        expected = ", ".join(f"{table}.{column}" for column in columns)
    else:
        expected = constraint_name
    assert expected in str(excinfo.value)


def full_clean_errors(obj) -> dict[str, list[str]]:
    """The messages full_clean() raises for obj (it must raise)."""
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.message_dict
