"""What each source delivers, as data: file names, formats, columns, personal fields.

The contract of the outside world is ``extracts.md``; this module is its
machine-readable copy. Row rules that need more than a column type live with
the source's reader (``rolls.py`` for the assistance roll).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceContract:
    key: str
    description: str
    period_kind: str          # "month", "year" or "day" (snapshot date)
    file_format: str          # "csv" or "xlsx"
    expected_encoding: str    # what the contract says; the reader detects anyway
    required_columns: tuple[str, ...]
    personal_columns: tuple[str, ...]

    @property
    def file_pattern(self) -> re.Pattern[str]:
        digits = {"month": 6, "year": 4, "day": 8}[self.period_kind]
        return re.compile(
            rf"{re.escape(self.key)}_(?P<issuer>[0-9A-Za-z]+)_(?P<period>\d{{{digits}}})"
            rf"(?:_v(?P<version>\d+))?\.{self.file_format}"
        )

    def period_key(self, digits: str) -> str:
        """File-name period → partition key: 202403 → 2024-03, 2024, 20240331 → 2024-03-31."""
        if self.period_kind == "month":
            return f"{digits[:4]}-{digits[4:]}"
        if self.period_kind == "day":
            return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
        return digits


ASSISTANCE = SourceContract(
    key="assistance",
    description="低保和特困救助对象月度名册（社会救助信息系统）",
    period_kind="month",
    file_format="csv",
    expected_encoding="gbk",
    required_columns=(
        "行政区划代码", "家庭编号", "户主姓名", "户主身份证号", "救助类型", "保障人口数",
        "月保障金额", "保障标准", "供养方式", "自理能力", "集中供养意愿", "纳入日期",
        "状态", "停保日期",
    ),
    personal_columns=("户主姓名", "户主身份证号"),
)

CONTRACTS: dict[str, SourceContract] = {c.key: c for c in (ASSISTANCE,)}
