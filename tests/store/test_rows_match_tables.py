"""The row types in ``store/rows.py`` and the tables the migrations create agree, column for column.

An insert names its columns from the row types, so a column added to a
migration but not to the rows (or the reverse) would fail only at the first
write, on one engine; this ties them together on both.
"""

from __future__ import annotations

import pytest

from pipeline.store import rows
from pipeline.store.store import Store

# rows.py kinds -> the ClickHouse types a column of that kind may have
KINDS = {
    "str": ("String",),
    "int": ("Int64", "UInt64", "Int32", "UInt32", "UInt8"),
    "bool": ("UInt8",),
    "float": ("Float64", "Float32"),
}
TABLES = {
    "contact_facts": rows.FACT_COLUMNS,
    "contact_offers": rows.OFFER_COLUMNS,
    "customer_contacts": rows.CUSTOMER_COLUMNS,
    "contact_next": rows.NEXT_COLUMNS,
    "events": rows.EVENT_COLUMNS,
    **{table: columns for table, columns in rows.SIDE_TABLES.values()},
}


def _columns(store: Store, table: str) -> dict[str, tuple[str, str]]:
    """name -> (type without Nullable, default kind) of a stored table."""
    found = store.engine.query(f"SELECT name, type, default_kind FROM system.columns "
                               f"WHERE database = '{store.db}' AND table = '{table}'")
    return {name: (kind.removeprefix("Nullable(").removesuffix(")"), default)
            for name, kind, default in zip(found["name"], found["type"], found["default_kind"])}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_row_types_and_table_columns_agree(store: Store, table: str) -> None:
    stored = _columns(store, table)
    assert stored, f"migrations create no table {table}"
    written = TABLES[table]
    for name, kind in written.items():
        assert name in stored, f"rows.py writes {table}.{name}, which no migration creates"
        assert stored[name][0] in KINDS[kind], f"{table}.{name}: rows.py says {kind}, the table has {stored[name][0]}"
    unwritten = {name for name, (_, default) in stored.items() if name not in written and default == ""}
    assert not unwritten, f"{table} columns with no default that rows.py never writes: {sorted(unwritten)}"
