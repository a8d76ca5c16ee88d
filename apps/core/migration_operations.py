"""Migration operations for what only PostgreSQL has: the suite also migrates SQLite."""

from django.db import router
from django.db.migrations.operations.base import Operation, OperationCategory


class PostgresOnlyIndex(Operation):
    """An index created on PostgreSQL only, by the SQL of `index_sql`; elsewhere nothing.

    The index stays out of the model's state (and so out of Meta.indexes), otherwise
    makemigrations would add it on every database.
    """

    reversible = True
    category = OperationCategory.ADDITION
    kind = "index"  # named in describe()

    def __init__(self, model_name: str, field: str, name: str):
        self.model_name = model_name
        self.field = field
        self.name = name

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "field": self.field, "name": self.name}
        return (self.__class__.__qualname__, [], kwargs)

    def state_forwards(self, app_label, state):
        pass

    def _applies(self, app_label, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql" and router.allow_migrate(
            schema_editor.connection.alias, app_label, model_name=self.model_name
        )

    def index_sql(self, model, quote, column: str) -> str:
        raise NotImplementedError

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self._applies(app_label, schema_editor):
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.field).column
        schema_editor.execute(self.index_sql(model, schema_editor.quote_name, column))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self._applies(app_label, schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Create {self.kind} {self.name} on {self.model_name}.{self.field} (PostgreSQL)"

    @property
    def migration_name_fragment(self):
        return self.name.lower()


class AddTrigramIndex(PostgresOnlyIndex):
    """On PostgreSQL, a pg_trgm GIN index serving `field__icontains`; elsewhere nothing.

    PostgreSQL runs icontains as UPPER(column::text) LIKE UPPER('%...%'), so the index is on
    that expression, not on the bare column, or the planner could not use it. Needs the pg_trgm
    extension (TrigramExtension) migrated first.
    """

    kind = "trigram index"

    def index_sql(self, model, quote, column):
        return (
            f"CREATE INDEX {quote(self.name)} ON {quote(model._meta.db_table)} "
            f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
        )


class AddDescendingSortIndex(PostgresOnlyIndex):
    """On PostgreSQL, an index on (field DESC NULLS LAST, id DESC); elsewhere nothing.

    The lists sort empty values last in both directions (apps/core/sorting.py), so a descending
    sort is ORDER BY field DESC NULLS LAST, id DESC. A plain (field, id) index read backwards
    gives DESC NULLS FIRST, which the planner cannot use for it: without this index a
    descending sort reads and sorts the whole table. SQLite's CREATE INDEX has no NULLS LAST.
    """

    kind = "descending sort index"

    def index_sql(self, model, quote, column):
        return (
            f"CREATE INDEX {quote(self.name)} ON {quote(model._meta.db_table)} "
            f"({quote(column)} DESC NULLS LAST, {quote(model._meta.pk.column)} DESC)"
        )
