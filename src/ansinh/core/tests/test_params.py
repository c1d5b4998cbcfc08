"""The query readers of core/params.py: a bad value is the page's default, never an error."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import RequestFactory

from ansinh.core.params import (
    choice_param,
    date_param,
    id_param,
    int_param,
    month_param,
    safe_next,
    text_param,
)
from ansinh.core.periods import parse_period

DEFAULT = date(2026, 3, 16)


@pytest.mark.parametrize("value", [None, "", "0001-01-01", "9999-12-31", "2026-02-30",
                                   "0000-00-00", "1899-12-31", "2101-01-01", "2026-03-16\x00",
                                   "x" * 10_000, "abc"])
def test_a_bad_or_far_date_is_the_default(value: str | None) -> None:
    assert date_param(value, DEFAULT) == DEFAULT


def test_a_good_date_is_read_at_the_bounds() -> None:
    assert date_param("1900-01-01", DEFAULT) == date(1900, 1, 1)
    assert date_param("2100-12-31", DEFAULT) == date(2100, 12, 31)
    assert month_param("2026-07", DEFAULT) == date(2026, 7, 1)
    assert month_param("2026-07-19", DEFAULT) == date(2026, 7, 1)
    assert month_param("9999-12", DEFAULT) == DEFAULT


@pytest.mark.parametrize("value", ["99999999999999999999", str(2**63), "-1", "0", "²", "1.5",
                                   "1e3", "\x00", "", None, " ", "١٢"])
def test_a_record_number_is_a_positive_bigint(value: str | None) -> None:
    assert id_param(value) is None


def test_numbers_within_bounds() -> None:
    assert id_param(str(2**63 - 1)) == 2**63 - 1
    assert id_param("42") == 42
    assert int_param("-5", 0, low=-10, high=10) == -5
    assert int_param("11", 3, low=-10, high=10) == 3


def test_text_and_choices() -> None:
    assert text_param("Hồ\x00Văn") == "HồVăn"
    assert len(text_param("x" * 10_000)) == 200
    assert choice_param("vi", ("vi", "en"), "en") == "vi"
    assert choice_param("'; drop", ("vi", "en"), "en") == "en"


def test_a_period_outside_the_calendar_is_refused() -> None:
    for text in ("0000", "9999", "1899-12", "2101-Q1"):
        with pytest.raises(ValueError, match="invalid period"):
            parse_period(text)
    assert parse_period("2100-12").end == date(2100, 12, 31)


@pytest.mark.parametrize("value", ["//evil.com", "https://evil.com", "/\\evil.com",
                                   "javascript:alert(1)", "\\\\evil.com", "/ok\x00", ""])
def test_next_elsewhere_is_the_default(value: str) -> None:
    request = RequestFactory().get("/")
    assert safe_next(request, value, "/home/") == "/home/"


def test_next_on_the_site_is_kept() -> None:
    request = RequestFactory().get("/")
    assert safe_next(request, "/van-dong/?span=week", "/home/") == "/van-dong/?span=week"
    assert safe_next(request, "http://testserver/x/", "/home/") == "http://testserver/x/"
    secure = RequestFactory().get("/", secure=True)
    assert safe_next(secure, "http://testserver/x/", "/home/") == "/home/"
