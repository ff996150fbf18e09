"""Disclosure control (小数隐去) for what leaves the bureau: dashboards and public exports.

A count of 1–4 persons (households, grants) in one township lets a reader who
knows the place name the people. Publication therefore writes, beside the
exact ``marts`` schema that statisticians and the year-end forms use, a
``public_marts`` schema holding the township tables below with:

* **small cells** hidden: a count from 1 to 4, with the amounts and rates that
  would give it away (linked columns);
* **complementary cells** hidden: wherever a total the public outputs show
  exactly (the county over its townships; a township's year over its months,
  where the yearly table is public too) would give a hidden cell away by
  subtraction, the smallest non-zero visible cell of that total is hidden too,
  repeatedly (see :func:`_protect` for when a total is safe);
* a **remainder row** per total across townships, ``township_name`` 其他（已隐去）,
  holding the sum of the cells hidden there, so that county totals summed over
  the rows stay exact (the county total is published anyway);
* a ``disclosure_note`` saying, row by row, which cells were hidden and why.

``meta.disclosure_control`` says whether this ran and counts the cells per
table and column. With the setting ``disclosure_control`` off, the public
tables are plain copies and the meta table says so.

This is the rule many statistical offices apply by hand (threshold plus one
complementary cell per total). It is not an optimal suppression (as τ-ARGUS
computes with linear programming): where a total has a single non-zero cell,
nothing can hide it, and the cell is counted as ``exposed_cells``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

import duckdb
import pyarrow as pa

PUBLIC_SCHEMA = "public_marts"
SMALL_CELL_MIN, SMALL_CELL_MAX = 1, 4
REMAINDER_NAME = "其他（已隐去）"
NOT_CONTROLLED = "未做小数隐去：仅限内部使用"

# A margin named MONTHS_OF_YEAR sums a month column over its year: flows
# (grants, cremations) are shown as yearly totals on the dashboards.
MONTHS_OF_YEAR = "months_of_year"


@dataclass(frozen=True)
class Count:
    """A column counting persons, households or grants (人数、户数、人次)."""
    column: str
    label: str
    linked: tuple[str, ...] = ()     # amounts and rates that would reveal the count


@dataclass(frozen=True)
class ProtectedTable:
    name: str
    label: str                       # what the dashboards call it
    keys: tuple[str, ...]            # what identifies a row
    township: str                    # the key that is a township (or region) code
    counts: tuple[Count, ...]
    margins: tuple[str, ...]         # keys over which a public output shows the exact total
                                     # (the county: the remainder rows; a year: the yearly table)
    month: str | None = None         # the 'YYYY-MM' key, for MONTHS_OF_YEAR
    totals_where: str | None = None  # rows that are totals, or no counts at all: never hidden
    remainder: bool = True           # add the 其他（已隐去） rows
    follows: tuple[str, str] | None = None   # (yearly table, its year key): hide what it hides
    whole_rows: bool = False         # rates divide one count by another: hide a row's counts together

    @property
    def hideable(self) -> list[str]:
        out: list[str] = []
        for count in self.counts:
            for column in (count.column, *count.linked):
                if column not in out:
                    out.append(column)
        return out


POLICY: tuple[ProtectedTable, ...] = (
    ProtectedTable(
        "mart_assistance_monthly_by_township", "低保特困月度（按乡镇）", ("period_month", "township_code", "assistance_type"),
        "township_code",
        (Count("households", "救助户数", ("amount_paid_yuan",)),
         # a mean standard over hidden persons is hidden with them (see the children's table)
         Count("persons", "救助人数", ("amount_paid_yuan", "standard_person_weighted_yuan"))),
        margins=("township_code",)),
    ProtectedTable(
        "mart_temporary_aid_monthly_by_township", "临时救助月度（按乡镇）", ("period_month", "township_code", "aid_kind"),
        "township_code",
        (Count("grants", "救助人次", ("amount_yuan",)),
         Count("persons", "救助人数", ("amount_yuan",)),
         Count("grants_to_vagrants", "流浪乞讨人员救助人次")),
        margins=("township_code",)),
    ProtectedTable(
        "mart_child_welfare_monthly_by_township", "孤儿和事实无人抚养儿童月度（按乡镇）",
        ("period_month", "township_code", "child_category"), "township_code",
        # The standard differs between streets and towns: with the remainder
        # row's yuan it would tell how many children a hidden cell holds, so
        # it is hidden with them.
        (Count("children", "儿童人数", ("amount_paid_yuan", "standard_child_weighted_yuan")),),
        margins=("township_code",)),
    ProtectedTable(
        "mart_elderly_care_monthly_by_township", "养老服务设施月度（按乡镇）", ("period_month", "township_code", "facility_type"),
        "township_code",
        (Count("residents", "入住人数"), Count("disabled_residents", "失能入住人数")),
        margins=("township_code",)),
    ProtectedTable(
        "mart_funeral_yearly_by_township", "殡葬年度（按乡镇）", ("period_year", "township_code"), "township_code",
        (Count("deaths_registered", "死亡人数", ("cremation_rate_pct",)),
         Count("deaths_handled", "殡仪馆办理人数", ("subsidy_yuan",)),
         Count("cremated", "火化人数", ("cremation_rate_pct",)),
         Count("burials_given", "安葬人数", ("eco_burial_rate_pct",)),
         Count("eco_burials", "节地生态安葬人数", ("eco_burial_rate_pct",))),
        margins=("township_code",), whole_rows=True),
    ProtectedTable(
        "mart_funeral_monthly_by_township", "殡葬月度（按乡镇）", ("period_month", "township_code"), "township_code",
        (Count("deaths_handled", "殡仪馆办理人数", ("subsidy_yuan", "cremated_share_of_handled_pct")),
         Count("cremated", "火化人数", ("cremated_share_of_handled_pct",)),
         Count("burials_given", "安葬人数", ("eco_burial_rate_pct",)),
         Count("eco_burials", "节地生态安葬人数", ("eco_burial_rate_pct",))),
        margins=("township_code", MONTHS_OF_YEAR), month="period_month",
        follows=("mart_funeral_yearly_by_township", "period_year"), whole_rows=True),
    ProtectedTable(
        "mart_low_income_monitoring", "低收入人口动态监测指标", ("indicator_id", "breakdown", "region_code", "period"),
        "region_code", (Count("value", "人数、户数"),),
        margins=("region_code",), remainder=False,
        # the county's rows are the totals; I04 and I05 are rates, not counts
        totals_where="region_code like '%000000' or indicator_id in ('I04', 'I05')"),
    ProtectedTable(
        "mart_organisations_yearly", "社会组织年度（按地区）", ("year", "region_code"), "region_code",
        (Count("volunteers", "注册志愿者"), Count("social_workers", "持证社会工作者"),
         Count("donations", "捐赠笔数", ("donations_amount_yuan",))),
        margins=("region_code",), totals_where="region_level = 'county'", remainder=False),
)


def protected_table(name: str) -> ProtectedTable | None:
    return next((t for t in POLICY if t.name == name), None)


@dataclass
class _Cells:
    """The cells of one table: row → column → value, and why each hidden one is hidden."""
    table: ProtectedTable
    rows: list[dict]
    is_total: list[bool]
    reasons: dict[tuple[int, str], str] = field(default_factory=dict)   # (row, count column) → small|complementary|follows
    exposed: set[tuple[int, str]] = field(default_factory=set)         # hidden, yet alone in a total

    def hidden(self, row: int, column: str) -> bool:
        return (row, column) in self.reasons


def build_public_marts(con: duckdb.DuckDBPyConnection, *, enabled: bool,
                       source_schema: str = "marts") -> list[dict]:
    """Write ``public_marts.<table>`` for every table of :data:`POLICY` present in
    ``source_schema`` and ``meta.disclosure_control``; return the meta rows."""
    con.execute(f"create schema if not exists {PUBLIC_SCHEMA}")
    present = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where schema_name = ? and database_name = current_database()",
        [source_schema]).fetchall()}
    decided: dict[str, _Cells] = {}
    meta: list[dict] = []
    for table in POLICY:
        if table.name not in present:
            continue
        cells = _read(con, source_schema, table)
        if enabled:
            followed = decided.get(table.follows[0]) if table.follows else None
            _suppress(cells, followed)
        decided[table.name] = cells
        _write(con, source_schema, cells, enabled)
        meta.extend(_meta_rows(cells, enabled))
    _write_meta(con, meta)
    return meta


# ------------------------------------------------------------------ deciding
def _read(con, schema: str, table: ProtectedTable) -> _Cells:
    result = con.execute(f'select *, coalesce({table.totals_where or "false"}, false) as _is_total '
                         f'from {schema}."{table.name}" order by {", ".join(table.keys)}')
    names = [d[0] for d in result.description]
    rows = [dict(zip(names, values)) for values in result.fetchall()]
    return _Cells(table, rows, [row.pop("_is_total") for row in rows])


def _suppress(cells: _Cells, followed: _Cells | None) -> None:
    """Hide small cells, then complementary cells until every total is safe."""
    table = cells.table
    columns = [count.column for count in table.counts]
    for column in columns:
        for i, row in enumerate(cells.rows):
            if not cells.is_total[i] and SMALL_CELL_MIN <= (row[column] or 0) <= SMALL_CELL_MAX:
                cells.reasons[(i, column)] = "small"
        if followed is not None and column in {c.column for c in followed.table.counts}:
            _follow(cells, followed, column)
    groupings = [_grouping(table, margin) for margin in table.margins]
    changed = True
    while changed:
        changed = False
        for column in columns:
            for group_of in groupings:
                for members in _groups(cells, group_of).values():
                    changed |= _protect(cells, members, column)
        if table.whole_rows:
            changed |= _hide_whole_rows(cells, columns)


def _hide_whole_rows(cells: _Cells, columns: list[str]) -> bool:
    """Where rates divide one count by another, a row is hidden whole: the
    remainder row then sums the same townships in every column, and its rate
    is a true rate of those townships."""
    changed = False
    for i in {i for (i, _) in cells.reasons}:
        for column in columns:
            if (i, column) not in cells.reasons and (cells.rows[i][column] or 0) > 0:
                cells.reasons[(i, column)] = "complementary"
                changed = True
    return changed


def _follow(cells: _Cells, followed: _Cells, column: str) -> None:
    """A month of a township whose year is hidden is hidden too: the months would add up to it."""
    year_key = cells.table.follows[1]
    hidden_years = {(r[year_key], r[followed.table.township]) for i, r in enumerate(followed.rows)
                    if followed.hidden(i, column)}
    for i, row in enumerate(cells.rows):
        year = str(row[cells.table.month])[:4]
        if (year, row[cells.table.township]) in hidden_years and (row[column] or 0) > 0:
            cells.reasons.setdefault((i, column), "follows")


def _grouping(table: ProtectedTable, margin: str) -> Callable[[dict], tuple]:
    """The key of the total a row adds up to, when summed over ``margin``."""
    if margin == MONTHS_OF_YEAR:
        month = table.month
        others = [k for k in table.keys if k != month]
        return lambda row: (str(row[month])[:4], *(row[k] for k in others))
    others = [k for k in table.keys if k != margin]
    return lambda row: tuple(row[k] for k in others)


def _groups(cells: _Cells, group_of: Callable[[dict], tuple]) -> dict[tuple, list[int]]:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, row in enumerate(cells.rows):
        if not cells.is_total[i]:
            groups[group_of(row)].append(i)
    return groups


def _protect(cells: _Cells, members: list[int], column: str) -> bool:
    """Within one total, hide one more cell if the hidden ones could be worked
    out from it; return whether a cell was hidden.

    A reader who sees n hidden cells summing to S (the total less the visible
    cells), and knows that zeros are shown, can place each hidden cell in
    [1, S − n + 1]. The total is safe when that range spans more than
    ``SMALL_CELL_MAX`` values with n ≥ 2, or when a zero is hidden among them
    (the reader then cannot tell which townships hold the persons). Otherwise
    the smallest visible non-zero cell is hidden; when none is left, the
    visible zeros are; when nothing is left at all, the cells are *exposed*:
    the total alone gives them away."""
    value = lambda i: cells.rows[i][column] or 0   # noqa: E731
    hidden = [i for i in members if cells.hidden(i, column)]
    persons = [i for i in hidden if value(i) > 0]
    if not persons or len(persons) < len(hidden):
        return False
    if len(persons) > 1 and sum(map(value, persons)) - len(persons) + 1 > SMALL_CELL_MAX:
        return False
    visible = [i for i in members if not cells.hidden(i, column)]
    nonzero = [i for i in visible if value(i) > 0]
    if nonzero:
        cells.reasons[(min(nonzero, key=lambda i: (value(i), i)), column)] = "complementary"
        return True
    if visible:
        cells.reasons.update({(i, column): "complementary" for i in visible})
        return True
    cells.exposed.update((i, column) for i in persons)
    return False


# ------------------------------------------------------------------ writing
_REASON_WORDS = {"small": "小数", "complementary": "互补隐去", "follows": "全年小数"}


def _write(con, schema: str, cells: _Cells, enabled: bool) -> None:
    table = cells.table
    hideable = table.hideable
    labels = {c.column: c.label for c in table.counts}
    row_ids, notes = [], []
    hide = {column: [] for column in hideable}
    for i in range(len(cells.rows)):
        reasons = {c.column: cells.reasons.get((i, c.column)) for c in table.counts}
        hidden_counts = {c: r for c, r in reasons.items() if r}
        for column in hideable:
            hide[column].append(_hides(table, column, hidden_counts))
        row_ids.append(i + 1)
        said = "；".join(f"{labels[c]}已隐去（{_REASON_WORDS[r]}）" for c, r in hidden_counts.items())
        notes.append((said or None) if enabled else NOT_CONTROLLED)
    mask = pa.table({"_row": pa.array(row_ids, pa.int64()),
                     **{f"_hide_{c}": pa.array(v, pa.bool_()) for c, v in hide.items()},
                     "disclosure_note": pa.array(notes, pa.string())})
    columns = [r[0] for r in con.execute(f'describe {schema}."{table.name}"').fetchall()]
    shown = ", ".join(f'case when m."_hide_{c}" then null else t."{c}" end as "{c}"' if c in hideable
                      else f't."{c}"' for c in columns)
    con.register("disclosure_mask", mask)
    try:
        con.execute(f'create or replace table {PUBLIC_SCHEMA}."{table.name}" as '
                    f"{_numbered(schema, table)} "
                    f"select {shown}, m.disclosure_note from t join disclosure_mask m using (_row) "
                    f"order by t._row")
        if table.remainder and any(any(v) for v in hide.values()):
            _append_remainder(con, schema, table, columns)
    finally:
        con.unregister("disclosure_mask")


def _numbered(schema: str, table: ProtectedTable) -> str:
    """The source rows as ``t``, numbered in :func:`_read`'s order: the mask's ``_row``."""
    return (f'with t as (select row_number() over (order by {", ".join(table.keys)}) as _row, * '
            f'from {schema}."{table.name}")')


def _hides(table: ProtectedTable, column: str, hidden_counts: dict[str, str]) -> bool:
    """A count is hidden by its own reason; a linked column when any count it reveals is."""
    return column in hidden_counts or any(column in c.linked and c.column in hidden_counts
                                           for c in table.counts)


def _append_remainder(con, schema: str, table: ProtectedTable, columns: list[str]) -> None:
    """One 其他（已隐去） row per total across townships: the sum of its hidden cells."""
    group_keys = [k for k in table.keys if k != table.township]
    rates = {c for c in table.hideable if c.endswith("_pct")}
    select = []
    for c in columns:
        if c in group_keys:
            select.append(f't."{c}"')
        elif c == "township_name":
            select.append(f"'{REMAINDER_NAME}' as township_name")
        elif c in table.hideable and c not in rates:
            select.append(f'sum(t."{c}") filter (where m."_hide_{c}") as "{c}"')
        else:
            select.append(f'null as "{c}"')
    any_hidden = " or ".join(f'm."_hide_{c.column}"' for c in table.counts)
    con.execute(f'insert into {PUBLIC_SCHEMA}."{table.name}" '
                f"{_numbered(schema, table)} "
                f"select {', '.join(select)}, '{REMAINDER_NAME}：本行为同一合计中隐去单元格之和' "
                f"from t join disclosure_mask m using (_row) "
                f"group by {', '.join(f't.{k}' for k in group_keys)} having bool_or({any_hidden})")


def _meta_rows(cells: _Cells, enabled: bool) -> list[dict]:
    out = []
    for count in cells.table.counts:
        tally: dict[str, int] = defaultdict(int)
        for (_, column), reason in cells.reasons.items():
            if column == count.column:
                tally[reason] += 1
        out.append({"table_name": cells.table.name, "table_label": cells.table.label, "count_column": count.column, "count_label": count.label,
                    "enabled": enabled, "small_cells": tally["small"] + tally["follows"],
                    "complementary_cells": tally["complementary"],
                    "exposed_cells": sum(1 for _, c in cells.exposed if c == count.column),
                    "cells": len(cells.rows)})
    return out


def _write_meta(con, rows: Iterable[dict]) -> None:
    rows = list(rows)
    schema = pa.schema([("table_name", pa.string()), ("table_label", pa.string()), ("count_column", pa.string()),
                        ("count_label", pa.string()), ("enabled", pa.bool_()), ("small_cells", pa.int64()),
                        ("complementary_cells", pa.int64()), ("exposed_cells", pa.int64()),
                        ("cells", pa.int64())])
    con.register("disclosure_meta", pa.Table.from_pylist(rows, schema=schema))
    try:
        con.execute("create schema if not exists meta")
        con.execute("create or replace table meta.disclosure_control as select * from disclosure_meta")
    finally:
        con.unregister("disclosure_meta")
