"""The last step of an import: how staged rows and removals reach the entry table.

Everything before it is one pipeline on both databases (parse, validate, hash, encrypt, plan,
in gongxin.registry.pipeline and staging); only the writing differs (decision 0018):

- SQLite: ``executemany`` of INSERTs and UPDATEs, inside the staging transaction.
- PostgreSQL: ``COPY … FROM STDIN (FORMAT BINARY)`` through psycopg 3. New entries are copied
  straight into the entry table (the identity column numbers them, so ids still only grow);
  removals are copied into a temporary table and applied with one ``UPDATE … FROM``. Each runs
  inside the same short staging transaction as before, so all-or-nothing by list version,
  clearing and progress are unchanged. The indexes stay: other people screen against the
  table while an import runs (their cost is measured in bench/copy_import.py).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from gongxin.registry import pipeline
from gongxin.registry.models import ListEntry

# After an import this large is switched on, PostgreSQL's statistics are refreshed at once
# rather than at autovacuum's next pass: screening right after a first big import was planned
# for an empty table (124 ms instead of a few for 1,000 candidates against 200,000 entries).
ANALYZE_ROWS = 100_000
# Removals staged by COPY land here first, one transaction at a time (ON COMMIT DELETE ROWS).
REMOVALS_TABLE = "gongxin_staged_removals"


def uses_copy() -> bool:
    """Whether this database takes the COPY path (PostgreSQL)."""
    return connection.vendor == "postgresql"


def write_rows(cursor, inserts: list[tuple], closed: list[tuple]) -> None:
    """Write prepared entries: ``inserts`` carry pipeline.INSERT_COLUMNS, ``closed`` also
    pipeline.REMOVAL_COLUMNS (dates as ISO strings, as the pipeline's workers send them)."""
    for columns, batch in (
        (pipeline.INSERT_COLUMNS, inserts),
        (pipeline.INSERT_COLUMNS + pipeline.REMOVAL_COLUMNS, closed),
    ):
        if not batch:
            continue
        if uses_copy():
            _copy_entries(cursor, columns, batch)
        else:
            cursor.executemany(_insert_sql(columns), batch)


def write_removals(cursor, import_id: int, removals: list[tuple[int, str, str]]) -> None:
    """Close entries (entry id, ISO date, reason): set removed_on once; an entry already
    removed is never re-opened."""
    rows = [(entry_id, day, reason[:200]) for entry_id, day, reason in removals]
    table = connection.ops.quote_name(ListEntry._meta.db_table)
    if not uses_copy():
        cursor.executemany(
            f"UPDATE {table} SET removed_on = %s, removal_reason = %s, "  # noqa: S608 - fixed SQL
            "removed_by_import_id = %s WHERE id = %s AND removed_on IS NULL",
            [(day, reason, import_id, entry_id) for entry_id, day, reason in rows],
        )
        return
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {REMOVALS_TABLE} "
        "(id bigint, removed_on date, reason text) ON COMMIT DELETE ROWS"
    )
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    dates = _dates()
    sql = f"COPY {REMOVALS_TABLE} (id, removed_on, reason) FROM STDIN (FORMAT BINARY)"
    with raw.copy(sql) as copy:
        copy.set_types(["int8", "date", "text"])
        for entry_id, day, reason in rows:
            copy.write_row((entry_id, dates[day], reason))
    cursor.execute(
        f"UPDATE {table} AS e SET removed_on = r.removed_on, removal_reason = r.reason, "  # noqa: S608
        f"removed_by_import_id = %s FROM {REMOVALS_TABLE} AS r "
        "WHERE e.id = r.id AND e.removed_on IS NULL",
        [import_id],
    )


def after_switch(changed: int) -> None:
    """Once a large import is on: let PostgreSQL's planner see the table as it now is."""
    if uses_copy() and changed >= ANALYZE_ROWS:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(ListEntry._meta.db_table)}")


class _Dates(dict):
    """ISO date strings to dates, each converted once (a list has a few thousand days)."""

    def __missing__(self, day: str) -> dt.date:
        value = self[day] = dt.date.fromisoformat(day)
        return value


def _dates() -> _Dates:
    return _Dates()


def _copy_entries(cursor, columns: tuple[str, ...], batch: list[tuple]) -> None:
    qn = connection.ops.quote_name
    table = qn(ListEntry._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    raw = cursor.cursor
    types = _column_types(raw, table, names)
    # Binary COPY sends dates as dates: the workers' ISO strings are converted here.
    date_positions = [i for i, c in enumerate(columns) if c in _DATE_COLUMNS]
    dates = _dates()
    with raw.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        write = copy.write_row
        if date_positions == [_LISTED_ON]:
            for row in batch:
                write((*row[:_LISTED_ON], dates[row[_LISTED_ON]], *row[_LISTED_ON + 1 :]))
            return
        for row in batch:
            values = list(row)
            for i in date_positions:
                if values[i] is not None:
                    values[i] = dates[values[i]]
            write(values)


_DATE_COLUMNS = {"listed_on", "planned_end", "removed_on"}
_LISTED_ON = pipeline.INSERT_COLUMNS.index("listed_on")
_types: dict[str, list[int]] = {}


def _column_types(raw, table: str, names: str) -> list[int]:
    """The columns' type oids, as the table has them (read once per process)."""
    if names not in _types:
        raw.execute(f"SELECT {names} FROM {table} LIMIT 0")  # noqa: S608 - fixed identifiers
        _types[names] = [column.type_code for column in raw.description]
    return _types[names]


def _insert_sql(columns: tuple[str, ...]) -> str:
    qn = connection.ops.quote_name
    return "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - fixed identifiers
        qn(ListEntry._meta.db_table),
        ", ".join(qn(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
