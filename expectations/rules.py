"""A rule is data: an id, what it checks in Chinese and English, its severity,
and the GX expectation that checks it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import great_expectations as gx


class Severity(str, Enum):
    """Kept apart on purpose (targets.md): a broken validity rule is a data
    error that blocks publication; a plan target not reached is a finding."""

    VALIDITY = "validity"   # data wrong: withholds the figures it touches (or blocks publication)
    FINDING = "finding"     # plan target not met: reported to leadership
    # A gap already accounted for elsewhere (dbt severity "warn"; e.g. a
    # donation whose recipient's register row was quarantined): its records
    # are listed, nothing is withheld.
    WARNING = "warning"


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
    # Figures are named by their source (extracts.md), or, when one suite
    # guards several sources, by the key column ``figures_column``.
    withholds: str | None = None
    period_column: str | None = None
    figures_column: str | None = None

    def record_key(self, key: dict) -> str:
        """How a failing record is named in an explained exception: its key
        columns' values joined by '/' (the marriage rules use the certificate
        number, matched in SQL)."""
        return "/".join("" if key.get(c) is None else str(key[c]) for c in self.key_columns)
