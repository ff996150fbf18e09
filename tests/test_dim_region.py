"""dim_region against the generator's own model of the world, on the real stack (ingestion, dbt, DuckDB).

The published home's world merges its last town into the town before it (its villages re-coded) and
splits its first street (half of its communities move to a new street); the dimension must follow both.
"""

import datetime as dt
import random

import duckdb
import pytest

from synthetic import regions
from synthetic.regions import County

from conftest import TWO_YEARS

COUNTY6 = "370832"
PERIOD_START, PERIOD_END = dt.date(2023, 1, 1), dt.date(2024, 12, 1)
LAST_DAY = dt.date(2024, 12, 31)
OPEN_END = dt.date(9999, 12, 31)


@pytest.fixture(scope="module")
def county() -> County:
    """The same hierarchy the generator built for the published home's landing
    (seed 3, 2023-01 … 2024-12: a town merged in 2023-09, a street split in 2024-05)."""
    assert (TWO_YEARS["seed"], TWO_YEARS["start"], TWO_YEARS["end"]) == (3, "2023-01", "2024-12")
    return regions.build_county(random.Random(f"3:{COUNTY6}:regions"), COUNTY6, "梁山县",
                                regions.SHAPES["tiny"], PERIOD_START, PERIOD_END)


@pytest.fixture(scope="module")
def dim_region(published) -> dict[str, dict]:
    """dim_region of the published home's warehouse (ingestion, then dbt), by code."""
    settings, summary = published
    assert summary.published
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cursor = con.execute("select * from marts.dim_region")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    by_code = {row["region_code"]: row for row in rows}
    assert len(by_code) == len(rows), "one interval per code in this world"
    return by_code


def _merger(county: County):
    return next(c for c in county.changes if c.kind == "合并" and c.old_code.endswith("000"))


def _split(county: County):
    return next(c for c in county.changes if c.kind == "拆分" and c.old_code.endswith("000"))


def test_the_merged_town_and_its_recoded_villages_roll_up_to_the_generators_successors(dim_region, county):
    merger = _merger(county)
    gone = county.unit(merger.old_code)
    assert dim_region[gone.code]["current_code"] == merger.new_code == gone.successor
    assert dim_region[gone.code]["_valid_to"] == merger.effective == gone.valid_to
    assert not dim_region[gone.code]["is_current"]
    assert gone.villages
    for village in gone.villages:
        row = dim_region[village.code]
        assert row["successor_code"] == village.successor
        assert row["current_code"] == county.current_code(village.code, LAST_DAY) == village.successor
        assert row["_valid_to"] == village.valid_to and not row["is_current"]
        new = dim_region[village.successor]
        assert new["is_current"] and new["_valid_from"] == merger.effective
        assert new["township_code"] == merger.new_code


def test_the_split_streets_moved_communities_roll_up_to_the_new_street(dim_region, county):
    split = _split(county)
    old, new_street = county.unit(split.old_code), county.unit(split.new_code)
    # The old street gives half its communities away and continues.
    assert dim_region[old.code]["is_current"] and dim_region[old.code]["current_code"] == old.code
    assert dim_region[new_street.code]["_valid_from"] == split.effective
    moved = [v for v in old.villages if v.successor]
    assert moved
    for village in moved:
        row = dim_region[village.code]
        assert row["current_code"] == county.current_code(village.code, LAST_DAY) == village.successor
        assert dim_region[village.successor]["township_code"] == new_street.code
        assert dim_region[village.successor]["township_kind"] == "街道"


def test_every_code_ever_used_rolls_up_to_the_code_the_generator_says_is_in_force(dim_region, county):
    units = [u for t in county.townships for u in (t, *t.villages)]
    assert {u.code for u in units} | {county.code12} == set(dim_region)
    for unit in units:
        assert dim_region[unit.code]["current_code"] == county.current_code(unit.code, LAST_DAY), unit.code


def test_the_codes_current_at_the_periods_end_are_exactly_the_current_rows(dim_region, county):
    in_force = {county.code12} | {t.code for t in county.townships_on(LAST_DAY)} \
        | {v.code for v in county.villages_on(LAST_DAY)}
    current = {code for code, row in dim_region.items() if row["is_current"]}
    assert current == in_force
    assert all(dim_region[code]["_valid_to"] == OPEN_END for code in current)


def test_villages_carry_the_registers_type_and_townships_none(dim_region, county):
    for village in county.villages_on(LAST_DAY):
        assert dim_region[village.code]["level"] == "village"
        assert dim_region[village.code]["community_type"] == village.community_type
        assert dim_region[village.code]["urban_rural_code"] == village.urban_rural_code
    for township in county.townships_on(LAST_DAY):
        row = dim_region[township.code]
        assert (row["level"], row["township_kind"], row["community_type"]) == ("township", township.kind, None)
        assert row["township_code"] == township.code
    assert dim_region[county.code12]["level"] == "county"
    assert dim_region[county.code12]["township_code"] == county.code12
