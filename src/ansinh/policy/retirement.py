"""Retirement age (Labour Code 2019 Art. 169(2); Decree 135/2020 Appendix I; Law 41/2024 Art. 98).

The age that applies is the one for the calendar year in which the person reaches it; the pension
starts on the first day of the following month (Circular 11/2025/TT-BNV Art. 5(1)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ansinh.policy.errors import InvalidInput
from ansinh.policy.history import check_sex
from ansinh.policy.money import add_months, month_index, month_start, month_str
from ansinh.policy.parameters import Lookup, ParameterTree, ParamValue
from ansinh.policy.results import Breakdown


@dataclass(frozen=True)
class RetirementAge(Breakdown):
    sex: str
    birth: date
    years: int
    months: int
    reached_month: date
    pension_from: date
    parameters: tuple[ParamValue, ...] = ()

    @property
    def age_months(self) -> int:
        return self.years * 12 + self.months

    def to_dict(self) -> dict[str, Any]:
        return {
            "sex": self.sex,
            "birth": self.birth.isoformat(),
            "retirement_age_years": self.years,
            "retirement_age_months": self.months,
            "reached_month": month_str(self.reached_month),
            "pension_from": self.pension_from.isoformat(),
            "provisional": self.provisional,
            "references": self.references(),
        }


def _age_in_year(lk: Lookup, sex: str, year: int) -> tuple[int, ParamValue]:
    pv = lk.tree.get("retirement.age", date(year, 1, 1))
    assert isinstance(pv.value, Mapping)
    by_year = pv.value[sex]
    assert isinstance(by_year, Mapping)
    years = sorted(int(y) for y in by_year)
    key = min(max(year, years[0]), years[-1])
    months = by_year[str(key)]
    assert isinstance(months, int)
    return months, pv


def age_in_year(lk: Lookup, sex: str, year: int) -> int:
    """Retirement age in months for people reaching it in calendar ``year``."""
    months, pv = _age_in_year(lk, sex, year)
    lk.used[(pv.name, pv.start)] = pv
    return months


def retirement_age_months(lk: Lookup, sex: str, birth: date) -> tuple[int, date]:
    """(age in months, month the age is reached) for a person born in ``birth``'s month: the age
    for the calendar year in which it is reached (first year whose age is reached that year)."""
    born = month_index(birth)
    # The first year that can hold the answer: nobody retires before 50, and the roadmap's first
    # dated value (60 / 55) covers everyone who reached the age before it took effect.
    first_year = max(birth.year + 50, lk.tree.parameter("retirement.age").starts[0].year)
    for year in range(first_year, birth.year + 80):
        age, pv = _age_in_year(lk, sex, year)
        reached = month_start(born + age)
        if reached.year <= year:
            lk.used[(pv.name, pv.start)] = pv
            return age, reached
    raise InvalidInput(  # pragma: no cover - the roadmap always yields a year
        "Không xác định được tuổi nghỉ hưu", "cannot determine the retirement age"
    )


def retirement_age(sex: str, birth: date, tree: ParameterTree | None = None) -> RetirementAge:
    """Retirement age, the month it is reached and the pension start for a person.

    If only the birth year is known, pass 1 January of that year (Circular 11/2025 Art. 5(7)).
    """
    check_sex(sex)
    lk = Lookup(tree)
    age, reached = retirement_age_months(lk, sex, birth)
    return RetirementAge(
        sex=sex,
        birth=birth,
        years=age // 12,
        months=age % 12,
        reached_month=reached,
        pension_from=add_months(reached, 1),
        parameters=lk.parameters(),
    )
