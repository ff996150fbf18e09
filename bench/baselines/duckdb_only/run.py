"""Benchmark baseline "the engine's limit": civstat's figures from one hand-written DuckDB SQL script.

Everything that decides a figure (which delivery of a period counts, which
rows are valid, joins, aggregation, targets and JZH01 measures) is in
``figures.sql``. This file only does what DuckDB cannot do itself here:

- GBK / GB18030 CSV exports are decoded with Python's codec and written as
  UTF-8 copies in a temporary folder (DuckDB's ``encodings`` extension cannot
  be downloaded); UTF-8 files, with or without BOM, are read by DuckDB as they
  are;
- XLSX workbooks are read with python-calamine into Arrow tables, every cell
  as text and the header row giving the column names, as DuckDB's
  ``read_csv`` gives a CSV's (the title row above the header and empty rows
  are layout, not data); the 合计 row stays in and the SQL drops it
  (DuckDB's ``excel`` extension cannot be downloaded either).

It then registers the file listing, sets the variables the SQL reads, runs
the script and writes the CSV the benchmark compares
(``figure,region_code,period,value``)::

    .venv/bin/python bench/baselines/duckdb_only/run.py --landing DIR --county 370832 --out FIGURES.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import itertools
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

HERE = Path(__file__).resolve().parent
SQL_FILE = HERE / "figures.sql"

# The landing folders the figures read (donations feed no figure).
CSV_SOURCES = ("regions", "region_changes", "assistance", "temporary_aid", "marriage", "cremation", "deaths",
               "volunteers", "social_workers", "communities", "reference_stats", "child_welfare", "child_workers")
XLSX_SOURCES = ("marriage_archive", "social_orgs", "elderly_care", "cemeteries")
_BOM = b"\xef\xbb\xbf"


def readable_csv(path: Path, scratch: Path) -> Path:
    """A path DuckDB can read as UTF-8: the file itself, or a UTF-8 copy of a GBK export.

    The file does not say its encoding: UTF-8 (with or without BOM) is tried
    first, because GBK text is almost never valid UTF-8; anything else is
    GB18030, the superset of GBK.
    """
    data = path.read_bytes()
    try:
        data.removeprefix(_BOM).decode("utf-8")
        return path
    except UnicodeDecodeError:
        copy = scratch / path.parent.name / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(data.decode("gb18030", errors="replace"), encoding="utf-8", newline="")
        return copy


def _cell(value) -> str:
    """A spreadsheet cell as the text a clerk sees: 12.0 → 12, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _text_column(cells: tuple) -> pa.Array:
    """One sheet column as text; cells are normally text already (exports write text)."""
    try:
        return pa.array(cells, pa.string()).fill_null("")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([_cell(v) for v in cells], pa.string())


def workbook_table(path: Path) -> pa.Table:
    """The first sheet as text columns named by its header row, with each row's
    sheet line (``_line``) and first cell (``_first``, where a 合计 row says so).

    Column-wise with Arrow (a sheet has ~2,000 rows × 12 cells, a landing
    ~150,000 rows): empty rows are skipped, and a title row (one filled
    cell) above the header is not the header.
    """
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    columns = [_text_column(c) for c in itertools.zip_longest(*sheet, fillvalue="")]
    if not columns:
        return pa.table({"_file": pa.array([], pa.string())})
    filled = [pc.not_equal(pc.utf8_trim_whitespace(c), "") for c in columns]
    table = pa.table({f"c{i}": c for i, c in enumerate(columns)} | {"_line": pa.array(range(1, len(sheet) + 1), pa.int32())})
    table = table.filter(functools.reduce(pc.or_, filled))
    if table.num_rows > 1 and sum(1 for i in range(len(columns)) if table[f"c{i}"][0].as_py().strip()) == 1:
        table = table.slice(1)
    if table.num_rows == 0:
        return pa.table({"_file": pa.array([], pa.string())})
    header = [table[f"c{i}"][0].as_py().strip() for i in range(len(columns))]
    body = table.slice(1)
    named = {name: body[f"c{i}"] for i, name in enumerate(header) if name}
    named["_file"] = pa.array([path.name] * body.num_rows, pa.string())
    named["_line"] = body["_line"]
    named["_first"] = body["c0"]
    return pa.table(named)


def source_files(landing: Path, source: str, suffix: str) -> list[Path]:
    folder = landing / source
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == suffix and not p.name.startswith("."))


def register_csv_sources(con, landing: Path, scratch: Path) -> list[tuple[str, str, str]]:
    """(source, file name, UTF-8 path) of every CSV delivery; GBK ones decoded into ``scratch``."""
    listing = []
    for source in CSV_SOURCES:
        files = source_files(landing, source, ".csv")
        if not files:
            raise SystemExit(f"{landing / source}: no CSV delivery (figures.sql reads every source)")
        listing += [(source, f.name, str(readable_csv(f, scratch))) for f in files]
    return listing


def register_workbooks(con, landing: Path) -> list[tuple[str, str, str]]:
    """Registers each workbook source's sheets as one table ``xlsx_<source>``."""
    listing = []
    for source in XLSX_SOURCES:
        files = source_files(landing, source, ".xlsx")
        if not files:
            raise SystemExit(f"{landing / source}: no XLSX delivery (figures.sql reads every source)")
        con.register(f"xlsx_{source}", pa.concat_tables([workbook_table(f) for f in files], promote_options="default"))
        listing += [(source, f.name, str(f)) for f in files]
    return listing


def compute(landing: Path, county6: str) -> tuple[list[tuple], float]:
    """The figures, and the seconds spent before the SQL (decoding GBK, reading workbooks)."""
    started = time.perf_counter()
    con = duckdb.connect()
    with tempfile.TemporaryDirectory(prefix="duckdb_only_") as tmp:
        listing = register_csv_sources(con, landing, Path(tmp)) + register_workbooks(con, landing)
        con.register("landing_files", pa.table({
            "source": [s for s, _, _ in listing],
            "file_name": [n for _, n, _ in listing],
            "path": [p for _, _, p in listing],
        }))
        con.execute("set variable county6 = ?", [county6])
        prepared = time.perf_counter() - started
        con.execute(SQL_FILE.read_text(encoding="utf-8"))   # every statement; the last one's rows stay
        rows = con.fetchall()
    con.close()
    return rows, prepared


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--county", default="370832", help="six-digit county code (default 370832)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    rows, prepared = compute(args.landing, args.county)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("figure", "region_code", "period", "value"))
        out.writerows((f, r, p, str(v)) for f, r, p, v in rows)
    total = time.perf_counter() - started
    print(f"{len(rows)} figures → {args.out}")
    print(f"wall time {total:.2f} s (decoding and workbooks {prepared:.2f} s, SQL {total - prepared:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
