"""Contract and row accounting of every delivered file, against the ingestion ledger.

Ingestion keeps a ledger (one entry per delivered file: loaded, superseded or
rejected, rows read / loaded / quarantined). ``int_ingestion__file_accounting``
sets it next to the rows actually on file. A slot whose newest file broke the
contract (rejected: the figures would come from an older version, or from
none), or whose counts disagree (rows lost or doubled between the file and
the warehouse), withholds the figures of its source for its period.
"""

from __future__ import annotations

import great_expectations as gx

from expectations.rules import Rule, Suite

E = gx.expectations

KEYS = "source, period, delivery_slot, newest_file"


def _rule(rule_id: str, zh: str, en: str, broken_when: str) -> Rule:
    return Rule(rule_id, zh, en, E.UnexpectedRowsExpectation(
        description=en, unexpected_rows_query=f"select {KEYS} from {{batch}} where {broken_when}"))


INGESTION_ACCOUNTING = Suite(
    name="ingestion_accounting",
    relation="intermediate.int_ingestion__file_accounting",
    key_columns=("source", "period", "delivery_slot", "newest_file"),
    rules=(
        _rule("I01", "最新报送的文件符合数据规范并已入库", "the newest file delivered met the contract and is the one held",
              "newest_status = 'rejected' or held_file is distinct from newest_file"),
        _rule("I02", "读取行数 = 入库行数 + 隔离行数（台账）", "rows read = loaded + quarantined, as the ledger recorded",
              "rows_read is distinct from rows_loaded + rows_quarantined"),
        _rule("I03", "入库行数与台账一致", "rows on file in the warehouse = rows the ledger says were loaded",
              "rows_loaded_on_file is distinct from rows_loaded"),
        _rule("I04", "隔离行数与台账一致", "rows in quarantine = rows the ledger says were quarantined",
              "held_file is not null and rows_quarantined_on_file is distinct from rows_quarantined"),
    ),
    withholds="each slot's source",
    period_column="period",
    figures_column="source",
)
