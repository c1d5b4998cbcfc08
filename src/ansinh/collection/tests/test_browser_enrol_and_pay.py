"""On a phone, in a real browser: enrol a person from the register and record the first
receipt in a few taps (Debian's chromium through Playwright; screenshots in var/screenshots)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from ansinh.collection import dues, receipts
from ansinh.collection.models import Receipt
from ansinh.core.templatetags.money import format_vnd
from ansinh.core.tests.browser import sign_in
from ansinh.participation.models import Participation
from ansinh.participation.subsidy import facts_for
from ansinh.policy import contribution_quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, live_server: Any, username: str) -> None:
    sign_in(page, live_server.url, username)


def test_enrol_and_first_receipt_on_a_phone(phone_page: Any, live_server: Any,
                                            screenshot: Any, prospect_al3: Any,
                                            receipt_book_al3: Any, director: Any) -> None:
    page = phone_page
    _login(page, live_server, "thu31")
    page.goto(f"{live_server.url}/so-doi-tuong/doi-tuong/{prospect_al3.pk}/")
    page.click("text=Đăng ký tham gia")
    page.wait_for_url("**/tham-gia/dang-ky/**")
    page.fill("input[name=income]", "2.000.000")
    today = timezone.localdate()
    net = contribution_quote(today, 2_000_000, facts_for(prospect_al3).categories(
        today.replace(day=1))).net_monthly
    page.wait_for_function(  # the calculator follows the typing (HTMX), no button
        "text => document.querySelector('#quote [data-key=net_monthly]')?.textContent === text",
        arg=format_vnd(net))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "participation-enrol-phone", full=True)
    page.click("button[name=enrol]")
    page.wait_for_url("**/tham-gia/*/")
    participation = Participation.objects.get(person=prospect_al3)
    assert participation.income == 2_000_000
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "participation-detail-phone", full=True)

    page.click("text=Ghi biên lai thu tiền")
    page.wait_for_url("**/thu/bien-lai/moi/?participation=*")
    first = page.locator("input[name=period]").first
    months = first.get_attribute("value").split(",")
    expected = dues.quote_months(participation, [date.fromisoformat(m) for m in months],
                                    timezone.localdate()).amount
    first.check()
    page.wait_for_function(
        "text => document.querySelector('#amount [data-key=amount]')?.textContent === text",
        arg=format_vnd(expected))
    assert page.input_value("input[name=amount]") == f"{expected:,}".replace(",", ".")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "collection-receipt-phone", full=True)
    page.click("button.primary:has-text('Ghi biên lai')")
    page.wait_for_url("**/thu/bien-lai/*/")
    receipt = Receipt.objects.get()
    assert receipt.amount == expected and receipt.number == "AL3-0000001"
    assert page.locator("[data-key=number]").inner_text() == "AL3-0000001"
    screenshot(page, "collection-receipt-detail-phone", full=True)

    # the same page sent again (back, tap again) lands on the same receipt
    receipt_url = page.url
    value = ",".join(months)
    page.go_back()
    page.wait_for_url("**/thu/bien-lai/moi/?participation=*")
    again = page.locator(f"input[name=period][value='{value}']")
    if again.count() and again.is_checked():  # the form as it was sent (back/forward cache)
        page.click("button.primary:has-text('Ghi biên lai')")
        page.wait_for_url(receipt_url)
        assert "đã được ghi trước đó" in page.content()
    else:  # reloaded: the month is paid and no longer offered
        assert again.count() == 0
    assert Receipt.objects.count() == 1

    page.goto(f"{live_server.url}/thu/doi-chieu/")
    assert page.locator("[data-key=collected]").inner_text() == format_vnd(expected)
    screenshot(page, "collection-reconciliation-phone", full=True)
    page.goto(f"{live_server.url}/thu/")
    screenshot(page, "collection-home-phone", full=True)


def test_the_director_pages_on_a_wide_screen(phone_page: Any, live_server: Any,
                                             screenshot: Any, participation_al3: Any,
                                             agent_al3: Any) -> None:
    import uuid

    today = timezone.localdate()
    current = dues.quote_months
    months = [participation_al3.start_month]
    receipt = receipts.record_receipt(participation_al3, months=months,
                                     amount=current(participation_al3, months, today).amount,
                                     paid_on=today, channel="cash", client_uuid=uuid.uuid4(),
                                     actor=agent_al3).receipt
    page = phone_page
    page.set_viewport_size({"width": 1200, "height": 900})
    _login(page, live_server, "giamdoc")
    page.goto(f"{live_server.url}/thu/doi-chieu/")
    screenshot(page, "collection-reconciliation-desktop", full=True)
    page.goto(f"{live_server.url}/tham-gia/{participation_al3.pk}/")
    screenshot(page, "participation-detail-desktop", full=True)
    page.goto(f"{live_server.url}/tham-gia/cham-dong/")
    screenshot(page, "participation-lapses-desktop", full=True)
    page.goto(f"{live_server.url}/thu/nop-tien/")
    assert receipt.number in page.content()
    screenshot(page, "collection-remittances-desktop", full=True)
    page.goto(f"{live_server.url}/tham-gia/")
    screenshot(page, "participation-list-desktop", full=True)
