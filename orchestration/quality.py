"""Turning a GX suite into a blocking Dagster asset check, its result kept for publication."""


import json
from dataclasses import asdict
from pathlib import Path

import dagster as dg

from civstat.settings import Settings
from expectations.rules import Suite
from expectations.runner import SuiteResult, run_suite
from orchestration.resources import CivstatResource


def suite_check(suite: Suite, asset: dg.AssetKey) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset, name=suite.name, blocking=True,
                    description=f"Great Expectations suite {suite.name}: "
                                + "; ".join(f"{r.id} {r.description_zh}" for r in suite.rules))
    def _check(context: dg.AssetCheckExecutionContext, civstat: CivstatResource) -> dg.AssetCheckResult:
        settings = civstat.settings()
        result = run_suite(suite, settings.warehouse_path)
        record_result(settings, context.run.run_id, result)
        for rule in result.blocking_failures:
            context.log.error(f"{rule.rule_id} {rule.description_zh}: {rule.unexpected_count} failing "
                              f"record(s){'; ' + rule.error if rule.error else ''}")
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rules": dg.MetadataValue.json([
                    {"rule": r.rule_id, "passed": r.success, "checked": r.element_count,
                     "failing": r.unexpected_count, "severity": r.severity.value}
                    for r in result.rules]),
                "failing_records": sum(r.unexpected_count or 0 for r in result.blocking_failures),
            },
        )

    return _check


def results_dir(settings: Settings) -> Path:
    return settings.home / "quality"


def record_result(settings: Settings, run_id: str, result: SuiteResult) -> None:
    """Keep the latest result per suite so the publication can say what it passed."""
    folder = results_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    body = {"run_id": run_id, "suite": result.suite, "success": result.success,
            "rules": [{k: v for k, v in asdict(r).items() if k != "failing_keys"} | {"severity": r.severity.value}
                      for r in result.rules]}
    tmp = folder / f".{result.suite}.json.tmp"
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(folder / f"{result.suite}.json")


def latest_results(settings: Settings) -> dict[str, dict]:
    """The latest recorded result of each suite, by suite name."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(results_dir(settings).glob("*.json"))}
