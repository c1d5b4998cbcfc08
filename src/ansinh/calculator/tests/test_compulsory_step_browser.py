"""The optional step "I had compulsory SI" on a phone in chromium: closed until tapped, the
server's numbers for the mixed history online, and an honest "needs the network" offline
(engine.js holds the voluntary scheme only)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from ansinh.core.templatetags.money import format_vnd
from ansinh.policy import ContributionPeriod, pension, retirement_age
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

    # the network cut: the voluntary part still answers offline, the job's years do not
    page.context.set_offline(True)
    page.click("button.primary")
    page.wait_for_selector("#result .errors")
    said = page.locator("#result .errors").inner_text()
    assert "Không có mạng" in said and "bắt buộc" in said
    page.fill("input[name=compulsory_years]", "")
    page.click("button.primary")
    page.wait_for_selector("#result .offline-notice")
    assert page.locator("#result [data-key=monthly_pension]").count() == 1
    assert not errors
