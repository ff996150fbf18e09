"""The region hierarchy of the synthetic world and its history.

Codes follow 统计用区划代码: 2 province, 2 city, 2 county, 3 township
(001-099 街道, 100-199 镇, 200-399 乡), 3 village (001-199 居委会,
200-399 村委会). Within the generated period one town is merged into another
and one street is split in two, so codes change over time exactly as
``region_changes`` says; a community's kind for the targets is its 类型
(城市社区 / 农村社区 / 行政村), whatever its code range says.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

COUNTY6 = "370832"
COUNTY_NAME = "梁山县"

# Jining's counties, for the province scale (the county plan's own is 370832).
JINING_COUNTIES = {
    "370832": "梁山县", "370811": "任城区", "370812": "兖州区", "370826": "微山县",
    "370827": "鱼台县", "370828": "金乡县", "370829": "嘉祥县", "370830": "汶上县",
    "370831": "泗水县", "370881": "曲阜市", "370883": "邹城市",
}

# Heze's and Zaozhuang's counties, added at the province scale to reach a province's volume.
HEZE_COUNTIES = {
    "371702": "牡丹区", "371703": "定陶区", "371721": "曹县", "371722": "单县", "371723": "成武县",
    "371724": "巨野县", "371725": "郓城县", "371726": "鄄城县", "371728": "东明县",
}
ZAOZHUANG_COUNTIES = {
    "370402": "市中区", "370403": "薛城区", "370404": "峄城区", "370405": "台儿庄区", "370406": "山亭区",
    "370481": "滕州市",
}
COUNTY_NAMES = {**JINING_COUNTIES, **HEZE_COUNTIES, **ZAOZHUANG_COUNTIES}

_STREETS = ["梁山街道", "水泊街道", "新城街道", "东城街道", "西城街道", "南城街道"]
_TOWNS = ["拳铺镇", "韩垓镇", "馆驿镇", "小路口镇", "韩岗镇", "寿张集镇", "杨营镇", "黑虎庙镇",
          "小安山镇", "马营镇", "徐集镇", "李庄镇", "杨庄镇", "孙庄镇"]
_XIANG = ["大路口乡", "赵堌堆乡", "前集乡", "刘集乡"]
_VILLAGE_STEMS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
_VILLAGE_SUFFIX = ["庄村", "集村", "楼村", "庙村", "屯村", "洼村", "堂村", "店村", "口村", "营村"]
_COMMUNITY_SUFFIX = ["社区", "花园社区", "新村社区", "路社区"]

FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass
class Village:
    """A village-level unit: 居委会 (code 001-199) or 村委会 (200-399)."""

    code: str
    name: str
    community_type: str       # 城市社区 / 农村社区 / 行政村 (the communities register's 类型)
    urban_rural_code: str     # 111 主城区 … 220 村庄
    population: int
    valid_from: dt.date = dt.date(1980, 1, 1)
    valid_to: dt.date = FAR_FUTURE        # first day it no longer exists
    successor: str | None = None

    @property
    def committee(self) -> str:
        return "居委会" if int(self.code[9:]) < 200 else "村委会"

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day < self.valid_to


@dataclass
class Township:
    code: str                 # 12 digits, village part 000
    name: str
    villages: list[Village]
    valid_from: dt.date = dt.date(1980, 1, 1)
    valid_to: dt.date = FAR_FUTURE
    successor: str | None = None

    @property
    def kind(self) -> str:
        part = int(self.code[6:9])
        return "街道" if part < 100 else "镇" if part < 200 else "乡"

    @property
    def is_urban(self) -> bool:
        """Assistance type follows the township: 街道 urban, 镇 / 乡 rural."""
        return self.kind == "街道"

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day < self.valid_to

    def villages_on(self, day: dt.date) -> list[Village]:
        return [v for v in self.villages if v.valid_on(day)]

    @property
    def village_codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.villages)


@dataclass(frozen=True)
class RegionChange:
    """A row of ``region_changes``: 原代码 原名称 新代码 新名称 变更类型 生效日期."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    kind: str                 # 合并 / 拆分 / 更名 / 撤销
    effective: dt.date


@dataclass
class County:
    code6: str
    name: str
    townships: list[Township]
    changes: list[RegionChange] = field(default_factory=list)
    _index: dict | None = field(default=None, repr=False, compare=False)

    @property
    def code12(self) -> str:
        return self.code6 + "000000"

    def townships_on(self, day: dt.date) -> list[Township]:
        return [t for t in self.townships if t.valid_on(day)]

    def villages_on(self, day: dt.date) -> list[Village]:
        return [v for t in self.townships_on(day) for v in t.villages_on(day)]

    def township_of(self, village_code: str) -> Township:
        return next(t for t in self.townships if t.code[:9] == village_code[:9])

    def unit(self, code: str) -> Village | Township:
        """The township or village of a code, whether or not it is still in force."""
        # Built on first use: the hierarchy is complete once build_county returns.
        if self._index is None:
            self._index = {v.code: v for t in self.townships for v in t.villages}
            self._index.update({t.code: t for t in self.townships})
        return self._index[code]

    def current_code(self, code: str, day: dt.date) -> str:
        """Follow successors until a code valid on ``day`` (a merged village's new code)."""
        unit = self.unit(code)
        while not unit.valid_on(day) and unit.successor:
            unit = self.unit(unit.successor)
        return unit.code


def _village(rng: random.Random, code: str, township_kind: str, urban_core: bool) -> Village:
    committee = "居委会" if int(code[9:]) < 200 else "村委会"
    if committee == "居委会":
        name = rng.choice(_VILLAGE_STEMS) + rng.choice(_VILLAGE_STEMS) + rng.choice(_COMMUNITY_SUFFIX)
        # A 居委会 in a town can be a rural community (extracts.md).
        community_type = "城市社区" if township_kind == "街道" or rng.random() < 0.4 else "农村社区"
        urban_rural = "111" if urban_core else ("112" if township_kind == "街道" else "121")
        population = rng.randint(1500, 4500)
    else:
        name = rng.choice(_VILLAGE_STEMS) + rng.choice(_VILLAGE_STEMS) + rng.choice(_VILLAGE_SUFFIX)
        community_type = "行政村"
        urban_rural = "220" if rng.random() < 0.9 else ("122" if township_kind == "镇" else "210")
        population = rng.randint(500, 1400)
    return Village(code, name, community_type, urban_rural, population)


def _township(rng: random.Random, county6: str, part: int, name: str,
              residents: int, villages: int) -> Township:
    kind = "街道" if part < 100 else "镇" if part < 200 else "乡"
    codes = [f"{county6}{part:03d}{i:03d}" for i in range(1, residents + 1)]
    codes += [f"{county6}{part:03d}{i:03d}" for i in range(200, 200 + villages)]
    return Township(f"{county6}{part:03d}000", name,
                    [_village(rng, c, kind, urban_core=part < 3) for c in codes])


@dataclass(frozen=True)
class Shape:
    """How many townships and villages a county has at a scale."""

    streets: int
    towns: int
    xiang: int
    street_communities: tuple[int, int]
    town_communities: tuple[int, int]
    town_villages: tuple[int, int]
    xiang_villages: tuple[int, int]


SHAPES = {
    "tiny": Shape(2, 2, 1, (2, 3), (1, 1), (2, 3), (2, 3)),
    # Liangshan: about 800 k residents in 3 streets, 11 towns, 2 townships.
    "county": Shape(3, 11, 2, (14, 20), (3, 6), (35, 50), (30, 42)),
}


def build_county(rng: random.Random, county6: str, name: str, shape: Shape,
                 start: dt.date, end: dt.date) -> County:
    """A county's hierarchy, with one merger and one split inside [start, end]."""
    townships = []
    for i in range(shape.streets):
        townships.append(_township(rng, county6, i + 1, _STREETS[i], rng.randint(*shape.street_communities), 0))
    for i in range(shape.towns):
        townships.append(_township(rng, county6, 101 + i, _TOWNS[i], rng.randint(*shape.town_communities),
                                   rng.randint(*shape.town_villages)))
    for i in range(shape.xiang):
        townships.append(_township(rng, county6, 201 + i, _XIANG[i], 0, rng.randint(*shape.xiang_villages)))
    county = County(county6, name, townships)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    merge_on = _month_start(start, max(1, months // 3))
    split_on = _month_start(start, max(2, (2 * months) // 3))
    _merge_last_town(county, merge_on)
    _split_first_street(county, split_on, rng)
    return county


def _month_start(start: dt.date, offset: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def _merge_last_town(county: County, day: dt.date) -> None:
    """The last town is merged into the town before it; its villages are re-coded."""
    towns = [t for t in county.townships if t.kind == "镇"]
    if len(towns) < 2:
        return
    gone, into = towns[-1], towns[-2]
    gone.valid_to, gone.successor = day, into.code
    county.changes.append(RegionChange(gone.code, gone.name, into.code, into.name, "合并", day))
    next_community = max(int(v.code[9:]) for v in into.villages if v.committee == "居委会") + 1 \
        if any(v.committee == "居委会" for v in into.villages) else 1
    next_village = max([int(v.code[9:]) for v in into.villages if v.committee == "村委会"] + [199]) + 1
    for village in list(gone.villages):
        if village.committee == "居委会":
            number, next_community = next_community, next_community + 1
        else:
            number, next_village = next_village, next_village + 1
        new = Village(f"{into.code[:9]}{number:03d}", village.name, village.community_type,
                      village.urban_rural_code, village.population, valid_from=day)
        village.valid_to, village.successor = day, new.code
        into.villages.append(new)
        county.changes.append(RegionChange(village.code, village.name, new.code, new.name, "合并", day))


def _split_first_street(county: County, day: dt.date, rng: random.Random) -> None:
    """The first street gives its second half of communities to a new street."""
    streets = [t for t in county.townships if t.kind == "街道"]
    if not streets:
        return
    old = streets[0]
    part = max(int(t.code[6:9]) for t in streets) + 1
    new_name = next(n for n in _STREETS if n not in {t.name for t in county.townships})
    new_street = Township(f"{county.code6}{part:03d}000", new_name, [], valid_from=day)
    county.townships.insert(len(streets), new_street)
    county.changes.append(RegionChange(old.code, old.name, new_street.code, new_name, "拆分", day))
    moving = [v for v in old.villages if v.valid_on(day)][len(old.villages) // 2:]
    for number, village in enumerate(moving, start=1):
        new = Village(f"{new_street.code[:9]}{number:03d}", village.name, village.community_type,
                      village.urban_rural_code, village.population, valid_from=day)
        village.valid_to, village.successor = day, new.code
        new_street.villages.append(new)
        county.changes.append(RegionChange(village.code, village.name, new.code, new.name, "拆分", day))
