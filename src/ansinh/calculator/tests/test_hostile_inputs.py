"""The public calculator's inputs typed as a careless or hostile visitor would (issue 13): huge
incomes, year 0 and 9999, a birth year 0 or 99999, unknown sexes, digits that are not ASCII.
Each answers the page with a form error in the page's language, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ansinh.calculator.forms import BIRTH_ERROR

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
PATH = {"sex": "F", "birth": "1980", "category": "poor", "paid_years": "8", "paid_months": "3",
        "past_income": "2000000", "future_income": "1500000"}
CASH_OUT = {**PATH, "last_paid": "2025-10", "ground": "twelve_months_out"}


def _get(language: str, name: str, data: dict[str, str]) -> Any:
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with time_machine.travel("2026-03-16 09:00 +07:00", tick=False):
        return client.get(reverse(name), data)


# (page, the field typed, the value, the error's words in Vietnamese and in English)
CASES = [
    ("calculator:pay", {"income": HUGE}, "Số tiền quá lớn", "The amount is too large"),
    ("calculator:pay", {"income": "2²000000"}, "Nhập số tiền bằng chữ số",
     "Enter an amount in VND"),
    ("calculator:pay", {"on": "0000-01-01"}, "Ngày không hợp lệ", "Invalid date"),
    ("calculator:pay", {"on": "0001-01-01"}, "từ năm 1900 đến năm 2100", "between 1900 and 2100"),
    ("calculator:pay", {"on": "9999-12-31"}, "từ năm 1900 đến năm 2100", "between 1900 and 2100"),
    ("calculator:pay", {"mode": "advance", "years": HUGE}, "Nhập một số nguyên",
     "Enter a whole number"),
    ("calculator:benefits", {**PATH, "birth": "0"}, "Năm sinh hoặc tháng sinh không hợp lệ",
     "invalid birth year"),
    ("calculator:benefits", {**PATH, "birth": "99999"}, "Năm sinh hoặc tháng sinh không hợp lệ",
     "invalid birth year"),
    ("calculator:benefits", {**PATH, "birth": "0000"}, "Năm sinh hoặc tháng sinh không hợp lệ",
     "invalid birth year"),
    ("calculator:benefits", {**PATH, "future_income": HUGE}, "Số tiền quá lớn",
     "The amount is too large"),
    ("calculator:benefits", {**PATH, "start": "9999-12"}, "Tháng không hợp lệ",
     "Invalid month"),
    ("calculator:cash_out", {**CASH_OUT, "past_income": "1" + "0" * 400}, "Số tiền quá lớn",
     "The amount is too large"),
    ("calculator:cash_out", {**CASH_OUT, "last_paid": "0000-01"}, "Tháng không hợp lệ",
     "Invalid month"),
    ("calculator:cash_out", {**CASH_OUT, "claim_on": "9999-12-31"}, "từ năm 1900 đến năm 2100",
     "between 1900 and 2100"),
]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("name", "data", "vi", "en"), CASES,
                         ids=[f"{c[0]}-{next(iter(c[1].values()))[:12]}" for c in CASES])
def test_a_hostile_input_is_a_form_error_in_the_pages_language(
        name: str, data: dict[str, str], vi: str, en: str, language: str) -> None:
    response = _get(language, name, data)
    assert response.status_code in (200, 400), response.status_code
    text = response.content.decode()
    expected, other = (vi, en) if language == "vi" else (en, vi)
    assert expected in text, f"{name} {data}: no {expected!r}"
    if vi not in BIRTH_ERROR:  # the birth field's error is written in both languages at once
        assert other not in text


@pytest.mark.parametrize("sex", ["X", "", "\u00a0", "MF", "Nam", HUGE])
def test_an_unknown_sex_is_refused_as_a_choice(sex: str) -> None:
    response = _get("en", "calculator:benefits", {**PATH, "sex": sex})
    assert response.status_code in (200, 400)
    assert "Invalid choice" in response.content.decode() or "required" in \
        response.content.decode().lower()


@pytest.mark.parametrize("name", ["calculator:pay", "calculator:benefits",
                                  "calculator:cash_out", "calculator:sheet"])
def test_every_field_huge_at_once_is_no_server_error(name: str) -> None:
    fields = {**CASH_OUT, "income": HUGE, "years": HUGE, "on": "9999-12-31", "start": "9999-12",
              "claim_on": "0001-01-01", "mode": "advance"}
    for value in (HUGE, "0", "-1", "0000-00-00", "\u0661\u0662", "²"):
        response = _get("vi", name, {key: value for key in fields})
        assert response.status_code < 500, (value, response.status_code)
