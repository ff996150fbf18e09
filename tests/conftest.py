"""Shared fixtures: generated extracts (tiny scale) and isolated state directories.

Every test that writes runs under its own CIVSTAT_HOME in a temporary folder;
nothing touches the repository's var/.
"""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import io
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import great_expectations as gx
import pytest
from great_expectations.expectations.row_conditions import Column

from civstat.settings import REPO_ROOT, Settings
from expectations.rules import Rule, Suite
from synthetic import regions
from synthetic.generate import GenerateRequest, generate
from synthetic.world import GenerationContext

TINY = dict(scale="tiny", seed=7, start="2024-01", end="2024-06")
# Two years, with a town merged (2023-09) and a street split (2024-05) inside:
# the world of the published home the warehouse tests read.
TWO_YEARS = dict(scale="tiny", seed=3, start="2023-01", end="2024-12")
# No malformed row and no broken marriage rule: every validity suite must pass.
WITHOUT_DEFECTS = dict(scale="tiny", seed=5, start="2024-01", end="2024-03", defect_rate=0.0, rule_breaches=False)


# The suite runs `civstat run` about ten times; each writes Parquet, two DuckDB
# files and ~1,300 Dagster events to SQLite, a commit each. On tmpfs a tiny run
# takes 100 s instead of 121 s. The homes of a whole run take ~1 GB.
TMPFS = Path("/dev/shm")
TMPFS_NEEDED = 4 * 2**30


def pytest_configure(config):
    if config.option.basetemp or not TMPFS.is_dir() or shutil.disk_usage(TMPFS).free < TMPFS_NEEDED:
        return
    config.option.basetemp = str(TMPFS / f"civstat-pytest-{os.getpid()}")
    config._civstat_tmpfs = True


def pytest_sessionfinish(session, exitstatus):
    """Memory is not a place to keep old test homes: gone when the run passed,
    left for a look (and named) when it failed."""
    if not getattr(session.config, "_civstat_tmpfs", False):
        return
    basetemp = Path(session.config.option.basetemp)
    if exitstatus == 0:
        shutil.rmtree(basetemp, ignore_errors=True)
    else:
        print(f"\ntest homes kept in {basetemp} (tmpfs: remove them when done)")


def _is_setting(name: str) -> bool:
    """A variable civstat's settings read or export (civstat/settings.py)."""
    return name.startswith("CIVSTAT_") or name == "DAGSTER_HOME"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environ_without_settings() -> dict[str, str]:
    """This process's environment without civstat's settings, for a child process to be given its own."""
    return {k: v for k, v in os.environ.items() if not _is_setting(k)}


@contextmanager
def isolated_environ():
    """Settings export themselves to os.environ for dbt and Dagster; undo that."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if _is_setting(name):
            del os.environ[name]
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def tiny_world(out: Path, first: dt.date, last: dt.date, defect_rate: float = 0.02):
    """A tiny Liangshan (with its merger and split) and a context over [first, last] months,
    for the tests of one source generator at a time."""
    county = regions.build_county(random.Random("t"), "370832", "梁山县", regions.SHAPES["tiny"], first, last)
    ctx = GenerationContext(out=out, seed=1, scale="tiny", first_month=first, last_month=last,
                            defect_rate=defect_rate)
    return county, ctx


def assert_identical_trees(a: Path, b: Path) -> None:
    """Two generated folders hold the same files, byte for byte (and some files)."""
    files = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    assert files
    assert sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file()) == files
    assert filecmp.cmpfiles(a, b, files, shallow=False)[1:] == ([], [])


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate(GenerateRequest(out=out, **TINY))
    return out


@pytest.fixture(scope="session")
def tiny_truth(tiny_landing) -> dict:
    return json.loads((tiny_landing / "_truth" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings for a fresh state directory, with a fixed pseudonym key."""
    with isolated_environ():
        os.environ["CIVSTAT_HOME"] = str(tmp_path / "home")
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        yield Settings.load()


def copy_home(home: Path, target: Path) -> None:
    """A copy of a state directory to run in, leaving the original as it was
    (without the run lock: the copy is nobody's run)."""
    shutil.copytree(home, target, ignore=shutil.ignore_patterns("run.lock"))


def run_in(home: Path, landing: Path, environ: dict[str, str] | None = None, **overrides):
    """One full `civstat run` of ``landing`` into ``home`` (with any other
    settings given, and ``environ`` as the server's environment would give
    it): (settings, summary)."""
    from orchestration.run import run_pipeline

    with isolated_environ():
        os.environ.update(environ or {})
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        settings = Settings.load({"home": home, "landing_dir": landing, **overrides})
        return settings, run_pipeline(settings)


def region_truth(truth: dict) -> list[dict]:
    """The truth's target values of regions (the county, its townships). T14
    per marriage office is not a region: the marriage quality mart carries it."""
    return [t for t in truth["targets"] if t["region"].isdigit() and len(t["region"]) == 12]


def attainment_of(warehouse: Path) -> tuple[dict, set[str]]:
    """mart_target_attainment by (target, region, period), and the targets measured as rates."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql("select target_id, region_code, period, period_type, region_level, actual_value, status,"
                       " target_value, gap from marts.mart_target_attainment").fetchall()
        rates = {r[0] for r in con.sql("select target_id from marts.target_indicators where measure = 'rate'")
                 .fetchall()}
    return {(r[0], r[1], r[2]): r for r in rows}, rates


def truth_mismatches(attainment: tuple[dict, set[str]], truth_targets: list[dict]) -> list[tuple]:
    """Every truth value the mart does not equal (exact for counts and means,
    within 0.01 percentage points for rates; no value must read `no_data`)."""
    rows, rates = attainment
    wrong = []
    for target in truth_targets:
        key = (target["target"], target["region"], str(target["year"]))
        row = rows.get(key)
        expected = None if target["value"] is None else \
            Decimal(target["value"]) * (100 if target["target"] in rates else 1)
        if row is None:
            wrong.append((key, "missing", expected))
        elif expected is None and row[6] != "no_data":
            wrong.append((key, row[5], row[6], "expected no_data"))
        elif expected is not None and (row[5] is None or abs(row[5] - expected) > Decimal("0.01")):
            wrong.append((key, row[5], row[6], "expected", expected))
    return wrong


@pytest.fixture(scope="session")
def published_landing(tmp_path_factory) -> Path:
    """The two years the shared published home is built from. Shared: copy it
    before changing anything."""
    out = tmp_path_factory.mktemp("landing-two-years")
    generate(GenerateRequest(out=out, **TWO_YEARS))
    return out


@pytest.fixture(scope="session")
def published_truth(published_landing) -> dict:
    return json.loads((published_landing / "_truth" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def published(tmp_path_factory, published_landing):
    """One full `civstat run` over two generated years: (settings, summary).

    The suite's one published home (a full run costs about 85 s): tests read it,
    and a test that runs again or changes it works on a copy of it."""
    return run_in(tmp_path_factory.mktemp("published-home"), published_landing)


# The dbt unit tests that pin what the engines do differently (their
# descriptions say what), run on Spark after the background run (on DuckDB
# they run in test_dbt_unit_tests).
ENGINE_DIFFERENCES = (
    "rates_and_means_round_half_up_exactly_at_a_tie",                              # DOUBLE vs exact decimal
    "a_month_that_is_no_date_gives_no_month_start_on_either_engine",                # safe_cast
    "a_leap_day_alert_lapses_at_the_end_of_february_and_counts_days_across_month_ends",
    "an_incremental_run_rebuilds_the_months_of_its_window_whole",                   # delete+insert vs partitions
)

# Runs in the background: `civstat run --engine spark`, then those unit tests
# on the Spark build, each with its exit code in a file.
SPARK_CHAIN = """
import subprocess, sys
from pathlib import Path
civstat, landing, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
with open(out / "spark-run.log", "w") as log:
    code = subprocess.run([civstat, "run", "--engine", "spark", "--landing", landing], stdout=log, stderr=log).returncode
(out / "spark-run.exit").write_text(str(code))
with open(out / "spark-unit-tests.log", "w") as log:
    code = subprocess.run([civstat, "dbt", "test", "--select", *[f"unit_test:{n}" for n in sys.argv[4:]]],
                          stdout=log, stderr=log).returncode
(out / "spark-unit-tests.exit").write_text(str(code))
"""


@dataclass
class BackgroundRun:
    """`civstat run --engine spark`, then the engine-difference unit tests on
    its build, in a child process of its own, started early."""

    home: Path
    process: subprocess.Popen
    out: Path

    def wait(self, timeout: float) -> None:
        self.process.wait(timeout=timeout)

    def result(self, step: str) -> tuple[int, str]:
        """(exit code, log) of a step: spark-run or spark-unit-tests."""
        return (int((self.out / f"{step}.exit").read_text()),
                (self.out / f"{step}.log").read_text(encoding="utf-8", errors="replace"))


@pytest.fixture(scope="session", autouse=True)
def spark_run(request, tmp_path_factory) -> BackgroundRun | None:
    """`civstat run --engine spark` of the published home's extracts, into a home
    of its own, started when the session starts: Spark spends about ten
    minutes on the two-year world, mostly in per-statement latency, while the
    other tests run (the tests that read it run last). tests/test_spark.py
    compares it with the published home.
    None unless a test that reads it is selected and Java is here."""
    if shutil.which("java") is None or not any("spark_published" in item.fixturenames
                                               for item in request.session.items):
        yield None
        return
    landing = request.getfixturevalue("published_landing")
    home = tmp_path_factory.mktemp("spark-home")
    out = tmp_path_factory.mktemp("spark-run")
    env = environ_without_settings() | {"CIVSTAT_HOME": str(home), "CIVSTAT_PSEUDONYM_KEY": "test-key",
                                        "CIVSTAT_ENGINE": "spark"}
    script = out / "chain.py"       # from a file: pyspark exits a `python -c` process
    script.write_text(SPARK_CHAIN, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(Path(sys.executable).parent / "civstat"),
                                str(landing), str(out), *ENGINE_DIFFERENCES], cwd=home, env=env)
    yield BackgroundRun(home, process, out)
    if process.poll() is None:
        process.kill()
        process.wait()


def pytest_collection_modifyitems(session, config, items):
    """The tests that read the background Spark run go last: the others run meanwhile."""
    items.sort(key=lambda item: "spark_published" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def clean_landing(tmp_path_factory) -> Path:
    """Extracts generated without defects: whatever is quarantined is a test's doing.
    Shared: copy it before changing anything."""
    landing = tmp_path_factory.mktemp("landing-without-defects")
    generate(GenerateRequest(out=landing, **WITHOUT_DEFECTS))
    return landing


@pytest.fixture(scope="session")
def deployment_postgres(tmp_path_factory):
    """A PostgreSQL server for the server deployment's Dagster instance
    (pgserver: PostgreSQL's own binaries, from PyPI)."""
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("postgres"), cleanup_mode="stop")
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def deployment_env(deployment_postgres, tmp_path_factory) -> dict[str, str]:
    """What a server's environment gives the deployment's instance
    (orchestration/deploy/dagster.yaml, docs/deployment.md)."""
    dagster_home = tmp_path_factory.mktemp("deployment-dagster")
    shutil.copy(REPO_ROOT / "orchestration" / "deploy" / "dagster.yaml", dagster_home / "dagster.yaml")
    url = deployment_postgres.get_uri().replace("postgresql://", "postgresql+psycopg2://", 1)
    return {"CIVSTAT_DAGSTER_PG_URL": url, "CIVSTAT_IMAGE": "civstat:test",
            "CIVSTAT_DOCKER_NETWORK": "civstat", "CIVSTAT_DAGSTER_HOME": str(dagster_home),
            "DAGSTER_HOME": str(dagster_home)}


@pytest.fixture(scope="session")
def clean_published(tmp_path_factory, clean_landing, deployment_env):
    """One full `civstat run` over extracts generated without defects, as a
    server runs it: on the deployment's instance, its runs and events in
    Postgres (tests/test_deployment.py reads them). (settings, summary)."""
    return run_in(tmp_path_factory.mktemp("without-defects-home"), clean_landing, environ=deployment_env)


E = gx.expectations


# The three kinds of expectation the suites use: a column rule, a column rule
# under a row condition, and a rule written as SQL.
ROLL_RULES = Suite(
    name="roll_rules",
    relation="marts.fct_monthly_assistance_households",
    key_columns=("period_month", "household_id"),
    rules=(
        Rule("A01", "每户每月只出现一次", "one row per household and month",
             E.ExpectCompoundColumnsToBeUnique(column_list=["period_month", "household_id"])),
        Rule("A04", "保障人口数在1至30之间", "persons covered between 1 and 30",
             E.ExpectColumnValuesToBeBetween(column="persons_covered", min_value=1, max_value=30)),
        Rule("A06", "特困人员填写了自理能力", "特困 persons have a self-care level",
             E.ExpectColumnValuesToNotBeNull(column="self_care", row_condition=Column("assistance_kind") == "特困")),
        Rule("A07", "月保障金额不超过保障标准×保障人口数的两倍", "amount at most twice the standard times persons",
             E.UnexpectedRowsExpectation(
                 description="amount_paid_yuan <= 2 * standard * persons",
                 unexpected_rows_query=("select period_month, household_id from {batch} "
                                        "where amount_paid_yuan > 2 * standard_yuan_per_person_month * persons_covered"))),
    ),
)


@pytest.fixture
def roll_warehouse(tmp_path):
    """A warehouse with the roll fact and three planted violations, written out."""
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("""
        create table marts.fct_monthly_assistance_households as
        select '2024-0' || (i % 9 + 1) as period_month, 'H' || lpad(i::varchar, 6, '0') as household_id,
               'k' || i as head_person_key, '城市低保' as assistance_type, '低保' as assistance_kind,
               null::varchar as self_care, 2 as persons_covered,
               cast(800 as decimal(12, 2)) as amount_paid_yuan,
               cast(880 as decimal(12, 2)) as standard_yuan_per_person_month
        from range(5000) t(i)""")
    con.execute("update marts.fct_monthly_assistance_households set persons_covered = 0 where household_id = 'H000007'")
    con.execute("update marts.fct_monthly_assistance_households set amount_paid_yuan = 99999 where household_id = 'H000042'")
    con.execute("update marts.fct_monthly_assistance_households set assistance_type = '城市特困', "
                "assistance_kind = '特困' where household_id = 'H000099'")
    con.close()
    return path


def deliver_correction(source_file: Path, folder: Path, name: str, change) -> None:
    """Copy a delivered CSV, edited by ``change(header, rows)``, as a new version."""
    data = source_file.read_bytes()
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "gb18030"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding, text = "utf-8", data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = change(rows[0], rows[1:])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *body])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(buffer.getvalue().encode(encoding))


ANSWERS_EACH_SIDE = 20      # answers from each publication the reader must have seen
READER_WAIT_SECONDS = 120


@dataclass
class CorrectedRun:
    """A run that delivers two corrections to the published state, while a
    reader process queries the serving file in a loop."""
    settings: Settings
    summary: object
    assistance_period: str
    aid_period: str
    amount_before: Decimal      # the household's month before the correction
    edge_household: tuple[str, str]   # (household, month) whose verification a _v2 corrects
    answers: list[dict]         # the reader's, in order
    reader_exit: int
    build_seconds: float


@pytest.fixture(scope="session")
def corrected_run(published, tmp_path_factory) -> CorrectedRun:
    """Three corrections arrive: an assistance month with an absurd amount (99,999
    yuan for one household: it passes ingestion but breaks the roll's ceiling
    rule), a temporary-aid month without its amount column (the contract
    is broken: the file is rejected), and a verification month whose _v2
    raises an edge household's income far above the edge band. A reader (tests/test_concurrent_readers.py
    run as a script) queries the serving file before, during and after the run."""
    from ingestion import landing
    from ingestion.contract import ASSISTANCE, TEMPORARY_AID, VERIFICATION
    from warehouse.query import run_query

    settings, _ = published
    root = tmp_path_factory.mktemp("corrected-run")
    corrected, home = root / "landing", root / "home"
    copy_home(settings.home, home)
    serving = home / "serving" / "civstat.duckdb"

    period, files = sorted(landing.scan(settings.landing_dir, ASSISTANCE).by_period().items())[-1]
    (household, amount), = run_query(serving, f"""
        select household_id, amount_paid_yuan from fct_monthly_assistance_households
        where period_month = '{period}' order by household_id limit 1""").rows

    def absurd_amount(header, rows):
        row = next(r for r in rows if r[header.index("家庭编号")] == household)
        row[header.index("月保障金额")] = "99999.00"
        return header, rows

    deliver_correction(files[0].path, corrected / "assistance",
                       f"assistance_370832_{period.replace('-', '')}_v7.csv", absurd_amount)
    aid_period, aid_files = sorted(landing.scan(settings.landing_dir, TEMPORARY_AID).by_period().items())[0]

    def without_amount(header, rows):
        drop = header.index("救助金额")
        return ([c for i, c in enumerate(header) if i != drop],
                [[c for i, c in enumerate(r) if i != drop] for r in rows])

    deliver_correction(aid_files[0].path, corrected / "temporary_aid",
                       f"temporary_aid_370832_{aid_period.replace('-', '')}_v7.csv", without_amount)

    (edge_household, edge_month), = run_query(serving, """
        select household_id, period_month from fct_household_monitoring_months
        where is_edge and strftime(edge_on, '%Y-%m') = period_month order by all limit 1""").rows
    check_files = landing.scan(settings.landing_dir, VERIFICATION).by_period()[edge_month]   # highest version first

    def income_far_above(header, rows):
        for row in rows:
            if row[header.index("家庭编号")] == edge_household:
                row[header.index("家庭月人均收入")] = "99999.00"
        return header, rows

    deliver_correction(check_files[0].path, corrected / "verification",
                       f"verification_370832_{edge_month.replace('-', '')}_v7.csv", income_far_above)

    answers, stop = root / "answers.jsonl", root / "stop"
    reader = subprocess.Popen([sys.executable, str(Path(__file__).parent / "test_concurrent_readers.py"),
                               str(serving), str(answers), str(stop)], cwd=Path(__file__).parent)
    try:
        _wait_until(lambda: len(read_answers(answers)) >= ANSWERS_EACH_SIDE, "answers before the build", reader)
        started = time.monotonic()
        run_settings, summary = run_in(home, corrected)
        build_seconds = time.monotonic() - started
        published_run = summary.steps[-1].run_id
        _wait_until(lambda: sum(a.get("run_id") == published_run for a in read_answers(answers))
                    >= ANSWERS_EACH_SIDE, "answers from the new publication", reader)
    finally:
        stop.touch()
        try:
            reader.wait(timeout=60)
        except subprocess.TimeoutExpired:
            reader.kill()
            raise
    return CorrectedRun(run_settings, summary, period, aid_period, amount, (edge_household, edge_month),
                        read_answers(answers), reader.returncode, build_seconds)


def read_answers(path: Path) -> list[dict]:
    """The reader's complete lines so far (the last one may be half written)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")[:-1]]


def _wait_until(condition, what: str, reader: subprocess.Popen) -> None:
    deadline = time.monotonic() + READER_WAIT_SECONDS
    while not condition():
        assert reader.poll() is None, f"the reader stopped (exit {reader.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {READER_WAIT_SECONDS}s"
        time.sleep(0.2)
