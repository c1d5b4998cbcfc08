"""POST/GET /api/devices and the revoke endpoint; the page /thiet-bi/."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from ansinh.field.devices import register_device
from ansinh.field.models import Device


def _register(client: Client, name: str = "Điện thoại của Hoa") -> Any:
    return client.post("/api/devices", json.dumps({"name": name}),
                       content_type="application/json")


def test_a_signed_in_page_registers_a_device_and_sees_its_token_once(
        client: Client, agent_al3: Any) -> None:
    client.force_login(agent_al3)
    answer = _register(client)
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"id", "name", "token"} and body["name"] == "Điện thoại của Hoa"
    listed = client.get("/api/devices").json()
    assert [d["id"] for d in listed] == [body["id"]]
    assert "token" not in listed[0] and body["token"].startswith(listed[0]["token_prefix"])
    phone = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert phone.get("/api/me").json()["device"] == "Điện thoại của Hoa"


def test_a_token_cannot_mint_tokens(agent_al3: Any) -> None:
    _device, token = register_device(actor=agent_al3, name="A")
    phone = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert _register(phone).status_code == 401
    assert Device.objects.filter(user=agent_al3).count() == 1


def test_the_csrf_token_is_required_from_a_page(agent_al3: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_al3)
    assert _register(client).status_code in (401, 403)
    assert not Device.objects.filter(user=agent_al3).exists()


def test_a_blank_name_or_a_viewer_is_refused(client: Client, agent_al3: Any,
                                             viewer_al1: Any) -> None:
    client.force_login(agent_al3)
    assert _register(client, "   ").status_code == 400
    client.force_login(viewer_al1)
    assert _register(client).status_code == 403


def test_revoke_ones_own_or_as_a_manager_of_the_office(agent_al3: Any, agent_al1: Any,
                                                       director: Any,
                                                       director_elsewhere: Any) -> None:
    device, token = register_device(actor=agent_al3, name="A")
    url = f"/api/devices/{device.pk}/revoke"
    for other in (agent_al1, director_elsewhere):
        client = Client()
        client.force_login(other)
        assert client.post(url).status_code == 404  # not theirs to see
    client = Client()
    client.force_login(director)
    answer = client.post(url)
    assert answer.status_code == 200 and answer.json()["revoked_at"]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/me").status_code == 401
    # the phone's own token may revoke itself
    second, token2 = register_device(actor=agent_al3, name="B")
    phone = Client(HTTP_AUTHORIZATION=f"Bearer {token2}")
    assert phone.post(f"/api/devices/{second.pk}/revoke").status_code == 200
    assert phone.get("/api/devices").status_code == 401


def test_the_page_lists_and_revokes(client: Client, agent_al3: Any, director: Any) -> None:
    mine, _token = register_device(actor=agent_al3, name="Máy của thu31")
    client.force_login(agent_al3)
    page = client.get("/thiet-bi/")
    assert page.status_code == 200
    assert "Máy của thu31" in page.content.decode() and mine.token_prefix in page.content.decode()
    assert "Thiết bị của cơ quan" not in page.content.decode()
    client.force_login(director)
    page = client.get("/thiet-bi/")
    assert "Thiết bị của cơ quan" in page.content.decode()
    assert "Máy của thu31" in page.content.decode()
    answer = client.post(f"/thiet-bi/{mine.pk}/thu-hoi/")
    assert answer.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
