"""Target periods: a year, a quarter or a month, written `2026`, `2026-Q3` or `2026-07`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext

YEAR, QUARTER, MONTH = "year", "quarter", "month"

_PATTERNS = (
    (re.compile(r"^(\d{4})$"), YEAR),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), MONTH),
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clipped to the month's end (31 Mar - 1 month = 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: date

    @property
    def months(self) -> int:
        return {YEAR: 12, QUARTER: 3, MONTH: 1}[self.kind]

    @property
    def end(self) -> date:
        """The last day of the period."""
        return add_months(self.start, self.months) - timedelta(days=1)

    @property
    def code(self) -> str:
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        """The period in words, in the active language: năm 2026, quý 3/2026, tháng 07/2026."""
        if self.kind == YEAR:
            return gettext("năm %(year)s") % {"year": self.start.year}
        if self.kind == QUARTER:
            return gettext("quý %(quarter)s/%(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return gettext("tháng %(month)s") % {"month": f"{self.start:%m/%Y}"}

    def shifted_years(self, years: int) -> Period:
        return Period(self.kind, self.start.replace(year=self.start.year + years))

    def clip(self, as_of: date) -> date:
        """The last day counted when looking on `as_of`: the period end or `as_of`."""
        return min(as_of, self.end)

    def month_starts(self) -> list[date]:
        return [add_months(self.start, index) for index in range(self.months)]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def parent(self) -> Period | None:
        """The year of a quarter or month; None for a year."""
        if self.kind == YEAR:
            return None
        return Period(YEAR, date(self.start.year, 1, 1))


def parse_period(text: str) -> Period:
    """`2026` → year, `2026-Q3` → quarter, `2026-07` → month; ValueError otherwise."""
    text = text.strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if not 1900 <= year <= 2100:
            break  # the calendar arithmetic of a year 0 or 9999 leaves Python's dates
        if kind == YEAR:
            return Period(YEAR, date(year, 1, 1))
        if kind == QUARTER:
            return Period(QUARTER, date(year, 3 * int(match.group(2)) - 2, 1))
        return Period(MONTH, date(year, int(match.group(2)), 1))
    raise ValueError(f"kỳ không hợp lệ: {text!r} (2026, 2026-Q3 hoặc 2026-07) / "
                     f"invalid period {text!r} (2026, 2026-Q3 or 2026-07)")


def period_of(kind: str, start: date) -> Period:
    return Period(kind, start)
