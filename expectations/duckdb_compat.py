"""The one place where civstat adapts Great Expectations 1.24 to DuckDB.

1. GX opens a new SQLAlchemy connection for every metric and reads the
   result after closing it. DuckDB (through duckdb-engine) then answers every
   metric with ``IndexError: list index out of range``. GX already keeps one
   persisted connection for a few dialects (``_PERSISTED_CONNECTION_DIALECTS``);
   :func:`enable` adds DuckDB to that list.
2. duckdb-engine 0.17 cannot reflect columns on DuckDB 2.0 (it queries
   ``pg_catalog.pg_collation``), and GX's fallback drops the schema name, so a
   *table* asset outside ``main`` fails. civstat therefore validates through
   *query* assets (``select … from marts.x``), which GX wraps as a subquery and
   pushes down as SQL all the same.

``tests/test_gx_duckdb_compat.py`` fails as soon as either problem is fixed
upstream, so this module can be deleted then.
"""

from __future__ import annotations

from great_expectations.execution_engine import sqlalchemy_execution_engine as _engine


class _DuckDBDialectName(str):
    """Compares equal to "duckdb" (how GX tests membership) and has ``.value``
    (how GX matches a connection string's driver name)."""

    @property
    def value(self) -> str:
        return str(self)


DUCKDB = _DuckDBDialectName("duckdb")


def enable() -> None:
    """Make GX keep one persisted connection for DuckDB. Idempotent."""
    if DUCKDB not in [str(getattr(d, "value", d)) for d in _engine._PERSISTED_CONNECTION_DIALECTS]:
        _engine._PERSISTED_CONNECTION_DIALECTS = (*_engine._PERSISTED_CONNECTION_DIALECTS, DUCKDB)


def is_enabled() -> bool:
    return any(str(getattr(d, "value", d)) == "duckdb" for d in _engine._PERSISTED_CONNECTION_DIALECTS)
