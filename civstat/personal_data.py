"""Audit of everything civstat wrote: no citizen ID, no name, no key in clear.

Personal data (居民身份证号码, names) arrive in the extracts and must stop at
ingestion: what civstat writes afterwards holds pseudonymous keys only. This
audit reads every file under the given folders the way its format needs
(DuckDB and Parquet tables column by column, SQLite databases such as
Dagster's event logs and Superset's metadata table by table, workbooks
entry by entry, anything else as text) and reports:

- **citizen IDs**: 18 characters with a valid check character, or 15
  digits, each with a known province prefix and a real birth date;
- **names**: the names the departments delivered (read from the landing
  folder's name columns): a run of Chinese characters that is a name, or
  contains a name of three characters or more (two-character names inside
  longer text, such as a village's name, are too common to tell apart);
- **the pseudonymisation key**, anywhere but its own file.

Findings are masked (``3708************20``, ``张*``): the audit must not
leak what it finds. `civstat audit-personal-data` runs it on the home.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.identity import check_character

# 省级行政区划代码 (GB/T 2260): the first two digits of every citizen ID.
_PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
              50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
# An ID stands apart from letters, digits and decimal points: a run of digits
# inside a hex digest or after "0." is not one.
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z.])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_DUCKDB_MAGIC = b"DUCK"          # at byte 8 of a DuckDB database file
_TEXT_TYPES = ("VARCHAR",)
_INTEGER_TYPES = ("BIGINT", "HUGEINT", "UBIGINT", "DECIMAL")
_FILE_COLUMN = "civstat_audit_file"   # the file a row of several Parquet files came from


@dataclass(frozen=True)
class Finding:
    path: str
    where: str          # table.column, a zip entry, or "text"
    kind: str           # citizen_id | name | key
    masked: str

    def __str__(self) -> str:
        return f"{self.path} [{self.where}] {self.kind}: {self.masked}"


def is_citizen_id(text: str) -> bool:
    """An 18-character ID with its check character, or a 15-digit one, with a
    known province and a real birth date."""
    value = text.upper()
    if int(value[:2]) not in _PROVINCES:
        return False
    if len(value) == 18:
        if check_character(value[:17]) != value[17]:
            return False
        year, month, day = value[6:10], value[10:12], value[12:14]
    else:
        year, month, day = "19" + value[6:8], value[8:10], value[10:12]
    try:
        return dt.date(int(year), int(month), int(day)) <= dt.date.today()
    except ValueError:
        return False


def _mask_id(value: str) -> str:
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


class PersonalDataAudit:
    def __init__(self, names: set[str] = frozenset(), secrets: tuple[str, ...] = ()):
        self.names = {n for n in names if len(n) >= 2}
        self.long_names = {n for n in self.names if len(n) >= 3}
        self.secrets = tuple(s for s in secrets if len(s) >= 8)
        self.findings: list[Finding] = []
        self.files = 0

    # ------------------------------------------------------------ entry points
    def scan(self, roots: list[Path], exclude: tuple[Path, ...] = ()) -> list[Finding]:
        excluded = [p.resolve() for p in exclude]
        parquet: dict[Path, list[Path]] = {}
        for root in roots:
            paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
            for path in paths:
                resolved = path.resolve()
                if any(resolved == e or e in resolved.parents for e in excluded):
                    continue
                self.files += 1
                if path.suffix == ".parquet":      # read a dataset at a time, below
                    parquet.setdefault(_dataset_folder(path), []).append(path)
                else:
                    self._scan_file(path)
        for paths in parquet.values():
            self._scan_parquet(paths)
        return self.findings

    def _scan_file(self, path: Path) -> None:
        """A file other than Parquet, read the way its first bytes say."""
        head = path.open("rb").read(16)
        if head[8:12] == _DUCKDB_MAGIC:
            self._scan_duckdb(path)
        elif head.startswith(_SQLITE_MAGIC):
            self._scan_sqlite(path)
        elif head.startswith(b"PK\x03\x04"):
            self._scan_zip(path.read_bytes(), str(path))
        else:
            self.scan_text(path.read_bytes().decode("utf-8", errors="replace"), str(path), "text")

    # ------------------------------------------------------------ formats
    def _scan_duckdb(self, path: Path) -> None:
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute("""
                select table_catalog, table_schema, table_name from information_schema.tables
                where table_type = 'BASE TABLE' order by all""").fetchall()
            for catalog, schema, table in tables:
                relation = f'"{catalog}"."{schema}"."{table}"'
                self._scan_relation(con, relation, str(path), f"{schema}.{table}")

    def _scan_parquet(self, paths: list[Path]) -> None:
        """The Parquet files of one dataset (a source's partitions share their
        columns) as one relation: one query per column, not per file and column,
        each value with the file it came from."""
        listed = ", ".join(f"'{_quoted(p)}'" for p in paths)
        with duckdb.connect() as con:
            try:
                relation = f"read_parquet([{listed}], union_by_name = true, filename = '{_FILE_COLUMN}')"
                self._scan_relation(con, relation, None, "")
            except duckdb.Error:        # columns of one name but different types: file by file
                for path in paths:
                    self._scan_relation(con, f"read_parquet('{_quoted(path)}')", str(path), "")

    def _scan_relation(self, con, relation: str, path: str | None, label: str) -> None:
        """``path`` None: the relation names each row's file in ``_FILE_COLUMN``."""
        columns = [(c[0], c[1]) for c in con.execute(f"describe select * from {relation}").fetchall()]
        source = f"'{_quoted(path)}'" if path is not None else _FILE_COLUMN
        for column, kind in columns:
            if path is None and column == _FILE_COLUMN:
                continue
            where = f"{label}.{column}" if label else column
            quoted = '"' + column.replace('"', '""') + '"'
            if kind.startswith(_TEXT_TYPES) or kind.startswith(_INTEGER_TYPES):
                text = f"cast({quoted} as varchar)"
                for found_in, value in con.execute(
                        f"select distinct {source}, {text} from {relation} where regexp_matches({text}, '[0-9]{{15}}')"
                ).fetchall():
                    self._ids_in(value, found_in, where)
            if kind.startswith(_TEXT_TYPES) and (self.names or self.secrets):
                condition = "regexp_matches(v, '[\\x{3400}-\\x{9fff}]{2}')"
                if self.secrets:
                    condition += "".join(f" or contains(v, '{s}')" for s in self.secrets)
                for found_in, value in con.execute(
                        f"select distinct found_in, v from (select {source} as found_in, {quoted} as v "
                        f"from {relation}) where {condition}").fetchall():
                    self._names_in(value, found_in, where)
                    self._secrets_in(value, found_in, where)

    def _scan_sqlite(self, path: Path) -> None:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
            for table in tables:
                for row in con.execute(f'select * from "{table}"'):
                    for value in row:
                        if isinstance(value, bytes):
                            value = value.decode("utf-8", errors="replace")
                        if isinstance(value, (str, int)):
                            self.scan_text(str(value), str(path), table)
        con.close()

    def _scan_zip(self, data: bytes, path: str) -> None:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            self.scan_text(data.decode("utf-8", errors="replace"), path, "text")
            return
        with archive:
            for name in archive.namelist():
                self.scan_text(archive.read(name).decode("utf-8", errors="replace"), path, name)

    # ------------------------------------------------------------ what is looked for
    def scan_text(self, text: str, path: str, where: str) -> None:
        self._ids_in(text, path, where)
        self._names_in(text, path, where)
        self._secrets_in(text, path, where)

    def _ids_in(self, text: str, path: str, where: str) -> None:
        for match in _ID_CANDIDATE.finditer(text):
            if is_citizen_id(match.group()):
                self.findings.append(Finding(path, where, "citizen_id", _mask_id(match.group())))

    def _names_in(self, text: str, path: str, where: str) -> None:
        if not self.names:
            return
        for run in _CJK_RUN.findall(text):
            hit = run if run in self.names else next(
                (run[i:i + n] for n in (3, 4) for i in range(len(run) - n + 1) if run[i:i + n] in self.long_names),
                None)
            if hit:
                self.findings.append(Finding(path, where, "name", hit[0] + "*" * (len(hit) - 1)))

    def _secrets_in(self, text: str, path: str, where: str) -> None:
        for secret in self.secrets:
            if secret in text:
                self.findings.append(Finding(path, where, "key", secret[:2] + "…"))


def _dataset_folder(path: Path) -> Path:
    """The folder of a Parquet dataset: above its partition folders (``period=2024-01``)."""
    folder = path.parent
    while "=" in folder.name:
        folder = folder.parent
    return folder


def _quoted(path: Path | str) -> str:
    return str(path).replace("'", "''")


def delivered_names(landing: Path) -> set[str]:
    """Every name the extracts in ``landing`` hold, read as ingestion reads them."""
    from ingestion import landing as landing_scan
    from ingestion.contract import CONTRACTS
    from ingestion.errors import FileRejected
    from ingestion.load import read_body

    names: set[str] = set()
    for contract in CONTRACTS.values():
        headers = [c.header for c in contract.columns if c.kind == "name"]
        if not headers:
            continue
        for files in landing_scan.scan(landing, contract).by_slot().values():
            for delivered in files:
                try:
                    body, _ = read_body(contract, Path(delivered.path).read_bytes(), delivered.name)
                except FileRejected:
                    continue
                for header in headers:
                    if header in body.header:
                        names.update(v.strip() for v in body.columns[body.header.index(header)].to_pylist())
    return {n for n in names if n}
