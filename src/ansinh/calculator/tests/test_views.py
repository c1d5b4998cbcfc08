"""The public calculator: anonymous visitors get the engine's numbers, provisional values marked,
and a bilingual message (never a 500) for input the engine refuses."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import time_machine

from ansinh.core.templatetags.money import format_vnd, percent
from ansinh.policy import (
    ContributionPeriod,
    contribution_quote,
    lump_sum,
    monthly_allowance,
    pension,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)


def _text(response: Any) -> str:
    """What a person reads: no scripts, no templates (the offline result's words wait there)."""
    html = re.sub(r"<(script|template)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


def _money(response: Any, key: str) -> str:
    found = re.search(rf'data-key="{key}">([^<]*)<', response.content.decode())
    assert found, f"no amount {key}"
    return found.group(1)


def test_money_is_written_the_vietnamese_way() -> None:
    assert format_vnd(1_234_568) == "1.234.568\u00a0₫"
    assert format_vnd(0) == "0\u00a0₫"
    assert format_vnd(None) == "—"
    from decimal import Decimal
    assert percent(Decimal("0.045")) == "4,5\u00a0%"
    assert percent(Decimal("0.30")) == "30\u00a0%"


@time_machine.travel(date(2026, 11, 28), tick=False)
def test_what_will_i_pay_defaults_to_the_floor_today(client: Any) -> None:
    response = client.get("/tinh/dong-bao-nhieu/")
    assert response.status_code == 200
    quote = contribution_quote(TODAY, 1_500_000, ("other",))
    assert _money(response, "net_monthly") == format_vnd(quote.net_monthly)
    assert _money(response, "total") == format_vnd(quote.total)
    text = _text(response)
    assert "1.500.000 ₫ đến 50.600.000 ₫" in text  # the bounds in force
    assert "tạm tính" not in text  # every value used for a monthly quote is confirmed


@pytest.mark.parametrize(("params", "categories", "mode", "years"), [
    ({"income": "2.000.000", "category": "poor"}, ("poor",), "monthly", None),
    ({"income": "3000000", "category": "ethnic_minority", "mode": "quarterly"},
     ("ethnic_minority",), "quarterly", None),
    ({"income": "3000000", "category": "near_poor", "mode": "advance", "years": "5"},
     ("near_poor",), "advance", 5),
])
def test_what_will_i_pay_equals_the_engine(
    client: Any, params: dict[str, str], categories: tuple[str, ...], mode: str,
    years: int | None,
) -> None:
    response = client.get("/tinh/dong-bao-nhieu/", {**params, "on": "2026-11-28"})
    assert response.status_code == 200
    income = int(params["income"].replace(".", ""))
    quote = contribution_quote(TODAY, income, categories, mode, years)
    for key in ("gross_monthly", "support_monthly", "net_monthly", "total"):
        assert _money(response, key) == format_vnd(getattr(quote, key)), key
    # the province's top-up shows only when it pays one (no "0 ₫" line)
    assert quote.local_support_monthly == 0
    assert 'data-key="local_support_monthly"' not in response.content.decode()


def test_an_advance_total_is_marked_provisional_with_its_reason(client: Any) -> None:
    response = client.get("/tinh/dong-bao-nhieu/", {
        "income": "3000000", "mode": "advance", "years": "3", "on": "2026-11-28"})
    html = response.content.decode()
    total = html[html.index('data-key="total"'):][:300]
    assert "badge prov" in total  # the fund yield is a placeholder
    net = html[html.index('data-key="net_monthly"'):][:120]
    assert "badge prov" not in net  # the monthly share does not use it
    text = _text(response)
    assert "chưa được xác nhận" in text and "Lãi suất chiết khấu" in text
    assert "Nghị định 159/2025/NĐ-CP" in text  # the references used, in Vietnamese
    assert "Decree" not in text and "Art." not in text


@pytest.mark.parametrize(("params", "vietnamese", "english"), [
    ({"income": "200"}, "nằm ngoài khoảng", "outside the range"),
    ({"income": "hai triệu"}, "Nhập số tiền bằng chữ số", "Enter an amount"),
    ({"on": "31/02/2026"}, "Ngày không hợp lệ", "Invalid date"),
    ({"mode": "weekly"}, "Lựa chọn không hợp lệ", "Invalid choice"),
    ({"mode": "advance", "years": "9"}, "số năm phải từ", "years must be between"),
    ({"on": "1990-01-01"}, "Không có giá trị của tham số", "no value of parameter"),
])
def test_invalid_input_shows_a_message_in_the_page_language(
    client: Any, params: dict[str, str], vietnamese: str, english: str
) -> None:
    """A page shows one language: the engine's bilingual message is for the CLI (issue 11)."""
    response = client.get("/tinh/dong-bao-nhieu/", params)
    assert response.status_code == 400
    text = _text(response)
    assert vietnamese in text and english not in text
    assert "Chưa tính được" in text
    client.cookies["django_language"] = "en"
    text = _text(client.get("/tinh/dong-bao-nhieu/", params))
    assert english in text and vietnamese not in text


def test_htmx_gets_the_result_fragment_even_for_an_error(client: Any) -> None:
    ok = client.get("/tinh/dong-bao-nhieu/", {"income": "2000000", "on": "2026-11-28"},
                    HTTP_HX_REQUEST="true", HTTP_HX_TARGET="result")
    assert ok.status_code == 200 and "<html" not in ok.content.decode()
    assert 'data-key="net_monthly"' in ok.content.decode()
    bad = client.get("/tinh/dong-bao-nhieu/", {"income": "200"},
                     HTTP_HX_REQUEST="true", HTTP_HX_TARGET="result")
    assert bad.status_code == 200 and "nằm ngoài khoảng" in bad.content.decode()


@time_machine.travel(date(2026, 11, 28), tick=False)
def test_what_will_i_get_equals_the_engine(client: Any) -> None:
    response = client.get("/tinh/nhan-gi/", {
        "sex": "F", "birth": "03/1985", "category": "ethnic_minority", "paid_years": "5",
        "paid_months": "0", "past_income": "1500000", "future_income": "2.000.000",
        "start": "2026-12"})
    assert response.status_code == 200
    history = [
        ContributionPeriod(date(2021, 12, 1), date(2026, 11, 1), 1_500_000, "ethnic_minority"),
        ContributionPeriod(date(2026, 12, 1), date(2045, 3, 1), 2_000_000, "ethnic_minority"),
    ]
    expected = pension("F", date(1985, 3, 1), history, today=TODAY)
    assert expected.eligible and expected.reached_month == date(2045, 3, 1)
    assert _money(response, "monthly_pension") == format_vnd(expected.monthly_pension)
    assert _money(response, "average_income") == format_vnd(expected.average_income)
    # no "0 ₫" line that reads as an error: the one-time allowance shows only when there is one
    assert expected.one_time_allowance == 0
    assert 'data-key="one_time_allowance"' not in response.content.decode()
    text = _text(response)
    assert "60 tuổi (" in text and "04/2045" in text  # pension from the next month
    assert percent(expected.rate).replace("\u00a0", " ") in text
    assert "tạm tính" in text  # revaluation after 2026 is not published yet


@time_machine.travel(date(2026, 11, 28), tick=False)
def test_what_will_i_get_says_when_the_years_are_short(client: Any) -> None:
    response = client.get("/tinh/nhan-gi/", {"sex": "M", "birth": "1970", "paid_years": "2"})
    assert response.status_code == 200
    assert "Chưa đủ điều kiện hưởng lương hưu" in _text(response)
    assert 'data-key="monthly_pension"' not in response.content.decode()


def test_what_will_i_get_refuses_a_missing_birth_and_an_income_above_the_ceiling(
    client: Any,
) -> None:
    response = client.get("/tinh/nhan-gi/", {"sex": "F", "birth": "", "paid_years": "3"})
    assert response.status_code == 400 and "Cần điền mục này" in _text(response)
    response = client.get("/tinh/nhan-gi/", {"sex": "F", "birth": "1990",
                                             "future_income": "900000000"})
    assert response.status_code == 400 and "nằm ngoài khoảng" in _text(response)


CASH_OUT = {"sex": "F", "birth": "1980", "category": "poor", "paid_years": "8",
            "paid_months": "3", "past_income": "2000000", "last_paid": "2025-10",
            "claim_on": "2026-11-28", "ground": "twelve_months_out",
            "future_income": "1500000"}


def cash_out_expectations() -> dict[str, Any]:
    past = [ContributionPeriod(date(2017, 8, 1), date(2025, 10, 1), 2_000_000, "poor")]
    plan = [*past, ContributionPeriod(date(2026, 11, 1), date(2040, 1, 1), 1_500_000, "poor")]
    birth = date(1980, 1, 1)
    return {
        "cash": lump_sum(past, TODAY, "twelve_months_out", None, "F", birth),
        "kept": pension("F", birth, plan, today=TODAY),
        "allowance": monthly_allowance("F", birth, past, TODAY, True),
    }


def test_what_if_i_cash_out_equals_the_engine(client: Any) -> None:
    response = client.get("/tinh/rut-mot-lan/", CASH_OUT)
    assert response.status_code == 200
    exp = cash_out_expectations()
    cash, kept, allowance = exp["cash"], exp["kept"], exp["allowance"]
    assert cash.allowed and cash.amount > 0 and kept.eligible
    assert _money(response, "contributions_paid") == format_vnd(cash.contributions_paid)
    assert _money(response, "amount") == format_vnd(cash.amount)
    assert _money(response, "support_deducted") == format_vnd(cash.support_deducted)
    assert _money(response, "monthly_pension") == format_vnd(kept.monthly_pension)
    assert _money(response, "monthly_amount") == format_vnd(allowance.monthly_amount)
    text = _text(response)
    assert "thẻ BHYT" in text and "tạm tính" in text
    assert "phieu-tu-van.pdf?" in response.content.decode()


def test_cash_out_refuses_more_years_than_the_scheme_has(client: Any) -> None:
    response = client.get("/tinh/rut-mot-lan/", {**CASH_OUT, "paid_years": "40"})
    assert response.status_code == 400
    assert "BHXH tự nguyện chỉ có từ tháng 01/2008" in _text(response)


def test_pages_need_no_sign_in(client: Any) -> None:
    for url in ("/tinh/", "/tinh/nhan-gi/", "/tinh/rut-mot-lan/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'href="/tinh/"' in response.content.decode()
