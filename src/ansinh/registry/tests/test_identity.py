from __future__ import annotations

import pytest

from ansinh.registry.identity import (
    check_national_id,
    check_si_number,
    normalize_national_id,
    parse_national_id,
)


def test_id_encodes_province_sex_and_birth_year() -> None:
    facts = parse_national_id("046185001234")
    assert (facts.province_code, facts.sex, facts.birth_year) == ("046", "F", 1985)
    assert parse_national_id("046205001234").birth_year == 2005
    assert parse_national_id("046205001234").sex == "M"


@pytest.mark.parametrize(
    ("value", "sex", "year", "problem"),
    [
        ("04618500123", "F", 1985, "12"),          # 11 digits
        ("003185001234", "F", 1985, "003"),        # 003 is not a province code
        ("046185001234", "M", 1985, "Sex"),        # digit 1 = woman born 1900s
        ("046185001234", "F", 1986, "1985"),       # year in ID differs
    ],
)
def test_inconsistent_ids_are_explained(value: str, sex: str, year: int, problem: str) -> None:
    problems = check_national_id(value, sex=sex, birth_year=year)
    assert problems and problem in " ".join(problems)


def test_consistent_id_has_no_problem() -> None:
    assert check_national_id("046085001234", sex="M", birth_year=1985) == []


def test_spreadsheet_numbers_get_their_leading_zeros_back() -> None:
    assert normalize_national_id(46185001234) == "046185001234"
    assert normalize_national_id(46185001234.0) == "046185001234"
    assert normalize_national_id(" 046 185 001 234 ") == "046185001234"


def test_si_number_is_ten_digits() -> None:
    assert check_si_number("4612345678") == []
    assert check_si_number("46123") != []
