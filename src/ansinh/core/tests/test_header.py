"""The page header on a phone (390 × 844): one compact row, the navigation folded into a menu
button (`<details>`, no JavaScript); on a desktop the links stay in the row."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE_HEADER_MAX = 64  # px of the phone's 844

# a few pages per role: where they land and where they work
PAGES = {
    "giamdoc": ["/", "/bao-cao/", "/so-doi-tuong/", "/chi-tieu/"],
    "canbo2": ["/", "/bao-cao/", "/tham-gia/"],
    "thu31": ["/", "/thu/", "/bao-cao/"],
    "xa1": ["/", "/bao-cao/", "/so-doi-tuong/"],
}


def _login(page: Any, live_server: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "ansinh2026")
    page.click("form button.primary")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def _header_height(page: Any) -> float:
    return float(page.evaluate(
        "document.querySelector('header.top').getBoundingClientRect().height"))


@pytest.mark.parametrize("username", list(PAGES))
def test_the_header_is_one_compact_row_on_a_phone(phone_page: Any, live_server: Any,
                                                  world: Any, screenshot: Any,
                                                  username: str) -> None:
    _login(phone_page, live_server, username)
    heights = {}
    for path in reversed(PAGES[username]):  # ends on "/", where they land
        phone_page.goto(f"{live_server.url}{path}")
        heights[path] = _header_height(phone_page)
    screenshot(phone_page, f"header-{username}-phone")
    assert all(height <= PHONE_HEADER_MAX for height in heights.values()), heights
    # the links are behind the menu button, and one tap opens them (no script needed)
    menu = phone_page.locator("header.top details.menu")
    first_link = menu.locator("nav a").first
    assert not first_link.is_visible()
    box = menu.locator("summary").bounding_box()
    assert box is not None and box["height"] >= 44  # a tap target
    menu.locator("summary").click()
    assert first_link.is_visible()
    screenshot(phone_page, f"header-{username}-phone-menu-open")


def test_signed_out_pages_have_a_compact_header(phone_page: Any, live_server: Any,
                                                world: Any, screenshot: Any) -> None:
    for path in ("/dang-nhap/", "/tinh/"):
        phone_page.goto(f"{live_server.url}{path}")
        assert _header_height(phone_page) <= PHONE_HEADER_MAX, path
    screenshot(phone_page, "header-signed-out-phone")


def test_the_desktop_header_keeps_its_links_in_the_row(phone_page: Any, live_server: Any,
                                                       world: Any, screenshot: Any) -> None:
    phone_page.set_viewport_size({"width": 1280, "height": 900})
    _login(phone_page, live_server, "giamdoc")
    phone_page.goto(f"{live_server.url}/bao-cao/")
    links = phone_page.locator("header.top nav a")
    assert links.count() >= 5
    assert all(links.nth(index).is_visible() for index in range(links.count()))
    assert _header_height(phone_page) <= 100
    screenshot(phone_page, "header-giamdoc-desktop")
