"""Form JZH01 (民政统计季报表): its figures, read from the published marts, and its audit.

The rows are data (the seed ``jzh01_catalogue``, published with the marts):
code, label, depth, unit, parent, 其中, cumulative, the measure of
``mart_report_measures_monthly`` it shows, decimals and the source whose
withheld figures it must leave out. A submission is computed once into a
plain, JSON-serialisable record (``Submission``); rendering it (XLSX, CSV)
is a pure function of that record, which is how an old submission is
produced again byte for byte (see ``warehouse.submissions``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from warehouse.query import connect_serving

FORM = "JZH01"
# Explained exceptions to the audit relations are recorded under this suite name
# (record: <region>/<YYYY-MM>/<row code>).
AUDIT_SUITE = "jzh01_audit"
TITLE = "民政统计季报表"
APPROVAL = "国统制[2023]83号"
# A change of more than this against the comparison period is flagged (F01):
# printed on the form for an explanation, but it does not stop the submission.
FLAG_CHANGE_PCT = Decimal(50)
FLAG_RULES = ("F01",)
# Quarterly editions compare with the previous quarter (环比); the others,
# the year-end submission included, with the same month a year before (同比).
QUARTER_MONTHS = ("03", "06", "09")


@dataclass
class Row:
    row_no: int
    code: str
    code_kind: str            # published | local
    label: str
    depth: int
    unit: str
    parent_code: str
    is_subset: bool
    is_cumulative: bool
    decimals: int
    source: str
    measure: str                      # of mart_report_measures_monthly; '+'-joined; '' = not computed
    value: str | None = None          # Decimal as text, rounded to `decimals`; None: empty cell
    previous: str | None = None
    change_pct: str | None = None
    withheld: str | None = None       # why the figure is left out, if it is


@dataclass
class AuditFailure:
    rule_id: str
    code: str
    message: str
    explanation: str | None = None    # an explained exception releases it


def audit_record_key(region_code: str, period: str, code: str) -> str:
    """How an explained exception names a failing row: <region>/<YYYY-MM>/<row code>."""
    return f"{region_code}/{period}/{code}"


@dataclass
class Submission:
    region_code: str
    region_name: str
    bureau: str
    period: str                        # YYYY-MM
    comparison: str                    # 环比 | 同比
    comparison_period: str
    rows: list[Row]
    audit: list[AuditFailure] = field(default_factory=list)
    publication: dict = field(default_factory=dict)   # serving version, run, time

    @property
    def blocking_failures(self) -> list[AuditFailure]:
        return [f for f in self.audit if f.explanation is None and f.rule_id not in FLAG_RULES]

    def figures(self) -> dict:
        """What a revision is compared on: everything but where it came from."""
        body = dataclasses.asdict(self)
        body.pop("publication")
        return body

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, body: dict) -> Submission:
        return cls(**{**body, "rows": [Row(**r) for r in body["rows"]],
                      "audit": [AuditFailure(**f) for f in body["audit"]]})


class ReportError(ValueError):
    """A request the form cannot answer (unknown region, period without data)."""


def comparison_period(period: str) -> tuple[str, str]:
    year, month = int(period[:4]), period[5:]
    if month in QUARTER_MONTHS:
        m = int(month) - 3
        return "环比", f"{year}-{m:02d}" if m > 0 else f"{year - 1}-{12 + m:02d}"
    return "同比", f"{year - 1}-{month}"


def previous_month(period: str) -> str | None:
    """The month before, within the same year (cumulative rows restart in January)."""
    month = int(period[5:])
    return f"{period[:4]}-{month - 1:02d}" if month > 1 else None


def compute(serving_path: Path, region_code: str, period: str,
            explained: dict[tuple[str, str], str] | None = None) -> Submission:
    """The form for one region and month from the published marts, audited."""
    con = connect_serving(serving_path)
    try:
        region_name, county_name = _region(con, region_code)
        kind, compared = comparison_period(period)
        catalogue = _records(con, "select * from marts.jzh01_catalogue order by row_no")
        relations = _records(con, "select * from marts.jzh01_audit_relations order by rule_id")
        values = {p: _measures(con, region_code, p) for p in {period, compared, previous_month(period)} if p}
        if not values[period]:
            months = [m for (m,) in con.execute(
                "select distinct period_month from marts.mart_report_measures_monthly where region_code = ? "
                "order by 1", [region_code]).fetchall()]
            raise ReportError(f"no figures for {region_code} in {period}; months with figures: "
                              f"{', '.join(months) or 'none'}")
        withheld = _withheld(con)
        publication = _publication(con, serving_path)
    finally:
        con.close()
    rows = [_row(entry, values, period, compared, withheld) for entry in catalogue]
    month_before = previous_month(period)
    before = {r.code: _value(r, values.get(month_before, {})) for r in rows} if month_before else {}
    submission = Submission(region_code, region_name, f"{county_name}民政局", period, kind, compared, rows,
                            publication=publication)
    submission.audit = audit(submission, before, relations, explained or {})
    return submission


def _region(con, region_code: str) -> tuple[str, str]:
    found = con.execute("select region_name, level, left(region_code, 6) || '000000' from marts.dim_region "
                        "where region_code = ? and level in ('county', 'township') "
                        "order by _valid_from desc limit 1", [region_code]).fetchall()
    if not found:
        known = [c for (c,) in con.execute("select distinct region_code from marts.mart_report_measures_monthly "
                                           "order by 1").fetchall()]
        raise ReportError(f"unknown region {region_code!r}; regions with figures: {', '.join(known)}")
    name, level, county = found[0]
    county_name = name if level == "county" else con.execute(
        "select region_name from marts.dim_region where region_code = ? order by _valid_from desc limit 1",
        [county]).fetchall()[0][0]
    return name, county_name


def _records(con, sql: str) -> list[dict]:
    """A seed's rows as dicts by column name (the catalogue and the relations)."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _measures(con, region_code: str, period: str) -> dict[str, Decimal]:
    return dict(con.execute("select measure, value from marts.mart_report_measures_monthly "
                            "where region_code = ? and period_month = ?", [region_code, period]).fetchall())


def _withheld(con) -> list[dict]:
    cursor = con.execute("select figures, period, failing_rules from meta.withheld_figures")
    return [{"figures": f, "period": p, "rules": r} for f, p, r in cursor.fetchall()]


def _publication(con, serving_path: Path) -> dict:
    run_id, published_at = con.execute("select run_id, cast(published_at as varchar) from meta.publication_log "
                                       "order by published_at desc limit 1").fetchall()[0]
    return {"serving_file": Path(serving_path).resolve().name, "run_id": run_id, "published_at": published_at}


def _rounded(value: Decimal | None, decimals: int) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _value(row: Row, values: dict[str, Decimal]) -> str | None:
    """A row's figure: its measure, or the sum of '+'-joined measures (all must exist)."""
    if not row.measure:
        return None
    parts = [values.get(name.strip()) for name in row.measure.split("+")]
    return None if any(p is None for p in parts) else _rounded(sum(parts, Decimal(0)), row.decimals)


def _row(entry: dict, values: dict, period: str, compared: str, withheld: list[dict]) -> Row:
    row = Row(entry["row_no"], entry["code"], entry["code_kind"], entry["label"], entry["depth"],
              entry["unit"] or "", entry["parent_code"] or "", bool(entry["is_subset"]),
              bool(entry["is_cumulative"]), entry["decimals"], entry["source"] or "", entry["measure"] or "")
    row.withheld = _held(withheld, row, period)
    row.value = None if row.withheld else _value(row, values[period])
    row.previous = None if _held(withheld, row, compared) else _value(row, values.get(compared, {}))
    if row.value is not None and row.previous is not None and Decimal(row.previous) != 0:
        change = (Decimal(row.value) - Decimal(row.previous)) / Decimal(row.previous) * 100
        row.change_pct = _rounded(change, 2)
    return row


def _held(withheld: list[dict], row: Row, month: str) -> str | None:
    """Why a failing validity rule withholds this row's figure for ``month``:
    a cumulative row counts every month of the year up to it; a stock row the
    month itself (a yearly source: its year; a snapshot: one taken in the
    year up to the month)."""
    for cell in withheld:
        if cell["figures"] != row.source or not row.source:
            continue
        p = cell["period"]
        if len(p) == 4:
            hit = p == month[:4]
        elif row.is_cumulative or len(p) == 10:
            hit = p[:4] == month[:4] and p[:7] <= month
        else:
            hit = p == month
        if hit:
            return f"{p} 数据未通过校验（{cell['rules']}），暂缓上报"
    return None


def audit(submission: Submission, month_before: dict[str, str | None], relations: list[dict],
          explained: dict[tuple[str, str], str]) -> list[AuditFailure]:
    """审核关系 (report-forms.md), on the figures shown: every failure named;
    one an explained exception covers carries its explanation."""
    rows = {r.code: r for r in submission.rows}
    value = {code: (Decimal(r.value) if r.value is not None else None) for code, r in rows.items()}
    failures: list[AuditFailure] = []
    for row in submission.rows:
        children = [c for c in submission.rows if c.parent_code == row.code]
        whole = [value[c.code] for c in children if not c.is_subset and value[c.code] is not None]
        if value[row.code] is not None and whole and value[row.code] < sum(whole):
            failures.append(AuditFailure("P01", row.code, f"{row.label} {value[row.code]} 小于其下级合计 {sum(whole)}"))
        parent = value.get(row.parent_code)
        if row.is_subset and value[row.code] is not None and parent is not None and value[row.code] > parent:
            failures.append(AuditFailure("P02", row.code, f"{row.label} {value[row.code]} 大于所属指标 {parent}"))
        before = month_before.get(row.code)
        if row.is_cumulative and value[row.code] is not None and before is not None \
                and value[row.code] < Decimal(before):
            failures.append(AuditFailure("C01", row.code, f"累计指标 {row.label} 由上月 {before} 减少为 {value[row.code]}"))
        # A year-to-date sum grows within the year by nature: its 环比 is not flagged.
        comparable = not (row.is_cumulative and submission.comparison == "环比")
        if comparable and row.change_pct is not None and abs(Decimal(row.change_pct)) > FLAG_CHANGE_PCT:
            failures.append(AuditFailure("F01", row.code, f"{row.label} {submission.comparison} {row.change_pct}% "
                                                          f"超过 ±{FLAG_CHANGE_PCT}%，需说明原因"))
    for rel in relations:
        left, right = value.get(rel["left_code"]), value.get(rel["right_code"])
        if left is None or right is None:
            continue
        holds = left <= right if rel["operator"] == "<=" else left >= right
        if not holds:
            failures.append(AuditFailure(rel["rule_id"], rel["left_code"],
                                         f"{rel['description']}：{left} {rel['operator']} {right} 不成立"))
    for failure in failures:
        failure.explanation = explained.get(
            (failure.rule_id, audit_record_key(submission.region_code, submission.period, failure.code)))
    return failures
