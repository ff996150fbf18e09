"""Dagster's SQLite instance storage, with the event log's connections kept open.

A home's Dagster instance is SQLite under ``<home>/dagster`` (a server's is
Postgres: orchestration/deploy/dagster.yaml). Dagster's SQLite event log
makes a new SQLAlchemy engine and connection for every event it stores and
closes them after; closing the last connection to a WAL database also
checkpoints it. That costs 7–11 ms per event on a 2-core machine, and a
county's full build stores about 6,700 event rows (a planned, an output and
an evaluation event for each dbt test; a materialization per partition per
ingestion asset, mirrored in the index): a fifth of the build's time
(docs/benchmarks.md, H).

``KeptOpenSqliteEventLogStorage`` keeps one connection per database open (the
index and the runs used last) and, after each write to a run's database,
asks SQLite for a passive checkpoint: the run's ``.db`` file changes as it
did, which is what Dagster's UI watches to stream a running run's events.
About 2.5 ms per event (``tests/test_instance_storage.py`` checks that the
connection is reused, that the UI's watcher still sees new events and that
Dagster's own storage reads what this one wrote).

The files, tables and layout are Dagster's: the UI, the daemon and the
``dagster`` CLI read the same instance whether or not they use this class. A
home's dagster.yaml names it (``civstat.settings.HOME_INSTANCE_YAML``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """SQLite event log (one database per run, and the index) with its connections kept open."""

    # Databases kept open at once: a `civstat run` writes to the index and one
    # run at a time; the UI reads many runs, and each open one holds a file.
    MAX_OPEN = 8

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()   # least recently used first
        super().__init__(base_dir, inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # The base class's lock: one connection per database, so one user at a time.
        with self._db_lock:
            engine = self._engine(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn
                if shard != INDEX_SHARD_NAME:
                    # Write the run's pages into its .db file, where the UI's watcher looks.
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard), poolclass=StaticPool,
                # The lock above serialises threads; sqlite3 need not refuse them.
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > self.MAX_OPEN:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def close_connections(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self.close_connections()        # the run databases are deleted
        super().wipe()

    def dispose(self) -> None:
        self.close_connections()
        super().dispose()


class KeptOpenSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, event log, schedules under one directory),
    its event log with connections kept open."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = KeptOpenSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value) -> KeptOpenSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
