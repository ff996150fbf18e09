"""Acceptance: a reader querying the serving file while a full build publishes
sees the old publication or the new one, whole, and never an error.

The reader is another process (this file, run as a script), the honest reader
of a file a build replaces: it shares nothing with the build but the path.
Run as a script this file imports only what the reader needs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from warehouse.query import run_query

# One statement, so one file: the publication's run id and a figure of it.
VERSION_SQL = """
select (select run_id from meta.publication_log order by published_at desc limit 1) as run_id,
       (select sum(amount_paid_yuan) from mart_assistance_monthly_by_township) as amount_paid_yuan"""
LESS = Decimal("1.00")      # what the correction takes off one household's month
ANSWERS_EACH_SIDE = 20      # answers from each version the reader must have seen
WAIT_SECONDS = 120


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


def _answers(path: Path) -> list[dict]:
    """The reader's complete lines so far (the last one may be half written)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")[:-1]]


def _wait_until(condition, what: str, reader: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert reader.poll() is None, f"the reader stopped (exit {reader.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {WAIT_SECONDS}s"
        time.sleep(0.2)


def _version(serving_path: Path) -> tuple[str, str]:
    (run_id, amount), = run_query(serving_path, VERSION_SQL).rows
    return run_id, str(amount)


def _deliver_a_corrected_month(serving_path: Path, landing_dir: Path, corrected: Path) -> None:
    """A ``_v7`` of the last assistance month with one household paid ``LESS``
    (still valid: within 0 .. 2 × standard × persons), so the total changes."""
    from test_pipeline import _deliver_correction

    from ingestion import landing
    from ingestion.contract import ASSISTANCE

    period, files = sorted(landing.scan(landing_dir, ASSISTANCE).by_period().items())[-1]
    (household, amount), = run_query(serving_path, f"""
        select household_id, amount_paid_yuan from fct_monthly_assistance_households
        where period_month = '{period}' and amount_paid_yuan >= 10 order by household_id limit 1""").rows

    def paid_less(header, rows):
        row = next(r for r in rows if r[header.index("家庭编号")] == household)
        assert Decimal(row[header.index("月保障金额")]) == amount
        row[header.index("月保障金额")] = f"{amount - LESS:.2f}"
        return header, rows

    _deliver_correction(files[0].path, corrected / "assistance",
                        f"assistance_370832_{period.replace('-', '')}_v7.csv", paid_less)


def test_readers_see_the_old_or_the_new_publication_whole_and_never_an_error(published, tmp_path):
    from civstat.settings import Settings
    from orchestration.run import run_pipeline

    from conftest import isolated_environ

    settings, _ = published
    shutil.copytree(settings.home, tmp_path / "home", ignore=shutil.ignore_patterns("run.lock"))
    serving_path = tmp_path / "home" / "serving" / "civstat.duckdb"
    _deliver_a_corrected_month(serving_path, settings.landing_dir, tmp_path / "landing")
    old = _version(serving_path)
    answers, stop = tmp_path / "answers.jsonl", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, __file__, str(serving_path), str(answers), str(stop)],
                              cwd=Path(__file__).parent)
    try:
        _wait_until(lambda: len(_answers(answers)) >= ANSWERS_EACH_SIDE, "answers before the build", reader)
        started = time.monotonic()
        with isolated_environ():
            os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
            summary = run_pipeline(Settings.load({"home": tmp_path / "home", "landing_dir": tmp_path / "landing"}))
        build_seconds = time.monotonic() - started
        assert summary.success and summary.published, summary.check_failures
        new = _version(serving_path)
        _wait_until(lambda: sum(a.get("run_id") == new[0] for a in _answers(answers)) >= ANSWERS_EACH_SIDE,
                    "answers from the new publication", reader)
    finally:
        stop.touch()
        try:
            reader.wait(timeout=60)
        except subprocess.TimeoutExpired:
            reader.kill()
            raise
    seen = _answers(answers)
    errors = [a["error"] for a in seen if "error" in a]
    pairs = [(a["run_id"], a["amount"]) for a in seen if "error" not in a]
    print(f"{len(seen)} reader queries over a {build_seconds:.0f}s build: "
          f"{pairs.count(old)} old, {pairs.count(new)} new, {len(errors)} errors")

    assert reader.returncode == 0
    assert new[0] == summary.steps[-1].run_id and new[0] != old[0]
    assert Decimal(old[1]) - Decimal(new[1]) == LESS
    assert errors == [], f"{len(errors)} of {len(seen)} queries failed; the first: {errors[0]}"
    assert set(pairs) <= {old, new}, f"a mix of versions: {set(pairs) - {old, new}}"
    assert pairs.count(old) >= ANSWERS_EACH_SIDE and pairs.count(new) >= ANSWERS_EACH_SIDE
    # Once a fresh connection has seen the new version, none sees the old one again.
    first_new = pairs.index(new)
    assert old not in pairs[first_new:]


if __name__ == "__main__":
    read_in_a_loop(*map(Path, sys.argv[1:4]))
