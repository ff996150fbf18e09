"""Explained exceptions (说明的例外): the data team's audit table.

A record can break a validity rule for a reason the data cannot show: a
marriage ended by a court divorce is not in the registry, so rule M05 flags
the new marriage. The office explains it; a data-team member records the
explanation with ``civstat exception add``. The statement is appended (never
edited) to ``<home>/quality/exceptions/``, one Parquet file per statement, which
dbt reads as the source ``quality.exceptions``; a withdrawal is a later
statement. The rule results then mark the record explained, it stops
withholding figures, and the publication lists the exception beside them.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    # Names for the annotations only: importing them imports Great
    # Expectations (6-8 CPU seconds), which `civstat dbt`, `civstat report`
    # and `civstat exception list` do not use (`exception add` loads the
    # suites to check the rule it is given).
    from expectations.rules import Suite
    from expectations.runner import SuiteResult

SCHEMA = pa.schema([
    ("exception_id", pa.string()),
    ("suite", pa.string()),
    ("rule_id", pa.string()),
    ("record_key", pa.string()),
    ("reason", pa.string()),
    ("recorded_by", pa.string()),
    ("recorded_at", pa.timestamp("us", tz="UTC")),
    ("is_withdrawn", pa.bool_()),
])


@dataclass(frozen=True)
class ExplainedException:
    suite: str
    rule_id: str
    record_key: str
    reason: str
    recorded_by: str
    is_withdrawn: bool = False


class ExceptionRegister:
    """The append-only register under ``<home>/quality/exceptions``."""

    def __init__(self, home: Path) -> None:
        self.folder = Path(home) / "quality" / "exceptions"

    def ensure(self) -> None:
        """An empty register is a file too: dbt's source must find one."""
        self.folder.mkdir(parents=True, exist_ok=True)
        empty = self.folder / "00000000-empty.parquet"
        if not any(self.folder.glob("*.parquet")):
            write_parquet_atomic(SCHEMA.empty_table(), empty)

    def record(self, statement: ExplainedException) -> str:
        for name in ("suite", "rule_id", "record_key", "reason", "recorded_by"):
            if not str(getattr(statement, name)).strip():
                raise ValueError(f"an explained exception needs {name}")
        self.ensure()
        now = dt.datetime.now(dt.UTC)
        exception_id = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
        row = {**statement.__dict__, "exception_id": exception_id, "recorded_at": now}
        table = pa.Table.from_pylist([row], schema=SCHEMA)
        write_parquet_atomic(table, self.folder / f"{exception_id}.parquet")
        return exception_id

    def explained(self, suite: str) -> dict[tuple[str, str], str]:
        """(rule, record) → reason, for the statements in force for ``suite``
        (the latest per rule and record, unless it was a withdrawal)."""
        latest: dict[tuple[str, str], dict] = {}
        for statement in self.statements():
            if statement["suite"] == suite:
                latest[(statement["rule_id"], statement["record_key"])] = statement
        return {key: s["reason"] for key, s in latest.items() if not s["is_withdrawn"]}

    def statements(self) -> list[dict]:
        """Every statement ever recorded, oldest first (the audit trail)."""
        self.ensure()
        tables = [pq.read_table(p, schema=SCHEMA) for p in sorted(self.folder.glob("*.parquet"))]
        return sorted(pa.concat_tables(tables).to_pylist(), key=lambda r: (r["recorded_at"], r["exception_id"]))


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """A statement appears whole or not at all."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def release_explained(suite: Suite, result: SuiteResult, explained: dict[tuple[str, str], str]) -> SuiteResult:
    """A rule whose every failing record is explained no longer fails: its
    records stop withholding figures and are counted as explained. (Only when
    every failing record was listed: a truncated list cannot be released.)"""
    rules = []
    for rule in result.rules:
        keys = [k for k in rule.failing_keys if (rule.rule_id, suite.record_key(k)) not in explained]
        released = len(rule.failing_keys) - len(keys)
        complete = rule.unexpected_count is not None and rule.unexpected_count == len(rule.failing_keys)
        rules.append(replace(rule, failing_keys=keys, explained_count=released,
                             success=rule.success or (complete and not keys and rule.error is None)))
    return replace(result, rules=rules)
