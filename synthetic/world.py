"""What every source generator receives: the county, the period, random streams, the truth."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterator

from synthetic.delivery import DefectLog
from synthetic.regions import County


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def ratio(numerator: int | Decimal, denominator: int | Decimal, places: int = 4) -> str | None:
    """A rate as an exact decimal string, or None ("no data") when the denominator is 0."""
    if not denominator:
        return None
    q = Decimal(1).scaleb(-places)
    return str((Decimal(numerator) / Decimal(denominator)).quantize(q, ROUND_HALF_UP))


@dataclass
class Truth:
    """The ground truth written to ``_truth/truth.json``.

    ``targets`` holds one row per target (targets.md), region and year, computed
    from the generator's own model; ``sections`` holds each source's detail.
    """

    targets: list[dict] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)

    def target(self, target_id: str, region: str, year: int, value: str | None, *,
               numerator: int | str | None = None, denominator: int | str | None = None,
               failing: list[str] | None = None) -> None:
        """Record a target's true value; ``value`` None means "no data" (never 0).

        ``failing`` lists the places or records breaking a 100 % rule.
        """
        row = {"target": target_id, "region": region, "year": year, "value": value}
        if numerator is not None:
            row["numerator"] = numerator
        if denominator is not None:
            row["denominator"] = denominator
        if failing is not None:
            row["failing"] = sorted(failing)
        self.targets.append(row)


@dataclass
class GenerationContext:
    out: Path
    seed: int
    scale: str
    first_month: dt.date            # first day of the first generated month
    last_month: dt.date             # first day of the last generated month
    defect_rate: float
    # Planted breaches of the validity rules (the marriage rules M01–M09);
    # off for a corpus on which every validity suite must pass.
    rule_breaches: bool = True
    defects: DefectLog = field(default_factory=DefectLog)
    truth: Truth = field(default_factory=Truth)
    # People one source creates that another must show, per county: e.g.
    # registry["deaths"] holds spouses whose death the marriage model needs
    # in the cremation records (rule M05); registry["issued_ids"] the IDs the
    # marriage parties hold, which no later source may reuse. Sources run in
    # GENERATORS order.
    registry: dict[str, Any] = field(default_factory=dict)

    def rng(self, county: County, stream: str) -> random.Random:
        """An independent random stream per county and source: a change in one
        source's model leaves every other source's files unchanged."""
        return self.rng_for(county.code6, stream)

    def rng_for(self, county6: str, stream: str) -> random.Random:
        return random.Random(f"{self.seed}:{county6}:{stream}")

    @property
    def end(self) -> dt.date:
        """The last day of the generated period."""
        return month_end(self.last_month.year, self.last_month.month)

    def months(self) -> Iterator[tuple[int, int]]:
        year, month = self.first_month.year, self.first_month.month
        while (year, month) <= (self.last_month.year, self.last_month.month):
            yield year, month
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def years(self) -> range:
        return range(self.first_month.year, self.last_month.year + 1)
