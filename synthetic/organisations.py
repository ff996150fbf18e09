"""Social organisations, charities and the people around them: ``social_orgs``,
``donations``, ``volunteers``, ``social_workers``; and ``temporary_aid`` grants.

The model: organisations (社会组织) registered over the years in villages and
communities, some later 注销 / 撤销; charities (慈善组织) among them receive
donations; registered volunteers (注册志愿者) and certified social workers
(社会工作者职业水平证书持有人) grow year by year; temporary-aid grants (临时救助)
are paid each month. Files are snapshots or event lists of that model as the
contract (extracts.md) says; the truth (targets T09–T11, T15–T18 and per-year
detail of donations and grants) is computed from the same model, leaving out
every row that carries a planted defect.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from synthetic import ids
from synthetic.delivery import Delivery
from synthetic.regions import County, Village
from synthetic.world import GenerationContext, month_end, ratio

SOURCES = ("social_orgs", "donations", "volunteers", "social_workers", "temporary_aid")

ORG_COLUMNS = ["统一社会信用代码", "组织名称", "组织类型", "登记日期", "住所区划代码", "是否慈善组织",
               "慈善认定日期", "是否社区社会组织", "是否志愿服务组织", "是否社会工作服务机构",
               "登记状态", "年检结论"]
DONATION_COLUMNS = ["捐赠日期", "受赠组织信用代码", "捐赠方类型", "金额", "是否慈善信托"]
VOLUNTEER_COLUMNS = ["志愿者编号", "身份证号", "姓名", "注册日期", "所属区划代码", "累计服务时长",
                     "所属组织信用代码", "状态"]
WORKER_COLUMNS = ["证书编号", "身份证号", "姓名", "证书等级", "取得日期", "执业机构信用代码",
                  "所属区划代码", "状态"]
AID_COLUMNS = ["行政区划代码", "身份证号", "姓名", "救助日期", "救助类别", "救助金额", "是否流浪乞讨人员"]
EXTRAS = {
    "social_orgs": ["法定代表人", "业务主管单位"],
    "donations": ["捐赠方名称", "备注"],
    "volunteers": ["政治面貌", "服务类别"],
    "social_workers": ["性别", "备注"],
    "temporary_aid": ["经办人", "备注"],
}
ENCODING = {"social_orgs": "xlsx", "donations": "utf-8", "volunteers": "utf-8",
            "social_workers": "utf-8", "temporary_aid": "gbk"}

# 组织类型 → the category digit of the credit code (GB 32100, authority 5 民政).
CATEGORY_DIGIT = {"社会团体": "1", "社会服务机构": "2", "基金会": "3"}
URBAN, RURAL, VILLAGE = "城市社区", "农村社区", "行政村"
CHARITY_LAW = dt.date(2016, 9, 1)       # 慈善法: recognitions start here
PLAN_END = dt.date(2025, 12, 31)        # the registrations' growth is calibrated to end-2025
CORRECTION_SHARE = 0.2                  # share of periods delivered twice (v1 wrong, _v2 right)
OLD_CODE_SHARE = 0.05                   # records that keep a retired region code after a change
OTHER_COUNTIES = ("370811", "370812", "370826", "370830", "371521", "371721")
FAR_AWAY = ("410102", "130104", "341202", "510104", "230103")

_COMMUNITY_ACTIVITIES = ["文体", "书画", "舞蹈", "太极", "邻里互助", "老年", "调解", "助残", "环保",
                         "读书", "棋艺", "合唱", "关爱儿童", "健身", "红白理事", "乡贤", "巾帼", "科普",
                         "法律服务", "养老互助", "平安巡逻", "家风", "戏曲", "手工编织"]
_COMMUNITY_SUFFIX = ["协会", "会", "队", "社", "服务站"]
_FIELDS = {"社会团体": ["书法家协会", "摄影家协会", "个体劳动者协会", "老年体育协会", "钓鱼协会",
                    "商会", "青年创业协会", "养蜂协会", "武术协会", "残疾人协会"],
           "社会服务机构": ["养老服务中心", "职业培训学校", "幼儿园", "康复中心", "文化艺术培训中心",
                      "心理咨询服务中心", "家政服务中心"],
           "基金会": ["慈善基金会", "教育发展基金会", "扶贫济困基金会"]}
_STEMS = "水泊聚义忠义宋江好汉梁山东平黄河金线民安康泰和顺德善仁爱"


@dataclass(frozen=True)
class Volumes:
    """How much of each source a scale makes (tiny stays at a few hundred rows)."""

    general_orgs_per_10k: float         # organisations that are not community organisations
    volunteer_factor: float             # share of the realistic volunteer numbers
    social_workers_per_100k: float      # certificate holders in the county by end-2025
    aid_grants_per_10k_month: float     # temporary-aid grants a month
    donations_per_charity_year: int


VOLUMES = {"tiny": Volumes(4.0, 0.05, 150.0, 4.0, 15),
           "county": Volumes(2.5, 1.0, 17.5, 5.0, 100)}


# --------------------------------------------------------------------------- places

class Places:
    """The county's villages and their history, with fast code look-ups."""

    def __init__(self, county: County, start: dt.date) -> None:
        self.county = county
        self.index: dict[str, Village] = {v.code: v for t in county.townships for v in t.villages}
        successors = {v.successor for v in self.index.values() if v.successor}
        # Roots: villages not created by a change; their successors carry their
        # organisations and people, so nothing is counted twice.
        self.roots = [v for v in self.index.values() if v.code not in successors]
        weights, total = [], 0
        for village in self.roots:
            total += village.population
            weights.append(total)
        self.cum_weights = weights
        self.residents = sum(v.population for v in county.villages_on(start))
        # Validity only changes on the days of region changes: one code map per
        # stretch between them instead of one per day.
        bounds = {v.valid_from for v in self.index.values()} | {v.valid_to for v in self.index.values()}
        self.bounds = sorted(bounds)
        self._maps: dict[int, dict[str, str]] = {}

    def code_on(self, code: str, day: dt.date) -> str:
        """The code valid on ``day`` for a village code (following successors)."""
        epoch = bisect.bisect_right(self.bounds, day)
        mapping = self._maps.get(epoch)
        if mapping is None:
            mapping = {c: self._follow(c, day) for c in self.index}
            self._maps[epoch] = mapping
        return mapping[code]

    def _follow(self, code: str, day: dt.date) -> str:
        village = self.index[code]
        while not village.valid_on(day) and village.successor:
            village = self.index[village.successor]
        return village.code

    def shown(self, home: str, day: dt.date, keeps_old: bool) -> str:
        """The code a record dated ``day`` carries: the current one, or for a
        few records the retired one they were entered with."""
        return home if keeps_old else self.code_on(home, day)

    def weighted_root(self, rng: random.Random) -> Village:
        """A village drawn in proportion to its population."""
        return rng.choices(self.roots, cum_weights=self.cum_weights)[0]

    def kind(self, code: str) -> str:
        return self.index[code].community_type


def _between(rng: random.Random, first: dt.date, last: dt.date, skew: float = 1.0) -> dt.date:
    """A day in [first, last]; ``skew`` < 1 favours later days (growth over time)."""
    span = (last - first).days
    return first + dt.timedelta(days=int(span * rng.random() ** skew))


def _stock_dates(ctx: GenerationContext, midyear: bool) -> list[dt.date]:
    """Snapshot days: each year's end (the period's last day for the last year)
    and, for the organisation register, 30 June."""
    days = []
    for year in ctx.years():
        if midyear and ctx.first_month <= dt.date(year, 6, 30) <= ctx.end:
            days.append(dt.date(year, 6, 30))
        end = min(dt.date(year, 12, 31), ctx.end)
        if end not in days:     # a period ending on 30 June: one snapshot, not two
            days.append(end)
    return days


def _year_window(ctx: GenerationContext, year: int) -> tuple[dt.date, dt.date]:
    return max(dt.date(year, 1, 1), ctx.first_month), min(dt.date(year, 12, 31), ctx.end)


# --------------------------------------------------------------------------- delivery

Rule = tuple[str, Callable[[dict[str, str], random.Random], str]]


def _impossible(column: str) -> Callable[[dict[str, str], random.Random], str]:
    """A 30 February of the row's own year (the year is the first 4 digits in every date style)."""
    return lambda row, rng: f"{row[column][:4]}-02-30"


@dataclass
class Period:
    """One period's delivery of one source: its file name and what to write."""

    source: str
    stem: str                   # file name without version and extension
    columns: list[str]
    title: str = ""             # XLSX only

    @property
    def extension(self) -> str:
        return "xlsx" if ENCODING[self.source] == "xlsx" else "csv"


def _write(ctx: GenerationContext, period: Period, delivery: Delivery, name: str,
           rows: list[dict[str, str]]) -> None:
    if period.extension == "xlsx":
        delivery.write_xlsx(ctx.out, period.source, name, rows, title=period.title)
    else:
        delivery.write_csv(ctx.out, period.source, name, rows, ENCODING[period.source])


def _deliver(ctx: GenerationContext, rng: random.Random, period: Period,
             build: Callable[[Delivery], list[dict[str, str]]],
             mistake: Callable[[list[dict[str, str]], Delivery, random.Random], None],
             rules: dict[str, Rule]) -> tuple[str, set[int]]:
    """Write a period's file (and, for some periods, a wrong first version
    corrected by ``_v2``); plant defects in the final one. Returns the final
    file's name and the indexes of its rows that carry a defect."""
    corrected = rng.random() < CORRECTION_SHARE
    if corrected:
        draft = Delivery.random(rng, period.columns, EXTRAS[period.source])
        rows = build(draft)
        mistake(rows, draft, rng)
        _write(ctx, period, draft, f"{period.stem}.{period.extension}", rows)
    delivery = Delivery.random(rng, period.columns, EXTRAS[period.source])
    rows = build(delivery)
    name = f"{period.stem}{'_v2' if corrected else ''}.{period.extension}"
    broken = _plant_defects(ctx, rng, period, name, rows, rules)
    _write(ctx, period, delivery, name, rows)
    return name, broken


def _plant_defects(ctx: GenerationContext, rng: random.Random, period: Period, name: str,
                   rows: list[dict[str, str]], rules: dict[str, Rule]) -> set[int]:
    """Malformed values ingestion must quarantine, each logged with its line
    (header = line 1; in a workbook the title is line 1 and the header line 2)."""
    first_line = 3 if period.extension == "xlsx" else 2
    broken: set[int] = set()
    for index, row in enumerate(rows):
        if rng.random() >= ctx.defect_rate:
            continue
        candidates = [rule for rule in sorted(rules) if row[rules[rule][0]]]
        rule = rng.choice(candidates)
        column, corrupt = rules[rule]
        row[column] = corrupt(row, rng)
        broken.add(index)
        ctx.defects.add(period.source, name, index + first_line, column, rule)
    return broken


def _drop_some(rows: list[dict[str, str]], delivery: Delivery, rng: random.Random) -> None:
    """A first delivery cut short: the export lost its last rows."""
    del rows[max(0, len(rows) - max(1, len(rows) // 50)):]


def _mistype_amount(column: str) -> Callable[[list[dict[str, str]], Delivery, random.Random], None]:
    """A first delivery with one row missing and one amount mistyped."""
    def mistake(rows: list[dict[str, str]], delivery: Delivery, rng: random.Random) -> None:
        if len(rows) > 1:
            rows.pop(rng.randrange(len(rows)))
            rows[rng.randrange(len(rows))][column] = delivery.money(Decimal("99999.00"))
    return mistake


# --------------------------------------------------------------------------- organisations

@dataclass
class Org:
    """A registered social organisation (社会组织)."""

    code: str
    name: str
    kind: str                           # 组织类型
    registered: dt.date
    home: str                           # 住所区划代码 on the registration day
    community: bool = False             # 社区社会组织
    volunteer: bool = False             # 志愿服务组织
    social_work: bool = False           # 社会工作服务机构
    charity_from: dt.date | None = None  # 慈善认定日期
    ended: dt.date | None = None        # 注销 / 撤销 day
    end_status: str = "注销"
    keeps_old: bool = False
    inspections: dict[int, str] = field(default_factory=dict)   # year → 年检结论 shown that year

    def active_on(self, day: dt.date) -> bool:
        return self.registered <= day and (self.ended is None or self.ended > day)

    def charity_on(self, day: dt.date) -> bool:
        return self.charity_from is not None and self.charity_from <= day


class OrgFactory:
    """Creates organisations with unique credit codes from one random stream."""

    def __init__(self, county: County, places: Places, rng: random.Random, last_year: int) -> None:
        self.county, self.places, self.rng, self.last_year = county, places, rng, last_year
        self.used: set[str] = set()
        self.orgs: list[Org] = []

    def new(self, kind: str, name: str, registered: dt.date, root: Village, **flags) -> Org:
        code = ids.credit_code(self.rng, self.county.code6, CATEGORY_DIGIT[kind])
        while code in self.used:
            code = ids.credit_code(self.rng, self.county.code6, CATEGORY_DIGIT[kind])
        self.used.add(code)
        org = Org(code, name, kind, registered, self.places.code_on(root.code, registered), **flags)
        org.keeps_old = self.rng.random() < OLD_CODE_SHARE
        # 年检: the conclusion shown in a year is that of the previous year's inspection.
        for year in range(registered.year + 1, self.last_year + 1):
            org.inspections[year] = self.rng.choices(("合格", "基本合格", "不合格", "未参检"),
                                                     (80, 10, 4, 6))[0]
        self.orgs.append(org)
        return org

    def maybe_end(self, org: Org, share: float, latest: dt.date) -> None:
        """Deregister (注销) or revoke (撤销) some organisations after a while."""
        if self.rng.random() < share:
            first = org.registered + dt.timedelta(days=200)
            if first < latest:
                org.ended = _between(self.rng, first, latest)
                org.end_status = "撤销" if self.rng.random() < 0.3 else "注销"


def _community_count(rng: random.Random, kind: str, weak: bool) -> int:
    """Community organisations ever registered in one community: about 15 active
    in an urban community and 7 in a rural one by end-2025; a few weak villages
    never reach the 2 that T11 asks for."""
    if kind == URBAN:
        return rng.randint(13, 20)
    if kind == RURAL:
        return rng.randint(6, 10)
    return rng.randint(0, 1) if weak else rng.randint(2, 5)


def _community_orgs(factory: OrgFactory, root: Village, weak: bool) -> None:
    rng = factory.rng
    count = _community_count(rng, root.community_type, weak)
    activities = rng.sample(_COMMUNITY_ACTIVITIES, count)
    for i, activity in enumerate(activities):
        # The first two are old (every community had some before the plan);
        # later ones grow towards 2025; those two are never deregistered.
        registered = (_between(rng, dt.date(2008, 1, 1), dt.date(2018, 12, 31)) if i < 2
                      else _between(rng, dt.date(2010, 1, 1), PLAN_END, skew=0.6))
        kind = "社会团体" if rng.random() < 0.75 else "社会服务机构"
        charity = (_charity_day(rng, registered)
                   if root.community_type == URBAN and rng.random() < 0.01 else None)
        org = factory.new(kind, f"{root.name}{activity}{rng.choice(_COMMUNITY_SUFFIX)}", registered, root,
                          community=True, charity_from=charity)
        if i >= 2:
            factory.maybe_end(org, 0.08, PLAN_END + dt.timedelta(days=180))


def _charity_day(rng: random.Random, registered: dt.date) -> dt.date:
    """慈善认定日期: after registration and after the Charity Law came into force."""
    start = max(registered, CHARITY_LAW)
    return start + dt.timedelta(days=rng.randint(30, 1100))


def _county_orgs(factory: OrgFactory, volumes: Volumes) -> None:
    """Organisations not tied to one community: associations, service
    institutions, foundations, social-work and volunteer-service organisations."""
    rng, places, county = factory.rng, factory.places, factory.county
    general = max(8, round(places.residents * volumes.general_orgs_per_10k / 10_000))
    for i in range(general):
        kind = "社会团体" if rng.random() < 0.55 else "社会服务机构"
        registered = _between(rng, dt.date(2005, 1, 1), PLAN_END, skew=0.8)
        charity = _charity_day(rng, registered) if i < 2 or rng.random() < 0.06 else None
        name = f"{county.name}{rng.choice(_STEMS)}{rng.choice(_STEMS)}{rng.choice(_FIELDS[kind])}"
        org = factory.new(kind, name, registered, places.weighted_root(rng), charity_from=charity)
        factory.maybe_end(org, 0.1, PLAN_END + dt.timedelta(days=180))
    for i in range(rng.randint(1, 3)):
        registered = _between(rng, dt.date(2008, 1, 1), dt.date(2022, 12, 31))
        name = f"{county.name}{rng.choice(_STEMS)}{rng.choice(_FIELDS['基金会'])}"
        factory.new("基金会", name, registered, places.weighted_root(rng),
                    charity_from=_charity_day(rng, registered))
    _specialised(factory, "social_work", rng.randint(5, 6), 3, 0.5)
    _specialised(factory, "volunteer", rng.randint(12, 15), 6, 1.6)


def _specialised(factory: OrgFactory, flag: str, count: int, old: int, ended: float) -> None:
    """社会工作服务机构 or 志愿服务组织: ``old`` registered before 2019, the rest
    during the plan; about ``ended`` of them deregistered along the way."""
    rng, places, county = factory.rng, factory.places, factory.county
    made = []
    for i in range(count):
        registered = (_between(rng, dt.date(2012, 1, 1), dt.date(2018, 12, 31)) if i < old
                      else _between(rng, dt.date(2019, 1, 1), dt.date(2025, 6, 30)))
        if flag == "social_work":
            kind, name = "社会服务机构", f"{county.name}{rng.choice(_STEMS)}{rng.choice(_STEMS)}社会工作服务中心"
        else:
            kind = "社会团体" if rng.random() < 0.7 else "社会服务机构"
            name = f"{county.name}{rng.choice(_STEMS)}{rng.choice(_STEMS)}志愿服务{'协会' if kind == '社会团体' else '中心'}"
        charity = _charity_day(rng, registered) if flag == "volunteer" and i == 0 else None
        made.append(factory.new(kind, name, registered, places.weighted_root(rng),
                                charity_from=charity, **{flag: True}))
    endings = int(ended) + (1 if rng.random() < ended - int(ended) else 0)
    for org in rng.sample(made, endings):
        first = max(org.registered + dt.timedelta(days=365), dt.date(2020, 1, 1))
        org.ended = _between(rng, first, max(first, dt.date(2025, 10, 31)))
        org.end_status = "注销"


def build_orgs(county: County, places: Places, rng: random.Random, volumes: Volumes,
               last_year: int) -> list[Org]:
    """Every organisation of the county, registered from 2005 to the end of the plan."""
    factory = OrgFactory(county, places, rng, last_year)
    villages = [r.code for r in places.roots if r.community_type == VILLAGE]
    # About 1 % of 行政村 (at least one) stay below T11's 2 organisations.
    weak = set(rng.sample(villages, min(len(villages), max(1, round(len(villages) / 100)))))
    for root in places.roots:
        _community_orgs(factory, root, root.code in weak)
    _county_orgs(factory, volumes)
    return sorted(factory.orgs, key=lambda o: (o.registered, o.code))


def _org_row(org: Org, day: dt.date, delivery: Delivery, places: Places) -> dict[str, str]:
    charity = org.charity_on(day)
    return {
        "统一社会信用代码": org.code,
        "组织名称": org.name,
        "组织类型": org.kind,
        "登记日期": delivery.date(org.registered),
        "住所区划代码": places.shown(org.home, day, org.keeps_old),
        "是否慈善组织": "是" if charity else "否",
        "慈善认定日期": delivery.date(org.charity_from) if charity else "",
        "是否社区社会组织": "是" if org.community else "否",
        "是否志愿服务组织": "是" if org.volunteer else "否",
        "是否社会工作服务机构": "是" if org.social_work else "否",
        "登记状态": "正常" if org.active_on(day) else org.end_status,
        "年检结论": org.inspections.get(day.year, "未参检"),
    }


def _org_snapshot(orgs: list[Org], day: dt.date, rng: random.Random) -> list[Org]:
    """The register on ``day``; the system exports a few organisations twice."""
    listed = []
    for org in orgs:
        if org.registered <= day:
            listed.append(org)
            if rng.random() < 0.005:
                listed.append(org)
    return listed


def _wrong_status(rows: list[dict[str, str]], delivery: Delivery, rng: random.Random) -> None:
    """A first delivery where a few active organisations are shown 注销."""
    active = [row for row in rows if row["登记状态"] == "正常"]
    for row in rng.sample(active, min(3, len(active))):
        row["登记状态"] = "注销"


def _unknown_region(county6: str) -> Callable[[dict[str, str], random.Random], str]:
    """A code inside the county that the division table does not know (township 399)."""
    return lambda row, rng: f"{county6}399999"


def org_rules(county6: str) -> dict[str, Rule]:
    """Defects planted in ``social_orgs``: rule → (column, how to corrupt the value)."""
    return {
        "credit_code_check_character": ("统一社会信用代码", lambda row, rng: ids.corrupt_credit_code(row["统一社会信用代码"])),
        "impossible_date": ("登记日期", _impossible("登记日期")),
        "unknown_code": ("组织类型", lambda row, rng: rng.choice(("民办非企业单位", "社团", "事业单位"))),
        "unknown_region": ("住所区划代码", _unknown_region(county6)),
    }


def write_social_orgs(county: County, ctx: GenerationContext, orgs: list[Org], places: Places,
                      rng: random.Random) -> dict[int, dict]:
    """One XLSX per snapshot day; returns, per year, the clean facts of its last snapshot."""
    year_facts: dict[int, dict] = {}
    for day in _stock_dates(ctx, midyear=True):
        listed = _org_snapshot(orgs, day, rng)
        period = Period("social_orgs", f"social_orgs_{county.code6}_{day:%Y%m%d}", ORG_COLUMNS,
                        title=f"{county.name}社会组织登记情况表（{day.year}年{day.month}月{day.day}日）")
        name, broken = _deliver(ctx, rng, period, lambda d: [_org_row(o, day, d, places) for o in listed],
                                _wrong_status, org_rules(county.code6))
        clean = [o for i, o in enumerate(listed) if i not in broken]
        year_facts[day.year] = {"day": day, "file": name, "orgs": clean}
    return year_facts


def _org_truth(county: County, ctx: GenerationContext, places: Places, year_facts: dict[int, dict]) -> None:
    """T09, T10, T11 (county and townships), T16, T18 (county) from each year's last snapshot."""
    section = {}
    for year in ctx.years():
        facts = year_facts[year]
        day, clean = facts["day"], facts["orgs"]
        active = {o.code: o for o in clean if o.active_on(day)}
        per_village: dict[str, int] = {}
        for org in active.values():
            if org.community:
                village = places.code_on(org.home, day)
                per_village[village] = per_village.get(village, 0) + 1
        for region, villages in _regions_on(county, day):
            _community_targets(ctx, region, year, villages, per_village)
        ctx.truth.target("T16", county.code12, year, str(sum(o.social_work for o in active.values())))
        ctx.truth.target("T18", county.code12, year, str(sum(o.volunteer for o in active.values())))
        section[str(year)] = {"file": facts["file"], "active_orgs": len(active),
                              "charities": sum(o.charity_on(day) for o in active.values())}
    ctx.truth.sections["social_orgs"] = section


def _regions_on(county: County, day: dt.date) -> list[tuple[str, list[Village]]]:
    """The county and each township existing on ``day``, with their villages."""
    regions = [(county.code12, county.villages_on(day))]
    regions += [(t.code, t.villages_on(day)) for t in county.townships_on(day)]
    return regions


def _community_targets(ctx: GenerationContext, region: str, year: int, villages: list[Village],
                       per_village: dict[str, int]) -> None:
    for target, kind in (("T09", URBAN), ("T10", RURAL)):
        codes = [v.code for v in villages if v.community_type == kind]
        if codes:
            count = sum(per_village.get(c, 0) for c in codes)
            ctx.truth.target(target, region, year, ratio(count, len(codes), 2),
                             numerator=count, denominator=len(codes))
    rural = [v.code for v in villages if v.community_type == VILLAGE]
    if rural:
        failing = [c for c in rural if per_village.get(c, 0) < 2]
        ctx.truth.target("T11", region, year, str(min(per_village.get(c, 0) for c in rural)),
                         numerator=len(rural) - len(failing), denominator=len(rural), failing=failing)


# --------------------------------------------------------------------------- donations

def donation_rules(county6: str) -> dict[str, Rule]:
    """Defects planted in ``donations``: rule → (column, how to corrupt the value)."""
    return {
        "credit_code_check_character": ("受赠组织信用代码", lambda row, rng: ids.corrupt_credit_code(row["受赠组织信用代码"])),
        "impossible_date": ("捐赠日期", _impossible("捐赠日期")),
        "unknown_code": ("捐赠方类型", lambda row, rng: rng.choice(("单位", "团体", "匿名"))),
        "negative_amount": ("金额", lambda row, rng: "-" + row["金额"].replace(",", "")),
    }


@dataclass(frozen=True)
class Donation:
    day: dt.date
    charity: str
    donor: str
    amount: Decimal
    trust: bool


def _donations(rng: random.Random, charities: list[Org], first: dt.date, last: dt.date,
               per_charity: int) -> list[Donation]:
    """A year's donations to charities recognised and active on the day."""
    count = per_charity * sum(1 for c in charities if c.active_on(last) and c.charity_on(last))
    made = []
    for _ in range(count):
        day = _between(rng, first, last)
        eligible = [c for c in charities if c.active_on(day) and c.charity_on(day)]
        if not eligible:
            continue
        donor = rng.choices(("个人", "企业", "其他"), (70, 22, 8))[0]
        scale = {"个人": 300, "企业": 20_000, "其他": 3_000}[donor]
        amount = Decimal(str(round(scale * rng.lognormvariate(0, 1.1), 2))).quantize(Decimal("0.01"))
        trust = donor != "其他" and rng.random() < 0.03
        if trust:
            amount *= 50        # a charitable trust (慈善信托) is a large, planned gift
        made.append(Donation(day, rng.choice(eligible).code, donor, max(amount, Decimal("1.00")), trust))
    return sorted(made, key=lambda d: d.day)


def write_donations(county: County, ctx: GenerationContext, orgs: list[Org], volumes: Volumes) -> None:
    """One UTF-8 CSV per year of donations; per-year counts and sums in the truth."""
    rng = ctx.rng(county, "donations")
    charities = [o for o in orgs if o.charity_from is not None]
    section = {}
    for year in ctx.years():
        first, last = _year_window(ctx, year)
        donations = _donations(rng, charities, first, last, volumes.donations_per_charity_year)

        def build(delivery: Delivery) -> list[dict[str, str]]:
            return [{"捐赠日期": delivery.date(d.day), "受赠组织信用代码": d.charity, "捐赠方类型": d.donor,
                     "金额": delivery.money(d.amount), "是否慈善信托": "是" if d.trust else "否"}
                    for d in donations]

        period = Period("donations", f"donations_{county.code6}_{year}", DONATION_COLUMNS)
        name, broken = _deliver(ctx, rng, period, build, _mistype_amount("金额"), donation_rules(county.code6))
        clean = [d for i, d in enumerate(donations) if i not in broken]
        section[str(year)] = {"file": name, **_donation_totals(clean)}
    ctx.truth.sections["donations"] = section


def _donation_totals(clean: list[Donation]) -> dict:
    by_donor = {}
    for donor in ("个人", "企业", "其他"):
        rows = [d for d in clean if d.donor == donor]
        by_donor[donor] = {"count": len(rows), "amount": str(sum((d.amount for d in rows), Decimal("0.00")))}
    trusts = [d for d in clean if d.trust]
    return {"count": len(clean), "amount": str(sum((d.amount for d in clean), Decimal("0.00"))),
            "by_donor_type": by_donor,
            "charitable_trust": {"count": len(trusts),
                                 "amount": str(sum((d.amount for d in trusts), Decimal("0.00")))}}


# --------------------------------------------------------------------------- people

class People:
    """Synthetic persons with IDs unique within one source (two persons must
    never share an ID, or counting once per ID would merge them)."""

    def __init__(self, rng: random.Random, county6: str) -> None:
        self.rng, self.county6 = rng, county6
        self.used: set[str] = set()

    def new(self, on: dt.date, ages: tuple[int, int], local: float = 0.9,
            elsewhere: tuple[str, ...] = OTHER_COUNTIES) -> tuple[str, str]:
        """(citizen ID, name) of someone aged ``ages`` on ``on``."""
        rng = self.rng
        region6 = self.county6 if rng.random() < local else rng.choice(elsewhere)
        while True:
            birth = dt.date(on.year - rng.randint(*ages), rng.randint(1, 12), rng.randint(1, 28))
            person_id = ids.citizen_id(rng, region6, birth, rng.random() < 0.5)
            if person_id not in self.used:
                self.used.add(person_id)
                return person_id, ids.person_name(rng)


@dataclass(slots=True)
class Volunteer:
    """One registration (志愿者编号) of a person in the volunteer system."""

    number: str
    person_id: str
    name: str
    registered: dt.date
    home: str
    hours_per_year: float
    org: str
    ended: dt.date | None
    keeps_old: bool

    def active_on(self, day: dt.date) -> bool:
        return self.registered <= day and (self.ended is None or self.ended > day)


# Registrations per year, relative (growth towards the 2025 target).
_VOLUNTEER_GROWTH = {2014: 1, 2015: 2, 2016: 3, 2017: 4, 2018: 6, 2019: 8, 2020: 10, 2021: 12,
                     2022: 13, 2023: 14, 2024: 14, 2025: 13}


def build_volunteers(county: County, places: Places, rng: random.Random, orgs: list[Org],
                     volumes: Volumes, last_year: int) -> list[Volunteer]:
    """Registrations since 2014: about 16 % of residents by end-2025 (a few
    later 注销), growing each year; about 1.5 % of persons registered twice."""
    people = People(rng, county.code6)
    volunteer_orgs = [o for o in orgs if o.volunteer]
    total = places.residents * 0.16 * volumes.volunteer_factor
    records: list[Volunteer] = []
    for year in range(2014, last_year + 1):
        count = round(total * _VOLUNTEER_GROWTH.get(year, 13) / 100)
        for _ in range(count):
            records.extend(_volunteer_records(rng, places, people, volunteer_orgs, year))
    records.sort(key=lambda v: (v.registered, v.person_id))
    for serial, record in enumerate(records, start=1):
        record.number = f"{county.code6}{serial:08d}"
    return records


def _volunteer_records(rng: random.Random, places: Places, people: People, volunteer_orgs: list[Org],
                       year: int) -> list[Volunteer]:
    registered = _between(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))
    person_id, name = people.new(registered, (16, 68))
    records = [_volunteer(rng, places, volunteer_orgs, person_id, name, registered)]
    if rng.random() < 0.015:
        # Registered again later under a second 志愿者编号 (same person, same ID).
        again = registered + dt.timedelta(days=rng.randint(30, 900))
        records.append(_volunteer(rng, places, volunteer_orgs, person_id, name, again))
    return records


def _volunteer(rng: random.Random, places: Places, volunteer_orgs: list[Org], person_id: str,
               name: str, registered: dt.date) -> Volunteer:
    root = places.weighted_root(rng)
    open_orgs = [o for o in volunteer_orgs if o.active_on(registered)]
    org = rng.choice(open_orgs).code if open_orgs and rng.random() < 0.35 else ""
    ended = (registered + dt.timedelta(days=rng.randint(90, 2500))) if rng.random() < 0.07 else None
    return Volunteer("", person_id, name, registered, places.code_on(root.code, registered),
                     round(rng.uniform(0, 60), 1), org, ended, rng.random() < OLD_CODE_SHARE)


def _volunteer_row(v: Volunteer, day: dt.date, delivery: Delivery, places: Places) -> dict[str, str]:
    hours = v.hours_per_year * (day - v.registered).days / 365.25
    return {"志愿者编号": v.number, "身份证号": v.person_id, "姓名": v.name,
            "注册日期": delivery.date(v.registered), "所属区划代码": places.shown(v.home, day, v.keeps_old),
            "累计服务时长": f"{hours:.1f}", "所属组织信用代码": v.org,
            "状态": "正常" if v.active_on(day) else "注销"}


def volunteer_rules(county6: str) -> dict[str, Rule]:
    """Defects planted in ``volunteers``: rule → (column, how to corrupt the value)."""
    return {
        "id_check_character": ("身份证号", lambda row, rng: ids.corrupt_check_character(row["身份证号"])),
        "impossible_date": ("注册日期", _impossible("注册日期")),
        "unknown_code": ("状态", lambda row, rng: rng.choice(("有效", "暂停", "在册"))),
        "unknown_region": ("所属区划代码", _unknown_region(county6)),
        "credit_code_check_character": ("所属组织信用代码", lambda row, rng: ids.corrupt_credit_code(row["所属组织信用代码"])),
    }


def write_volunteers(county: County, ctx: GenerationContext, places: Places, orgs: list[Org],
                     volumes: Volumes) -> None:
    """One UTF-8 CSV per year end; T17 = persons (IDs) with a clean 正常 row."""
    rng = ctx.rng(county, "volunteers")
    records = build_volunteers(county, places, rng, orgs, volumes, ctx.end.year)
    section = {}
    for day in _stock_dates(ctx, midyear=False):
        listed = [v for v in records if v.registered <= day]
        period = Period("volunteers", f"volunteers_{county.code6}_{day:%Y%m%d}", VOLUNTEER_COLUMNS)
        name, broken = _deliver(ctx, rng, period,
                                lambda d: [_volunteer_row(v, day, d, places) for v in listed],
                                _drop_some, volunteer_rules(county.code6))
        active = {v.person_id for i, v in enumerate(listed) if i not in broken and v.active_on(day)}
        ctx.truth.target("T17", county.code12, day.year, str(len(active)))
        section[str(day.year)] = {"file": name, "rows": len(listed), "active_persons": len(active)}
    ctx.truth.sections["volunteers"] = section


# --------------------------------------------------------------------------- social workers

LEVELS = {"助理社会工作师": "A", "社会工作师": "S", "高级社会工作师": "G"}
# Certificates obtained per year, relative (the yearly national exam).
_EXAM_GROWTH = {2010: 2, 2011: 2, 2012: 2, 2013: 2, 2014: 2, 2015: 5, 2016: 5, 2017: 5, 2018: 5,
                2019: 7, 2020: 10, 2021: 11, 2022: 12, 2023: 13, 2024: 14, 2025: 15}


@dataclass
class Certificate:
    """A social-work certificate (社会工作者职业水平证书) held by a person."""

    number: str
    person_id: str
    name: str
    level: str
    obtained: dt.date
    org: str                    # 执业机构信用代码
    home: str                   # 所属区划代码 (outside the county for a few)
    outside: bool
    ended: dt.date | None
    keeps_old: bool

    def valid_on(self, day: dt.date) -> bool:
        return self.obtained <= day and (self.ended is None or self.ended > day)


def build_certificates(county: County, places: Places, rng: random.Random, orgs: list[Org],
                       volumes: Volumes) -> list[Certificate]:
    """About 140 holders in the county by end-2025 at county scale; about 10 %
    registered elsewhere; a few upgrade and then hold two certificates."""
    people = People(rng, county.code6)
    persons = round(places.residents * volumes.social_workers_per_100k / 100_000 * 1.15)
    weight_sum = sum(_EXAM_GROWTH.values())
    certificates: list[Certificate] = []
    for year, weight in _EXAM_GROWTH.items():
        for _ in range(round(persons * weight / weight_sum)):
            certificates.extend(_holder(places, rng, people, orgs, year))
    certificates.sort(key=lambda c: (c.obtained, c.person_id))
    serials: dict[tuple[str, int], int] = {}
    for c in certificates:
        key = (LEVELS[c.level], c.obtained.year)
        serials[key] = serials.get(key, 0) + 1
        c.number = f"{key[0]}{key[1]}{county.code6}{serials[key]:05d}"
    return certificates


def _holder(places: Places, rng: random.Random, people: People, orgs: list[Org],
            year: int) -> list[Certificate]:
    """A person certified in ``year`` (the exam results come in the second half)."""
    obtained = _between(rng, dt.date(year, 6, 1), dt.date(year, 12, 31))
    person_id, name = people.new(obtained, (23, 55))
    outside = rng.random() < 0.1
    if outside:
        other = rng.choice(OTHER_COUNTIES)
        home, org = f"{other}{rng.randint(1, 9):03d}{rng.randint(200, 230):03d}", ids.credit_code(rng, other, "2")
    else:
        home = places.code_on(places.weighted_root(rng).code, obtained)
        org = _employer(rng, orgs, obtained)
    level = rng.choices(("助理社会工作师", "社会工作师", "高级社会工作师"), (70, 28, 2))[0]
    ended = _between(rng, obtained + dt.timedelta(days=365), PLAN_END) if rng.random() < 0.05 else None
    first = Certificate("", person_id, name, level, obtained, org, home, outside, ended,
                        rng.random() < OLD_CODE_SHARE)
    held = [first]
    if level == "助理社会工作师" and rng.random() < 0.1:
        # Passed the next level later and keeps both certificates (counts once).
        later = obtained + dt.timedelta(days=rng.randint(365, 1400))
        held.append(Certificate("", person_id, name, "社会工作师", later, org, home, outside, None,
                                first.keeps_old))
    return held


def _employer(rng: random.Random, orgs: list[Org], day: dt.date) -> str:
    """执业机构: a social-work service organisation when one is open, else any open organisation."""
    social = [o for o in orgs if o.social_work and o.active_on(day)]
    if social and rng.random() < 0.6:
        return rng.choice(social).code
    return rng.choice([o for o in orgs if o.active_on(day) and not o.community] or orgs).code


def _worker_row(c: Certificate, day: dt.date, delivery: Delivery, places: Places) -> dict[str, str]:
    home = c.home if c.outside else places.shown(c.home, day, c.keeps_old)
    return {"证书编号": c.number, "身份证号": c.person_id, "姓名": c.name, "证书等级": c.level,
            "取得日期": delivery.date(c.obtained), "执业机构信用代码": c.org, "所属区划代码": home,
            "状态": "有效" if c.valid_on(day) else "注销"}


def _wrong_certificate_status(rows: list[dict[str, str]], delivery: Delivery, rng: random.Random) -> None:
    """A first delivery with one valid certificate shown 注销."""
    valid = [row for row in rows if row["状态"] == "有效"]
    if valid:
        rng.choice(valid)["状态"] = "注销"


def worker_rules(county6: str) -> dict[str, Rule]:
    """Defects planted in ``social_workers``: rule → (column, how to corrupt the value)."""
    return {
        "id_check_character": ("身份证号", lambda row, rng: ids.corrupt_check_character(row["身份证号"])),
        "impossible_date": ("取得日期", _impossible("取得日期")),
        "unknown_code": ("证书等级", lambda row, rng: rng.choice(("中级社会工作师", "社工", "初级社会工作师"))),
        "unknown_region": ("所属区划代码", _unknown_region(county6)),
        "credit_code_check_character": ("执业机构信用代码", lambda row, rng: ids.corrupt_credit_code(row["执业机构信用代码"])),
    }


def write_social_workers(county: County, ctx: GenerationContext, places: Places, orgs: list[Org],
                         volumes: Volumes) -> None:
    """One UTF-8 CSV per year end; T15 = persons with a clean 有效 certificate registered in the county."""
    rng = ctx.rng(county, "social_workers")
    certificates = build_certificates(county, places, rng, orgs, volumes)
    section = {}
    for day in _stock_dates(ctx, midyear=False):
        listed = [c for c in certificates if c.obtained <= day]
        period = Period("social_workers", f"social_workers_{county.code6}_{day:%Y%m%d}", WORKER_COLUMNS)
        name, broken = _deliver(ctx, rng, period,
                                lambda d: [_worker_row(c, day, d, places) for c in listed],
                                _wrong_certificate_status, worker_rules(county.code6))
        holders = {c.person_id for i, c in enumerate(listed)
                   if i not in broken and c.valid_on(day) and not c.outside}
        ctx.truth.target("T15", county.code12, day.year, str(len(holders)))
        section[str(day.year)] = {"file": name, "certificates": len(listed), "holders_in_county": len(holders)}
    ctx.truth.sections["social_workers"] = section


# --------------------------------------------------------------------------- temporary aid

@dataclass(frozen=True)
class Grant:
    """One temporary-aid grant (临时救助)."""

    village: str
    person_id: str
    name: str
    day: dt.date
    category: str               # 急难型 / 支出型
    amount: Decimal
    vagrant: bool               # 流浪乞讨人员


def _grants(rng: random.Random, places: Places, people: People, year: int, month: int,
            per_month: float) -> list[Grant]:
    first, last = dt.date(year, month, 1), month_end(year, month)
    grants = []
    for _ in range(max(1, round(per_month * rng.uniform(0.7, 1.3)))):
        day = _between(rng, first, last)
        root = places.weighted_root(rng)
        home = places.code_on(root.code, day)
        # A few grants after a region change still carry the retired code.
        village = root.code if rng.random() < OLD_CODE_SHARE else home
        vagrant = rng.random() < 0.03
        person_id, name = (people.new(day, (18, 75), local=0.0, elsewhere=FAR_AWAY) if vagrant
                           else people.new(day, (18, 85), local=0.95))
        category = "急难型" if vagrant or rng.random() < 0.6 else "支出型"
        low, high = (300, 3000) if category == "急难型" else (1000, 12000)
        amount = Decimal(rng.randint(low // 10, high // 10) * 10).quantize(Decimal("0.01"))
        grants.append(Grant(village, person_id, name, day, category, amount, vagrant))
    return sorted(grants, key=lambda g: (g.day, g.village))


def aid_rules(county6: str) -> dict[str, Rule]:
    """Defects planted in ``temporary_aid``: rule → (column, how to corrupt the value)."""
    return {
        "id_check_character": ("身份证号", lambda row, rng: ids.corrupt_check_character(row["身份证号"])),
        "impossible_date": ("救助日期", _impossible("救助日期")),
        "unknown_code": ("救助类别", lambda row, rng: rng.choice(("临时型", "急难", "其他"))),
        "negative_amount": ("救助金额", lambda row, rng: "-" + row["救助金额"].replace(",", "")),
        "unknown_region": ("行政区划代码", _unknown_region(county6)),
    }


def write_temporary_aid(county: County, ctx: GenerationContext, places: Places, volumes: Volumes) -> None:
    """One GBK CSV per month; per-year grant counts and sums in the truth (no target)."""
    rng = ctx.rng(county, "temporary_aid")
    people = People(rng, county.code6)
    per_month = places.residents * volumes.aid_grants_per_10k_month / 10_000
    section: dict[str, dict] = {}
    for year, month in ctx.months():
        grants = _grants(rng, places, people, year, month, per_month)
        grants = sorted(grants + _monitoring_grants(county, ctx, year, month), key=lambda g: (g.day, g.village))

        def build(delivery: Delivery) -> list[dict[str, str]]:
            return [{"行政区划代码": g.village, "身份证号": g.person_id, "姓名": g.name,
                     "救助日期": delivery.date(g.day), "救助类别": g.category,
                     "救助金额": delivery.money(g.amount), "是否流浪乞讨人员": "是" if g.vagrant else "否"}
                    for g in grants]

        period = Period("temporary_aid", f"temporary_aid_{county.code6}_{year}{month:02d}", AID_COLUMNS)
        name, broken = _deliver(ctx, rng, period, build, _mistype_amount("救助金额"), aid_rules(county.code6))
        clean = [g for i, g in enumerate(grants) if i not in broken]
        _add_grants(section.setdefault(str(year), _empty_aid_year()), name, clean)
        ctx.registry.setdefault("temporary_aid_clean", []).extend(clean)
    ctx.truth.sections["temporary_aid"] = section


def _monitoring_grants(county: County, ctx: GenerationContext, year: int, month: int) -> list[Grant]:
    """Grants the verification model gives monitored households' heads (synthetic/verification.py)."""
    return [Grant(county.current_code(g.village, g.day), g.person_id, g.name, g.day, g.category, g.amount, False)
            for g in ctx.registry.get("monitoring_grants", []) if (g.day.year, g.day.month) == (year, month)]


def _empty_aid_year() -> dict:
    return {"files": [], "grants": 0, "amount": "0.00", "vagrants": 0,
            "by_category": {c: {"grants": 0, "amount": "0.00"} for c in ("急难型", "支出型")}}


def _add_grants(year: dict, name: str, clean: list[Grant]) -> None:
    year["files"].append(name)
    year["grants"] += len(clean)
    year["amount"] = str(Decimal(year["amount"]) + sum((g.amount for g in clean), Decimal("0.00")))
    year["vagrants"] += sum(g.vagrant for g in clean)
    for g in clean:
        cell = year["by_category"][g.category]
        cell["grants"] += 1
        cell["amount"] = str(Decimal(cell["amount"]) + g.amount)


# --------------------------------------------------------------------------- entry point

def generate(county: County, ctx: GenerationContext) -> None:
    """Write the five sources of ``county`` for the period and record their truth."""
    volumes = VOLUMES.get(ctx.scale, VOLUMES["county"])
    places = Places(county, ctx.first_month)
    last_year = max(ctx.end.year, PLAN_END.year)
    rng = ctx.rng(county, "social_orgs")
    orgs = build_orgs(county, places, rng, volumes, last_year)
    _org_truth(county, ctx, places, write_social_orgs(county, ctx, orgs, places, rng))
    write_donations(county, ctx, orgs, volumes)
    write_volunteers(county, ctx, places, orgs, volumes)
    write_social_workers(county, ctx, places, orgs, volumes)
    write_temporary_aid(county, ctx, places, volumes)
