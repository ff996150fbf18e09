"""The Dagster graph: what is wired to what. Dagster's own validation
(`dagster definitions validate`) runs in tests/test_deployment.py, on the
server deployment's instance: one start of Dagster's process instead of two."""

import dagster as dg

from civstat.settings import Settings
from orchestration.definitions import build_definitions

from conftest import isolated_environ


def _graph(tmp_path):
    with isolated_environ():
        settings = Settings.load({"home": tmp_path})
        return build_definitions(settings).resolve_asset_graph()


def test_lineage_runs_from_the_extract_to_the_serving_file(tmp_path):
    graph = _graph(tmp_path)
    key = dg.AssetKey
    expected_edges = {
        (key(["raw", "assistance"]), key(["staging", "stg_assistance__roll_rows"])),
        (key(["staging", "stg_assistance__roll_rows"]), key(["marts", "fct_monthly_assistance_households"])),
        (key(["marts", "fct_monthly_assistance_households"]), key(["marts", "mart_assistance_monthly_by_township"])),
        (key(["marts", "mart_assistance_monthly_by_township"]), key("serving_marts")),
        (key(["marts", "fct_monthly_assistance_households"]), key("serving_marts")),
    }
    edges = {(parent, child) for child in graph.get_all_asset_keys()
             for parent in graph.get(child).parent_keys}
    assert expected_edges <= edges
    # Every non-reference source waits for the division table its codes are checked against.
    assert (key(["raw", "regions"]), key(["raw", "assistance"])) in edges
    assert (key(["raw", "region_changes"]), key(["raw", "marriage"])) in edges


def test_there_is_one_ingestion_asset_per_source_partitioned_as_its_data_comes(tmp_path):
    from ingestion.contract import CONTRACTS

    graph = _graph(tmp_path)
    raw = {k.path[1]: graph.get(k).partitions_def for k in graph.get_all_asset_keys() if k.path[0] == "raw"}
    assert set(raw) == set(CONTRACTS)
    assert isinstance(raw["assistance"], dg.MonthlyPartitionsDefinition)
    assert raw["marriage_archive"].get_partition_keys()[0] == "1949"
    assert raw["deaths"].get_partition_keys()[0] == "2015"
    assert isinstance(raw["volunteers"], dg.DynamicPartitionsDefinition)


def test_every_check_guards_an_asset_that_exists(tmp_path):
    graph = _graph(tmp_path)
    assets = graph.get_all_asset_keys()
    checks = graph.asset_check_keys
    assert dg.AssetCheckKey(dg.AssetKey(["marts", "fct_monthly_assistance_households"]),
                            "fct_monthly_assistance_households_validity") in checks
    assert all(check.asset_key in assets for check in checks)


def test_the_raw_asset_is_partitioned_by_month(tmp_path):
    graph = _graph(tmp_path)
    partitions = graph.get(dg.AssetKey(["raw", "assistance"])).partitions_def
    assert isinstance(partitions, dg.MonthlyPartitionsDefinition)
    assert "2019-01" in partitions.get_partition_keys()

