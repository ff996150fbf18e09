"""Run a suite against the warehouse (DuckDB or Spark) and return the results as data."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import great_expectations as gx
from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults

from expectations import duckdb_compat
from expectations.rules import Severity, Suite

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

# Failing keys kept per rule in the result; the full list stays queryable in SQL.
FAILING_KEYS_KEPT = 10_000


@dataclass
class RuleResult:
    rule_id: str
    description_zh: str
    description_en: str
    severity: Severity
    success: bool
    element_count: int | None
    unexpected_count: int | None
    failing_keys: list[dict] = field(default_factory=list)
    error: str | None = None
    explained_count: int = 0    # failing records released by an explained exception


@dataclass
class SuiteResult:
    suite: str
    relation: str
    rules: list[RuleResult]
    # GX's own validation result (ExpectationSuiteValidationResult.to_json_dict()),
    # from which the Data Docs pages are rendered.
    gx_validation: dict | None = None

    @property
    def blocking_failures(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.success and r.severity is Severity.VALIDITY]

    @property
    def success(self) -> bool:
        return not self.blocking_failures


def run_suite(suite: Suite, warehouse: Path | SparkSession) -> SuiteResult:
    """Validate ``suite`` against the warehouse, as pushed-down queries: a
    DuckDB file (opened read-only) or the Spark session whose metastore holds
    the build's tables. The rules and what they report are the same on both."""
    # No Data Docs site of its own: GX would make a temporary folder per run
    # (data_docs.py renders the run's results into one site instead).
    context = gx.get_context(mode="ephemeral", project_config=DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False))
    context.variables.progress_bars = {"globally": False}
    on_spark = not isinstance(warehouse, (str, Path))
    datasource = _spark_datasource(context) if on_spark else _duckdb_datasource(context, Path(warehouse))
    try:
        if on_spark:
            batch = datasource.add_dataframe_asset(name=suite.name).add_batch_definition_whole_dataframe("whole")
            batch_parameters = {"dataframe": warehouse.table(suite.relation)}
        else:
            asset = datasource.add_query_asset(name=suite.name, query=f"select * from {suite.relation}")
            batch, batch_parameters = asset.add_batch_definition_whole_table("whole"), None
        gx_suite = context.suites.add(gx.ExpectationSuite(
            name=suite.name, expectations=[_described(r) for r in suite.rules]))
        # GX does not return results in suite order: match them by expectation id.
        rule_of = {e.id: rule for e, rule in zip(gx_suite.expectations, suite.rules)}
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite))
        outcome = validation.run(batch_parameters=batch_parameters, result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": list(suite.key_columns),
        })
    finally:
        if on_spark:
            warehouse.catalog.clearCache()      # GX cached the suite's table for its metrics
        else:
            _close(datasource)
    by_rule = {rule_of[r.expectation_config.id].id: r for r in outcome.results}
    return SuiteResult(suite.name, suite.relation,
                       [_rule_result(rule, by_rule[rule.id], suite.key_columns) for rule in suite.rules],
                       gx_validation=outcome.to_json_dict())


def _duckdb_datasource(context, warehouse_path: Path):
    duckdb_compat.enable()
    return context.data_sources.add_sql(
        name="warehouse", connection_string=f"duckdb:///{warehouse_path.resolve()}?access_mode=read_only")


def _spark_datasource(context):
    # GX caches the table while its metrics run (each metric is a Spark job);
    # run_suite drops the cache after the suite.
    return context.data_sources.add_spark(name="warehouse", persist=True)


def _described(rule) -> gx.expectations.Expectation:
    """A copy of the rule's expectation that says which rule it is (shown in Data Docs)."""
    expectation = copy.deepcopy(rule.expectation)
    expectation.description = f"{rule.id} {rule.description_zh}"
    return expectation


def _rule_result(rule, result, key_columns: tuple[str, ...]) -> RuleResult:
    info = result.exception_info or {}
    error = None
    if info.get("raised_exception"):
        error = info.get("exception_message")
    elif any(isinstance(v, dict) and v.get("raised_exception") for v in info.values()):
        error = next(v["exception_message"] for v in info.values()
                     if isinstance(v, dict) and v.get("raised_exception"))
    body = result.result or {}
    if "unexpected_count" in body:      # column and row-condition expectations
        unexpected, keys = body["unexpected_count"], body.get("unexpected_index_list") or []
        if not keys:                    # multicolumn rules list the offending key combinations instead
            keys = [v for v in body.get("unexpected_list") or [] if isinstance(v, dict)]
    else:                               # UnexpectedRowsExpectation: the query's own rows
        unexpected = body.get("observed_value")
        keys = (body.get("details") or {}).get("unexpected_rows") or []
    return RuleResult(
        rule_id=rule.id,
        description_zh=rule.description_zh,
        description_en=rule.description_en,
        severity=rule.severity,
        success=bool(result.success) and error is None,
        element_count=body.get("element_count"),
        unexpected_count=unexpected,
        # Keys only: GX adds the checked column's value, which may not be shown.
        failing_keys=[{c: k[c] for c in key_columns if c in k} for k in keys[:FAILING_KEYS_KEPT]],
        error=error,
    )


def _close(datasource) -> None:
    """Release DuckDB's file lock: GX would keep the persisted connection open."""
    engine = datasource.get_execution_engine()
    connection = getattr(engine, "_connection", None)
    if connection is not None:
        connection.close()
        engine._connection = None
    engine.engine.dispose()
    datasource.get_engine().dispose()  # the datasource's own, used to test the connection
