"""Retirement age: POLICY.md §3 table for every birth month 1961-1976 (Labour Code 2019 Art. 169;
Decree 135/2020 Appendix I)."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.policy import InvalidInput, retirement_age


def ym(text: str) -> tuple[int, int]:
    month, year = text.split("/")
    return int(year), int(month)


# POLICY.md §3, copied row by row: born from, born to, age (y, m), reached from, reached to.
MEN = [
    ("01/1961", "09/1961", 60, 3, "04/2021", "12/2021"),
    ("10/1961", "06/1962", 60, 6, "04/2022", "12/2022"),
    ("07/1962", "03/1963", 60, 9, "04/2023", "12/2023"),
    ("04/1963", "12/1963", 61, 0, "04/2024", "12/2024"),
    ("01/1964", "09/1964", 61, 3, "04/2025", "12/2025"),
    ("10/1964", "06/1965", 61, 6, "04/2026", "12/2026"),
    ("07/1965", "03/1966", 61, 9, "04/2027", "12/2027"),
    ("04/1966", "12/1976", 62, 0, "04/2028", "12/2038"),
]
WOMEN = [
    ("01/1961", "12/1965", 55, 0, "01/2016", "12/2020"),  # before the roadmap: 55 years
    ("01/1966", "08/1966", 55, 4, "05/2021", "12/2021"),
    ("09/1966", "04/1967", 55, 8, "05/2022", "12/2022"),
    ("05/1967", "12/1967", 56, 0, "05/2023", "12/2023"),
    ("01/1968", "08/1968", 56, 4, "05/2024", "12/2024"),
    ("09/1968", "04/1969", 56, 8, "05/2025", "12/2025"),
    ("05/1969", "12/1969", 57, 0, "05/2026", "12/2026"),
    ("01/1970", "08/1970", 57, 4, "05/2027", "12/2027"),
    ("09/1970", "04/1971", 57, 8, "05/2028", "12/2028"),
    ("05/1971", "12/1971", 58, 0, "05/2029", "12/2029"),
    ("01/1972", "08/1972", 58, 4, "05/2030", "12/2030"),
    ("09/1972", "04/1973", 58, 8, "05/2031", "12/2031"),
    ("05/1973", "12/1973", 59, 0, "05/2032", "12/2032"),
    ("01/1974", "08/1974", 59, 4, "05/2033", "12/2033"),
    ("09/1974", "04/1975", 59, 8, "05/2034", "12/2034"),
    ("05/1975", "12/1976", 60, 0, "05/2035", "12/2036"),
]


def cases() -> list[tuple[str, date, int, int, date, date]]:
    out = []
    for sex, table in (("M", MEN), ("F", WOMEN)):
        for born_from, born_to, years, months, reached_from, reached_to in table:
            y, m = ym(born_from)
            end = ym(born_to)
            first = True
            while (y, m) <= end:
                reached_idx = y * 12 + m - 1 + years * 12 + months
                reached = date(reached_idx // 12, reached_idx % 12 + 1, 1)
                # the table's "month reached" column, checked at the ends of each row
                if first:
                    assert (reached.year, reached.month) == ym(reached_from)
                    first = False
                out.append((sex, date(y, m, 15), years, months, reached, date(*ym(reached_to), 1)))
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            assert (reached.year, reached.month) == ym(reached_to)
    return out


CASES = cases()


def test_every_birth_month_1961_1976_is_covered() -> None:
    assert len([c for c in CASES if c[0] == "M"]) == 16 * 12
    assert len([c for c in CASES if c[0] == "F"]) == 16 * 12


@pytest.mark.parametrize(("sex", "birth", "years", "months", "reached", "_"), CASES)
def test_retirement_table(
    sex: str, birth: date, years: int, months: int, reached: date, _: date
) -> None:
    ra = retirement_age(sex, birth)
    assert (ra.years, ra.months, ra.reached_month) == (years, months, reached)
    next_month = date(reached.year + reached.month // 12, reached.month % 12 + 1, 1)
    assert ra.pension_from == next_month
    assert not ra.provisional or birth < date(1966, 1, 1)


def test_official_anchors_and_json() -> None:
    d = retirement_age("M", date(1965, 1, 1)).to_dict()
    assert d["retirement_age_years"] == 61
    assert d["retirement_age_months"] == 6
    assert d["reached_month"] == "2026-07"
    assert d["pension_from"] == "2026-08-01"
    assert retirement_age("M", date(1968, 1, 1)).reached_month == date(2030, 1, 1)


def test_bad_sex() -> None:
    with pytest.raises(InvalidInput):
        retirement_age("X", date(1970, 1, 1))
