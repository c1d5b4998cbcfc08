"""The participant's copy of a receipt: the amount in words on the receipt page, a small sheet
to print (A6, fits an 80 mm roll), and a text to send by SMS or Zalo, in the page's language;
the same territory rule as the receipt itself."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import reverse

from ansinh.collection.models import Receipt
from ansinh.core.tests.browser import sign_in


@pytest.fixture
def receipt(paying_al3: Any) -> Receipt:
    found = Receipt.objects.filter(participation=paying_al3).order_by("id").first()
    assert found is not None and found.amount == 341_000
    return found


def test_the_receipt_page_shows_the_amount_in_words_and_the_text_to_send(
        client: Any, receipt: Receipt, agent_al3: Any) -> None:
    client.force_login(agent_al3)
    html = client.get(reverse("collection:receipt_detail", args=[receipt.pk])).content.decode()
    assert "Bằng chữ" in html and "Ba trăm bốn mươi mốt nghìn đồng" in html
    text = (f"Biên lai số {receipt.number} ngày 10/12/2025: {receipt.person.full_name} đã nộp "
            "341.000 ₫ (Ba trăm bốn mươi mốt nghìn đồng), BHXH tự nguyện, tháng 12/2025. "
            "Người thu: ")
    assert text in html
    sms = html.split('href="sms:')[1].split('"')[0]
    number, body = sms.split("?body=")
    assert number == receipt.person.phone
    assert unquote(body).startswith(text)
    assert reverse("collection:receipt_print", args=[receipt.pk]) in html
    assert 'data-share="#share-text"' in html and 'id="share-texts"' in html


def test_in_english_the_words_and_the_text_are_english(client: Any, receipt: Receipt,
                                                       agent_al3: Any) -> None:
    client.force_login(agent_al3)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("collection:receipt_detail", args=[receipt.pk]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Three hundred forty-one thousand dong" in html
    assert "In words" in html


def test_the_printed_copy_holds_what_the_participant_needs(client: Any, receipt: Receipt,
                                                          agent_al3: Any) -> None:
    client.force_login(agent_al3)
    response = client.get(reverse("collection:receipt_print", args=[receipt.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for part in (receipt.office.name, receipt.number, receipt.person.full_name, "12/2025",
                 "341.000", "Ba trăm bốn mươi mốt nghìn đồng", "10/12/2025",
                 agent_al3.display_name, "size: 105mm 148mm"):
        assert part in html, part


def test_another_commune_sees_neither_the_receipt_nor_its_copy(client: Any, receipt: Receipt,
                                                               agent_al1: Any) -> None:
    client.force_login(agent_al1)
    assert client.get(reverse("collection:receipt_print", args=[receipt.pk])).status_code == 404
    assert client.get(reverse("collection:receipt_detail", args=[receipt.pk])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_copy_prints_on_one_small_sheet_and_the_share_button_copies(
        phone_page: Any, live_server: Any, paying_al3: Any, agent_al3: Any,
        screenshot: Any) -> None:
    import os

    receipt = Receipt.objects.filter(participation=paying_al3).order_by("id").first()
    assert receipt is not None
    page = phone_page
    sign_in(page, live_server.url, agent_al3.username)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server.url + reverse("collection:receipt_detail", args=[receipt.pk]))
    page.evaluate("() => { delete Navigator.prototype.share; }")  # the fallback: copy
    page.click("button[data-share]")
    page.wait_for_selector("[data-share-done]:not([hidden])")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith(f"Biên lai số {receipt.number}")
    screenshot(page, "receipt-copy-share", full=True)
    page.goto(live_server.url + reverse("collection:receipt_print", args=[receipt.pk]))
    screenshot(page, "receipt-copy-print-screen")
    folder = Path(os.environ.get("ANSINH_VAR_DIR", "var")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "receipt-copy.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Pages:\s+1\n", info), info
    width, height = (float(v) for v in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert (round(width), round(height)) == (298, 420)  # A6 in points
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Ba trăm bốn mươi mốt nghìn đồng" in " ".join(text.split())
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf),
                    str(folder / "receipt-copy-pdf")], check=True)
