"""The register in a real browser: Debian's chromium driven by Playwright (never `playwright
install`). Screenshots land in var/screenshots for a person to look at."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(world: dict[str, Any], phone_page: Any) -> Any:
    return phone_page



def test_sign_in_and_search_without_diacritics_on_a_phone(
    page: Any, live_server: Any, screenshot: Any
) -> None:
    from ansinh.registry.models import Person

    target = Person.objects.filter(village__commune__code="AL2").order_by("id").first()
    assert target is not None
    Person.objects.filter(pk=target.pk).update(full_name="Hồ Thị Hoa", name_folded="ho thi hoa")

    page.goto(f"{live_server.url}/dang-nhap/?next=/so-doi-tuong/")  # each role lands elsewhere
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
    screenshot(page, "register-search-phone")
    page.click("#results td.name a")
    page.wait_for_selector("dl.facts")
    assert "Hồ Thị Hoa" in page.locator("h1").inner_text()
    screenshot(page, "person-phone")


def test_an_agent_never_sees_another_commune_in_the_browser(
    page: Any, live_server: Any, screenshot: Any
) -> None:
    page.goto(f"{live_server.url}/dang-nhap/?next=/so-doi-tuong/")  # each role lands elsewhere
    page.fill("input[name=username]", "thu31")
    page.fill("input[name=password]", "ansinh2026")
    page.click("button.primary")
    page.wait_for_url("**/so-doi-tuong/")
    communes = page.locator("select[name=commune] option").all_inner_texts()
    assert communes[1:] == ["A Lưới 3"]
    cells = page.locator("#results tbody td:nth-child(5)").all_inner_texts()
    assert cells and all(cell.endswith("A Lưới 3") for cell in cells)
