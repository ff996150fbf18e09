"""Turning a GX suite into a Dagster asset check, its result kept for publication.

Each run of a suite leaves: the latest result per suite (what the publication
says it passed), one row per rule in the quality history, and, for a suite
that withholds figures, the periods withheld while its rules fail.
"""


import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from civstat.settings import Settings
from expectations.data_docs import build_data_docs
from expectations.exceptions import ExceptionRegister, release_explained
from expectations.rules import Severity, Suite
from expectations.runner import SuiteResult, run_suite
from orchestration.resources import CivstatResource

HISTORY_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("suite", pa.string()), ("rule_id", pa.string()), ("severity", pa.string()),
    ("success", pa.bool_()), ("checked", pa.int64()), ("unexpected", pa.int64()),
    ("validated_at", pa.timestamp("us", tz="UTC")),
])


def blocks_publication(suite: Suite) -> bool:
    """Validity rules that withhold nothing narrower stop publication."""
    return suite.withholds is None and any(r.severity is Severity.VALIDITY for r in suite.rules)


def suite_check(suite: Suite, asset: dg.AssetKey) -> dg.AssetChecksDefinition:
    blocking = blocks_publication(suite)

    @dg.asset_check(asset=asset, name=suite.name, blocking=blocking,
                    description=f"Great Expectations suite {suite.name}: "
                                + "; ".join(f"{r.id} {r.description_zh}" for r in suite.rules))
    def _check(context: dg.AssetCheckExecutionContext, civstat: CivstatResource) -> dg.AssetCheckResult:
        settings = civstat.settings()
        explained = ExceptionRegister(settings.home).explained(suite.name)
        result = release_explained(suite, run_suite(suite, built_warehouse(settings)), explained)
        record_result(settings, context.run.run_id, suite, result)
        for rule in result.rules:
            if not rule.success:
                log = context.log.error if rule.severity is Severity.VALIDITY else context.log.warning
                log(f"{rule.rule_id} {rule.description_zh}: {rule.unexpected_count} failing "
                    f"record(s){'; ' + rule.error if rule.error else ''}")
        failing = [r for r in result.rules if not r.success]
        return dg.AssetCheckResult(
            passed=not failing,
            # Only a broken validity rule is an error; findings and warnings are reported.
            severity=dg.AssetCheckSeverity.ERROR if result.blocking_failures else dg.AssetCheckSeverity.WARN,
            metadata={
                "rules": dg.MetadataValue.json([
                    {"rule": r.rule_id, "passed": r.success, "checked": r.element_count,
                     "failing": r.unexpected_count, "explained": r.explained_count,
                     "severity": r.severity.value}
                    for r in result.rules]),
                # What `civstat exception add --suite … --rule … --record …` takes.
                "failing_records_first_20": dg.MetadataValue.json(
                    [{"rule": r.rule_id, "record": suite.record_key(k)} for r in failing for k in r.failing_keys][:20]),
                "failing_records": sum(r.unexpected_count or 0 for r in failing),
                "withholds": suite.withholds or "",
                "withheld_periods": dg.MetadataValue.json(withheld_periods(suite, result)),
                # Rebuilt at publication (or at the end of a run that did not publish).
                "data_docs": dg.MetadataValue.path(str(data_docs_index(settings))),
            },
        )

    return _check


def built_warehouse(settings: Settings):
    """Where the suites read the build: the DuckDB file, or the tables in Spark."""
    if settings.engine == "spark":
        from warehouse.spark import spark_session  # pyspark only where Spark is the engine

        return spark_session(settings)
    return settings.warehouse_path


def withheld_periods(suite: Suite, result: SuiteResult) -> list[dict]:
    """The figures (a source) and periods that failing validity rules withhold:
    each with the rules broken in it and how many records break them."""
    if suite.withholds is None or suite.period_column is None:
        return []
    cells: dict[tuple[str, str], dict] = {}
    for rule in result.blocking_failures:
        for key in rule.failing_keys:
            if key.get(suite.period_column) is None:
                continue
            figures = str(key[suite.figures_column]) if suite.figures_column else suite.withholds
            cell = cells.setdefault((figures, str(key[suite.period_column])), {"rules": set(), "records": 0})
            cell["rules"].add(rule.rule_id)
            cell["records"] += 1
    return [{"figures": figures, "period": period, "failing_rules": ",".join(sorted(c["rules"])),
             "failing_records": c["records"]} for (figures, period), c in sorted(cells.items())]


def results_dir(settings: Settings) -> Path:
    return settings.home / "quality"


def record_result(settings: Settings, run_id: str, suite: Suite, result: SuiteResult) -> None:
    """Keep the latest result per suite and add its rules to the quality history."""
    folder = results_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    body = {"run_id": run_id, "suite": result.suite, "success": result.success,
            "blocks_publication": blocks_publication(suite), "withholds": suite.withholds,
            "withheld_periods": withheld_periods(suite, result),
            "rules": [{k: v for k, v in asdict(r).items() if k != "failing_keys"} | {"severity": r.severity.value}
                      for r in result.rules]}
    _write_json(folder / f"{result.suite}.json", body)
    # The records each rule names (by the suite's key columns), whatever engine ran it.
    _write_json(folder / "failing_records" / f"{result.suite}.json",
                {r.rule_id: r.failing_keys for r in result.rules if r.failing_keys})
    if result.gx_validation is not None:
        _write_json(folder / "validations" / f"{result.suite}.json", result.gx_validation)
    _append_history(folder / "history", run_id, result)


def _write_json(path: Path, body) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    tmp.replace(path)


def data_docs_index(settings: Settings) -> Path:
    return results_dir(settings) / "data_docs" / "index.html"


def build_quality_docs(settings: Settings) -> Path:
    """GX Data Docs of the latest validation of every suite (var/quality/data_docs/)."""
    validations = [json.loads(p.read_text(encoding="utf-8"))
                   for p in sorted((results_dir(settings) / "validations").glob("*.json"))]
    return build_data_docs(validations, data_docs_index(settings).parent)


def _append_history(folder: Path, run_id: str, result: SuiteResult) -> None:
    now = dt.datetime.now(dt.UTC)
    rows = [{"run_id": run_id, "suite": result.suite, "rule_id": r.rule_id, "severity": r.severity.value,
             "success": r.success, "checked": r.element_count, "unexpected": r.unexpected_count,
             "validated_at": now} for r in result.rules]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y%m%dT%H%M%S%f}-{result.suite}.parquet"
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=HISTORY_SCHEMA), tmp)
    tmp.replace(path)


def quality_history(settings: Settings) -> list[dict]:
    """Every suite run recorded in this home, oldest first."""
    files = sorted((results_dir(settings) / "history").glob("*.parquet"))
    return pa.concat_tables([pq.read_table(f) for f in files]).to_pylist() if files else []


def latest_results(settings: Settings) -> dict[str, dict]:
    """The latest recorded result of each suite, by suite name."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(results_dir(settings).glob("*.json"))}


def open_findings(settings: Settings) -> list[dict]:
    """The findings of the latest results (a plan target's place not served, a
    blacklisted household on the roll…): rules of severity finding that fail,
    with how many places or records each names. They block nothing, so the run
    summary lists them for the offices that act on them."""
    return [{"suite": name, "rule_id": rule["rule_id"], "description_zh": rule["description_zh"],
             "records": rule["unexpected_count"]}
            for name, body in sorted(latest_results(settings).items())
            for rule in body.get("rules", [])
            if rule.get("severity") == Severity.FINDING.value and not rule["success"]]
