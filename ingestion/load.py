"""Loading one period of one source: choose the version, read, validate, store.

The rules of delivery (extracts.md): the highest ``_vN`` of a period replaces
the earlier ones; re-delivering identical bytes changes nothing; a file that
cannot be read at all is rejected with its reason and the next lower version
stands; every row read is loaded or quarantined.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import gc
import hashlib
import json
import logging
import multiprocessing
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.contract import CONTRACTS, REFERENCE_SOURCES, SourceContract
from ingestion.decoding import Body, body_of, decode, match_header, read_csv_body, read_xlsx, stripped
from ingestion.errors import FileRejected
from ingestion.identity import pseudonym_of_text
from ingestion.landing import DeliveredFile
from ingestion.records import DivisionTable, ParseContext, arrow_schema, type_rows
from ingestion.store import QUARANTINE_SCHEMA, LedgerEntry, RawStore

log = logging.getLogger(__name__)

# Rows are typed and turned into Arrow this many at a time, so a large file
# costs its Arrow size in memory, not its size as Python objects.
CHUNK_ROWS = 50_000
# Below this many bytes of extracts a source is read in this process: starting
# worker processes (~1 s each: they import pyarrow and duckdb) would cost more.
PARALLEL_MIN_BYTES = 8 * 2**20
# A file is read whole, and typing it takes about ten times its size in
# memory: larger deliveries are rejected (the settings' max_file_mb).
MAX_FILE_BYTES = 512 * 2**20


@dataclass
class PeriodResult:
    source: str
    period: str
    outcome: str                  # loaded | unchanged | rejected
    file_name: str | None = None
    version: int | None = None
    encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    messages: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    data: pa.Table
    quarantine: pa.Table
    encoding: str
    extra_columns: list[str]
    rows_read: int


def period_last_day(contract: SourceContract, period: str) -> dt.date:
    """The date a period's region codes are checked for: its last day."""
    if contract.period_kind == "month":
        year, month = int(period[:4]), int(period[5:7])
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if contract.period_kind == "year":
        return dt.date(int(period), 12, 31)
    return dt.date.fromisoformat(period)


def read_body(contract: SourceContract, data: bytes, name: str) -> tuple[Body, str]:
    """A file's rows and the encoding found."""
    if contract.file_format == "xlsx":
        return body_of(read_xlsx(data, name, title_row=contract.title_row)), "xlsx"
    text, encoding = decode(data, name)
    return read_csv_body(text, name), encoding


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while a file is read.

    Reading a file makes many short-lived objects and no cycles; each of
    them counts towards a collection, and each full collection walks every
    object alive, the caches of ID facts included. Paused, a large file
    reads about twice as fast.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_delivery(contract: SourceContract, delivered: DeliveredFile, data: bytes,
                  context: ParseContext) -> ParsedFile:
    """Decode and validate a whole file; raises FileRejected if it cannot be read."""
    with _collector_paused():
        return _read_delivery(contract, delivered, data, context)


def _read_delivery(contract: SourceContract, delivered: DeliveredFile, data: bytes,
                   context: ParseContext) -> ParsedFile:
    body, encoding = read_body(contract, data, delivered.name)
    positions, extras = match_header(body.header, contract.required_columns, delivered.name)
    quarantined = [_quarantine_row(delivered, line, ["(整行)"], [reason]) for line, reason in body.malformed]
    pieces = []
    for start in range(0, len(body.lines), CHUNK_ROWS):
        loaded, rejected = _type_chunk(contract, delivered, body, start, positions, context)
        pieces.append(loaded)
        quarantined += rejected
    quarantined.sort(key=lambda entry: entry["source_row"])
    return ParsedFile(
        data=pa.concat_tables(pieces) if pieces else arrow_schema(contract).empty_table(),
        quarantine=pa.Table.from_pylist(quarantined, schema=QUARANTINE_SCHEMA),
        encoding=encoding,
        extra_columns=extras,
        rows_read=body.rows_read,
    )


def _type_chunk(contract: SourceContract, delivered: DeliveredFile, body: Body, start: int,
                positions: dict[str, int], context: ParseContext) -> tuple[pa.Table, list[dict]]:
    """``CHUNK_ROWS`` rows from ``start`` → the loaded ones as Arrow, and the quarantined ones."""
    lines = body.lines[start:start + CHUNK_ROWS]
    count = len(lines)
    texts = {header: stripped(body.columns[i].slice(start, count)) for header, i in positions.items()}
    rows = type_rows(contract, texts, count, context)
    schema = arrow_schema(contract)
    columns = rows.out | {"period": pa.array([delivered.period] * count, pa.string()),
                          "_source_file": pa.array([delivered.name] * count, pa.string()),
                          "_source_row": pa.array(lines, pa.int32())}
    typed = pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)
    if rows.errors:
        keep = [index for index in range(count) if index not in rows.errors]
        typed = typed.take(pa.array(keep, pa.int64()))
    rejected = []
    for index, errors in sorted(rows.errors.items()):
        record = {header: body.columns[i][start + index].as_py() for header, i in positions.items()}
        rejected.append(_quarantine_row(delivered, lines[index], [e.field for e in errors],
                                        [e.reason for e in errors],
                                        _raw_values(contract, record, errors, context.secret)))
    return typed, rejected


def _quarantine_row(delivered: DeliveredFile, line: int, fields: list[str], reasons: list[str],
                    raw_values: str | None = None) -> dict:
    return {"period": delivered.period, "source_file": delivered.name, "source_row": line,
            "fields": "、".join(dict.fromkeys(fields)), "reasons": "；".join(reasons), "raw_values": raw_values}


def _raw_values(contract: SourceContract, record: dict[str, str], errors: list, secret: bytes) -> str:
    """The failing fields' values as written, a personal one as its pseudonym."""
    personal = set(contract.personal_columns)
    values = {}
    for error in errors:
        value = record.get(error.field, "")
        values[error.field] = f"pseudonym:{pseudonym_of_text(value, secret)}" if error.field in personal and value \
            else value
    return json.dumps(values, ensure_ascii=False)


def division_table(store: RawStore) -> DivisionTable:
    """The division table as loaded so far: every yearly release and every change
    (of every county served)."""
    regions = sorted(store.raw_dir.glob("regions/period=*/data_*.parquet"))
    changes = sorted(store.raw_dir.glob("region_changes/period=*/data_*.parquet"))
    released, created, retired = set(), {}, set()
    with duckdb.connect() as con:
        if regions:
            released = {r[0] for r in con.execute(
                "select distinct region_code from read_parquet(?)", [[str(p) for p in regions]]).fetchall()}
        if changes:
            for code, day in con.execute(
                    "select new_code, min(effective_on) from read_parquet(?) group by new_code",
                    [[str(p) for p in changes]]).fetchall():
                created[code] = day
            retired = {r[0] for r in con.execute(
                "select distinct old_code from read_parquet(?)", [[str(p) for p in changes]]).fetchall()}
    return DivisionTable(frozenset(released), created, frozenset(retired))


def ingest_period(store: RawStore, deliveries: list[DeliveredFile], *, counties: Collection[str], secret: bytes,
                  run_id: str | None = None, division: DivisionTable | None = None,
                  max_file_bytes: int = MAX_FILE_BYTES) -> PeriodResult:
    """Bring one issuer's period up to its highest readable delivered version."""
    if not deliveries:
        raise ValueError("ingest_period needs at least one delivered file")
    first = deliveries[0]
    contract = CONTRACTS[first.source]
    # A county's file is judged as in the county's own home: its codes are
    # checked against the division table inside that county only (a code of
    # a neighbour is no error there). A funeral home's serves every county.
    checked = {first.issuer} if contract.issuer == "county" else set(counties)
    context = ParseContext(frozenset(checked), secret, period_last_day(contract, first.period), division)
    issuer = first.issuer
    result = PeriodResult(first.source, first.period, "rejected")
    applied = store.applied(first.source, first.period, issuer) or {}
    ranked = sorted(deliveries, key=lambda d: -d.version)
    for position, delivered in enumerate(ranked):
        size = Path(delivered.path).stat().st_size
        if size > max_file_bytes:
            _reject_too_large(store, delivered, size, max_file_bytes, run_id, result)
            continue
        data = Path(delivered.path).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if applied.get("sha256") == sha:
            result.outcome, result.file_name, result.version = "unchanged", delivered.name, delivered.version
            if not store.has_ledger_entry(delivered.source, delivered.name, sha):
                # The run that stored this version died before recording it:
                # record it now from what was stored, so the ledger accounts for it.
                store.record(store.entry_of_stored(delivered, sha, len(data), issuer, run_id))
            _mark_superseded(store, ranked[position + 1:], run_id)
            return result
        entry = LedgerEntry(delivered.source, delivered.name, delivered.period, delivered.version,
                            sha, len(data), status="loaded", run_id=run_id)
        try:
            parsed = read_delivery(contract, delivered, data, context)
        except FileRejected as exc:
            entry.status, entry.reason = "rejected", exc.reason
            if not store.has_ledger_entry(delivered.source, delivered.name, sha):
                store.record(entry)
            result.messages.append(str(exc))
            log.warning("rejected %s", exc)
            continue
        _check_accounting(parsed, delivered)
        store.replace_period(delivered.source, delivered.period, parsed.data, parsed.quarantine, {
            "source_file": delivered.name, "version": str(delivered.version), "sha256": sha,
            "rows_read": str(parsed.rows_read), "encoding": parsed.encoding,
            "extra_columns": "、".join(parsed.extra_columns),
        }, issuer)
        entry.encoding = parsed.encoding
        entry.rows_read = parsed.rows_read
        entry.rows_loaded = parsed.data.num_rows
        entry.rows_quarantined = parsed.quarantine.num_rows
        entry.extra_columns = "、".join(parsed.extra_columns) or None
        store.record(entry)
        _mark_superseded(store, ranked[position + 1:], run_id)
        result.outcome, result.file_name, result.version = "loaded", delivered.name, delivered.version
        result.encoding = parsed.encoding
        result.rows_read, result.rows_loaded = parsed.rows_read, parsed.data.num_rows
        result.rows_quarantined = parsed.quarantine.num_rows
        if parsed.extra_columns:
            result.messages.append(f"{delivered.name}: 多余列已忽略：{'、'.join(parsed.extra_columns)}")
        if parsed.rows_read == 0:
            result.messages.append(f"{delivered.name}: 文件只有表头，没有数据行")
        return result
    return result


def _reject_too_large(store: RawStore, delivered: DeliveredFile, size: int, limit: int, run_id: str | None,
                      result: PeriodResult) -> None:
    """Refused before it is read: a file is held in memory while it is typed
    (about ten times its size), so a file far beyond any monthly extract
    must not take the machine down with it."""
    digest = hashlib.sha256()
    with open(delivered.path, "rb") as handle:
        for block in iter(lambda: handle.read(2**24), b""):
            digest.update(block)
    sha = digest.hexdigest()
    reason = f"文件过大（{_size(size)}），超过单个文件上限 {_size(limit)}（设置项 max_file_mb）：请拆分后重新报送"
    if not store.has_ledger_entry(delivered.source, delivered.name, sha):
        store.record(LedgerEntry(delivered.source, delivered.name, delivered.period, delivered.version, sha, size,
                                 status="rejected", reason=reason, run_id=run_id))
    result.messages.append(f"{delivered.name}: {reason}")
    log.warning("rejected %s: %s", delivered.name, reason)


def _size(size: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}".replace(".0 ", " ")
    return f"{size} 字节"


def _check_accounting(parsed: ParsedFile, delivered: DeliveredFile) -> None:
    """Every row read is loaded or quarantined: a broken invariant is a bug, not data."""
    if parsed.data.num_rows + parsed.quarantine.num_rows != parsed.rows_read:
        raise AssertionError(
            f"{delivered.name}: read {parsed.rows_read} rows but loaded {parsed.data.num_rows} "
            f"and quarantined {parsed.quarantine.num_rows}")


def _mark_superseded(store: RawStore, older: list[DeliveredFile], run_id: str | None) -> None:
    for delivered in older:
        data = Path(delivered.path).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if not store.has_ledger_entry(delivered.source, delivered.name, sha):
            store.record(LedgerEntry(delivered.source, delivered.name, delivered.period,
                                     delivered.version, sha, len(data), status="superseded",
                                     reason="已被更高版本替代", run_id=run_id))


def ingest_source(store: RawStore, landing_dir: Path, contract: SourceContract, *, counties: Collection[str],
                  secret: bytes, periods: list[str] | None = None, run_id: str | None = None,
                  workers: int = 1, parallel_min_bytes: int = PARALLEL_MIN_BYTES,
                  max_file_bytes: int = MAX_FILE_BYTES) -> list[PeriodResult]:
    """Every delivered period of one source (or the ``periods`` asked for), of
    the ``counties`` served (and every funeral home's).

    Periods are independent (each has its own files in the store), so with
    ``workers`` > 1 and enough bytes to read they are loaded by that many
    processes: typing rows is Python, one core per process.
    """
    from ingestion import landing

    store.name_files_by_issuer(contract)
    division = None if contract in REFERENCE_SOURCES else division_table(store)
    slots = [files for (period, _), files in landing.scan(landing_dir, contract, counties).by_slot().items()
             if periods is None or period in periods]
    options = dict(counties=tuple(counties), secret=secret, run_id=run_id, division=division, max_file_bytes=max_file_bytes)
    sizes = [sum(Path(f.path).stat().st_size for f in files) for files in slots]
    if workers < 2 or len(slots) < 2 or sum(sizes) < parallel_min_bytes:
        return [ingest_period(store, files, **options) for files in slots]
    # spawn, not fork: the caller (Dagster) has threads, and a forked copy of a
    # held lock would hang the child.
    with ProcessPoolExecutor(min(workers, len(slots)), mp_context=multiprocessing.get_context("spawn")) as pool:
        # Largest first, so one big file does not start last and run alone.
        ordered = sorted(range(len(slots)), key=lambda i: -sizes[i])
        futures = {i: pool.submit(ingest_period, store, slots[i], **options) for i in ordered}
        return [futures[i].result() for i in range(len(slots))]


def ingest_landing(store: RawStore, landing_dir: Path, *, counties: Collection[str],
                   secret: bytes) -> list[PeriodResult]:
    """Every source, the division table first (the others' region codes are checked against it)."""
    results = []
    for contract in CONTRACTS.values():      # REGIONS and REGION_CHANGES come first
        results += ingest_source(store, landing_dir, contract, counties=counties, secret=secret)
    return results
