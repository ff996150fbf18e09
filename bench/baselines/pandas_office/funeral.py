"""Funeral services: 火化率 (T13), 节地生态安葬率 (T12), cremations from January (JZH01),
and the cemeteries register's 公益性公墓覆盖 (T19).

Every funeral home delivers its own monthly file; a county resident may be
handled by a neighbour county's home, and a body may appear in two files. A
person counts once per ID: the cremation record wins, then the latest
delivery, the highest version, the file name and the line. A death belongs to
the month and year of its 死亡日期; only county residents (户籍区划代码 inside
the county) count.
"""

from __future__ import annotations

import pandas as pd
import sources
from results import Figures, rate, stock4

ECO_BURIALS = {"骨灰堂存放", "树葬", "花坛葬", "草坪葬", "海葬", "深埋不留坟头", "骨灰撒散"}
PUBLIC_CEMETERIES = ["城市公益性公墓", "农村公益性公墓"]


def load_bodies(landing, regions) -> pd.DataFrame:
    """Every checked row of every funeral home's current files (marriage rule
    M05 / M09 reads the deaths of everyone, resident or not)."""
    return sources.load(landing, "cremation", regions.division)


def one_row_per_person(bodies: pd.DataFrame) -> pd.DataFrame:
    ranked = bodies.assign(not_cremated=bodies["handling"] != "火化").sort_values(
        ["not_cremated", "period", "version", "_file", "_row"], ascending=[True, False, False, True, True])
    return ranked.drop_duplicates("deceased", keep="first")


def cremation_figures(bodies: pd.DataFrame, landing, regions, townships: pd.DataFrame, figs: Figures) -> set[str]:
    """T12, T13, cremations_ytd and cremation_rate; returns the delivered months."""
    persons = one_row_per_person(bodies)
    residents = persons[persons["home_region_code"].str[:6] == regions.county6].copy()
    residents["death_month"] = residents["died_on"].dt.strftime("%Y-%m")
    residents["is_cremated"] = residents["handling"] == "火化"

    delivered_months = set(bodies["period"])
    deaths = registered_deaths(landing, regions)
    # A year has figures when a month of it was delivered or its deaths were counted,
    # and the county's division table covers its December.
    years = {m[:4] for m in delivered_months} | set(deaths)
    covered = set(townships["period_month"])
    for year in sorted(y for y in years if f"{y}-12" in covered):
        died = residents[residents["death_month"].str[:4] == year]
        given = died["burial_method"].notna()
        figs.target("T12", year, rate(died["burial_method"].isin(ECO_BURIALS).sum(), given.sum()))
        t13 = rate(died["is_cremated"].sum(), deaths.get(year, 0))
        figs.target("T13", year, t13)
        figs.measure("cremation_rate", f"{year}-12", t13)

    # The report form: cremations by death month, delivered months only, on
    # townships in force at the death month's end.
    residents["township_code"] = regions.township_on(residents["home_region_code"], residents["death_month"]).fillna(
        residents["home_region_code"].str[:9] + "000")
    monthly = residents[residents["death_month"].isin(delivered_months)].merge(
        townships.rename(columns={"period_month": "death_month"}), on=["death_month", "township_code"])
    report_months = delivered_months & covered
    for year in sorted({m[:4] for m in report_months}):
        cremated = monthly[(monthly["death_month"].str[:4] == year) & monthly["is_cremated"]]
        figs.measure("cremations_ytd", f"{year}-12", stock4(len(cremated)))
    return report_months


def registered_deaths(landing, regions) -> dict[str, int]:
    """The police's yearly death count for the county (T13's denominator).
    Codes are as the police wrote them: a merged town's deaths fold into its successor."""
    counts = sources.load(landing, "deaths", regions.division)
    counts["file_version"] = counts["version"]
    latest = counts.groupby("year")["file_version"].transform("max")
    counts = counts[counts["file_version"] == latest].copy()
    counts["county6"] = regions.code_on(counts["township_code"], counts["year"].astype(str) + "-12").fillna(
        counts["township_code"]).str[:6]
    county = counts[counts["county6"] == regions.county6]
    return {str(year): int(n) for year, n in county.groupby("year")["deaths"].sum().items()}


def cemetery_figures(landing, regions, townships: pd.DataFrame, figs: Figures) -> None:
    """T19: townships in force in December served by an operating (运营) 城市 or
    农村公益性公墓 of the year's register, over all of them. 服务乡镇 lists codes
    joined by 、, each followed to the township in force at the year's end (a
    经营性公墓 serves too, but does not count). A year without a register has no figure."""
    registers = sources.load(landing, "cemeteries", regions.division)
    for year, register in registers.groupby("period"):
        public = register[register["cemetery_type"].isin(PUBLIC_CEMETERIES) & (register["operating_status"] == "运营")]
        codes = public["served_townships"].str.split("、").explode().str.strip().reset_index(drop=True)
        codes = codes[codes != ""]
        served = set(regions.township_on(codes, pd.Series(f"{year}-12", index=codes.index)).dropna())
        in_force = townships.loc[(townships["period_month"] == f"{year}-12")
                                 & (townships["township_code"].str[:6] == regions.county6), "township_code"]
        figs.target("T19", year, rate(in_force.isin(served).sum(), len(in_force)))
