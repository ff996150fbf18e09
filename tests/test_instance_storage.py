"""The home's Dagster instance: Dagster's SQLite storage with the event log's
connections kept open (orchestration/instance_storage.py).

These tests say when the class stops doing its work (Dagster no longer
stores events through ``_connect``), when it breaks what Dagster's UI relies on
(the watcher of a running run's events), and whether Dagster's own storage
still reads what it wrote.
"""

from __future__ import annotations

import threading
import time

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from civstat.settings import HOME_INSTANCE_YAML, Settings
from orchestration.instance_storage import KeptOpenSqliteEventLogStorage


def _materialization(run_id: str, partition: str) -> EventLogEntry:
    event = DagsterEvent(DagsterEventType.ASSET_MATERIALIZATION.value, job_name="ingest",
                         event_specific_data=StepMaterializationData(
                             dg.AssetMaterialization(asset_key=["raw", "assistance"], partition=partition)))
    return EventLogEntry(error_info=None, level="debug", user_message="", run_id=run_id, timestamp=time.time(),
                         dagster_event=event)


def _home_instance(tmp_path, monkeypatch) -> dg.DagsterInstance:
    settings = Settings.load(environ={"CIVSTAT_HOME": str(tmp_path / "home")})
    settings.ensure_dirs()
    monkeypatch.setenv("DAGSTER_HOME", str(settings.dagster_home))
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def test_a_home_instance_keeps_its_event_log_connections_open(tmp_path, monkeypatch):
    instance = _home_instance(tmp_path, monkeypatch)
    storage = instance.event_log_storage
    assert isinstance(storage, KeptOpenSqliteEventLogStorage)

    @dg.asset
    def figure() -> int:
        return 1

    result = dg.materialize([figure], instance=instance)
    assert result.success
    # Every database the run wrote to is still open: the run's and the index.
    assert set(storage._engines) == {result.run_id, "index"}, "Dagster no longer stores events through _connect"
    with storage.run_connection(result.run_id) as first:
        opened = first.connection.dbapi_connection
    with storage.run_connection(result.run_id) as second:
        assert second.connection.dbapi_connection is opened
    instance.dispose()


def test_dagster_reads_what_the_kept_open_storage_wrote(tmp_path, monkeypatch):
    instance = _home_instance(tmp_path, monkeypatch)

    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(["2025-01", "2025-02"]))
    def assistance() -> None:
        return None

    for key in ("2025-01", "2025-02"):
        assert dg.materialize([assistance], instance=instance, partition_key=key).success
    # Dagster's own storage on the same files, while this one still holds them open.
    stock = SqliteEventLogStorage(str(tmp_path / "home" / "dagster" / "history" / "runs"))
    records = stock.fetch_materializations(dg.AssetKey("assistance"), limit=10).records
    assert sorted(r.partition_key for r in records) == ["2025-01", "2025-02"]
    instance.dispose()


def test_the_ui_watcher_sees_a_running_runs_events(tmp_path):
    """Dagster's UI streams a run's events by watching its .db file; with the
    connection kept open the events would stay in the WAL file unseen."""
    storage = KeptOpenSqliteEventLogStorage(str(tmp_path / "runs"))
    storage.store_event(_materialization("run-1", "2025-01"))       # the run's database exists
    seen, arrived = [], threading.Event()

    def callback(entry, cursor):
        seen.append(entry.dagster_event.partition)
        if len(seen) == 3:
            arrived.set()

    storage.watch("run-1", None, callback)          # from the run's first event
    try:
        time.sleep(0.5)
        for month in ("2025-02", "2025-03"):
            storage.store_event(_materialization("run-1", month))
        assert arrived.wait(10), f"the watcher saw {seen}"
        assert seen == ["2025-01", "2025-02", "2025-03"]
    finally:
        storage.dispose()


@pytest.mark.parametrize("before, kept", [("telemetry:\n  enabled: false\n", False),
                                          ("storage:\n  postgres:\n    postgres_url: x\n", True)])
def test_a_homes_instance_yaml_is_upgraded_but_a_servers_is_left(tmp_path, before, kept):
    settings = Settings.load(environ={"CIVSTAT_HOME": str(tmp_path / "home")})
    settings.dagster_home.mkdir(parents=True)
    (settings.dagster_home / "dagster.yaml").write_text(before, encoding="utf-8")
    settings.ensure_dirs()
    assert (settings.dagster_home / "dagster.yaml").read_text(encoding="utf-8") == (before if kept else
                                                                                     HOME_INSTANCE_YAML)
