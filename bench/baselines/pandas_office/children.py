"""Children's welfare: the roll of 孤儿 and 事实无人抚养儿童 (T21 and its JZH01 rows)
and the register of 儿童督导员 / 儿童主任 (T22 and its JZH01 rows).

The roll is a monthly snapshot like the 低保 roll: only 在册 children are on
it (退出 rows only say when and why a child left, and carry the standard of
the month they left). Each child weighs one in a mean 基本生活费标准. A
year's value is its last delivered month (年末数); payments are summed from
January.

The post-holder register arrives as snapshots (a file per snapshot day); a
year's value is its last snapshot, the report form's December reads the
latest snapshot on or before the 31st. A holder counts once per ID.
"""

from __future__ import annotations

import pandas as pd
import sources
from organisations import latest_snapshot_by_december, snapshot_columns, year_end_snapshots
from results import Figures, mean, rate, stock4

CATEGORY_MEASURES = {"集中养育孤儿": "central_orphans", "社会散居孤儿": "scattered_orphans",
                     "事实无人抚养儿童": "unattended_children"}
POST_MEASURES = {"儿童督导员": "child_supervisors", "儿童主任": "child_directors"}


def child_welfare_figures(landing, regions, townships: pd.DataFrame, figs: Figures) -> set[str]:
    """T21 and the children's rows of the report; returns the months the roll covers."""
    rows = sources.load(landing, "child_welfare", regions.division)
    rows["period_month"] = rows["period"]
    on_roll = rows[rows["status"] == "在册"].copy()
    # Each child on the code in force at the month's end (a merged town's
    # villages count in the town that absorbed it); an unknown code places nowhere.
    on_roll["code_on"] = regions.code_on(on_roll["region_code"], on_roll["period_month"])
    on_roll = on_roll[on_roll["code_on"].notna()].copy()
    on_roll["township_code"] = on_roll["code_on"].str[:9] + "000"

    # 年末数: the year's last month of any row of the county (退出 rows and other
    # categories included), even when it has no 社会散居孤儿.
    county_rows = rows[rows["region_code"].str[:6] == regions.county6]
    year_ends = county_rows.groupby(county_rows["period_month"].str[:4])["period_month"].max()
    ours = on_roll[on_roll["code_on"].str[:6] == regions.county6]
    for year, month in year_ends.items():
        scattered = ours[(ours["period_month"] == month) & (ours["child_category"] == "社会散居孤儿")]
        figs.target("T21", year, mean(int(scattered["standard_cents"].sum()) / 100, len(scattered)))

    # The report form counts townships in force at the month's end only.
    placed = on_roll.merge(townships, on=["period_month", "township_code"])
    placed = placed[placed["township_code"].str[:6] == regions.county6]
    for month in sorted(placed["period_month"].unique()):
        if month.endswith("-12"):
            _children_report(placed, month, figs)
    return set(on_roll["period_month"])


def _children_report(placed: pd.DataFrame, month: str, figs: Figures) -> None:
    """Children and their mean standard per 儿童类别 (month end); payments
    from January for 孤儿 (集中 and 散居 together) and 事实无人抚养儿童, 万元."""
    now = placed[placed["period_month"] == month]
    for category, prefix in CATEGORY_MEASURES.items():
        part = now[now["child_category"] == category]
        if not part.empty:
            figs.measure(f"{prefix}_persons", month, stock4(len(part)))
            figs.measure(f"{prefix}_standard", month, _standard(part))
    year_so_far = placed[(placed["period_month"].str[:4] == month[:4]) & (placed["period_month"] <= month)]
    orphan = year_so_far["child_category"] != "事实无人抚养儿童"
    for measure, part in (("orphans_paid_ytd", year_so_far[orphan]), ("unattended_children_paid_ytd",
                                                                       year_so_far[~orphan])):
        if not part.empty:
            figs.measure(measure, month, stock4(int(part["paid_cents"].sum()) / 100 / 10000))


def _standard(part: pd.DataFrame):
    """The county's mean standard: each child weighs one, half-up to the fen."""
    return stock4(mean(int(part["standard_cents"].sum()) / 100, len(part)))


def child_worker_figures(landing, regions, report_years, figs: Figures) -> None:
    """T22 and the report's 儿童督导员 / 儿童主任 在岗 (persons)."""
    holders = snapshot_columns(sources.load(landing, "child_workers", regions.division), regions, "region_code")
    in_post = holders[holders["status"] == "在岗"]
    communities = sources.load(landing, "communities", regions.division)
    for year, day in year_end_snapshots(holders).items():
        directors = in_post[(in_post["snapshot_date"] == day) & (in_post["post"] == "儿童主任")]
        _director_coverage(directors, communities, regions, year, day, figs)

    counted = in_post[in_post["in_county"]]
    for year, day in latest_snapshot_by_december(holders, report_years).items():
        now = counted[counted["snapshot_date"] == day]
        for post, persons in now.groupby("post")["worker"].nunique().items():
            figs.measure(POST_MEASURES[post], f"{year}-12", stock4(persons))


def _director_coverage(directors: pd.DataFrame, communities: pd.DataFrame, regions, year: str, day: str,
                       figs: Figures) -> None:
    """T22: villages and communities with an 在岗 儿童主任 over all of them. The
    register is that of the snapshot's year (else the latest earlier one); its
    codes and the directors' are both put on the code in force at the snapshot
    month's end, so a director of a re-coded village still counts for it."""
    registers = communities[communities["year"] <= int(year)]
    if registers.empty:
        return
    villages = registers[registers["year"] == registers["year"].max()]
    code_on = regions.code_on(villages["region_code"], pd.Series(day[:7], index=villages.index))
    village_codes = set(code_on.fillna(villages["region_code"]))
    ours = {code for code in village_codes if code[:6] == regions.county6}
    directed = set(directors["code_on"].dropna())
    figs.target("T22", year, rate(len(ours & directed), len(ours)))
