"""The dashboard in Debian's chromium: readable headline, charts drawn, role scoping."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ansinh.demo.targets import seed_demo

pytestmark = pytest.mark.browser

AS_OF = "as_of=2026-03-31&period=2026"


@pytest.fixture
def demo(history: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    seed_demo(world["office"], date(2026, 3, 31), 7)
    return world


def _login(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "ansinh2026")
    page.click("form button.primary")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def test_director_dashboard_on_a_phone(phone_page: Any, live_server: Any, demo: Any,
                                       screenshot: Any) -> None:
    _login(phone_page, live_server, "giamdoc")
    phone_page.goto(f"{live_server.url}/bao-cao/?{AS_OF}")
    headline = phone_page.locator("#headline .big").inner_text()
    assert "/ 3.229" in headline and "%" in headline
    # both charts were drawn by Chart.js
    drawn = phone_page.evaluate(
        "['trend', 'communes'].map(id => !!Chart.getChart(document.getElementById(id)))")
    assert drawn == [True, True]
    screenshot(phone_page, "reports-dashboard-director-phone", full=True)
    phone_page.set_viewport_size({"width": 1280, "height": 900})
    phone_page.reload()
    screenshot(phone_page, "reports-dashboard-director-desktop", full=True)


def test_viewer_and_agent_dashboards(phone_page: Any, live_server: Any, demo: Any,
                                     screenshot: Any) -> None:
    _login(phone_page, live_server, "xa1")
    phone_page.goto(f"{live_server.url}/bao-cao/?{AS_OF}")
    assert "A Lưới 1" in phone_page.locator("#headline").inner_text()
    labels = phone_page.evaluate("Chart.getChart(document.getElementById('communes'))"
                                 ".data.labels")
    assert labels == ["A Lưới 1"]
    screenshot(phone_page, "reports-dashboard-viewer-phone", full=True)
    phone_page.context.clear_cookies()
    _login(phone_page, live_server, "thu31")
    phone_page.goto(f"{live_server.url}/bao-cao/?{AS_OF}")
    assert "THU31" not in phone_page.locator("#headline .big").inner_text()
    assert phone_page.locator(".rank-badge").count() == 1
    screenshot(phone_page, "reports-dashboard-agent-phone", full=True)


def test_progress_table_targets_and_ranking_pages(phone_page: Any, live_server: Any,
                                                  demo: Any, screenshot: Any) -> None:
    _login(phone_page, live_server, "giamdoc")
    phone_page.set_viewport_size({"width": 1280, "height": 900})
    phone_page.goto(f"{live_server.url}/bao-cao/tien-do/?{AS_OF}&by=commune")
    assert phone_page.locator("tr.total").count() == 1
    screenshot(phone_page, "reports-progress-communes", full=True)
    phone_page.click("table.report tbody tr:first-child td:nth-child(4) a")
    phone_page.wait_for_load_state()
    assert "/bao-cao/danh-sach/" in phone_page.url
    screenshot(phone_page, "reports-people", full=False)
    phone_page.goto(f"{live_server.url}/bao-cao/xep-hang/?{AS_OF}&by=commune")
    screenshot(phone_page, "reports-ranking", full=True)
    phone_page.goto(f"{live_server.url}/chi-tieu/?period=2026")
    assert phone_page.locator("[data-unallocated=organisation]").inner_text() == "64"
    screenshot(phone_page, "network-targets", full=True)
