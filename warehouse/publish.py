"""Publish the marts to the serving DuckDB file, atomically, keeping a few versions."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

from warehouse.disclosure import build_public_marts

log = logging.getLogger(__name__)

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class Publication:
    path: Path            # the version file
    serving_path: Path    # what readers open
    published_at: str
    run_id: str
    tables: dict[str, int]   # table → rows


class PublicationError(RuntimeError):
    pass


def publish(warehouse_path: Path, serving_dir: Path, *, run_id: str, data_versions: list[dict],
            check_results: list[dict], keep: int = 5,
            quality: dict[str, pa.Table] | None = None, disclosure_control: bool = True) -> Publication:
    """Copy every table of the warehouse's ``marts`` schema into a new serving version,
    with the quality tables (``meta.<name>``: withheld figures, explained
    exceptions, quality history) readers need beside the figures, and the
    township tables with small cells hidden (``public_marts``, for dashboards
    and public exports: see :mod:`warehouse.disclosure`)."""
    serving_dir = Path(serving_dir)
    versions = serving_dir / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    with _publication_lock(serving_dir):
        _remove_leftovers(versions, serving_dir)
        now = dt.datetime.now(dt.timezone.utc)
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        target = versions / f"civstat-{stamp}.duckdb"
        serving_path = serving_dir / "civstat.duckdb"
        building = versions / f".{target.name}.building"

        con = duckdb.connect(str(building))
        try:
            con.execute("attach ? as wh (read_only)", [str(warehouse_path)])
            tables = [r[0] for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'wh' and schema_name = ? "
                "order by table_name", [MARTS_SCHEMA]).fetchall()]
            if not tables:
                raise PublicationError(f"the warehouse {warehouse_path} has no tables in schema {MARTS_SCHEMA}")
            con.execute(f"create schema {MARTS_SCHEMA}")
            counts = {}
            for table in tables:
                con.execute(f'create table {MARTS_SCHEMA}."{table}" as select * from wh.{MARTS_SCHEMA}."{table}"')
                counts[table] = con.execute(f'select count(*) from {MARTS_SCHEMA}."{table}"').fetchone()[0]
            con.execute("detach wh")
            build_public_marts(con, enabled=disclosure_control)
            _write_publication_log(con, serving_path, now, run_id, counts, data_versions, check_results)
            for name, table in (quality or {}).items():
                con.register("quality_table", table)
                con.execute(f'create table meta."{name}" as select * from quality_table')
                con.unregister("quality_table")
            con.execute("checkpoint")
        finally:
            con.close()
        _fsync(building)
        os.replace(building, target)
        # The serving path is a hard link to the version: no copy, and os.replace
        # swaps it in one step for every reader.
        swap = serving_dir / f".civstat.duckdb.{os.getpid()}.swap"
        swap.unlink(missing_ok=True)
        os.link(target, swap)
        os.replace(swap, serving_path)
        _prune(versions, keep)
        log.info("published %d tables to %s", len(counts), target.name)
    return Publication(target, serving_path, now.isoformat(), run_id, counts)


def _write_publication_log(con, serving_path: Path, now: dt.datetime, run_id: str, counts: dict,
                           data_versions: list[dict], check_results: list[dict]) -> None:
    """meta.publication_log: this publication and every earlier one still known."""
    con.execute("create schema if not exists meta")
    con.execute("""create table meta.publication_log (
        published_at timestamptz, run_id varchar, tables json, data_versions json, check_results json)""")
    if serving_path.exists():
        try:
            con.execute("attach ? as previous (read_only)", [str(serving_path)])
            con.execute("insert into meta.publication_log select * from previous.meta.publication_log")
            con.execute("detach previous")
        except duckdb.Error as exc:  # an unreadable old version must not stop a new one
            log.warning("previous publication log not carried over: %s", exc)
    con.execute("insert into meta.publication_log values (?, ?, ?, ?, ?)",
                [now, run_id, json.dumps(counts, ensure_ascii=False),
                 json.dumps(data_versions, ensure_ascii=False),
                 json.dumps(check_results, ensure_ascii=False)])


@contextmanager
def _publication_lock(serving_dir: Path) -> Iterator[None]:
    """One publication at a time, whoever starts it (`civstat run`, the Dagster
    UI, a schedule); released by the OS if the process dies."""
    with open(serving_dir / ".publication.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _remove_leftovers(versions: Path, serving_dir: Path) -> None:
    """A publication killed half-way leaves its unfinished version (and perhaps
    its swap link) behind. Readers never open them; under the publication
    lock they can only be a dead publication's, so they go."""
    for leftover in [*versions.glob(".civstat-*.building"), *serving_dir.glob(".civstat.duckdb.*.swap")]:
        log.warning("removing %s, left by a publication that did not finish", leftover.name)
        leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _prune(versions: Path, keep: int) -> None:
    published = sorted(versions.glob("civstat-*.duckdb"))
    for old in published[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
