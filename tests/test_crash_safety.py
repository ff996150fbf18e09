"""civstat killed (SIGKILL) at the worst moments loses nothing and converges.

Each kill is real: a child process does the work and is killed at a chosen
point (after a period is stored but before the ledger records it; after a
publication is built but before it is swapped in; while dbt builds). After
it, what readers see is the last good version, and the next run completes
and gives what an uninterrupted run gives.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ingestion.contract import ASSISTANCE, REGION_CHANGES, REGIONS
from ingestion.load import ingest_source
from ingestion.store import RawStore

from conftest import copy_home, deliver_correction, run_in

REPO = Path(__file__).resolve().parent.parent
KILLED = -signal.SIGKILL


def _child(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter at the repository root."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          timeout=600)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ingest_all(raw: Path, landing: Path) -> None:
    store = RawStore(raw)
    for contract in (REGIONS, REGION_CHANGES, ASSISTANCE):
        ingest_source(store, landing, contract, counties=["370832"], secret=b"k")


def _ledger(raw: Path) -> list[tuple]:
    rows = RawStore(raw).ledger("assistance").to_pylist()
    return sorted((r["file_name"], r["status"], r["rows_read"], r["rows_loaded"], r["rows_quarantined"])
                  for r in rows)


def test_killed_between_storing_a_period_and_recording_it_ingestion_records_it_next_time(clean_landing, tmp_path):
    killed, reference = tmp_path / "killed", tmp_path / "reference"
    periods = sorted(p.name for p in (clean_landing / "assistance").iterdir())
    victim = periods[1]
    done = _child(f"""
        import os, signal
        from pathlib import Path
        from ingestion.store import RawStore
        from ingestion.contract import ASSISTANCE, REGIONS, REGION_CHANGES
        from ingestion.load import ingest_source
        record = RawStore.record
        def record_then_die(self, entry):
            if entry.file_name == {victim!r}:
                os.kill(os.getpid(), signal.SIGKILL)      # the period is stored, the ledger not yet written
            record(self, entry)
        RawStore.record = record_then_die
        store = RawStore(Path({str(killed)!r}))
        for contract in (REGIONS, REGION_CHANGES, ASSISTANCE):
            ingest_source(store, Path({str(clean_landing)!r}), contract, counties=["370832"], secret=b"k")
    """)
    assert done.returncode == KILLED, done.stderr
    assert victim not in [row[0] for row in _ledger(killed)]          # the crash point was reached

    _ingest_all(killed, clean_landing)                                  # the next run
    _ingest_all(reference, clean_landing)                               # a run never interrupted
    assert _ledger(killed) == _ledger(reference)
    assert {e[0] for e in _ledger(killed)} == set(periods)
    for data in sorted(reference.glob("assistance/period=*/data_*.parquet")):
        twin = killed / data.relative_to(reference)
        assert pq.read_table(twin).equals(pq.read_table(data))
    totals = RawStore(killed).accounting()
    assert totals["read"] == totals["loaded"] + totals["quarantined"] > 0


@pytest.fixture
def warehouse_copy(published, tmp_path) -> tuple[Path, Path]:
    settings, _ = published
    home = tmp_path / "home"
    copy_home(settings.home, home)
    return home / "warehouse" / "warehouse.duckdb", home / "serving"


def test_killed_before_a_publication_is_swapped_in_readers_keep_the_last_one(warehouse_copy):
    warehouse, serving_dir = warehouse_copy
    serving = serving_dir / "civstat.duckdb"
    before = _sha(serving)
    done = _child(f"""
        import os, signal
        from pathlib import Path
        import warehouse.publish as publish
        def fsync_then_die(path):
            os.kill(os.getpid(), signal.SIGKILL)      # the new version is built, not yet swapped in
        publish._fsync = fsync_then_die
        publish.publish(Path({str(warehouse)!r}), Path({str(serving_dir)!r}), run_id="killed",
                        data_versions=[], check_results=[])
    """)
    assert done.returncode == KILLED, done.stderr
    assert list((serving_dir / "versions").glob(".*.building"))         # the crash point was reached
    assert _sha(serving) == before
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select count(*) from marts.mart_target_attainment").fetchone()[0] > 0
        assert "killed" not in {r[0] for r in con.execute("select run_id from meta.publication_log").fetchall()}

    from warehouse.publish import publish
    publish(warehouse, serving_dir, run_id="after", data_versions=[], check_results=[])
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select run_id from meta.publication_log order by published_at desc limit 1"
                           ).fetchone()[0] == "after"
    assert not list((serving_dir / "versions").glob(".*.building"))     # the dead run's leftover is gone


def _descendants(pid: int) -> list[int]:
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _running_dbt_build(pid: int) -> bool:
    for child in _descendants(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(part.endswith(b"dbt") for part in command[:2]) and b"build" in command:
            return True
    return False


@pytest.mark.slow
def test_killed_during_the_dbt_build_the_next_run_converges_to_an_uninterrupted_one(published, tmp_path):
    """Start from a published home, deliver a correction, kill `civstat run`
    (its whole process group: dbt runs in a child) while dbt builds; then run
    again, and compare every mart with a run that was never interrupted."""
    settings, _ = published
    landing = tmp_path / "landing"
    shutil.copytree(settings.landing_dir, landing)
    month = sorted(p for p in (landing / "assistance").glob("assistance_*.csv") if "_v" not in p.name)[-1]

    def fewer_persons(header, rows):
        rows[0][header.index("保障人口数")] = "1"
        return header, rows

    deliver_correction(month, landing / "assistance", month.name.replace(".csv", "_v9.csv"), fewer_persons)
    assert (landing / "assistance" / month.name.replace(".csv", "_v9.csv")).exists()
    homes = {name: tmp_path / name for name in ("killed", "reference")}
    for home in homes.values():
        copy_home(settings.home, home)
    serving = homes["killed"] / "serving" / "civstat.duckdb"
    before = _sha(serving)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVSTAT_", "DAGSTER_", "DBT_"))}
    env.update(CIVSTAT_HOME=str(homes["killed"]), CIVSTAT_PSEUDONYM_KEY="test-key")
    run = subprocess.Popen([str(Path(sys.executable).parent / "civstat"), "run", "--landing", str(landing)], env=env,
                           cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not _running_dbt_build(run.pid):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before dbt started"
        time.sleep(0.2)
    time.sleep(3)                                   # into the build
    os.killpg(run.pid, signal.SIGKILL)
    assert run.wait() == KILLED

    assert _sha(serving) == before                  # readers still have the last publication
    duckdb.connect(str(homes["killed"] / "warehouse" / "warehouse.duckdb"), read_only=True).close()

    _, summary = run_in(homes["killed"], landing)
    _, reference = run_in(homes["reference"], landing)
    assert summary.published and reference.published
    files = {name: home / "serving" / "civstat.duckdb" for name, home in homes.items()}
    with duckdb.connect() as con:
        for name, path in files.items():
            con.execute(f"attach '{path}' as {name} (read_only)")
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() "
                                            "where database_name = 'reference' and schema_name = 'marts'").fetchall()]
        assert len(tables) > 20
        for table in tables:
            for a, b in (("killed", "reference"), ("reference", "killed")):
                extra = con.execute(f"select count(*) from (select * from {a}.marts.{table} "
                                    f"except all select * from {b}.marts.{table})").fetchone()[0]
                assert extra == 0, f"{table}: {extra} rows only in the {a} run"
