"""Guessing passwords (issue 13: 30 wrong passwords in 14 s met no throttle): after
AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is locked for
AXES_COOLOFF_TIME, on the site's sign-in page and on /admin/ alike, with a page in the user's
language; the API's device tokens and signed-in sessions are not touched by it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from ansinh.core.models import Role, User
from ansinh.field.devices import register_device

pytestmark = pytest.mark.django_db

PASSWORD = "ansinh2026"  # every demo and test user's
START = datetime(2026, 3, 31, 2, 0, tzinfo=UTC)


def sign_in(client: Client, username: str, password: str, *, address: str = "10.0.0.7",
            path: str = "/dang-nhap/") -> Any:
    return client.post(path, {"username": username, "password": password},
                       REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int, **kwargs: Any) -> None:
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", **kwargs)
        assert response.status_code in (200, 429)


def test_the_limit_locks_the_username_and_the_right_password_is_refused(
        client: Client, agent_al3: Any) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5 and timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    with time_machine.travel(START, tick=False):
        fail(client, "thu31", limit - 1)
        assert sign_in(client, "thu31", "wrong-password").status_code == 429  # the 5th
        locked = sign_in(client, "thu31", PASSWORD)
        page = locked.content.decode()
        assert locked.status_code == 429 and not signed_in(client)
        assert "Tạm khóa đăng nhập" in page and "15 phút" in page
        assert locked["Content-Type"].startswith("text/html")


def test_four_wrong_then_the_right_password_signs_in_and_resets_the_count(
        client: Client, agent_al3: Any) -> None:
    fail(client, "thu31", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "thu31", PASSWORD).status_code == 302 and signed_in(client)
    client.logout()
    fail(client, "thu31", settings.AXES_FAILURE_LIMIT - 1)  # counted afresh: not locked
    assert sign_in(client, "thu31", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client: Client, agent_al3: Any) -> None:
    with time_machine.travel(START, tick=False) as clock:
        fail(client, "thu31", settings.AXES_FAILURE_LIMIT)
        clock.shift(timedelta(minutes=14, seconds=59))
        assert sign_in(client, "thu31", PASSWORD).status_code == 429
        # the attempt above did not restart the 15 minutes: the page's promise holds
        clock.shift(timedelta(seconds=2))
        assert sign_in(client, "thu31", PASSWORD).status_code == 302 and signed_in(client)


def test_the_lock_is_for_that_username_from_that_address(
        client: Client, agent_al3: Any, agent_al1: Any) -> None:
    fail(client, "thu31", settings.AXES_FAILURE_LIMIT, address="10.0.0.7")
    assert sign_in(Client(), "thu11", PASSWORD, address="10.0.0.7").status_code == 302
    assert sign_in(Client(), "thu31", PASSWORD, address="10.0.0.8").status_code == 302


def test_the_admin_sign_in_locks_too(client: Client, world: Any) -> None:
    User.objects.create_user("quantri", password=PASSWORD, role=Role.ADMIN, is_staff=True,
                             is_superuser=True)
    fail(client, "quantri", settings.AXES_FAILURE_LIMIT, path="/admin/login/")
    locked = sign_in(client, "quantri", PASSWORD, path="/admin/login/")
    assert locked.status_code == 429 and "Tạm khóa đăng nhập" in locked.content.decode()
    assert not signed_in(client)
    # the site's page refuses the same pair: one count for both doors
    assert sign_in(client, "quantri", PASSWORD).status_code == 429


def test_the_lockout_page_speaks_english_when_chosen(client: Client, agent_al3: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(client, "thu31", settings.AXES_FAILURE_LIMIT)
    page = sign_in(client, "thu31", PASSWORD).content.decode()
    assert "Sign-in locked" in page and "15 minutes" in page
    assert "Tạm khóa" not in page


def test_the_api_token_and_session_still_answer_while_the_user_is_locked(
        client: Client, agent_al3: Any) -> None:
    _device, token = register_device(actor=agent_al3, name="Điện thoại thu 31")
    session = Client()
    session.force_login(agent_al3)
    fail(client, "thu31", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "thu31", PASSWORD).status_code == 429
    by_token = Client().get("/api/territory", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert by_token.status_code == 200
    assert session.get("/api/territory").status_code == 200
    assert session.get("/so-doi-tuong/").status_code == 200


def test_the_standard_password_validators_refuse_weak_passwords(agent_al3: Any) -> None:
    for weak, code in (("ansinh", "password_too_short"), ("password123", "password_too_common"),
                       ("84905123456", "password_entirely_numeric"),
                       ("thu31abc", "password_too_similar")):
        with pytest.raises(ValidationError) as refused:
            validate_password(weak, user=agent_al3)
        assert code in [error.code for error in refused.value.error_list], weak
    validate_password("Rừng-thông-A-Lưới-2026", user=agent_al3)


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client: Client, settings: Any,
                                                             agent_al3: Any) -> None:
    """With ANSINH_PROXY_COUNT=1 every request arrives from the proxy: the lockout reads the
    address the proxy appended, and what a client wrote before it cannot dodge the lock."""
    settings.PROXY_COUNT = 1
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        client.post("/dang-nhap/", {"username": "thu31", "password": "wrong"},
                    REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9")
    locked = client.post("/dang-nhap/", {"username": "thu31", "password": PASSWORD},
                         REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9")
    assert locked.status_code == 429
    # another phone behind the same proxy is another address
    other = Client().post("/dang-nhap/", {"username": "thu31", "password": PASSWORD},
                          REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302
