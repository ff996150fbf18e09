"""Every bad delivery of the corpus (tests/bad_inputs.py): the outcome and message
it should get, the other files of its source load, rows read = loaded +
quarantined, and docs/bad-inputs.md says exactly what happens."""

from pathlib import Path

import pytest
from bad_inputs import CASES, DOC_HEAD, DOC_TAIL, docs_table, run_case

DOCS = Path(__file__).resolve().parent.parent / "docs" / "bad-inputs.md"


@pytest.fixture(scope="module")
def outcomes(clean_landing, tmp_path_factory):
    work = tmp_path_factory.mktemp("bad-inputs")
    return {case.key: run_case(case, clean_landing, work / case.key) for case in CASES}


def test_the_corpus_has_at_least_25_kinds_of_bad_input():
    assert len(CASES) >= 25 and len({c.key for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_each_bad_input_gets_its_outcome_and_a_message_naming_file_row_and_field(outcomes, case):
    outcome = outcomes[case.key]
    assert outcome.outcome == case.outcome, outcome.message
    assert case.says in outcome.message
    if case.outcome in ("rejected", "quarantined", "not read"):
        assert outcome.message.startswith(outcome.file)
    if case.outcome == "quarantined":
        assert outcome.line and outcome.field.split("、")[0] == case.field and f"第{outcome.line}行" in outcome.message
    for result in outcome.results:
        assert result.rows_read == result.rows_loaded + result.rows_quarantined
    others = [r for r in outcome.results if r.file_name != outcome.file and outcome.file not in " ".join(r.messages)]
    assert all(r.outcome in ("loaded", "unchanged") for r in others)
    assert others or case.source in ("donations", "cemeteries")   # a yearly source: one file in three months


def test_the_documented_table_is_what_happens(outcomes):
    expected = DOC_HEAD + docs_table([outcomes[c.key] for c in CASES]) + DOC_TAIL
    assert DOCS.read_text(encoding="utf-8") == expected, \
        "docs/bad-inputs.md is out of date: .venv/bin/python tests/bad_inputs.py docs/bad-inputs.md"


def _loaded(outcome) -> list[dict]:
    import duckdb
    period = next(r.period for r in outcome.results if r.file_name == outcome.file)
    path = outcome.raw / outcome.case.source / f"period={period}" / "data_*.parquet"
    return duckdb.sql(f"select * exclude (_source_file) from '{path}' order by _source_row").fetchall()


def test_columns_in_another_order_or_extra_load_the_same_rows(outcomes):
    assert _loaded(outcomes["shuffled-columns"]) == _loaded(outcomes["extra-columns"])
    assert len(_loaded(outcomes["shuffled-columns"])) > 50


def test_a_higher_version_wins_whatever_its_time_stamp_and_a_repeated_file_adds_no_rows(outcomes):
    import duckdb
    v2 = outcomes["v2-older-than-v1"]
    period = next(r.period for r in v2.results if r.file_name == v2.file)
    first = duckdb.sql(f"select persons_covered, _source_file from '{v2.raw}/assistance/period={period}/data_*.parquet' "
                       "order by _source_row limit 1").fetchall()
    assert first == [(3, v2.file)]
    twice = outcomes["same-file-twice"]
    assert len(_loaded(twice)) == len(_loaded(outcomes["shuffled-columns"]))


def test_formula_text_is_loaded_as_the_department_wrote_it(outcomes):
    assert outcomes["formula"].outcome == "loaded"
    assert any(str(v).startswith("=HYPERLINK(") for row in _loaded(outcomes["formula"]) for v in row)


TOGETHER = ("utf16", "merged-header", "amount-text", "credit-code",      # one per source: they can share a landing
            "another-county")                                            # (a copy, named for a neighbour)


def test_a_run_over_bad_deliveries_names_each_problem_and_shows_no_traceback(clean_published, tmp_path):
    """The user's view: `civstat run` over a landing where several bad files
    arrived since the last run says which file, row and field, and never
    prints a traceback."""
    import os
    import shutil
    import subprocess
    import sys

    from conftest import copy_home

    settings, _ = clean_published
    landing, home = tmp_path / "landing", tmp_path / "home"
    shutil.copytree(settings.landing_dir, landing)
    copy_home(settings.home, home)
    cases = {case.key: case for case in CASES}
    names = {key: cases[key].make(landing / cases[key].source).name for key in TOGETHER}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVSTAT_", "DAGSTER_", "DBT_"))}
    env.update(CIVSTAT_HOME=str(home), CIVSTAT_PSEUDONYM_KEY="test-key")
    done = subprocess.run([str(Path(sys.executable).parent / "civstat"), "run", "--landing", str(landing)],
                          env=env, capture_output=True, text=True, timeout=900)
    printed = done.stdout + done.stderr
    assert done.returncode in (0, 1), printed
    assert "Traceback" not in printed
    for key, name in names.items():
        line = next(text for text in printed.splitlines() if name in text)
        kind = cases[key].outcome if cases[key].outcome in ("rejected", "not read") else "quarantined"
        assert line.lstrip().startswith(kind) and cases[key].says in printed, line
    assert "第2行 救助金额：金额“六百元”不是数字" in printed
