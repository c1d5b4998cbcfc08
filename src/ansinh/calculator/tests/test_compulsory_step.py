"""The public calculator's optional step "I had compulsory SI": the years of a job counted with
the voluntary ones, on "Tôi sẽ nhận gì?", "Nếu rút BHXH một lần?" and the counselling sheet,
with the engine's numbers for the same mixed history."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.utils import translation

from ansinh.core.templatetags.money import format_vnd
from ansinh.policy import (
    ContributionPeriod,
    income_bounds,
    lump_sum,
    monthly_allowance,
    pension,
    retirement_age,
)
from ansinh.rules.presenting import duration_text

from .test_views import CASH_OUT, TODAY, _money, _text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield

BENEFITS = "/tinh/nhan-gi/"
CASH = "/tinh/rut-mot-lan/"


def _compulsory(start: date, end: date, salary: int) -> ContributionPeriod:
    return ContributionPeriod(start, end, salary, kind="compulsory")


def test_the_pension_counts_the_years_of_a_job(client: Any) -> None:
    response = client.get(BENEFITS, {
        "sex": "F", "birth": "03/1985", "category": "ethnic_minority", "paid_years": "3",
        "past_income": "2000000", "future_income": "2.000.000", "start": "2026-12",
        "compulsory_years": "8", "compulsory_salary": "7.500.000", "compulsory_end": "2019-12"})
    assert response.status_code == 200, _text(response)
    reached = retirement_age("F", date(1985, 3, 1)).reached_month
    history = [
        _compulsory(date(2012, 1, 1), date(2019, 12, 1), 7_500_000),
        ContributionPeriod(date(2023, 12, 1), date(2026, 11, 1), 2_000_000, "ethnic_minority"),
        ContributionPeriod(date(2026, 12, 1), reached, 2_000_000, "ethnic_minority"),
    ]
    expected = pension("F", date(1985, 3, 1), history, today=TODAY)
    assert expected.eligible and expected.months_compulsory == 96
    assert _money(response, "monthly_pension") == format_vnd(expected.monthly_pension)
    assert _money(response, "average_income") == format_vnd(expected.average_income)
    assert _money(response, "months_compulsory") == duration_text(96)
    # the same path without the job: a lower average income, a lower pension
    voluntary = pension("F", date(1985, 3, 1), history[1:], today=TODAY)
    assert voluntary.monthly_pension < expected.monthly_pension


def test_left_empty_the_job_ends_just_before_the_voluntary_months(client: Any) -> None:
    response = client.get(BENEFITS, {
        "sex": "M", "birth": "1980", "paid_years": "2", "past_income": "1500000",
        "start": "2026-12", "compulsory_years": "5", "compulsory_salary": "6000000"})
    assert response.status_code == 200, _text(response)
    floor = income_bounds(TODAY).floor
    reached = retirement_age("M", date(1980, 1, 1)).reached_month
    history = [
        _compulsory(date(2019, 12, 1), date(2024, 11, 1), 6_000_000),
        ContributionPeriod(date(2024, 12, 1), date(2026, 11, 1), 1_500_000),
        ContributionPeriod(date(2026, 12, 1), reached, floor),
    ]
    expected = pension("M", date(1980, 1, 1), history, today=TODAY)
    assert _money(response, "monthly_pension") == format_vnd(expected.monthly_pension)


def test_twenty_compulsory_years_begun_before_july_2025_lift_the_pension_to_the_floor(
        client: Any) -> None:
    response = client.get(BENEFITS, {
        "sex": "M", "birth": "1968", "paid_years": "6", "paid_months": "11",
        "past_income": "1500000", "future_income": "1500000", "start": "2026-12",
        "compulsory_years": "20", "compulsory_salary": "3000000", "compulsory_end": "2019-12"})
    assert response.status_code == 200, _text(response)
    reached = retirement_age("M", date(1968, 1, 1)).reached_month
    history = [
        _compulsory(date(2000, 1, 1), date(2019, 12, 1), 3_000_000),
        ContributionPeriod(date(2020, 1, 1), date(2026, 11, 1), 1_500_000),
        ContributionPeriod(date(2026, 12, 1), reached, 1_500_000),
    ]
    expected = pension("M", date(1968, 1, 1), history, today=TODAY)
    assert expected.floor_applied and expected.monthly_pension == 2_530_000  # reference level
    assert _money(response, "monthly_pension") == format_vnd(2_530_000)
    said = _money(response, "floor_applied")
    assert "mức tham chiếu" in said and "20 năm" in said and "01/07/2025" in said
    # nineteen years: no floor
    fewer = client.get(BENEFITS, {
        "sex": "M", "birth": "1968", "paid_years": "6", "paid_months": "11",
        "past_income": "1500000", "future_income": "1500000", "start": "2026-12",
        "compulsory_years": "19", "compulsory_salary": "3000000", "compulsory_end": "2019-12"})
    assert fewer.status_code == 200
    assert 'data-key="floor_applied"' not in fewer.content.decode()
    assert _money(fewer, "monthly_pension") != format_vnd(2_530_000)


def test_the_lump_sum_of_a_job_alone_deducts_no_support(client: Any) -> None:
    response = client.get(CASH, {
        "sex": "F", "birth": "1985", "claim_on": "2026-11-28", "ground": "twelve_months_out",
        "compulsory_years": "10", "compulsory_salary": "7000000", "compulsory_end": "2024-12"})
    assert response.status_code == 200, _text(response)
    birth = date(1985, 1, 1)
    past = [_compulsory(date(2015, 1, 1), date(2024, 12, 1), 7_000_000)]
    cash = lump_sum(past, TODAY, "twelve_months_out", None, "F", birth)
    reached = retirement_age("F", birth).reached_month
    plan = [*past, ContributionPeriod(date(2026, 11, 1), reached, income_bounds(TODAY).floor)]
    kept = pension("F", birth, plan, today=TODAY)
    assert cash.allowed and cash.support_deducted == 0 and cash.amount > 0
    assert _money(response, "amount") == format_vnd(cash.amount)
    assert _money(response, "support_deducted") == format_vnd(0)
    assert _money(response, "monthly_pension") == format_vnd(kept.monthly_pension)
    assert "10 năm" in _money(response, "months_compulsory")


def test_a_mixed_lump_sum_deducts_the_support_of_the_voluntary_months_only(client: Any) -> None:
    response = client.get(CASH, {**CASH_OUT, "compulsory_years": "6",
                                 "compulsory_salary": "9000000"})
    assert response.status_code == 200, _text(response)
    birth = date(1980, 1, 1)
    voluntary = [ContributionPeriod(date(2017, 8, 1), date(2025, 10, 1), 2_000_000, "poor")]
    past = [_compulsory(date(2011, 8, 1), date(2017, 7, 1), 9_000_000), *voluntary]
    cash = lump_sum(past, TODAY, "twelve_months_out", None, "F", birth)
    alone = lump_sum(voluntary, TODAY, "twelve_months_out", None, "F", birth)
    plan = [*past, ContributionPeriod(date(2026, 11, 1), date(2040, 1, 1), 1_500_000, "poor")]
    kept = pension("F", birth, plan, today=TODAY)
    allowance = monthly_allowance("F", birth, past, TODAY, True)
    assert cash.support_deducted == alone.support_deducted > 0
    assert cash.gross > alone.gross
    for key, value in (("amount", cash.amount), ("support_deducted", cash.support_deducted),
                       ("contributions_paid", cash.contributions_paid),
                       ("monthly_pension", kept.monthly_pension),
                       ("monthly_amount", allowance.monthly_amount)):
        assert _money(response, key) == format_vnd(value), key


def test_the_sheet_lists_the_job(client: Any) -> None:
    response = client.get("/tinh/phieu-tu-van.pdf", {
        **CASH_OUT, "compulsory_years": "6", "compulsory_salary": "9000000"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(("extra", "field_text"), [
    ({"compulsory_years": "6"}, "Hãy nhập mức lương đã đóng BHXH bắt buộc"),
    ({"compulsory_years": "3", "compulsory_salary": "5000000", "compulsory_end": "2025-06"},
     "trùng với thời gian đóng tự nguyện"),
    ({"compulsory_years": "99", "compulsory_salary": "5000000"}, "Nhập"),
    ({"compulsory_years": "2", "compulsory_salary": "abc"}, "số tiền"),
    ({"compulsory_years": "1", "compulsory_salary": "5000000", "compulsory_end": "2027-03"},
     "phải trước tháng 12/2026"),  # a job's months are had, not planned
    ({"compulsory_years": "50", "compulsory_salary": "5000000", "compulsory_end": "1999-12"},
     "trước khi bạn đủ 15 tuổi"),  # born 1980: 1950-01 is before the person could work
    ({"compulsory_years": "5", "compulsory_salary": "50600001"},
     "cao hơn mức cao nhất được đóng BHXH (50.600.000"),  # 20 × the reference level today
])
def test_a_wrong_step_is_said_on_its_field(client: Any, extra: dict[str, str],
                                           field_text: str) -> None:
    response = client.get(CASH, {**CASH_OUT, **extra})
    assert response.status_code == 400
    text = _text(response)
    assert field_text.lower() in text.lower(), text[:2000]
    # the step is open, so the person sees the field that is wrong
    assert re.search(r'<details class="card-step" id="compulsory-step" open>',
                     response.content.decode())


def test_the_step_stays_closed_until_used_and_speaks_english(client: Any) -> None:
    page = client.get(BENEFITS).content.decode()
    assert '<details class="card-step" id="compulsory-step">' in page
    assert "Tôi đã từng đóng BHXH bắt buộc" in page
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        english = client.get(BENEFITS, {
            "sex": "M", "birth": "1980", "paid_years": "2", "start": "2026-12",
            "compulsory_years": "5", "compulsory_salary": "6000000"})
    text = _text(english)
    assert english.status_code == 200
    assert "I paid compulsory social insurance" in text
    assert "of which compulsory si" in text.lower()
    assert "BHXH bắt buộc" not in text
