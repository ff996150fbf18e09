"""The GX/DuckDB shim (expectations/duckdb_compat.py): that it works, and when it can go.

The two `..._still_...` tests fail on purpose the day upstream fixes a
problem: then delete the matching part of the shim.
"""

import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import duckdb

from expectations.runner import run_suite

from conftest import ROLL_RULES


def test_a_suite_names_each_failing_record_and_only_those(roll_warehouse):
    result = run_suite(ROLL_RULES, roll_warehouse)
    failing = {r.rule_id: r for r in result.rules if not r.success}
    assert set(failing) == {"A04", "A06", "A07"}
    assert failing["A04"].unexpected_count == 1
    assert failing["A04"].failing_keys == [{"period_month": "2024-08", "household_id": "H000007"}]
    # H000007 has no person covered, so any amount is over the bound too.
    assert [k["household_id"] for k in failing["A07"].failing_keys] == ["H000007", "H000042"]
    assert [k["household_id"] for k in failing["A06"].failing_keys] == ["H000099"]
    assert all(r.error is None for r in result.rules)
    assert not result.success and len(result.blocking_failures) == 3


def test_the_suite_releases_the_warehouse_file(roll_warehouse):
    run_suite(ROLL_RULES, roll_warehouse)
    duckdb.connect(str(roll_warehouse)).close()  # read-write open: no lock left behind


def _gx_without_shim(path, table_asset: bool) -> subprocess.CompletedProcess:
    script = textwrap.dedent(f"""
        import great_expectations as gx
        {"from expectations import duckdb_compat; duckdb_compat.enable()" if table_asset else ""}
        ctx = gx.get_context(mode="ephemeral")
        ds = ctx.data_sources.add_sql(name="w", connection_string="duckdb:///{path}?access_mode=read_only")
        asset = (ds.add_table_asset(name="t", table_name="fct_monthly_assistance_households", schema_name="marts")
                 if {table_asset} else
                 ds.add_query_asset(name="t", query="select * from marts.fct_monthly_assistance_households"))
        suite = ctx.suites.add(gx.ExpectationSuite(name="s", expectations=[
            gx.expectations.ExpectColumnValuesToNotBeNull(column="household_id")]))
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(
            name="v", data=asset.add_batch_definition_whole_table("b"), suite=suite))
        result = vd.run().results[0]
        print("SUCCESS" if result.success else "FAILED", str(result.exception_info)[:2000])
    """)
    # Run from a file, not `python -c`: pyspark (installed for the Spark engine),
    # which GX imports when it looks for Spark, exits a process whose __main__
    # has no file ("Skipping doctests").
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "gx_without_shim.py").write_text(script, encoding="utf-8")
        return subprocess.run([sys.executable, str(Path(folder) / "gx_without_shim.py")],
                              capture_output=True, text=True, timeout=300)


def test_gx_still_needs_the_persisted_connection_shim(roll_warehouse):
    done = _gx_without_shim(roll_warehouse, table_asset=False)
    assert "SUCCESS" not in done.stdout, (
        "GX now validates DuckDB without the persisted-connection shim: "
        "remove enable() from expectations/duckdb_compat.py")
    assert "list index out of range" in done.stdout + done.stderr


def test_gx_table_assets_still_cannot_reflect_duckdb_schemas(roll_warehouse):
    done = _gx_without_shim(roll_warehouse, table_asset=True)
    assert "SUCCESS" not in done.stdout, (
        "GX table assets now work on DuckDB schemas: the runner may use add_table_asset again")
    assert "does not exist" in done.stdout + done.stderr
