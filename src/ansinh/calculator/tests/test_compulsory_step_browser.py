"""The optional step "I had compulsory SI" on a phone in chromium: closed until tapped, the
server's numbers for the mixed history online, and the same numbers offline (engine.js answers
mixed histories), with the server's refusals in its words."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from ansinh.core.templatetags.money import format_vnd
from ansinh.policy import ContributionPeriod, income_bounds, pension, retirement_age
from ansinh.policy.money import add_months
from ansinh.rules.tree import current_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_path(page: Any) -> None:
    page.locator("label.choice", has_text="Nam").click()
    page.fill("input[name=birth]", "1980")
    page.fill("input[name=paid_years]", "2")
    page.fill("input[name=past_income]", "1.500.000")
    page.fill("input[name=future_income]", "2.000.000")


def test_a_phone_adds_the_years_of_a_job_to_the_pension(
        phone_page: Any, live_server: Any, screenshot: Any) -> None:
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/tinh/nhan-gi/")
    _fill_path(page)
    assert not page.locator("input[name=compulsory_years]").is_visible()  # closed: optional
    page.click("#compulsory-step summary")
    page.fill("input[name=compulsory_years]", "7")
    page.fill("input[name=compulsory_salary]", "6.500.000")
    screenshot(page, "calculator-compulsory-step", full=True)
    page.click("button.primary")
    page.wait_for_selector("#result [data-key=months_compulsory]")

    today = timezone.localdate()
    start = today.replace(day=1)
    reached = retirement_age("M", date(1980, 1, 1)).reached_month
    voluntary_start = add_months(start, -24)
    history = [
        ContributionPeriod(add_months(voluntary_start, -84), add_months(voluntary_start, -1),
                           6_500_000, kind="compulsory"),
        ContributionPeriod(voluntary_start, add_months(start, -1), 1_500_000),
        ContributionPeriod(start, reached, 2_000_000),
    ]
    expected = pension("M", date(1980, 1, 1), history, today=today, tree=current_tree())
    assert page.locator("#result [data-key=monthly_pension]").inner_text() == format_vnd(
        expected.monthly_pension)
    assert "7 năm" in page.locator("#result [data-key=months_compulsory]").inner_text()
    # the step stays open with what was entered (the address holds it too)
    assert page.locator("input[name=compulsory_years]").is_visible()
    assert "compulsory_years=7" in page.url
    screenshot(page, "calculator-compulsory-result", full=True)

    # the network cut: engine.js answers the mixed history itself, with the server's number
    page.context.set_offline(True)
    page.click("button.primary")
    page.wait_for_selector("#result .offline-notice")
    assert page.locator("#result [data-key=monthly_pension]").inner_text() == format_vnd(
        expected.monthly_pension)
    assert page.locator("#result [data-key=average_income]").inner_text() == format_vnd(
        expected.average_income)
    assert "7 năm" in page.locator("#result [data-key=months_compulsory]").inner_text()
    assert page.locator("#result [data-key=floor_applied]").count() == 0
    screenshot(page, "calculator-compulsory-offline", full=True)

    # offline, the server's refusals in its words: the job's months over the voluntary ones
    page.fill("input[name=compulsory_end]", f"{add_months(start, -6):%Y-%m}")
    page.click("button.primary")
    page.wait_for_selector("#result .errors")
    said = page.locator("#result .errors").inner_text()
    assert "trùng với thời gian đóng tự nguyện" in said
    # a month not yet over
    page.fill("input[name=compulsory_end]", f"{start:%Y-%m}")
    page.click("button.primary")
    page.wait_for_function("() => document.querySelector('#result .errors')?.innerText"
                           ".includes('phải trước tháng')")
    assert f"{start:%m/%Y}" in page.locator("#result .errors").inner_text()
    # the years without the salary
    page.fill("input[name=compulsory_end]", "")
    page.fill("input[name=compulsory_salary]", "")
    page.click("button.primary")
    page.wait_for_function("() => document.querySelector('#result .errors')?.innerText"
                           ".includes('VssID')")

    # the step emptied: the voluntary part alone
    page.fill("input[name=compulsory_years]", "")
    page.click("button.primary")
    page.wait_for_selector("#result .offline-notice")
    assert page.locator("#result [data-key=monthly_pension]").count() == 1
    assert page.locator("#result [data-key=months_compulsory]").count() == 0
    assert not errors


def test_offline_the_floor_of_twenty_compulsory_years_is_the_servers(
        phone_page: Any, live_server: Any) -> None:
    """Twenty years of a low salary begun before 2025-07: the pension is the reference level,
    said in the same sentence online and offline (D159 Art. 11(3))."""
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/tinh/nhan-gi/")
    page.locator("label.choice", has_text="Nam").click()
    page.fill("input[name=birth]", "1975")
    page.click("#compulsory-step summary")
    page.fill("input[name=compulsory_years]", "20")
    page.fill("input[name=compulsory_salary]", "1.000.000")
    page.click("button.primary")
    page.wait_for_selector("#result [data-key=floor_applied]")
    online = {key: page.locator(f"#result [data-key={key}]").inner_text()
              for key in ("monthly_pension", "average_income", "months_compulsory",
                          "floor_applied", "months")}

    today = timezone.localdate()
    start = today.replace(day=1)
    tree = current_tree()
    reached = retirement_age("M", date(1975, 1, 1), tree).reached_month
    floor = income_bounds(today, tree).floor
    history = [
        ContributionPeriod(add_months(start, -240), add_months(start, -1), 1_000_000,
                           kind="compulsory"),
        ContributionPeriod(start, reached, floor),
    ]
    expected = pension("M", date(1975, 1, 1), history, today=today, tree=tree)
    assert expected.floor_applied
    assert online["monthly_pension"] == format_vnd(expected.monthly_pension)

    page.context.set_offline(True)
    page.click("button.primary")
    page.wait_for_selector("#result .offline-notice")
    offline = {key: page.locator(f"#result [data-key={key}]").inner_text() for key in online}
    assert offline == online
    assert not errors
