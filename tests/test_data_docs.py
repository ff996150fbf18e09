"""GX Data Docs built from the stored results of a run (expectations/data_docs.py).

Real GX, real DuckDB: two suites run with ``run_suite``, their results go
through JSON as they do on disk, and the site is rendered from those.
"""

import html
import json
import re

import duckdb
import great_expectations as gx
import pytest

from expectations.data_docs import ROWS_SHOWN, build_data_docs, truncated
from expectations.rules import Rule, Suite
from expectations.runner import run_suite

E = gx.expectations
BAD_ROWS = 25   # more than a page shows, so cutting the lists can be seen

HOUSEHOLDS_OK = Suite(
    name="households_ok", relation="marts.households", key_columns=("household_id",),
    rules=(Rule("T01", "户号不为空", "every row has a household id",
                E.ExpectColumnValuesToNotBeNull(column="household_id")),),
)
HOUSEHOLDS_BAD = Suite(
    name="households_bad", relation="marts.households", key_columns=("household_id",),
    rules=(
        Rule("T02", "保障人口数在1至30之间", "persons covered between 1 and 30",
             E.ExpectColumnValuesToBeBetween(column="persons_covered", min_value=1, max_value=30)),
        Rule("T03", "保障人口数不超过30", "no household covers more than 30 persons",
             E.UnexpectedRowsExpectation(
                 description="persons_covered <= 30",
                 unexpected_rows_query="select household_id, cert_no from {batch} where persons_covered > 30")),
    ),
)


@pytest.fixture(scope="module")
def stored_validations(tmp_path_factory):
    """Both suites' ``gx_validation`` dicts from a 50-row warehouse, as read back from JSON."""
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"""
        create table marts.households as
        select 'H' || lpad(i::varchar, 4, '0') as household_id, 'C' || lpad(i::varchar, 6, '0') as cert_no,
               case when i < {BAD_ROWS} then 99 else 2 end as persons_covered
        from range(50) t(i)""")
    con.close()
    results = [run_suite(suite, path) for suite in (HOUSEHOLDS_OK, HOUSEHOLDS_BAD)]
    assert [r.success for r in results] == [True, False]
    return [json.loads(json.dumps(r.gx_validation)) for r in results]


def _text(page) -> str:
    """What a reader sees on a page: tags, scripts and styles removed."""
    source = re.sub(r"<(script|style).*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", source)))


def _validation_page(site, suite: Suite):
    pages = list((site / "validations" / suite.name).rglob("*.html"))
    assert len(pages) == 1, pages
    return pages[0]


def test_the_site_has_an_index_naming_every_suite_and_a_page_per_validation(stored_validations, tmp_path):
    index = build_data_docs(stored_validations, tmp_path / "docs")

    assert index == tmp_path / "docs" / "index.html" and index.is_file()
    source = index.read_text(encoding="utf-8")
    for suite in (HOUSEHOLDS_OK, HOUSEHOLDS_BAD):
        assert suite.name in source
        assert (tmp_path / "docs" / "expectations" / f"{suite.name}.html").is_file()
        assert _validation_page(tmp_path / "docs", suite).relative_to(tmp_path / "docs").as_posix() in source


def test_the_failing_suite_page_says_failed_and_the_passing_one_succeeded(stored_validations, tmp_path):
    site = build_data_docs(stored_validations, tmp_path / "docs").parent

    assert "Status: Failed" in _text(_validation_page(site, HOUSEHOLDS_BAD))
    assert "Status: Succeeded" in _text(_validation_page(site, HOUSEHOLDS_OK))
    assert f"{BAD_ROWS} unexpected values found" in _text(_validation_page(site, HOUSEHOLDS_BAD))


def test_pages_show_at_most_twenty_failing_rows_but_the_whole_count(stored_validations, tmp_path):
    bad = stored_validations[1]
    cut = truncated(bad)

    by_type = {r["expectation_config"]["type"]: r for r in cut["results"]}
    between, query = by_type["expect_column_values_to_be_between"], by_type["unexpected_rows_expectation"]
    for name in ("unexpected_list", "unexpected_index_list", "partial_unexpected_list",
                 "partial_unexpected_index_list"):
        assert len(between["result"][name]) == ROWS_SHOWN, name
    assert between["result"]["unexpected_count"] == BAD_ROWS
    assert len(query["result"]["details"]["unexpected_rows"]) == ROWS_SHOWN
    assert query["result"]["observed_value"] == BAD_ROWS
    assert sum(len(r["result"].get("unexpected_list", [])) for r in bad["results"]) == BAD_ROWS  # input untouched

    site = build_data_docs([bad], tmp_path / "docs").parent
    shown = set(re.findall(r"H\d{4}", _text(_validation_page(site, HOUSEHOLDS_BAD))))
    assert 0 < len(shown) <= ROWS_SHOWN


def test_rebuilding_replaces_the_whole_site_and_leaves_no_temporary_folder(stored_validations, tmp_path):
    site = tmp_path / "docs"
    build_data_docs(stored_validations, site)
    (site / "stale.html").write_text("from an older run")

    index = build_data_docs(stored_validations[1:], site)

    assert HOUSEHOLDS_BAD.name in index.read_text(encoding="utf-8")
    assert HOUSEHOLDS_OK.name not in index.read_text(encoding="utf-8")
    assert not (site / "stale.html").exists()
    assert not (site / "validations" / HOUSEHOLDS_OK.name).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]
