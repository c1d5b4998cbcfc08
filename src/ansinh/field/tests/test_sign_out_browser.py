"""A shared phone: signing out takes the copies of signed-in pages off the phone (the service
worker's cache), so the next person cannot open them offline; static files stay."""

from __future__ import annotations

from typing import Any

import pytest

from ansinh.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHED = """async () => {
  const out = [];
  for (const key of await caches.keys()) {
    const cache = await caches.open(key);
    for (const request of await cache.keys()) out.push(new URL(request.url).pathname);
  }
  return out;
}"""


def test_signing_out_forgets_the_pages_kept_for_offline(phone_page: Any, live_server: Any,
                                                        agent_al3: Any) -> None:
    page = phone_page
    sign_in(page, live_server.url, agent_al3.username)
    page.goto(f"{live_server.url}/thuc-dia/")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller"
                           " !== null || (location.reload(), false)", timeout=15000)
    page.goto(f"{live_server.url}/thu/")  # a field page, kept by the worker as it passes
    page.wait_for_function(f"() => ({CACHED})().then((paths) => paths.includes('/thu/'))")
    kept = page.evaluate(CACHED)
    assert "/thuc-dia/" in kept and any(path.startswith("/static/") for path in kept)

    page.click("header form.inline button")  # Đăng xuất
    page.wait_for_url(lambda url: "/dang-nhap/" in url)
    page.wait_for_selector("html[data-pages-forgotten]")
    left = page.evaluate(CACHED)
    assert not [path for path in left if not path.startswith("/static/")], left
    assert any(path.startswith("/static/") for path in left)
