"""Every dbt unit test (target formulas, region roll-ups, marriage rules …),
run once against a built warehouse; a data run skips them."""

from __future__ import annotations

import json
import os

from civstat.cli import main

from conftest import isolated_environ


def test_every_dbt_unit_test_passes(published):
    settings, _ = published
    with isolated_environ():
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        os.environ["CIVSTAT_HOME"] = str(settings.home)
        code = main(["dbt", "test", "--select", "test_type:unit"])
    results = json.loads((settings.home / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8"))
    failed = [r["unique_id"] for r in results["results"] if r["status"] != "pass"]
    assert code == 0 and not failed, failed
    assert len(results["results"]) >= 30
