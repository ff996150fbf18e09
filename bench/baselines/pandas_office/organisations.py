"""Social organisations (T09–T11, T16, T18), volunteers (T17), social workers (T15)
and their JZH01 rows.

The three registers arrive as snapshots (a file per snapshot day). A year's
value is the year's last snapshot (年末数); the report form's December reads
the latest snapshot on or before the 31st. An organisation counts once per
统一社会信用代码, a person once per ID.
"""

from __future__ import annotations

import pandas as pd
import sources
from results import Figures, mean, stock4

ORG_TYPES = {"社会团体": "social_groups", "社会服务机构": "social_service_institutions", "基金会": "foundations"}


def snapshot_columns(frame: pd.DataFrame, regions, code_column: str) -> pd.DataFrame:
    """Snapshot day, year, month, and the county of ``code_column`` in force that month."""
    frame["snapshot_date"] = frame["period"]
    frame["snapshot_year"] = frame["period"].str[:4]
    frame["snapshot_month"] = frame["period"].str[:7]
    frame["code_on"] = regions.code_on(frame[code_column], frame["snapshot_month"])
    frame["in_county"] = frame["code_on"].str[:6] == regions.county6
    return frame


def year_end_snapshots(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby("snapshot_year")["snapshot_date"].max()


def latest_snapshot_by_december(frame: pd.DataFrame, years) -> dict[str, str]:
    """For each report year: the latest snapshot day on or before 31 December."""
    days = sorted(frame["snapshot_date"].unique())
    return {y: max(d for d in days if d <= f"{y}-12-31") for y in years if any(d <= f"{y}-12-31" for d in days)}


def organisation_figures(landing, regions, report_years, figs: Figures) -> None:
    orgs = sources.load(landing, "social_orgs", regions.division)
    # an organisation exported twice in one snapshot counts once (its first line)
    orgs = orgs.sort_values(["period", "_row"]).drop_duplicates(["period", "credit_code"], keep="first")
    orgs = snapshot_columns(orgs, regions, "region_code")
    orgs["active"] = orgs["registration_status"] == "正常"
    active_here = orgs[orgs["active"] & orgs["in_county"]]

    communities = sources.load(landing, "communities", regions.division)
    for year, day in year_end_snapshots(orgs).items():
        now = active_here[active_here["snapshot_date"] == day]
        figs.target("T16", year, float(now.loc[now["is_social_work_org"] == "是", "credit_code"].nunique()))
        figs.target("T18", year, float(now.loc[now["is_volunteer_org"] == "是", "credit_code"].nunique()))
        _community_org_targets(orgs[orgs["snapshot_date"] == day], communities, regions, year, figs)

    for year, day in latest_snapshot_by_december(orgs, report_years).items():
        now = active_here[active_here["snapshot_date"] == day]
        for org_type, count in now.groupby("organisation_type")["credit_code"].nunique().items():
            figs.measure(ORG_TYPES[org_type], f"{year}-12", stock4(count))


def _community_org_targets(orgs: pd.DataFrame, communities: pd.DataFrame, regions, year: str, figs: Figures) -> None:
    """T09 / T10: active community organisations per urban / rural community;
    T11: the fewest in any 行政村. The register is that of the snapshot's year
    (else the latest earlier one); retired village codes follow their successor."""
    registers = communities[communities["year"] <= int(year)]
    if registers.empty:
        return
    villages = registers[registers["year"] == registers["year"].max()].copy()
    month = orgs["snapshot_month"].iloc[0]
    code_on = regions.code_on(villages["region_code"], pd.Series(month, index=villages.index))
    villages["village_code"] = code_on.fillna(villages["region_code"])
    villages["county6"] = code_on.fillna(villages["region_code"]).str[:6]
    villages = villages.groupby("village_code").agg(community_type=("community_type", "min"),
                                                    county6=("county6", "min"))
    community_orgs = orgs[orgs["active"] & (orgs["is_community_org"] == "是")].groupby("code_on").size()
    villages["orgs"] = community_orgs.reindex(villages.index).fillna(0).astype(int)
    ours = villages[villages["county6"] == regions.county6]
    for target, kind in (("T09", "城市社区"), ("T10", "农村社区")):
        of_kind = ours[ours["community_type"] == kind]
        figs.target(target, year, mean(of_kind["orgs"].sum(), len(of_kind)))
    villages_proper = ours[ours["community_type"] == "行政村"]
    if len(villages_proper):
        figs.target("T11", year, float(villages_proper["orgs"].min()))


def volunteer_figures(landing, regions, report_years, figs: Figures) -> None:
    """T17 and the report's volunteers: persons with an active registration.
    A person registered twice is one volunteer, placed where their latest
    active registration (else latest registration) is."""
    regs = sources.load(landing, "volunteers", regions.division)
    regs = regs.assign(active=regs["status"] == "正常").sort_values(
        ["period", "volunteer", "active", "registered_on", "volunteer_no"], ascending=[True, True, False, False, False])
    persons = regs.groupby(["period", "volunteer"], sort=False).agg(
        region_code=("region_code", "first"), active=("active", "max")).reset_index()
    persons = snapshot_columns(persons, regions, "region_code")
    counted = persons[persons["active"] & persons["in_county"]]
    _headcounts(persons, counted, "volunteer", "T17", "volunteers", report_years, figs)


def social_worker_figures(landing, regions, report_years, figs: Figures) -> None:
    """T15 and the report's social workers: persons holding a valid certificate
    registered in the county (a code outside it counts nowhere)."""
    certs = snapshot_columns(sources.load(landing, "social_workers", regions.division), regions, "region_code")
    counted = certs[(certs["status"] == "有效") & certs["in_county"]]
    _headcounts(certs, counted, "holder", "T15", "social_workers", report_years, figs)


def _headcounts(snapshots: pd.DataFrame, counted: pd.DataFrame, person: str, target: str, measure: str,
                report_years, figs: Figures) -> None:
    """Distinct persons counted: the target at each year-end snapshot, the
    report's measure at the latest snapshot by each December."""
    for year, day in year_end_snapshots(snapshots).items():
        figs.target(target, year, float(counted.loc[counted["snapshot_date"] == day, person].nunique()))
    for year, day in latest_snapshot_by_december(snapshots, report_years).items():
        now = counted[counted["snapshot_date"] == day]
        if len(now):
            figs.measure(measure, f"{year}-12", stock4(now[person].nunique()))
