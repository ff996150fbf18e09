"""Read-only SQL over the published marts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


class QueryRefused(Exception):
    """The statement would write, or reach outside the serving file."""


class NotPublished(Exception):
    """No serving file yet: nothing has been published."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]


def connect_serving(serving_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection that cannot read or write other files either."""
    if not Path(serving_path).exists():
        raise NotPublished(f"{serving_path} does not exist yet: run `civstat run` first")
    con = duckdb.connect(str(serving_path), read_only=True,
                         config={"enable_external_access": False})
    con.execute("set search_path = 'marts,main'")
    return con


def run_query(serving_path: Path, sql: str) -> QueryResult:
    con = connect_serving(serving_path)
    try:
        try:
            cursor = con.execute(sql)
        except (duckdb.InvalidInputException, duckdb.PermissionException) as exc:
            message = str(exc)
            if "read-only" in message or "read only" in message or "Permission" in message \
                    or "external access" in message.lower():
                raise QueryRefused("civstat sql is read-only: statements that write, attach or "
                                   "reach other files are refused") from None
            raise
        if cursor.description is None:
            return QueryResult([], [])
        return QueryResult([d[0] for d in cursor.description], cursor.fetchall())
    finally:
        con.close()
