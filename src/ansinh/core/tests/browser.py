"""What browser tests share: signing in through the login page, as a person would."""

from __future__ import annotations

from typing import Any

PASSWORD = "ansinh2026"  # every demo and test user's


def sign_in(page: Any, base_url: str, username: str) -> None:
    """Sign `username` in through /dang-nhap/ and wait for the page it lands on."""
    page.goto(f"{base_url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    page.wait_for_load_state()
