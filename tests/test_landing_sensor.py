"""The landing sensor asks for runs of exactly the partitions whose files changed."""

import os
import shutil

import dagster as dg
import pytest

from orchestration.ingestion.sensors import landing_sensor
from orchestration.resources import CivstatResource

from conftest import isolated_environ


@pytest.fixture
def landing_copy(tiny_landing, tmp_path):
    target = tmp_path / "landing"
    shutil.copytree(tiny_landing, target)
    return target


def _evaluate(landing, home, cursor=None, instance=None):
    with isolated_environ():
        context = dg.build_sensor_context(cursor=cursor, instance=instance or dg.DagsterInstance.ephemeral(),
                                          resources={"civstat": CivstatResource(home=str(home),
                                                                                landing_dir=str(landing))})
        return landing_sensor(context)


def _requested(result) -> set[tuple[str, str]]:
    return {(r.tags["civstat/source"], r.partition_key) for r in result.run_requests}


def test_a_first_look_requests_every_delivered_partition_once(landing_copy, tmp_path):
    result = _evaluate(landing_copy, tmp_path / "home")
    delivered = {(p.parent.name, p.name) for p in landing_copy.glob("*/*") if p.parent.name != "_truth"}
    assert len(result.run_requests) == len(_requested(result)) < len(delivered)
    assert ("assistance", "2024-03") in _requested(result)
    assert ("marriage_archive", "1949") in _requested(result)
    snapshot_keys = result.dynamic_partitions_requests[0].partition_keys
    assert all(len(k) == 10 for k in snapshot_keys)
    jobs = {r.tags["civstat/source"]: r.job_name for r in result.run_requests}
    assert jobs["regions"] == "ingest_yearly_extracts" and jobs["assistance"] == "ingest_monthly_extracts"


def test_nothing_new_requests_nothing(landing_copy, tmp_path):
    first = _evaluate(landing_copy, tmp_path / "home")
    again = _evaluate(landing_copy, tmp_path / "home", cursor=first.cursor)
    assert again.run_requests == []


def test_a_correction_requests_exactly_its_source_and_period(landing_copy, tmp_path):
    first = _evaluate(landing_copy, tmp_path / "home")
    v1 = landing_copy / "assistance" / "assistance_370832_202402.csv"
    shutil.copy(v1, v1.with_name("assistance_370832_202402_v3.csv"))
    after = _evaluate(landing_copy, tmp_path / "home", cursor=first.cursor)
    assert _requested(after) == {("assistance", "2024-02")}
    assert after.run_requests[0].asset_selection == [dg.AssetKey(["raw", "assistance"])]


def test_the_same_change_seen_twice_keeps_its_run_key(landing_copy, tmp_path):
    """Dagster drops a request whose run key it has seen: no double run."""
    first = _evaluate(landing_copy, tmp_path / "home")
    path = landing_copy / "deaths" / sorted(os.listdir(landing_copy / "deaths"))[0]
    os.utime(path, ns=(1, 1))
    a = _evaluate(landing_copy, tmp_path / "home", cursor=first.cursor)
    b = _evaluate(landing_copy, tmp_path / "home", cursor=first.cursor)
    assert [r.run_key for r in a.run_requests] == [r.run_key for r in b.run_requests] != []
