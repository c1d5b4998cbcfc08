"""Prospect rule at its boundaries, and the SQL filter agreeing with the Python test."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ansinh.registry.models import Person, SIStatus
from ansinh.registry.prospects import is_prospect, prospect_q, retirement_date


def _person(born: date, sex: str = "F", status: str = SIStatus.NONE) -> Person:
    return Person(full_name="X", birth_date=born, sex=sex, si_status=status)


def test_fifteenth_birthday_boundary() -> None:
    born = date(2011, 4, 1)
    assert not is_prospect(_person(born), date(2026, 3, 31))
    assert is_prospect(_person(born), date(2026, 4, 1))


def test_retirement_age_comes_from_the_roadmap() -> None:
    # man born 01/1965 retires at 61y6m (POLICY.md §3): reaches it in 07/2026
    born = date(1965, 1, 10)
    assert retirement_date("M", born) == date(2026, 7, 10)
    assert is_prospect(_person(born, "M"), date(2026, 7, 9))
    assert not is_prospect(_person(born, "M"), date(2026, 7, 10))
    # woman born 05/1969 retires at 57y
    assert retirement_date("F", date(1969, 5, 20)) == date(2026, 5, 20)


@pytest.mark.parametrize("status", [SIStatus.COMPULSORY, SIStatus.PENSIONER, SIStatus.DECEASED])
def test_covered_people_are_not_prospects(status: str) -> None:
    assert not is_prospect(_person(date(1990, 1, 1), status=status), date(2026, 1, 1))


def test_lump_sum_withdrawers_may_rejoin() -> None:
    assert is_prospect(_person(date(1990, 1, 1), status=SIStatus.LUMP_SUM), date(2026, 1, 1))


@pytest.mark.parametrize("on", [date(2026, 3, 31), date(2026, 7, 1), date(2030, 1, 1)])
def test_sql_filter_agrees_with_python(world: dict[str, Any], on: date) -> None:
    in_sql = set(Person.objects.filter(prospect_q(on)).values_list("id", flat=True))
    in_python = {p.id for p in Person.objects.all() if is_prospect(p, on)}
    assert in_sql == in_python
    assert in_sql  # the demo has prospects


def test_sql_filter_at_the_exact_retirement_day(db: None, world: dict[str, Any]) -> None:
    village = world["villages"][0]
    born = date(1965, 1, 10)
    person = Person.objects.create(full_name="Hồ Văn Test", birth_date=born, sex="M",
                                   village=village, office=world["office"])
    day = retirement_date("M", born)
    assert Person.objects.filter(prospect_q(day - timedelta(days=1)), pk=person.pk).exists()
    assert not Person.objects.filter(prospect_q(day), pk=person.pk).exists()
