"""The county's divisions through time: which code is in force at a month's end.

Built from the yearly code releases (统计用区划代码, listing the codes in
force on 30 June) and the approved changes (towns merge, streets split).
A figure delivered under a code retired since (a merged town's village) is
counted on the code that took its place by the month of the figure, and so on
the township that exists then.
"""

from __future__ import annotations

import pandas as pd
from sources import Division

OPEN_END = pd.Timestamp("9999-12-31")


class Regions:
    def __init__(self, releases: pd.DataFrame, changes: pd.DataFrame, county6: str):
        self.county6 = county6
        self.county12 = county6 + "000000"
        self.division = Division(
            county6,
            frozenset(releases["region_code"]) | frozenset(changes["old_code"]),
            changes.groupby("new_code")["effective_on"].min().to_dict(),
        )
        self.table = self._intervals(releases, changes)
        self.months = self._months(releases, changes)

    # ------------------------------------------------------------ building

    @staticmethod
    def _intervals(releases: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
        """One row per code: level, valid from / to, and the successor that replaced it."""
        releases = releases.assign(year_start=pd.to_datetime(releases["year"].astype(str) + "-01-01"),
                                   release_day=pd.to_datetime(releases["year"].astype(str) + "-06-30"))
        history_start = min([releases["year_start"].min()]
                            + list((changes["effective_on"] - pd.Timedelta(days=1)).dt.to_period("Y").dt.start_time))
        last_release_year = releases["year"].max()

        listed = releases.groupby("region_code").agg(first_year=("year", "min"), last_year=("year", "max"),
                                                     first_year_start=("year_start", "min"),
                                                     first_release_day=("release_day", "min"))
        latest = releases.sort_values("year").groupby("region_code").last()
        moves = changes[changes["new_code"] != changes["old_code"]]
        township_change = moves["old_code"].str[9:12] == "000"
        # A township that gives part of its area to a new street (拆分) lives on.
        retirements = (moves[~((moves["change_type"] == "拆分") & township_change)]
                       .sort_values(["effective_on", "new_code"]).groupby("old_code").first())
        # A town that absorbs another (合并), or the target of 撤销, is not new.
        creations = (moves[(moves["change_type"] != "撤销") & ~((moves["change_type"] == "合并") & township_change)]
                     .sort_values(["effective_on", "old_code"]).groupby("new_code").first())

        codes = pd.Index(sorted(set(listed.index) | set(changes["old_code"]) | set(changes["new_code"])))
        t = pd.DataFrame(index=codes)
        level_by_shape = pd.Series("village", index=codes)
        level_by_shape[codes.str[9:12] == "000"] = "township"
        level_by_shape[codes.str[6:12] == "000000"] = "county"
        t["level"] = latest["level"].map({"县": "county", "乡": "township", "村": "village"}).reindex(codes)
        t["level"] = t["level"].fillna(level_by_shape)

        created_on = creations["effective_on"].reindex(codes)
        first_day = listed["first_release_day"].reindex(codes)
        created_first = created_on.notna() & (first_day.isna() | (first_day >= created_on))
        t["valid_from"] = (created_on.where(created_first)
                           .fillna(listed["first_year_start"].reindex(codes)).fillna(history_start))
        dropped = listed["last_year"].reindex(codes) < last_release_year
        not_listed_since = pd.to_datetime((listed["last_year"].reindex(codes) + 1).astype("Int64").astype(str)
                                          + "-01-01", errors="coerce")
        t["valid_to"] = (retirements["effective_on"].reindex(codes)
                         .fillna(not_listed_since.where(dropped)).fillna(OPEN_END))
        t["successor"] = retirements["new_code"].reindex(codes)
        t["township_kind"] = None
        part = codes.str[6:9]
        t.loc[(part >= "001") & (part <= "099"), "township_kind"] = "街道"
        t.loc[(part >= "100") & (part <= "199"), "township_kind"] = "镇"
        t.loc[(part >= "200") & (part <= "399"), "township_kind"] = "乡"
        t.index.name = "region_code"
        return t

    @staticmethod
    def _months(releases: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
        """The months the region history covers (from its first year to the year
        after the last release), with their last day."""
        first = min([releases["year"].min()] + list((changes["effective_on"] - pd.Timedelta(days=1)).dt.year))
        starts = pd.date_range(f"{first}-01-01", f"{releases['year'].max() + 1}-12-01", freq="MS")
        return pd.DataFrame({"period_month": starts.strftime("%Y-%m"), "month_end": starts + pd.offsets.MonthEnd(0)})

    # ------------------------------------------------------------ queries

    def code_on(self, codes: pd.Series, months: pd.Series) -> pd.Series:
        """The code in force at the end of each month (follow successors while
        the code was retired by then); NaN for an unknown code or a month
        outside the region history."""
        month_end = months.map(self.months.set_index("period_month")["month_end"])
        current = codes.where(codes.isin(self.table.index) & month_end.notna())
        for _ in range(10):
            retired = (current.map(self.table["valid_to"]) <= month_end) & current.map(self.table["successor"]).notna()
            if not retired.any():
                break
            current = current.where(~retired, current.map(self.table["successor"]))
        return current

    def township_on(self, codes: pd.Series, months: pd.Series) -> pd.Series:
        return self.code_on(codes, months).str[:9] + "000"

    def townships_in_force(self) -> pd.DataFrame:
        """Every township (街道 / 镇 / 乡) in force at each month's end."""
        townships = self.table[self.table["level"] == "township"].reset_index()
        pairs = self.months.merge(townships, how="cross")
        pairs = pairs[(pairs["valid_from"] <= pairs["month_end"]) & (pairs["valid_to"] > pairs["month_end"])]
        return pairs.rename(columns={"region_code": "township_code"})[
            ["period_month", "township_code", "township_kind"]].reset_index(drop=True)

