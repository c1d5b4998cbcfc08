from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ansinh.field.devices import register_device


@pytest.fixture
def token_al3(agent_al3: Any) -> str:
    """The token of a phone of thu31, the agent of A Lưới 3."""
    return register_device(actor=agent_al3, name="Điện thoại của thu31")[1]


def post(client: Client, path: str, body: Any, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(path, body, content_type="application/json", headers=headers)
