"""Elderly care: street centres (T06), nursing beds (T07), community facilities
(T08) and the JZH01 institution rows.

The register is a monthly snapshot of every institution and facility; a
year's value is its last delivered month (年末数). Only a facility 运营 at the
month's end counts; 养老机构 and 特困供养机构(敬老院) are the institutions.
"""

from __future__ import annotations

import pandas as pd
import sources
from results import Figures, rate, stock4

INSTITUTIONS = ["养老机构", "特困供养机构(敬老院)"]


def elderly_figures(landing, regions, townships: pd.DataFrame, figs: Figures) -> set[str]:
    """T06, T07 and the care rows of the report; returns the delivered months."""
    facilities = sources.load(landing, "elderly_care", regions.division)
    facilities["period_month"] = facilities["period"]
    # each facility on the township in force at the month's end
    code_on = regions.code_on(facilities["region_code"], facilities["period_month"])
    facilities["township_code"] = code_on.str[:9] + "000"
    facilities["operating"] = facilities["operating_status"] == "运营"
    ours = facilities[code_on.str[:6] == regions.county6]

    months = sorted(ours["period_month"].unique())
    year_end = pd.Series(months).groupby(pd.Series(months).str[:4]).max()
    streets = townships[townships["township_kind"] == "街道"]
    centres = ours[(ours["facility_type"] == "街道综合养老服务中心") & ours["operating"]]
    institutions = ours[ours["facility_type"].isin(INSTITUTIONS) & ours["operating"]]
    for year, month in year_end.items():
        in_force = streets.loc[(streets["period_month"] == month) & (streets["township_code"].str[:6] == regions.county6),
                               "township_code"]
        with_centre = in_force.isin(centres.loc[centres["period_month"] == month, "township_code"])
        figs.target("T06", year, rate(with_centre.sum(), len(in_force)))
        beds = institutions[institutions["period_month"] == month]
        figs.target("T07", year, rate(beds["nursing_beds"].sum(), beds["beds"].sum()))

    # JZH01: institutions listed on a township in force; their operating ones counted
    listed = facilities[facilities["facility_type"].isin(INSTITUTIONS)].merge(
        townships, on=["period_month", "township_code"])
    listed = listed[listed["township_code"].str[:6] == regions.county6]
    for month, now in listed.groupby("period_month"):
        if month.endswith("-12"):
            operating = now[now["operating"]]
            figs.measure("care_institutions", month, stock4(len(operating)))
            figs.measure("care_beds", month, stock4(operating["beds"].sum()))
            figs.measure("care_nursing_beds", month, stock4(operating["nursing_beds"].sum()))
    return set(facilities["period_month"])


def community_facility_figures(landing, regions, figs: Figures) -> None:
    """T08: urban communities (the register's 类型) with an elderly-care facility."""
    communities = sources.load(landing, "communities", regions.division)
    ours = communities[communities["region_code"].str[:6] == regions.county6]
    for year, part in ours.groupby("year"):
        urban = part[part["community_type"] == "城市社区"]
        figs.target("T08", year, rate((urban["has_elderly_facility"] == "是").sum(), len(urban)))
