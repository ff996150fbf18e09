"""The truth of the low-income monitoring (低收入人口动态监测, ``monitoring.md``).

Computed in plain Python from what ingestion keeps of the generated files: the
roll's clean rows, the clean temporary-aid grants and the clean
verifications, matched by citizen ID as the warehouse matches by key. It is
the reference the warehouse's SQL is tested against, so it follows the
definitions literally, one month at a time; ``docs/monitoring.md`` states the
readings chosen where the definitions leave a choice.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from synthetic.regions import County
from synthetic.verification import EDGE_FACTOR, MATTERS, Verification
from synthetic.world import GenerationContext, month_end

EXCLUDING_REASONS = ("资产超标", "隐瞒收入")
EDGE, ALERT = "低保边缘", "返贫风险"
INTERVENTION_DAYS = 60
INDICATORS = {
    "I01": ("低收入人口数", "人"), "I02": ("低保边缘家庭户数", "户"), "I03": ("返贫风险预警户数", "户"),
    "I04": ("及时干预率", "%"), "I05": ("核对不符合率", "%"), "I06": ("黑名单违规在保户数", "户"),
}
ALL_MATTERS = "全部"


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _pct(numerator: int, denominator: int) -> str | None:
    if not denominator:
        return None
    return str((Decimal(100 * numerator) / denominator).quantize(Decimal("0.01"), ROUND_HALF_UP))


@dataclass
class Spell:
    household_id: str
    flag_type: str
    flag_date: dt.date
    region_code: str             # where the household was when the spell opened
    opened_month: str
    last_event: dt.date
    ended_on: dt.date | None = None
    intervened_on: dt.date | None = None


@dataclass
class _Month:
    key: str                     # YYYY-MM
    start: dt.date
    end: dt.date


@dataclass
class _Household:
    household_id: str
    head_id: str | None = None
    verifications: list[Verification] = field(default_factory=list)
    roll: dict[str, object] = field(default_factory=dict)        # month → RollRow
    stopped: set[dt.date] = field(default_factory=set)
    entered: set[dt.date] = field(default_factory=set)


def record_truth(county: County, ctx: GenerationContext) -> None:
    """``truth.sections["monitoring"]``: indicators per region and period, spells, breaches."""
    months = [_Month(f"{y}-{m:02d}", dt.date(y, m, 1), month_end(y, m)) for y, m in ctx.months()]
    households = _households(ctx)
    standards = _standards(ctx, months)
    grants_by_person: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for grant in ctx.registry.get("temporary_aid_clean", []):
        grants_by_person[grant.person_id].append((grant.day, grant.category))
    verifications = ctx.registry.get("verification_clean", [])

    cells: dict[tuple[str, str, str, str], int | str | None] = {}
    counts: dict[tuple, int] = defaultdict(int)
    spells: list[Spell] = []
    breaches: list[dict] = []
    for hh in households.values():
        head_grants = grants_by_person.get(hh.head_id or "", [])
        states = [_state(county, hh, m, standards, head_grants) for m in months]
        spells.extend(_spells(county, hh, months, states, head_grants))
        for m, state in zip(months, states):
            township = state["township"]
            for region in (county.code12, township):
                counts[("I01", region, m.key)] += state["persons"]
                counts[("I02", region, m.key)] += state["edge"]
                counts[("I03", region, m.key)] += state["alert"]
                counts[("I06", region, m.key)] += state["breach"]
        breach_months = [m.key for m, s in zip(months, states) if s["breach"]]
        if breach_months:
            breaches.append({"household_id": hh.household_id, "first_month": breach_months[0],
                             "last_month": breach_months[-1], "months": len(breach_months)})
    for m in months:
        regions = [county.code12] + [t.code for t in county.townships_on(m.end)]
        for indicator in ("I01", "I02", "I03", "I06"):
            for region in regions:
                cells[(indicator, ALL_MATTERS, region, m.key)] = counts[(indicator, region, m.key)]
        _timeliness(county, cells, spells, m, regions)
        _refusals(county, cells, verifications, m.key, [m], regions)
    for year in sorted({m.start.year for m in months}):
        december = next((m for m in months if m.key == f"{year}-12"), None)
        if december is None:
            continue
        regions = [county.code12] + [t.code for t in county.townships_on(december.end)]
        for (indicator, breakdown, region, period), value in list(cells.items()):
            if period == december.key and indicator != "I05":
                cells[(indicator, breakdown, region, str(year))] = value
        _refusals(county, cells, verifications, str(year), [m for m in months if m.start.year == year], regions)
    ctx.truth.sections["monitoring"] = {
        "indicators": [{"indicator": i, "breakdown": b, "region": r, "period": p, "value": v}
                       for (i, b, r, p), v in sorted(cells.items())],
        "spells": [{"household_id": s.household_id, "flag_type": s.flag_type, "flag_date": s.flag_date.isoformat(),
                    "township": s.region_code[:9] + "000", "opened_month": s.opened_month,
                    "ended_on": s.ended_on.isoformat() if s.ended_on else None,
                    "intervened_on": s.intervened_on.isoformat() if s.intervened_on else None}
                   for s in sorted(spells, key=lambda s: (s.household_id, s.flag_date))],
        "breaches": sorted(breaches, key=lambda b: b["household_id"]),
    }


# ------------------------------------------------------------------ inputs
def _households(ctx: GenerationContext) -> dict[str, _Household]:
    households: dict[str, _Household] = {}
    for month, rows in ctx.registry.get("assistance_clean_rows", {}).items():
        for row in rows:
            hh = households.setdefault(row.household_id, _Household(row.household_id))
            hh.head_id = row.head_id
            hh.roll[month] = row
            if row.on_roll:
                hh.entered.add(row.entered)
            elif row.stopped is not None:
                hh.stopped.add(row.stopped)
    for v in ctx.registry.get("verification_clean", []):
        hh = households.setdefault(v.household_id, _Household(v.household_id))
        hh.verifications.append(v)
    for hh in households.values():
        hh.verifications.sort(key=lambda v: (v.day, v.number))
        if hh.head_id is None and hh.verifications:
            hh.head_id = hh.verifications[-1].applicant_id      # never on the roll: the applicant
    return households


def _standards(ctx: GenerationContext, months: list[_Month]) -> dict[tuple[bool, str], Decimal]:
    """S(type, M): the person-weighted mean 低保 standard on the roll, nearest month when none."""
    rows = ctx.registry.get("assistance_clean_rows", {})
    found: dict[tuple[bool, str], Decimal] = {}
    for m in months:
        for urban, kind in ((True, "城市低保"), (False, "农村低保")):
            members = [r for r in rows.get(m.key, []) if r.on_roll and r.assistance_type == kind]
            persons = sum(r.persons for r in members)
            if persons:
                weighted = sum((r.standard * r.persons for r in members), Decimal("0"))
                found[(urban, m.key)] = (weighted / persons).quantize(Decimal("0.01"), ROUND_HALF_UP)
    standards = {}
    for urban in (True, False):
        known = [m.key for m in months if (urban, m.key) in found]
        for m in months:
            if not known:
                continue
            earlier = [k for k in known if k <= m.key]
            standards[(urban, m.key)] = found[(urban, earlier[-1] if earlier else known[0])]
    return standards


# ------------------------------------------------------------------ one month
def _region(county: County, hh: _Household, m: _Month) -> str | None:
    """The household's 12-digit code in force at the month's end."""
    row = hh.roll.get(m.key)
    if row is not None and row.on_roll:
        return row.region_code
    seen = [v for v in hh.verifications if v.day <= m.end]
    if seen:
        return county.current_code(seen[-1].village, m.end)
    earlier = [k for k in hh.roll if k <= m.key]
    if earlier:
        return county.current_code(hh.roll[max(earlier)].region_code, m.end)
    return None


def _state(county: County, hh: _Household, m: _Month, standards: dict, head_grants: list) -> dict:
    row = hh.roll.get(m.key)
    on_roll = row is not None and row.on_roll
    region = _region(county, hh, m)
    state = {"township": region[:9] + "000" if region else None, "region": region, "on_roll": on_roll,
             "persons": row.persons if on_roll else 0, "edge": 0, "alert": 0, "breach": 0,
             "edge_on": None, "alert_on": None}
    blacklisted = [v for v in hh.verifications if v.blacklisted and v.day <= m.end]
    if on_roll:
        state["breach"] = int(bool(blacklisted))
        return state
    if region is None:
        return state
    standard = standards.get((int(region[6:9]) < 100, m.key))
    if standard is None:
        return state
    window = [v for v in hh.verifications if add_months(m.start, -11) <= v.day <= m.end]
    if window and not blacklisted:
        latest = window[-1]
        excluded = not latest.passed and latest.reason in EXCLUDING_REASONS
        if standard < latest.income <= EDGE_FACTOR * standard and not excluded:
            state.update(edge=1, edge_on=latest.day, persons=latest.members)
    left_recently = any(add_months(m.start, -24) <= day <= m.end for day in hh.stopped)
    if left_recently:
        events = [v.day for v in hh.verifications
                  if m.start <= v.day <= m.end and v.income <= EDGE_FACTOR * standard]
        events += [day for day, category in head_grants if category == "支出型" and m.start <= day <= m.end]
        if events:
            state.update(alert=1, alert_on=min(events))
    return state


# ------------------------------------------------------------------ spells
def _spells(county: County, hh: _Household, months: list[_Month], states: list[dict],
            head_grants: list) -> list[Spell]:
    spells: list[Spell] = []
    open_spell: Spell | None = None
    for m, state in zip(months, states):
        event, kind = _event(state)
        if open_spell is not None:
            lapse = add_months(open_spell.last_event, 12)
            if state["on_roll"]:
                open_spell.ended_on = m.start
                open_spell = None
            elif event is not None and open_spell.last_event < event < lapse:
                open_spell.last_event = event
            elif lapse <= m.end:
                open_spell.ended_on = lapse
                open_spell = None
        if event is not None and open_spell is None:
            open_spell = Spell(hh.household_id, kind, event, state["region"], m.key, event)
            spells.append(open_spell)
    for spell in spells:
        spell.intervened_on = _intervention(hh, spell.flag_date, head_grants)
    return spells


def _event(state: dict) -> tuple[dt.date | None, str | None]:
    dated = [(d, k) for d, k in ((state["edge_on"], EDGE), (state["alert_on"], ALERT)) if d is not None]
    return min(dated) if dated else (None, None)


def _intervention(hh: _Household, flag: dt.date, head_grants: list) -> dt.date | None:
    """The first entry to the roll or grant to the head within 60 days of the flag."""
    until = flag + dt.timedelta(days=INTERVENTION_DAYS)
    dates = [d for d in hh.entered if flag <= d <= until]
    dates += [d for d, _ in head_grants if flag <= d <= until]
    return min(dates) if dates else None


# ------------------------------------------------------------------ rates
def _timeliness(county: County, cells: dict, spells: list[Spell], m: _Month, regions: list[str]) -> None:
    """I04: spells flagged in the 12 months ending with M, not pending at its end."""
    done: dict[str, int] = defaultdict(int)
    judged: dict[str, int] = defaultdict(int)
    for spell in spells:
        if not add_months(m.start, -11) <= spell.flag_date <= m.end:
            continue
        intervened = spell.intervened_on is not None and spell.intervened_on <= m.end
        pending = not intervened and (m.end - spell.flag_date).days < INTERVENTION_DAYS
        if pending:
            continue
        township = county.current_code(spell.region_code, m.end)[:9] + "000"
        for region in (county.code12, township):
            judged[region] += 1
            done[region] += intervened
    for region in regions:
        cells[("I04", ALL_MATTERS, region, m.key)] = _pct(done[region], judged[region])


def _refusals(county: County, cells: dict, verifications: list[Verification], period: str,
              months: list[_Month], regions: list[str]) -> None:
    """I05: verifications dated in the period refused (不符合), by matter and in all."""
    last = months[-1].end
    refused: dict[tuple[str, str], int] = defaultdict(int)
    total: dict[tuple[str, str], int] = defaultdict(int)
    first = months[0].start
    for v in verifications:
        if not first <= v.day <= last:
            continue
        township = county.current_code(v.village, last)[:9] + "000"
        for region in (county.code12, township):
            for breakdown in (ALL_MATTERS, v.matter):
                total[(region, breakdown)] += 1
                refused[(region, breakdown)] += not v.passed
    for region in regions:
        for breakdown in (ALL_MATTERS, *MATTERS):
            cells[("I05", breakdown, region, period)] = _pct(refused[(region, breakdown)],
                                                              total[(region, breakdown)])

