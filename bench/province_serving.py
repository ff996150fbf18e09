"""A province-sized serving file, made from one county's: its marts once per county of the province.

    .venv/bin/python bench/province_serving.py --serving /tmp/bench-province/371721/civstat/serving --out /tmp/province-serving
    .venv/bin/python bench/dashboard_latency.py --serving /tmp/province-serving --repeat 20

civstat runs a province as one home per county, so no run writes a province
serving file. To measure what the dashboards would cost over one, this copies
a county's published serving file and repeats every county-level table once
for each of the province's 26 counties (``bench/province.PROVINCE_COUNTIES``),
with the county's six-digit code rewritten at the start of every text value
(region codes, township and village codes) to that county's. A table with no
value carrying the county's code (the calendar, the code lists, the target
catalogue, the publication log) is copied once, and so is each row of a
county-level table that carries none (non-residents' cremations, the public
marts' rows of withheld cells, which name no township).

The figures are the sample county's, 26 times over: the file has the
province's size and shape (rows, distinct regions, the same charts' work),
not its numbers. It is a benchmark input, never a publication.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from province import PROVINCE_COUNTIES  # noqa: E402

SCHEMAS = ("marts", "public_marts", "meta")


def county_of(con: duckdb.DuckDBPyConnection) -> str:
    """The county a serving file was published for: the one county row of dim_region."""
    codes = con.sql("select distinct left(region_code, 6) from src.marts.dim_region where level = 'county'").fetchall()
    if len(codes) != 1:
        raise SystemExit(f"expected a serving file of one county, found counties {sorted(c for (c,) in codes)}")
    return codes[0][0]


def text_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [name for (name,) in con.execute(
        "select column_name from duckdb_columns() where database_name = 'src' and schema_name = ? "
        "and table_name = ? and data_type = 'VARCHAR' order by column_index", [schema, table]).fetchall()]


def replicate_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, county: str,
                    counties: tuple[str, ...]) -> tuple[int, int]:
    """Copy one table into the province file; returns (rows in the county's file, rows written)."""
    source = f'src."{schema}"."{table}"'
    columns = text_columns(con, schema, table)
    carries = " or ".join(f'starts_with("{c}", \'{county}\')' for c in columns) or "false"
    copies = [f"select * from {source} where not coalesce({carries}, false)"]     # rows of no county: once
    for other in counties if columns else ():
        # Each text value with the county's code at its start gets the other county's code there.
        rewritten = ", ".join(f'case when starts_with("{c}", \'{county}\') then \'{other}\' || substr("{c}", 7) '
                              f'else "{c}" end as "{c}"' for c in columns)
        copies.append(f"select * replace ({rewritten}) from {source} where {carries}")
    con.execute(f'create table province."{schema}"."{table}" as ' + " union all ".join(copies))
    read = con.execute(f"select count(*) from {source}").fetchone()[0]
    written = con.execute(f'select count(*) from province."{schema}"."{table}"').fetchone()[0]
    return read, written


def build(serving_dir: Path, out_dir: Path, counties: tuple[str, ...] = PROVINCE_COUNTIES) -> dict[str, tuple[int, int]]:
    """Write OUT/civstat.duckdb; returns each table's rows in the county's file and in the province's."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "civstat.duckdb"
    target.unlink(missing_ok=True)
    con = duckdb.connect()
    con.execute("attach ? as src (read_only)", [str(serving_dir / "civstat.duckdb")])
    con.execute("attach ? as province", [str(target)])
    county = county_of(con)
    if county not in counties:
        raise SystemExit(f"the serving file's county {county} is not one of the province's counties")
    sizes = {}
    for schema in SCHEMAS:
        con.execute(f'create schema province."{schema}"')
        for (table,) in con.execute("select table_name from duckdb_tables() where database_name = 'src' "
                                    "and schema_name = ? order by table_name", [schema]).fetchall():
            sizes[f"{schema}.{table}"] = replicate_table(con, schema, table, county, counties)
    con.close()
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serving", type=Path, required=True, help="a county's serving folder (holds civstat.duckdb)")
    parser.add_argument("--out", type=Path, required=True, help="the folder for the province-sized civstat.duckdb")
    args = parser.parse_args()
    sizes = build(args.serving, args.out)
    county_rows = sum(read for read, _ in sizes.values())
    province_rows = sum(written for _, written in sizes.values())
    size_mb = (args.out / "civstat.duckdb").stat().st_size / 2**20
    print(f"{len(sizes)} tables: {county_rows:,} rows in the county's file, {province_rows:,} in the province's "
          f"({province_rows / county_rows:.1f}×), {size_mb:,.0f} MB")
    for name, (read, written) in sorted(sizes.items(), key=lambda item: -item[1][1])[:12]:
        print(f"  {name}: {read:,} → {written:,}")


if __name__ == "__main__":
    main()
