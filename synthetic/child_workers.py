"""The register of children's supervisors and directors (source ``child_workers``,
儿童督导员和儿童主任).

One UTF-8 CSV per snapshot day (30 June and the year's end), one row per post
holder: a 儿童督导员 for each township, a 儿童主任 for each village and
community. Most posts are filled when the period starts; the rest are filled
over the years. Each year a few holders leave (离岗) and their post stays
empty for months, so a village whose director left is listed until someone
replaces them; a holder who left stays in the register as 离岗 for about a
year. When a town is merged its supervisor's post ends; a street created by a
split waits a few months for its supervisor.

Truth: T22 (villages and communities with an 在岗 儿童主任 over all of them, in
the year's last snapshot) for the county and each township, listing the
villages without a director and the townships without a supervisor.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from synthetic import ids
from synthetic.delivery import Delivery
from synthetic.organisations import _stock_dates
from synthetic.regions import County, _month_start
from synthetic.world import GenerationContext, ratio

SOURCE = "child_workers"
COLUMNS = ["人员编号", "姓名", "身份证号", "岗位", "所属区划代码", "任职日期", "状态", "是否兼职"]
EXTRA_COLUMNS = ["联系电话", "备注"]
SUPERVISOR, DIRECTOR = "儿童督导员", "儿童主任"
FILLED_AT_START = 0.93
MONTHLY_LEAVING_PROBABILITY = 0.004
LEFT_HOLDERS_LISTED_DAYS = 365


@dataclass
class PostHolder:
    number: str
    name: str
    citizen_id: str
    post: str
    unit: str                      # township or village code when appointed
    start: dt.date
    part_time: bool
    end: dt.date | None = None     # first day off the post (离岗)

    def in_post(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


def _month_starts(ctx: GenerationContext):
    for year, month in ctx.months():
        yield dt.date(year, month, 1)


class ChildWorkersWorld:
    def __init__(self, county: County, rng: random.Random) -> None:
        self.county, self.rng = county, rng
        self.holders: list[PostHolder] = []
        self.waiting_until: dict[tuple[str, str], dt.date] = {}

    def appoint(self, post: str, unit: str, start: dt.date) -> None:
        rng = self.rng
        birth = dt.date(start.year - rng.randint(24, 56), rng.randint(1, 12), rng.randint(1, 28))
        male = rng.random() < 0.35
        self.holders.append(PostHolder(
            number=f"RY{self.county.code6}{len(self.holders) + 1:05d}", name=ids.person_name(rng),
            citizen_id=ids.citizen_id(rng, self.county.code6, birth, male), post=post, unit=unit, start=start,
            part_time=post == DIRECTOR and rng.random() < 0.8))

    def posts_on(self, day: dt.date) -> list[tuple[str, str]]:
        return ([(SUPERVISOR, t.code) for t in self.county.townships_on(day)]
                + [(DIRECTOR, v.code) for v in self.county.villages_on(day)])

    def simulate(self, ctx: GenerationContext) -> None:
        rng, county = self.rng, self.county
        first = ctx.first_month
        for post, unit in self.posts_on(first):
            if rng.random() < FILLED_AT_START:
                self.appoint(post, unit, first - dt.timedelta(days=rng.randint(30, 1500)))
            else:
                self.waiting_until[(post, unit)] = _month_start(first, rng.randint(3, 40))
        for day in _month_starts(ctx):
            for holder in self.holders:
                if holder.end is not None or holder.start > day:
                    continue
                if holder.post == SUPERVISOR and not county.unit(holder.unit).valid_on(day):
                    holder.end = day           # the town was merged: its post ends
                elif rng.random() < MONTHLY_LEAVING_PROBABILITY:
                    holder.end = day + dt.timedelta(days=rng.randint(0, 27))
            self._fill(day)

    def _fill(self, day: dt.date) -> None:
        """Posts empty at ``day`` are filled when their wait is over; a new wait starts otherwise."""
        county, rng = self.county, self.rng
        held = {(h.post, county.current_code(h.unit, day)) for h in self.holders if h.in_post(day)}
        for post, unit in self.posts_on(day):
            if (post, unit) in held:
                self.waiting_until.pop((post, unit), None)
                continue
            due = self.waiting_until.setdefault((post, unit), _month_start(day, rng.randint(2, 14)))
            if due <= day:
                self.appoint(post, unit, day + dt.timedelta(days=rng.randint(0, 20)))
                del self.waiting_until[(post, unit)]


def _row(county: County, holder: PostHolder, day: dt.date, delivery: Delivery) -> dict[str, str]:
    return {"人员编号": holder.number, "姓名": holder.name, "身份证号": holder.citizen_id, "岗位": holder.post,
            "所属区划代码": county.current_code(holder.unit, day), "任职日期": delivery.date(holder.start),
            "状态": "在岗" if holder.in_post(day) else "离岗", "是否兼职": "是" if holder.part_time else "否"}


DEFECTS = {
    "id_check_character": ("身份证号", lambda row, rng: ids.corrupt_check_character(row["身份证号"])),
    "unknown_code": ("岗位", lambda row, rng: rng.choice(("儿童福利主任", "督导员", "主任"))),
    "impossible_date": ("任职日期", lambda row, rng: f"{row['任职日期'][:4]}-02-30"),
}


def _write_snapshot(world: ChildWorkersWorld, ctx: GenerationContext, day: dt.date) -> list[dict[str, str]]:
    """The day's file; returns the rows ingestion keeps."""
    county, rng = world.county, world.rng
    listed = [h for h in world.holders if h.start <= day
              and (h.end is None or h.end > day - dt.timedelta(days=LEFT_HOLDERS_LISTED_DAYS))]
    delivery = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
    rows = [_row(county, h, day, delivery) for h in sorted(listed, key=lambda h: (h.post, h.unit, h.number))]
    name = f"{SOURCE}_{county.code6}_{day:%Y%m%d}.csv"
    kept = []
    for index, row in enumerate(rows):
        if row["状态"] == "在岗" and rng.random() < ctx.defect_rate:
            rule = rng.choice(sorted(DEFECTS))
            column, corrupt = DEFECTS[rule]
            row[column] = corrupt(row, rng)
            ctx.defects.add(SOURCE, name, index + 2, column, rule)   # header is line 1
        else:
            kept.append(row)
    delivery.write_csv(ctx.out, SOURCE, name, rows, "utf-8")
    return kept


def _t22(county: County, ctx: GenerationContext, rows: list[dict[str, str]], day: dt.date) -> None:
    in_post = {(r["岗位"], r["所属区划代码"]) for r in rows if r["状态"] == "在岗"}
    townships = county.townships_on(day)
    no_supervisor = [t.code for t in townships if (SUPERVISOR, t.code) not in in_post]
    regions = [(county.code12, county.villages_on(day))] + [(t.code, t.villages_on(day)) for t in townships]
    for region, villages in regions:
        if not villages:
            continue
        without = [v.code for v in villages if (DIRECTOR, v.code) not in in_post]
        listed = without + (no_supervisor if region == county.code12
                            else [code for code in no_supervisor if code == region])
        ctx.truth.target("T22", region, day.year, ratio(len(villages) - len(without), len(villages)),
                         numerator=len(villages) - len(without), denominator=len(villages), failing=listed)


def generate(county: County, ctx: GenerationContext) -> None:
    """Two snapshots a year; T22 from each year's last one."""
    world = ChildWorkersWorld(county, ctx.rng(county, SOURCE))
    world.simulate(ctx)
    last_of_year: dict[int, tuple[list[dict[str, str]], dt.date]] = {}
    for day in _stock_dates(ctx, midyear=True):   # 30 June and each year's end
        last_of_year[day.year] = (_write_snapshot(world, ctx, day), day)
    section = ctx.truth.sections.setdefault(SOURCE, {}).setdefault("in_post_year_end", [])
    for year, (rows, day) in sorted(last_of_year.items()):
        _t22(county, ctx, rows, day)
        for post in (SUPERVISOR, DIRECTOR):
            section.append({"county": county.code12, "year": year, "post": post,
                            "in_post": sum(1 for r in rows if r["岗位"] == post and r["状态"] == "在岗")})
