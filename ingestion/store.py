"""Raw storage: one Parquet file per source, period and issuer, its quarantine and the ledger.

Layout under the raw directory::

    <source>/period=<P>/data_<issuer>.parquet     the rows an issuer (a county, a funeral
                                                  home) delivered for P (current version)
    <source>/_schema/data.parquet                 no rows: a source never delivered (what dbt reads then)
    _quarantine/<source>/period=<P>/rows_<issuer>.parquet   the rows of that version set aside
    _ledger/<source>/<file name>.<sha12>.parquet  one entry per delivered file

A county's home and a province's have the same layout: a period holds one
file per county (or funeral home), so the counties' deliveries never take
each other's place.

Every file is written beside its target and moved into place with
``os.replace``, so a reader (or a crash) sees the old file or the new one,
never half of one. The data file carries its provenance (file, version,
SHA-256) in its Parquet metadata, which is how a re-delivery of the same
bytes is recognised.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

QUARANTINE_SCHEMA = pa.schema([
    ("period", pa.string()),
    ("source_file", pa.string()),
    ("source_row", pa.int32()),
    ("fields", pa.string()),
    ("reasons", pa.string()),
    ("raw_values", pa.string()),    # JSON: failing field → value as written (pseudonym if personal)
])

LEDGER_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("file_name", pa.string()),
    ("period", pa.string()),
    ("version", pa.int32()),
    ("sha256", pa.string()),
    ("bytes", pa.int64()),
    ("encoding", pa.string()),
    ("status", pa.string()),        # loaded | superseded | rejected
    ("reason", pa.string()),
    ("rows_read", pa.int64()),
    ("rows_loaded", pa.int64()),
    ("rows_quarantined", pa.int64()),
    ("extra_columns", pa.string()),
    ("recorded_at", pa.timestamp("us", tz="UTC")),
    ("run_id", pa.string()),
])


@dataclass
class LedgerEntry:
    source: str
    file_name: str
    period: str
    version: int
    sha256: str
    bytes: int
    status: str
    encoding: str | None = None
    reason: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    extra_columns: str | None = None
    recorded_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    run_id: str | None = None


FOOTERS_SCHEMA = pa.schema([("source", pa.string()), ("data_file", pa.string()), ("source_file", pa.string()),
                            ("rows_on_file", pa.int64())])


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class RawStore:
    def __init__(self, raw_dir: Path):
        self.raw_dir = Path(raw_dir)

    def data_path(self, source: str, period: str, issuer: str) -> Path:
        return self.raw_dir / source / f"period={period}" / f"data_{issuer}.parquet"

    def quarantine_path(self, source: str, period: str, issuer: str) -> Path:
        return self.raw_dir / "_quarantine" / source / f"period={period}" / f"rows_{issuer}.parquet"

    def name_files_by_issuer(self, contract) -> int:
        """Rename a source's files of the layout before provinces (one
        ``data.parquet`` and ``rows.parquet`` per period, from the county's
        own files) to their issuer's names (read off the delivered file's
        name by the source's contract), so a home made then reads the same
        and is not loaded twice. Quarantine first, so an interrupted rename
        resumes. Returns how many periods were renamed."""
        source, renamed = contract.key, 0
        for data in sorted((self.raw_dir / source).glob("period=*/data.parquet")):
            named = contract.file_pattern.fullmatch((self.applied_file(data) or {}).get("source_file", ""))
            if not named:
                raise ValueError(f"{data}: no delivered file in its metadata, its issuer is unknown")
            issuer, period = named["issuer"], data.parent.name.removeprefix("period=")
            quarantine = self.raw_dir / "_quarantine" / source / data.parent.name / "rows.parquet"
            if quarantine.exists():
                os.replace(quarantine, self.quarantine_path(source, period, issuer))
            os.replace(data, self.data_path(source, period, issuer))
            renamed += 1
        return renamed

    def ledger_dir(self, source: str) -> Path:
        return self.raw_dir / "_ledger" / source

    def applied(self, source: str, period: str, issuer: str) -> dict[str, str] | None:
        """Provenance of the version currently loaded for an issuer's period, if any."""
        return self.applied_file(self.data_path(source, period, issuer))

    @staticmethod
    def applied_file(path: Path) -> dict[str, str] | None:
        """Provenance a data file carries (delivered file, version, SHA-256, …), if it exists."""
        if not path.exists():
            return None
        meta = pq.read_schema(path).metadata or {}
        return {k.decode().removeprefix("civstat."): v.decode() for k, v in meta.items()
                if k.startswith(b"civstat.")}

    def replace_period(self, source: str, period: str, data: pa.Table, quarantine: pa.Table,
                       provenance: dict[str, str], issuer: str) -> None:
        """Swap in a period's rows and its quarantine; quarantine first, so the
        data file (which records the version) is the commit point."""
        write_parquet_atomic(quarantine, self.quarantine_path(source, period, issuer))
        meta = {f"civstat.{k}".encode(): v.encode() for k, v in provenance.items()}
        write_parquet_atomic(data.replace_schema_metadata(meta), self.data_path(source, period, issuer))

    def entry_of_stored(self, delivered, sha256: str, size: int, issuer: str,
                        run_id: str | None) -> LedgerEntry:
        """The ledger entry of the version a period holds, rebuilt from what was
        stored: its provenance and the row counts of its files."""
        applied = self.applied(delivered.source, delivered.period, issuer) or {}
        quarantine = self.quarantine_path(delivered.source, delivered.period, issuer)
        return LedgerEntry(
            delivered.source, delivered.name, delivered.period, delivered.version, sha256, size, status="loaded",
            encoding=applied.get("encoding"), rows_read=int(applied.get("rows_read", 0)),
            rows_loaded=pq.read_metadata(self.data_path(delivered.source, delivered.period, issuer)).num_rows,
            rows_quarantined=pq.read_metadata(quarantine).num_rows if quarantine.exists() else 0,
            extra_columns=applied.get("extra_columns") or None, run_id=run_id)

    def write_footers(self) -> Path:
        """Every loaded data file's row count and delivered file, read from its
        Parquet footer, as a table (``_footers/footers.parquet``): what the
        file accounting compares with the ledger. DuckDB reads the footers in
        SQL; Spark SQL cannot, so a Spark build has this written first."""
        rows = []
        for path in sorted(self.raw_dir.glob("*/period=*/data*.parquet")):
            footer = pq.read_metadata(path)
            provenance = footer.metadata or {}
            delivered = provenance.get(b"civstat.source_file")
            rows.append({"source": path.parent.parent.name, "data_file": str(path),
                         "source_file": delivered.decode() if delivered else None, "rows_on_file": footer.num_rows})
        target = self.raw_dir / "_footers" / "footers.parquet"
        write_parquet_atomic(pa.Table.from_pylist(rows, schema=FOOTERS_SCHEMA), target)
        return target

    def ensure_every_source(self, contracts) -> None:
        """A source never delivered reads in dbt as an empty table of its
        contract's columns (``<source>/_schema/data.parquet``, no rows): its
        figures are "no data", where a missing folder would fail the build."""
        from ingestion.records import arrow_schema

        for contract in contracts:
            folder = self.raw_dir / contract.key
            empty = folder / "_schema" / "data.parquet"
            if not empty.exists() and not any(folder.glob("period=*/data*.parquet")):
                write_parquet_atomic(arrow_schema(contract).empty_table(), empty)

    def has_ledger_entry(self, source: str, file_name: str, sha256: str) -> bool:
        return (self.ledger_dir(source) / f"{file_name}.{sha256[:12]}.parquet").exists()

    def record(self, entry: LedgerEntry) -> None:
        table = pa.Table.from_pylist([asdict(entry)], schema=LEDGER_SCHEMA)
        write_parquet_atomic(table, self.ledger_dir(entry.source) / f"{entry.file_name}.{entry.sha256[:12]}.parquet")

    def ledger_file_names(self) -> list[str]:
        """Every source's ledger entries by file name (one per delivered file and content)."""
        return sorted(p.name for p in (self.raw_dir / "_ledger").glob("*/*.parquet"))

    def ledger(self, source: str) -> pa.Table:
        return _read_ledger(sorted(self.ledger_dir(source).glob("*.parquet")))

    def entries_of_runs(self, run_ids: set[str]) -> list[dict]:
        """The ledger entries the given runs recorded, every source, by file name."""
        entries = _read_ledger(sorted((self.raw_dir / "_ledger").glob("*/*.parquet")),
                               pc.field("run_id").isin(sorted(run_ids))).to_pylist()
        return sorted(entries, key=lambda e: (e["source"], e["file_name"]))

    def quarantined_rows(self, source: str, period: str, file_name: str) -> list[dict]:
        """A file's quarantined rows (line, fields, reasons), by line."""
        folder = self.raw_dir / "_quarantine" / source / f"period={period}"
        rows = [r for path in sorted(folder.glob("*.parquet")) for r in pq.read_table(path).to_pylist()
                if r["source_file"] == file_name]
        return sorted(rows, key=lambda r: r["source_row"])

    def applied_versions(self) -> list[dict[str, str]]:
        """Which delivered file each source and period currently holds."""
        out = []
        for path in sorted(self.raw_dir.glob("*/period=*/data*.parquet")):
            source, period = path.parent.parent.name, path.parent.name.removeprefix("period=")
            issuer = path.stem.removeprefix("data_")
            out.append({"source": source, "period": period, "issuer": issuer,
                        **(self.applied(source, period, issuer) or {})})
        return out

    def accounting(self) -> dict[str, int]:
        """Rows of the current files: read (as recorded at load) = loaded + quarantined,
        counted from the Parquet files themselves."""
        totals = {"files": 0, "read": 0, "loaded": 0, "quarantined": 0}
        for version in self.applied_versions():
            source, period, issuer = version["source"], version["period"], version["issuer"]
            totals["files"] += 1
            totals["read"] += int(version.get("rows_read", 0))
            totals["loaded"] += pq.read_metadata(self.data_path(source, period, issuer)).num_rows
            quarantine = self.quarantine_path(source, period, issuer)
            totals["quarantined"] += pq.read_metadata(quarantine).num_rows if quarantine.exists() else 0
        return totals


def _read_ledger(files: list[Path], where: pc.Expression | None = None) -> pa.Table:
    """Ledger entries (one small file each) as one table, in the files' order:
    read as one dataset, a county's 700 entries take a sixth of the time they
    took file by file."""
    if not files:
        return LEDGER_SCHEMA.empty_table()
    return ds.dataset([str(f) for f in files], schema=LEDGER_SCHEMA, format="parquet").to_table(filter=where)
