"""The public calculator in a real browser on a phone-sized screen: Debian's chromium driven by
Playwright (never `playwright install`). Screenshots land in var/screenshots for a person to
look at."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ansinh.core.templatetags.money import format_vnd
from ansinh.policy import contribution_quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(phone_page: Any) -> Any:
    return phone_page



def test_what_will_i_pay_on_a_phone(page: Any, live_server: Any, screenshot: Any) -> None:
    page.goto(f"{live_server.url}/tinh/")
    page.click("text=Tôi đóng bao nhiêu?")
    page.wait_for_url("**/tinh/dong-bao-nhieu/")
    page.fill("input[name=on]", "2026-11-28")
    page.select_option("select[name=category]", "near_poor")
    page.fill("input[name=income]", "3.000.000")
    expected = format_vnd(contribution_quote(date(2026, 11, 28), 3_000_000,
                                             ("near_poor",)).net_monthly)
    # HTMX swaps the result in as the person types: no button press needed
    page.wait_for_function(
        "text => document.querySelector('[data-key=net_monthly]')?.textContent === text",
        arg=expected)
    assert "income=3.000.000" in page.url  # the result has an address that can be shared
    screenshot(page, "calculator-pay-phone", full=True)

    page.select_option("select[name=mode]", "advance")
    page.wait_for_selector("[data-key=total] ~ .badge.prov")
    advance = contribution_quote(date(2026, 11, 28), 3_000_000, ("near_poor",), "advance", 2)
    assert page.locator("[data-key=total]").inner_text() == format_vnd(advance.total)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing runs off a phone screen


def test_the_other_pages_work_without_javascript_on_a_phone(
    live_server: Any, page: Any, screenshot: Any
) -> None:
    context = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/tinh/nhan-gi/")
    page.check("input[name=sex][value=F]")
    page.fill("input[name=birth]", "03/1985")
    page.fill("input[name=paid_years]", "5")
    page.click("button.primary")
    page.wait_for_selector("[data-key=monthly_pension]")
    screenshot(page, "calculator-benefits-phone", full=True)

    page.goto(f"{live_server.url}/tinh/rut-mot-lan/?sex=F&birth=1980&category=poor&paid_years=8"
              "&paid_months=3&past_income=2000000&last_paid=2025-10&claim_on=2026-11-28"
              "&ground=twelve_months_out&future_income=1500000")
    page.wait_for_selector("[data-key=amount]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "calculator-cash-out-phone", full=True)


LABEL_CONTROL = """label => {
  const c = label.control;
  return c ? {name: c.name, value: c.value, type: c.type || c.tagName.toLowerCase(),
              id: c.id} : null;
}"""


def _tap_every_label(page: Any, url: str) -> int:
    """Click each label of the calculator's form on its words; the control it names must be
    the one chosen (checked, or focused for a box to type in), and be big enough for a finger."""
    page.goto(url)
    # an optional step ("I had compulsory SI") is closed: open it as a person does, by its title
    for summary in page.locator("form.calc-form details > summary").all():
        summary.click()
    labels = page.locator("form.calc-form label")
    count: int = labels.count()
    assert count >= 5, url
    for i in range(count):
        label = labels.nth(i)
        control = label.evaluate(LABEL_CONTROL)
        assert control, f"{url}: label {label.inner_text()!r} names no control"
        words = label.locator("span").first if control["type"] in ("radio", "checkbox") \
            else label
        words.click(position={"x": 3, "y": 3} if control["type"] not in (
            "radio", "checkbox") else None)
        if control["type"] in ("radio", "checkbox"):
            assert page.evaluate("id => document.getElementById(id).checked", control["id"]), (
                f"{url}: tapping {label.inner_text()!r} did not choose {control}")
            assert label.bounding_box()["height"] >= 44, f"{url}: {label.inner_text()!r}"
        else:
            assert page.evaluate("() => document.activeElement.name") == control["name"], (
                f"{url}: tapping {label.inner_text()!r} did not reach {control}")
    return count


def test_every_label_of_the_calculator_chooses_its_own_control(
        page: Any, live_server: Any, screenshot: Any) -> None:
    for path in ("/tinh/dong-bao-nhieu/", "/tinh/nhan-gi/", "/tinh/rut-mot-lan/"):
        _tap_every_label(page, live_server.url + path)


@pytest.mark.parametrize(("word", "sex"), [("Nam", "M"), ("Nữ", "F")])
def test_tapping_nam_gives_a_man_his_retirement_age(
        page: Any, live_server: Any, screenshot: Any, word: str, sex: str) -> None:
    from ansinh.policy import retirement_age
    from ansinh.rules.presenting import age_text

    page.goto(f"{live_server.url}/tinh/nhan-gi/")
    page.locator("label.choice", has_text=word).click()
    assert page.locator(f"input[name=sex][value={sex}]").is_checked()
    assert not page.locator(
        f"input[name=sex][value={'F' if sex == 'M' else 'M'}]").is_checked()
    page.fill("input[name=birth]", "1980")
    page.fill("input[name=paid_years]", "5")
    page.click("button.primary")
    page.wait_for_selector("[data-key=retirement_age]")
    expected = retirement_age(sex, date(1980, 1, 1))
    said = page.locator("[data-key=retirement_age]").inner_text()
    assert said.startswith(age_text(expected.years, expected.months)), said
    assert f"{expected.reached_month:%m/%Y}" in said
    # the result is what the person sees after pressing the button
    top = page.evaluate("document.getElementById('result').getBoundingClientRect().top")
    assert -2 <= top < 844
    screenshot(page, f"calculator-benefits-{sex}-phone")
