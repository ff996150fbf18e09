"""A rule is data: an id, what it checks in Chinese and English, its severity,
and the GX expectation that checks it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import great_expectations as gx


class Severity(str, Enum):
    """Kept apart on purpose (targets.md): a broken validity rule is a data
    error that blocks publication; a plan target not reached is a finding."""

    VALIDITY = "validity"   # data wrong: blocks publication
    FINDING = "finding"     # plan target not met: reported to leadership


@dataclass(frozen=True)
class Rule:
    id: str
    description_zh: str
    description_en: str
    expectation: gx.expectations.Expectation
    severity: Severity = Severity.VALIDITY


@dataclass(frozen=True)
class Suite:
    """Rules over one relation of the warehouse, identified by key columns."""

    name: str
    relation: str              # schema-qualified, e.g. marts.fct_monthly_assistance_households
    key_columns: tuple[str, ...]
    rules: tuple[Rule, ...]
    # The figures a failing validity rule withholds, by period (a key column),
    # instead of stopping the whole publication; None: the suite blocks it.
    withholds: str | None = None
    period_column: str | None = None
