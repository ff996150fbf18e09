"""The figures found so far and the warehouse's rounding, shared by the domain modules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from checks import duck_round


class Figures:
    """The figures found so far, keyed (figure, period) for one county."""

    def __init__(self, county12: str):
        self.county12 = county12
        self.values: dict[tuple[str, str], float] = {}

    def target(self, target_id: str, year, value) -> None:
        if value is not None:
            self.values[(f"target:{target_id}", str(year))] = value

    def measure(self, name: str, month: str, value) -> None:
        if value is not None:
            self.values[(f"measure:{name}", month)] = value

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [(figure, self.county12, period, f"{self.values[(figure, period)]:.4f}")
                for figure, period in sorted(self.values)]


def rate(numerator, denominator):
    """A percentage with two decimals (None when the denominator is 0 or missing)."""
    if denominator is None or denominator == 0 or numerator is None:
        return None
    return _half_up(100 * _exact(numerator), _exact(denominator))


def mean(numerator, denominator):
    if denominator is None or denominator == 0 or numerator is None:
        return None
    return _half_up(_exact(numerator), _exact(denominator))


def _exact(value) -> Decimal:
    """Floats reach here already rounded to at most 10 decimals."""
    return Decimal(f"{value:.10f}") if isinstance(value, float) else Decimal(int(value) if hasattr(value, "item")
                                                                              else value)


def _half_up(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Official figures round half up exactly (1.005 is 1.01), as the warehouse does."""
    with localcontext() as ctx:
        ctx.prec = 40
        return (numerator / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def stock4(value):
    """A measure as the report form stores it: four decimals."""
    return None if value is None else duck_round(float(value), 4)
