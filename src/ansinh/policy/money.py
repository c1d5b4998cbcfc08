"""Money, rate and month helpers shared by the calculators (no legal numbers here)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ONE = Decimal(1)
ZERO = Decimal(0)
_HALF = Decimal("0.5")
_CENT = Decimal("0.01")


def vnd(amount: Decimal | int) -> int:
    """Round to the đồng, half up, and return an int."""
    if isinstance(amount, int):
        return amount
    return int(amount.quantize(ONE, rounding=ROUND_HALF_UP))


def rate_str(rate: Decimal) -> str:
    """A rate as a decimal string with at least two decimals: 0.3 -> "0.30", 0.405 -> "0.405"."""
    exponent = rate.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return format(rate.normalize(), "f")
    return format(rate.quantize(_CENT), "f")


def years_str(years: Decimal) -> str:
    """Benefit years as a decimal string with one decimal: "15.0", "15.5"."""
    return str(years.quantize(Decimal("0.1")))


def month_index(d: date) -> int:
    """Months since year 0: a total order on calendar months."""
    return d.year * 12 + d.month - 1


def month_start(index: int) -> date:
    """First day of the month with this index."""
    return date(index // 12, index % 12 + 1, 1)


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    """First day of the month ``months`` after the month of ``d``."""
    return month_start(month_index(d) + months)


def month_str(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def benefit_years(months: int, half_year_max: int) -> Decimal:
    """Contribution months as benefit years: full years, odd months 1..half_year_max = 0.5, more = 1
    (Law 41/2024 Art. 5(6))."""
    full, odd = divmod(months, 12)
    if odd == 0:
        return Decimal(full)
    return Decimal(full) + (_HALF if odd <= half_year_max else ONE)
