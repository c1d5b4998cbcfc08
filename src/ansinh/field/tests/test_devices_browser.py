"""The device page in a real browser: a director sees their phone and the office's, revokes one
that was lost, and the page says so."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_revokes_a_lost_phone(world: dict[str, Any], phone_page: Any,
                                         live_server: Any, screenshot: Any) -> None:
    from ansinh.field.devices import register_device
    from ansinh.field.models import Device

    users = world["users"]
    register_device(actor=users["giamdoc"], name="Máy tính bảng của giám đốc")
    lost, _token = register_device(actor=users["thu31"], name="Điện thoại Samsung của thu31")
    page = phone_page
    page.goto(f"{live_server.url}/dang-nhap/?next=/thiet-bi/")
    page.fill("input[name=username]", "giamdoc")
    page.fill("input[name=password]", "ansinh2026")
    page.click("button.primary")
    page.wait_for_url("**/thiet-bi/")
    assert page.locator("h1").inner_text() == "Thiết bị"
    assert "Điện thoại Samsung của thu31" in page.locator("table").nth(1).inner_text()
    screenshot(page, "devices-phone", full=True)
    page.locator("table").nth(1).locator("button").click()
    page.wait_for_selector(".messages")
    assert "Đã thu hồi thiết bị Điện thoại Samsung của thu31" in page.inner_text(".messages")
    assert Device.objects.get(pk=lost.pk).revoked_at is not None
    screenshot(page, "devices-revoked-phone", full=True)
