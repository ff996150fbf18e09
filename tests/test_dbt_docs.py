"""`dbt docs generate` (what `make docs` runs) produces the docs site, with
every mart described and its columns typed from the warehouse."""

from __future__ import annotations

import json
import os

from civstat.cli import main

from conftest import isolated_environ


def test_docs_site_describes_every_mart(published):
    settings, _ = published
    with isolated_environ():
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        os.environ["CIVSTAT_HOME"] = str(settings.home)
        assert main(["dbt", "docs", "generate", "--static"]) == 0
    target = settings.home / "dbt" / "target"
    assert (target / "static_index.html").stat().st_size > 100_000
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    marts = {n["unique_id"]: n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["name"].startswith(("mart_", "fct_", "dim_"))}
    assert "model.civstat.mart_target_attainment" in marts
    for uid, node in marts.items():
        assert node["description"].strip(), f"{node['name']} has no description"
        undocumented = [c for c, col in node["columns"].items() if not col["description"].strip()]
        assert not undocumented, f"{node['name']}: {undocumented}"
        assert uid in catalog["nodes"], f"{node['name']} is not in the warehouse"
    columns = catalog["nodes"]["model.civstat.mart_target_attainment"]["columns"]
    assert columns["actual_value"]["type"].upper().startswith("DECIMAL")
