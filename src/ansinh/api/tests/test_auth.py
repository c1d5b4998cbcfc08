"""A device signs in with its own token; a revoked or unknown token gets 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ansinh.core.errors import Refused
from ansinh.field.devices import register_device, revoke_device
from ansinh.field.models import Device


def _me(client: Client, token: str) -> Any:
    return client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_device_token_signs_its_user_in(client: Client, agent_al3: Any) -> None:
    device, token = register_device(actor=agent_al3, name="  Điện thoại   Samsung ")
    answer = _me(client, token)
    assert answer.status_code == 200
    assert answer.json()["username"] == agent_al3.username
    assert answer.json()["device"] == "Điện thoại Samsung"
    stored = Device.objects.get(pk=device.pk)
    assert token not in (stored.token_digest, stored.token_prefix)  # only a digest is kept
    assert stored.last_seen_at is not None


def test_a_revoked_or_unknown_token_is_401(client: Client, agent_al3: Any) -> None:
    device, token = register_device(actor=agent_al3, name="A")
    revoke_device(device, actor=agent_al3)
    assert _me(client, token).status_code == 401
    assert _me(client, token + "x").status_code == 401
    assert client.get("/api/me").status_code == 401


def test_only_the_owner_or_their_office_managers_revoke(agent_al3: Any, agent_al1: Any,
                                                        director: Any,
                                                        director_elsewhere: Any) -> None:
    device, _token = register_device(actor=agent_al3, name="A")
    with pytest.raises(Refused):
        revoke_device(device, actor=agent_al1)
    with pytest.raises(Refused):
        revoke_device(device, actor=director_elsewhere)
    assert revoke_device(device, actor=director).revoked_at is not None


def test_viewers_register_no_device(viewer_al1: Any) -> None:
    with pytest.raises(Refused):
        register_device(actor=viewer_al1, name="A")


def test_a_signed_in_page_calls_the_api_with_its_session(client: Client, agent_al3: Any) -> None:
    client.force_login(agent_al3)
    assert client.get("/api/me").json()["device"] is None


def test_the_schema_is_openapi_3_1_and_the_docs_are_served(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/me" in schema["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower() or b"/static/" in docs.content
