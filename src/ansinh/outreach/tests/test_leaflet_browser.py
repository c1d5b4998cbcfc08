"""The leaflet page on a phone: only the languages the office has written can be printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .test_browser import _login

SHOTS = Path("/work/shots/exports")


def test_untranslated_languages_cannot_be_chosen(world: Any, phone_page: Any, live_server: Any,
                                                 screenshot: Any, agent_al3: Any) -> None:
    page = phone_page
    _login(page, live_server.url, agent_al3.username)
    page.goto(f"{live_server.url}/van-dong/to-roi/")
    options = page.locator("select[name=lang] option")
    states = {options.nth(i).get_attribute("value"): options.nth(i).is_disabled()
              for i in range(options.count())}
    assert states == {"vi": False, "ta_oi": True, "pa_ko": True, "co_tu": True}
    assert "chưa có bản dịch" in options.nth(1).inner_text()
    assert page.locator("#untranslated").inner_text().count("chưa có bản dịch") == 3
    screenshot(page, "leaflet-languages")
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / "leaflet-languages.png"), full_page=True)
