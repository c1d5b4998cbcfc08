"""In a real browser on a phone-sized screen: a director reads a phone's conflict and marks it
handled."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from ansinh.core.tests.browser import sign_in
from ansinh.field.devices import register_device
from ansinh.field.models import SyncItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_handles_a_conflict(phone_page: Any, live_server: Any, agent_al3: Any,
                                       prospect_al3: Any, screenshot: Any) -> None:
    token = register_device(actor=agent_al3, name="Điện thoại của Hoa")[1]
    item = {"kind": "person", "client_uuid": str(uuid.uuid4()),
            "data": {"village": prospect_al3.village_id, "full_name": prospect_al3.full_name,
                     "birth_date": prospect_al3.birth_date.isoformat(), "sex": "F"}}
    Client().post("/api/sync", {"items": [item]}, content_type="application/json",
                  headers={"Authorization": f"Bearer {token}"})
    page = phone_page
    sign_in(page, live_server.url, "giamdoc")
    page.goto(f"{live_server.url}/thuc-dia/xung-dot/")
    assert prospect_al3.full_name in page.inner_text("main")
    screenshot(page, "field-conflicts", full=True)
    page.fill("input[name=note]", "Đã đối chiếu: cùng một người, không thêm")
    page.click("form button.primary")
    page.wait_for_load_state()
    screenshot(page, "field-conflicts-handled", full=True)
    assert SyncItem.objects.get().resolved_at is not None
    assert "không thêm" in page.inner_text("main")
