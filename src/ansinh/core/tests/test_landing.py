"""Each role lands where its work is, after signing in and on `/`; a `next` of this site wins."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ansinh.core.landing import landing_url

LANDS = {
    "director": "/bao-cao/",  # the office's dashboard
    "staff_al2": "/bao-cao/",  # the dashboard of their territory
    "agent_al3": "/van-dong/viec-can-lam/",  # today's worklist
    "viewer_al1": "/bao-cao/tien-do/?by=village",  # their commune's progress, village by village
}


def _sign_in(client: Client, user: Any, **extra: str) -> Any:
    return client.post("/dang-nhap/", {"username": user.username, "password": "ansinh2026",
                                       **extra})


@pytest.mark.parametrize("persona", list(LANDS))
def test_signing_in_lands_on_the_roles_page(client: Client, persona: str,
                                            request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    assert landing_url(user) == LANDS[persona]
    response = _sign_in(client, user)
    assert response.status_code == 302 and response["Location"] == LANDS[persona]
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("persona", list(LANDS))
def test_home_sends_each_role_to_their_page(client: Client, persona: str,
                                            request: pytest.FixtureRequest) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == LANDS[persona]


def test_home_sends_a_stranger_to_sign_in(client: Client, world: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/dang-nhap/"


def test_an_explicit_next_of_this_site_wins(client: Client, agent_al3: Any) -> None:
    response = _sign_in(client, agent_al3, next="/so-doi-tuong/?q=a")
    assert response["Location"] == "/so-doi-tuong/?q=a"
    assert client.get("/", {"next": "/thu/"})["Location"] == "/thu/"


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/x",
                                       "javascript:alert(1)"])
def test_a_next_to_another_site_is_ignored(client: Client, director: Any,
                                           elsewhere: str) -> None:
    response = _sign_in(client, director, next=elsewhere)
    assert response["Location"] == "/bao-cao/"
    assert client.get("/", {"next": elsewhere})["Location"] == "/bao-cao/"
