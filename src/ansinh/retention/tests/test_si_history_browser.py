"""The person's SI history on an agent's phone (Debian's chromium through Playwright): a
period in a few taps, then a pasted VssID table with a line to correct, then the counselling
page counting the declared compulsory months."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_enters_a_returning_workers_history_on_a_phone(
        world: dict[str, Any], phone_page: Any, live_server: Any, screenshot: Any,
        prospect_al3: Any, agent_al3: Any) -> None:
    from ansinh.core.tests.browser import sign_in
    from ansinh.retention.models import DeclaredPeriod

    page = phone_page
    sign_in(page, live_server.url, agent_al3.username)
    page.goto(f"{live_server.url}/tu-van/qua-trinh/{prospect_al3.pk}/")
    assert page.locator("h1").inner_text() == "Quá trình tham gia BHXH"
    # one period in a few taps: the kind is compulsory by default
    page.fill("input[name=start]", "2012-01")
    page.fill("input[name=end]", "2016-12")
    page.fill("input[name=income]", "4500000")
    page.fill("input[name=employer]", "Công ty TNHH May Huế")
    page.click("#period-form button.primary")
    page.wait_for_selector("#declared-periods")
    assert DeclaredPeriod.objects.count() == 1
    # a pasted table with a line that cannot be read: nothing saved, the text kept
    table = ("Quá trình tham gia BHXH bắt buộc\n"
             "01/2017\t12/2019\tCông ty CP Sợi Phú Bài\t5.200.000\n"
             "làm thêm mấy tháng không nhớ\n")
    page.fill("textarea[name=text]", table)
    page.click("#paste-form button.primary")
    page.wait_for_selector("#line-errors")
    assert "Dòng 3" in page.locator("#line-errors").inner_text()
    assert DeclaredPeriod.objects.count() == 1
    screenshot(page, "si-history-line-error-phone", full=True)
    kept = page.input_value("textarea[name=text]")
    page.fill("textarea[name=text]", kept.replace("làm thêm mấy tháng không nhớ\n", ""))
    page.click("#paste-form button.primary")
    page.wait_for_selector("ul.messages")
    assert [p.months for p in DeclaredPeriod.objects.order_by("start_month")] == [60, 36]
    # the phone's width holds the table (no sideways scroll)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "si-history-phone", full=True)
