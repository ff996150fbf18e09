"""Acceptance: a reader querying the serving file while a full build publishes
sees the old publication or the new one, whole, and never an error.

The reader is another process (this file, run as a script by the
``corrected_run`` fixture of conftest.py), the honest reader of a file a
build replaces: it shares nothing with the build but the path. Run as a
script this file imports only what the reader needs.
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

from warehouse.query import run_query

PAUSE_SECONDS = 0.02

# One statement, so one file: the publication's run id and a figure of it.
VERSION_SQL = """
select (select run_id from meta.publication_log order by published_at desc limit 1) as run_id,
       (select sum(amount_paid_yuan) from mart_assistance_monthly_by_township) as amount_paid_yuan"""


def read_in_a_loop(serving_path: Path, answers: Path, stop: Path) -> None:
    """Query in a fresh read-only connection each time until ``stop`` exists;
    one JSON line per query: the (run id, figure) read, or the error."""
    with open(answers, "w", encoding="utf-8") as fh:
        while not stop.exists():
            try:
                (run_id, amount), = run_query(serving_path, VERSION_SQL).rows
                line = {"run_id": run_id, "amount": str(amount)}
            except Exception as exc:   # every error counts: none is expected
                line = {"error": f"{type(exc).__name__}: {exc}"}
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            fh.flush()
            # A breath between queries: still dozens a second around the swap,
            # without taking a core from the build it watches.
            time.sleep(PAUSE_SECONDS)


def test_readers_see_the_old_or_the_new_publication_whole_and_never_an_error(corrected_run):
    from conftest import ANSWERS_EACH_SIDE

    run = corrected_run
    seen = run.answers
    errors = [a["error"] for a in seen if "error" in a]
    pairs = [(a["run_id"], a["amount"]) for a in seen if "error" not in a]
    old, new = pairs[0], pairs[-1]
    print(f"{len(seen)} reader queries over a {run.build_seconds:.0f}s build: "
          f"{pairs.count(old)} old, {pairs.count(new)} new, {len(errors)} errors")

    assert run.reader_exit == 0
    assert errors == [], f"{len(errors)} of {len(seen)} queries failed; the first: {errors[0]}"
    assert new[0] == run.summary.steps[-1].run_id and new[0] != old[0]
    # The correction set one household's month to 99,999 yuan.
    assert Decimal(new[1]) - Decimal(old[1]) == Decimal("99999.00") - run.amount_before
    assert set(pairs) == {old, new}, f"a mix of versions: {set(pairs) - {old, new}}"
    assert pairs.count(old) >= ANSWERS_EACH_SIDE and pairs.count(new) >= ANSWERS_EACH_SIDE
    # Once a fresh connection has seen the new version, none sees the old one again.
    assert old not in pairs[pairs.index(new):]


if __name__ == "__main__":
    read_in_a_loop(*map(Path, sys.argv[1:4]))
