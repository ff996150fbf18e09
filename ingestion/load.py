"""Loading one period of one source: choose the version, read, validate, store.

The rules of delivery (extracts.md): the highest ``_vN`` of a period replaces
the earlier ones; re-delivering identical bytes changes nothing; a file that
cannot be read at all is rejected with its reason and the next lower version
stands; every row read is loaded or quarantined.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa

from ingestion.contract import ASSISTANCE, SourceContract
from ingestion.decoding import decode, match_header, read_csv, records
from ingestion.errors import FileRejected
from ingestion.landing import DeliveredFile
from ingestion.rolls import ASSISTANCE_SCHEMA, parse_assistance_row
from ingestion.store import QUARANTINE_SCHEMA, LedgerEntry, RawStore

log = logging.getLogger(__name__)

RowParser = Callable[..., tuple[dict, list]]


@dataclass(frozen=True)
class SourceReader:
    contract: SourceContract
    schema: pa.Schema
    parse_row: RowParser


READERS: dict[str, SourceReader] = {
    "assistance": SourceReader(ASSISTANCE, ASSISTANCE_SCHEMA, parse_assistance_row),
}


@dataclass
class PeriodResult:
    source: str
    period: str
    outcome: str                  # loaded | unchanged | rejected | nothing_delivered
    file_name: str | None = None
    version: int | None = None
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


def read_delivery(reader: SourceReader, delivered: DeliveredFile, data: bytes, *,
                  county6: str, secret: bytes) -> ParsedFile:
    """Decode and validate a whole file; raises FileRejected if it cannot be read."""
    name = delivered.name
    text, encoding = decode(data, name)
    table = read_csv(text, name)
    positions, extras = match_header(table.header, reader.contract.required_columns, name)
    loaded, quarantined = [], []
    for line, record in records(table, positions):
        if isinstance(record, str):
            quarantined.append(_quarantine_row(delivered, line, ["(整行)"], [record]))
            continue
        row, errors = reader.parse_row(record, county6=county6, secret=secret)
        if errors:
            quarantined.append(_quarantine_row(delivered, line, [e.field for e in errors],
                                               [e.reason for e in errors]))
            continue
        row.update(period=delivered.period, _source_file=name, _source_row=line)
        loaded.append(row)
    return ParsedFile(
        data=pa.Table.from_pylist(loaded, schema=reader.schema),
        quarantine=pa.Table.from_pylist(quarantined, schema=QUARANTINE_SCHEMA),
        encoding=encoding,
        extra_columns=extras,
        rows_read=len(table.rows),
    )


def _quarantine_row(delivered: DeliveredFile, line: int, fields: list[str], reasons: list[str]) -> dict:
    return {"period": delivered.period, "source_file": delivered.name, "source_row": line,
            "fields": "、".join(fields), "reasons": "；".join(reasons)}


def ingest_period(store: RawStore, deliveries: list[DeliveredFile], *, county6: str,
                  secret: bytes, run_id: str | None = None) -> PeriodResult:
    """Bring one period up to its highest readable delivered version."""
    if not deliveries:
        raise ValueError("ingest_period needs at least one delivered file")
    first = deliveries[0]
    reader = READERS[first.source]
    result = PeriodResult(first.source, first.period, "nothing_delivered")
    applied = store.applied(first.source, first.period) or {}
    ranked = sorted(deliveries, key=lambda d: -d.version)
    for position, delivered in enumerate(ranked):
        data = Path(delivered.path).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if applied.get("sha256") == sha:
            result.outcome, result.file_name, result.version = "unchanged", delivered.name, delivered.version
            _mark_superseded(store, ranked[position + 1:], run_id)
            return result
        entry = LedgerEntry(delivered.source, delivered.name, delivered.period, delivered.version,
                            sha, len(data), status="loaded", run_id=run_id)
        try:
            parsed = read_delivery(reader, delivered, data, county6=county6, secret=secret)
        except FileRejected as exc:
            entry.status, entry.reason = "rejected", exc.reason
            if not store.has_ledger_entry(delivered.source, delivered.name, sha):
                store.record(entry)
            result.outcome = "rejected"
            result.messages.append(str(exc))
            log.warning("rejected %s", exc)
            continue
        _check_accounting(parsed, delivered)
        store.replace_period(delivered.source, delivered.period, parsed.data, parsed.quarantine, {
            "source_file": delivered.name, "version": str(delivered.version), "sha256": sha,
            "rows_read": str(parsed.rows_read),
        })
        entry.encoding = parsed.encoding
        entry.rows_read = parsed.rows_read
        entry.rows_loaded = parsed.data.num_rows
        entry.rows_quarantined = parsed.quarantine.num_rows
        entry.extra_columns = "、".join(parsed.extra_columns) or None
        store.record(entry)
        _mark_superseded(store, ranked[position + 1:], run_id)
        result.outcome, result.file_name, result.version = "loaded", delivered.name, delivered.version
        result.rows_read, result.rows_loaded = parsed.rows_read, parsed.data.num_rows
        result.rows_quarantined = parsed.quarantine.num_rows
        if parsed.extra_columns:
            result.messages.append(f"{delivered.name}: 多余列已忽略：{'、'.join(parsed.extra_columns)}")
        return result
    return result


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
