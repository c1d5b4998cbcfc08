"""The register in a real browser: Debian's chromium driven by Playwright (never `playwright
install`). Screenshots land in var/screenshots for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(world: dict[str, Any]) -> Any:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
        yield context.new_page()
        browser.close()


def _shot(page: Any, name: str) -> None:
    folder = Path(os.environ.get("ANSINH_VAR_DIR", "var")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_sign_in_and_search_without_diacritics_on_a_phone(page: Any, live_server: Any) -> None:
    from ansinh.registry.models import Person

    target = Person.objects.filter(village__commune__code="AL2").order_by("id").first()
    assert target is not None
    Person.objects.filter(pk=target.pk).update(full_name="Hồ Thị Hoa", name_folded="ho thi hoa")

    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "canbo2")
    page.fill("input[name=password]", "ansinh2026")
    page.click("button.primary")
    page.wait_for_url("**/so-doi-tuong/")
    assert page.locator("h1").inner_text() == "Sổ đối tượng"

    page.fill("input[name=q]", "ho thi hoa")  # HTMX swaps the results in as the agent types
    page.wait_for_function(
        "() => document.querySelectorAll('#results tbody tr').length >= 1 && "
        "[...document.querySelectorAll('#results td.name a')]"
        ".every(a => a.textContent.includes('Hồ Thị Hoa'))"
    )
    assert "q=ho%20thi%20hoa" in page.url  # the search is in the address, so it can be shared
    _shot(page, "register-search-phone")
    page.click("#results td.name a")
    page.wait_for_selector("dl.facts")
    assert "Hồ Thị Hoa" in page.locator("h1").inner_text()
    _shot(page, "person-phone")


def test_an_agent_never_sees_another_commune_in_the_browser(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "thu31")
    page.fill("input[name=password]", "ansinh2026")
    page.click("button.primary")
    page.wait_for_url("**/so-doi-tuong/")
    communes = page.locator("select[name=commune] option").all_inner_texts()
    assert communes[1:] == ["A Lưới 3"]
    cells = page.locator("#results tbody td:nth-child(5)").all_inner_texts()
    assert cells and all(cell.endswith("A Lưới 3") for cell in cells)
