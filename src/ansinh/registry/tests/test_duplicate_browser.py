"""The duplicate queue in a real browser (Debian's chromium through Playwright), on a phone:
staff find the pair, compare, keep the other record's phone, merge, tap twice, and undo."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_merge_and_undo_on_a_phone(world: dict[str, Any], phone_page: Any,
                                         live_server: Any, screenshot: Any) -> None:
    from ansinh.core.text import fold
    from ansinh.registry.models import DuplicatePair, Merge, PairStatus, Person

    person = Person.objects.filter(village__commune__code="AL3", phone="").order_by("id").first()
    assert person is not None
    twin = Person.objects.create(
        office=person.office, village=person.village, full_name=fold(person.full_name),
        birth_date=person.birth_date, sex=person.sex, ethnicity=person.ethnicity,
        phone="0912345678")
    page = phone_page
    page.goto(f"{live_server.url}/dang-nhap/?next=/so-doi-tuong/trung-lap/")
    page.fill("input[name=username]", "canbo3")
    page.fill("input[name=password]", "ansinh2026")
    page.click("button.primary")
    page.wait_for_url("**/so-doi-tuong/trung-lap/")

    page.click("text=Tìm cặp trùng trong địa bàn")
    page.wait_for_selector("ul.messages")
    assert DuplicatePair.objects.filter(person_a=person, person_b=twin).exists()
    screenshot(page, "duplicate-queue-phone", full=True)
    page.locator("tr", has_text=twin.full_name).locator("a", has_text="So sánh").click()
    page.wait_for_selector("table.compare")
    # the phone the first record lacks: take the second record's
    page.check("input[name=keep_phone][value=b]")
    screenshot(page, "duplicate-compare-phone", full=True)
    # the same page open in a second tab: its button is the second tap
    stale = page.context.new_page()
    stale.goto(page.url)
    stale.check("input[name=survivor][value=b]")
    with page.expect_navigation():
        page.click("button[value=merge]")
    assert page.locator("h1").inner_text().startswith(person.full_name)
    person.refresh_from_db()
    assert person.phone == "0912345678"
    assert not Person.objects.filter(pk=twin.pk).exists()
    with stale.expect_navigation():
        stale.click("button[value=merge]")
    assert Merge.objects.count() == 1
    assert "Đã gộp" in stale.content()  # the pair's state, no second merge
    stale.close()

    # the kept record's page offers the undo
    page.goto(f"{live_server.url}/so-doi-tuong/doi-tuong/{person.pk}/")
    with page.expect_navigation():
        page.click("button:has-text('Hoàn tác')")
    assert Person.objects.filter(pk=twin.pk).exists()
    person.refresh_from_db()
    assert person.phone == ""
    assert DuplicatePair.objects.get(person_a=person, person_b=twin).status == PairStatus.OPEN
