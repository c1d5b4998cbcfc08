"""In a real browser: a receipt entered with no network waits on the phone and lands once
when the network comes back; the receipt page itself opens offline from the service worker."""

from __future__ import annotations

from typing import Any

import pytest

from ansinh.collection.models import Receipt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "ansinh2026")
    page.click("main button.primary")
    page.wait_for_load_state()


def test_a_receipt_entered_offline_is_sent_once_when_back_online(
    phone_page: Any, live_server: Any, participation_al3: Any, screenshot: Any
) -> None:
    page = phone_page
    _login(page, live_server, "thu31")
    url = f"{live_server.url}/thu/bien-lai/moi/?participation={participation_al3.pk}"
    page.goto(url)
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null"
                           " || (location.reload(), false)", timeout=15000)
    page.goto(url)  # now through the service worker, which keeps a copy
    page.context.set_offline(True)
    page.reload()  # served from the phone's copy
    first_box = page.locator("input[name=period]").first
    first_box.check()
    page.locator("input[name=channel][value=cash]").check(force=True)
    expected = int(first_box.get_attribute("data-amount"))
    assert page.input_value("input[name=amount]").replace(".", "") == str(expected)
    page.click("#pay-form button.primary")
    page.wait_for_selector("#offline-queue:not([hidden])")
    assert "1" in page.inner_text("#offline-queue .status")
    page.evaluate("document.getElementById('offline-queue').scrollIntoView()")
    screenshot(page, "field-offline-queued")
    queued = page.evaluate("JSON.parse(localStorage.getItem('ansinh-queue'))")
    assert len(queued) == 1 and queued[0]["kind"] == "receipt"
    assert Receipt.objects.count() == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("JSON.parse(localStorage.getItem('ansinh-queue') || '[]').length === 0",
                           timeout=15000)
    assert Receipt.objects.count() == 1
    receipt = Receipt.objects.get()
    assert receipt.number == "AL3-0000001"
    assert receipt.amount == expected
    # the same queue sent again (a lost answer) adds nothing
    page.evaluate("""(item) => { localStorage.setItem('ansinh-queue', JSON.stringify([item]));
                                 window.ansinhQueue.flush(); }""", queued[0])
    page.wait_for_function("JSON.parse(localStorage.getItem('ansinh-queue') || '[]').length === 0",
                           timeout=15000)
    assert Receipt.objects.count() == 1
