"""The query planner's statistics on SQLite.

SQLite chooses between indexes from the statistics ANALYZE stores (sqlite_stat1) and never
gathers them by itself. An index added by a migration to a table that was analysed before
has none, and SQLite may then prefer an older index that reads every row: on the supervision
bench's store, the national statistics read 50,000 requests through the table (55 ms a query)
instead of the covering index made for them (under 1 ms) until ANALYZE ran. So ANALYZE runs
after every migration and with the nightly `gongxin tally`. ``analysis_limit`` makes it
sample each index (about a second on 100,000 requests and 1,000,000 candidates, bounded
whatever the size). An empty table gets no statistics (SQLite's defaults apply), so running
it on a new installation fixes nothing in place. PostgreSQL's autovacuum analyses by itself.
"""

from __future__ import annotations

from django.db import connections

ANALYSIS_LIMIT = 1000  # rows sampled per index (PRAGMA analysis_limit)


def refresh(using: str = "default") -> bool:
    """ANALYZE the SQLite database ``using``; False (and nothing done) on another database."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True


def after_migrate(sender, using="default", **kwargs) -> None:
    refresh(using)
