"""The public calculator with the network down: "Tôi đóng bao nhiêu?" and "Tôi sẽ nhận gì?"
answer from engine.js on the snapshot the page carries, with the engine's numbers, in the page's
language."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from ansinh.calculator.forms import past_period, plan_period
from ansinh.core.templatetags.money import format_vnd
from ansinh.policy import contribution_quote, pension, retirement_age
from ansinh.policy.money import add_months
from ansinh.rules.presenting import (
    HISTORY_AVERAGE,
    SUPPORT,
    age_text,
    depends_on_provisional,
    months_text,
    reason_text,
)
from ansinh.rules.tree import current_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NET = "text => document.querySelector('[data-key=net_monthly]')?.textContent === text"


def _offline_pay_page(page: Any, url: str) -> Any:
    page.goto(f"{url}/tinh/")
    page.click("text=Tôi đóng bao nhiêu?")
    page.wait_for_url("**/tinh/dong-bao-nhieu/")
    page.context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    return page


def test_offline_the_calculator_gives_the_engines_numbers(
        phone_page: Any, live_server: Any, screenshot: Any) -> None:
    page = _offline_pay_page(phone_page, live_server.url)
    on = timezone.localdate() + timedelta(days=40)  # a month of the coming year
    page.fill("input[name=on]", on.isoformat())
    page.select_option("select[name=category]", "near_poor")
    page.fill("input[name=income]", "3.000.000")
    quote = contribution_quote(on, 3_000_000, ("near_poor",), tree=current_tree())
    page.wait_for_function(NET, arg=format_vnd(quote.net_monthly))
    for key, prefixes in (("gross_monthly", ("contribution.rate",)),
                          ("support_monthly", SUPPORT), ("net_monthly", SUPPORT),
                          ("total", ())):
        assert page.locator(f"#result [data-key={key}]").inner_text() == format_vnd(
            getattr(quote, key))
        # marked provisional exactly as the page marks it online
        marked = page.locator(f"#result [data-key={key}] ~ .badge.prov").count() == 1
        assert marked == depends_on_provisional(quote.parameters, prefixes), key
    assert "Không có mạng" in page.locator("#result .offline-notice").inner_text()
    screenshot(page, "calculator-pay-offline", full=True)

    page.select_option("select[name=mode]", "advance")
    advance = contribution_quote(on, 3_000_000, ("near_poor",), "advance", 2,
                                 tree=current_tree())
    page.wait_for_function(
        "text => document.querySelector('#result [data-key=total]')?.textContent === text",
        arg=format_vnd(advance.total))
    # the fund yield is an assumed value: the total is marked, and the value listed
    assert advance.provisional
    assert page.locator("[data-key=total] ~ .badge.prov").is_visible()
    assert page.locator("#result .prov-list li").count() >= 1
    screenshot(page, "calculator-pay-offline-advance", full=True)

    page.fill("input[name=income]", "999.999")
    page.locator("button.primary").click()
    page.wait_for_selector("#result .errors")
    assert format_vnd(quote.floor) in page.locator("#result .errors").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_offline_an_english_page_answers_in_english(
        phone_page: Any, live_server: Any, screenshot: Any) -> None:
    phone_page.context.add_cookies([{"name": "django_language", "value": "en",
                                     "url": live_server.url}])
    page = phone_page
    page.goto(f"{live_server.url}/tinh/dong-bao-nhieu/")
    page.context.set_offline(True)
    page.select_option("select[name=category]", "poor")
    page.fill("input[name=income]", "2,000,000")
    quote = contribution_quote(timezone.localdate(), 2_000_000, ("poor",), tree=current_tree())
    with translation.override("en"):
        expected = format_vnd(quote.net_monthly)
    page.wait_for_function(NET, arg=expected)
    text = page.locator("#result").inner_text()
    badges = page.locator("#result .badge.prov:visible").count()
    assert (badges > 0) == quote.provisional
    assert "Offline" in text
    assert "Không có mạng" not in text
    screenshot(page, "calculator-pay-offline-en", full=True)


def test_offline_a_date_before_the_law_is_said_not_guessed(
        phone_page: Any, live_server: Any) -> None:
    page = _offline_pay_page(phone_page, live_server.url)
    page.fill("input[name=on]", "1990-01-15")
    page.fill("input[name=income]", "2.000.000")
    page.locator("button.primary").click()
    page.wait_for_selector("#result .errors")
    assert "Không có mạng" in page.locator("#result .errors").inner_text()


def _expected_pension(sex: str, birth: date, paid: int, past: int, future: int,
                      category: str) -> tuple[Any, Any]:
    """What "Tôi sẽ nhận gì?" computes online for this path (calculator.views.benefits)."""
    tree = current_tree()
    today = timezone.localdate()
    start = today.replace(day=1)
    retirement = retirement_age(sex, birth, tree)
    history = past_period(paid, add_months(start, -1), past, category)
    history += plan_period(start, retirement.reached_month, future, category)
    return (pension(sex, birth, history, today=today, tree=tree),
            contribution_quote(today, future, (category,), tree=tree))


def test_offline_what_will_i_get_gives_the_engines_pension(
        phone_page: Any, live_server: Any, screenshot: Any) -> None:
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/tinh/nhan-gi/")
    page.context.set_offline(True)
    page.locator("label.choice", has_text="Nữ").click()
    page.fill("input[name=birth]", "03/1985")
    page.select_option("select[name=category]", "near_poor")
    page.fill("input[name=paid_years]", "5")
    page.fill("input[name=paid_months]", "7")
    page.fill("input[name=past_income]", "2.000.000")
    page.fill("input[name=future_income]", "3.123.457")
    page.click("button.primary")
    page.wait_for_selector("#result [data-key=monthly_pension]")
    result, quote = _expected_pension("F", date(1985, 3, 1), 67, 2_000_000, 3_123_457,
                                      "near_poor")
    assert result.eligible
    assert page.locator("#result [data-key=monthly_pension]").inner_text() == format_vnd(
        result.monthly_pension)
    assert page.locator("#result [data-key=average_income]").inner_text() == format_vnd(
        result.average_income)
    assert page.locator("#result [data-key=net_monthly]").inner_text() == format_vnd(
        quote.net_monthly)
    said = page.locator("#result [data-key=retirement_age]").inner_text()
    assert said.startswith(age_text(result.retirement_age_years, result.retirement_age_months))
    assert f"{result.reached_month:%m/%Y}" in said
    assert page.locator("#result [data-key=months]").inner_text() == months_text(result.months)
    # provisional as the page marks it online (the revaluation table is from a secondary source)
    for key, prefixes in (("monthly_pension", ()), ("average_income", HISTORY_AVERAGE)):
        marked = page.locator(f"#result [data-key={key}] ~ .badge.prov").count() == 1
        assert marked == depends_on_provisional(result.parameters, prefixes), key
    assert "Không có mạng" in page.locator("#result .offline-notice").inner_text()
    screenshot(page, "calculator-benefits-offline", full=True)

    # too few years: the engine's reason, in the page's words
    page.fill("input[name=birth]", "1966")
    page.fill("input[name=paid_years]", "2")
    page.fill("input[name=paid_months]", "")
    page.click("button.primary")
    page.wait_for_selector("#result .verdict.bad")
    result, _quote = _expected_pension("F", date(1966, 1, 1), 24, 2_000_000, 3_123_457,
                                       "near_poor")
    assert not result.eligible
    assert reason_text(result.reason) in page.locator("#result .verdict.bad").inner_text()
    assert page.locator("#result [data-key=monthly_pension]").count() == 0
    screenshot(page, "calculator-benefits-offline-too-few", full=True)
    assert not errors


def test_offline_the_cash_out_page_says_it_needs_the_network(
        phone_page: Any, live_server: Any) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/tinh/rut-mot-lan/")
    page.context.set_offline(True)
    page.locator("label.choice", has_text="Nữ").click()
    page.fill("input[name=birth]", "1980")
    page.fill("input[name=paid_years]", "8")
    page.click("button.primary")
    page.wait_for_selector("#result .errors")
    assert "Không có mạng" in page.locator("#result .errors").inner_text()
