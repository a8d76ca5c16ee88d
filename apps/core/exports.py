"""Table exports (CSV, XLSX) whose cells a spreadsheet can never run as formulas."""

from django_tables2.export import TableExport

# A spreadsheet treats a cell starting with one of these as a formula (CWE-1236).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a formula-looking text cell with an apostrophe so it is shown, not evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeTableExport(TableExport):
    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        headers = [neutralise(h) for h in dataset.headers or []]
        rows = [tuple(neutralise(cell) for cell in row) for row in dataset]
        dataset.wipe()
        dataset.headers = headers
        dataset.extend(rows)
        return dataset
