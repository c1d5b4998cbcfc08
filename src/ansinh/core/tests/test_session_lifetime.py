"""How long a sign-in lasts (issue 13: sessions lasted 14 days): the office sets its hours
(`Office.session_hours`, 1 to 72, on /co-quan/), a user without an office gets
settings.SESSION_COOKIE_AGE, and "Máy dùng chung" ends the session with the browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from ansinh.core.models import AuditEntry, Office, Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "ansinh2026"
START = datetime(2026, 3, 31, 1, 0, tzinfo=UTC)


def sign_in(client: Client, username: str, **extra: str) -> Any:
    return client.post("/dang-nhap/", {"username": username, "password": PASSWORD, **extra})


def test_the_fallback_is_shorter_than_django_s_two_weeks() -> None:
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_a_session_lasts_the_office_s_hours(client: Client, agent_al3: Any) -> None:
    Office.objects.filter(pk=agent_al3.office_id).update(session_hours=8)
    with time_machine.travel(START, tick=False) as clock:
        assert sign_in(client, "thu31").status_code == 302
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["max-age"] == 8 * 3600
        assert client.session.get_expiry_age() == 8 * 3600
        clock.shift(timedelta(hours=7, minutes=59))
        assert client.get("/so-doi-tuong/").status_code == 200
        # the lifetime counts from sign-in, not from the last page (no sliding expiry)
        clock.shift(timedelta(minutes=2))
        response = client.get("/so-doi-tuong/")
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_a_shared_computer_s_session_ends_with_the_browser(client: Client,
                                                           agent_al3: Any) -> None:
    assert sign_in(client, "thu31", shared_computer="1").status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert client.session.get_expire_at_browser_close()
    # and the server forgets it after the fallback lifetime even if the browser stays open
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    page = Client().get("/dang-nhap/").content.decode()
    assert 'name="shared_computer"' in page and "Máy dùng chung" in page


def test_a_user_without_an_office_gets_the_fallback(client: Client, world: Any) -> None:
    User.objects.create_user("quantri", password=PASSWORD, role=Role.ADMIN, is_staff=True)
    assert sign_in(client, "quantri").status_code == 302
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_the_admin_sign_in_uses_the_office_s_hours_too(client: Client, director: Any) -> None:
    Office.objects.filter(pk=director.office_id).update(session_hours=4)
    User.objects.filter(pk=director.pk).update(is_staff=True)
    response = client.post("/admin/login/", {"username": "giamdoc", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 4 * 3600


def test_the_director_sets_the_hours_within_bounds(client: Client, director: Any) -> None:
    client.force_login(director)
    form = {"phone": "0234 3878 999", "address": "", "parent_name": "", "place": ""}
    for refused in ("0", "73", "", "tám"):
        page = client.post("/co-quan/", {**form, "session_hours": refused})
        assert page.status_code == 200 and 'class="error"' in page.content.decode(), refused
    assert Office.objects.get(pk=director.office_id).session_hours == 12
    assert client.post("/co-quan/", {**form, "session_hours": "8"}).status_code == 302
    assert Office.objects.get(pk=director.office_id).session_hours == 8
    entry = AuditEntry.objects.get(action="office.update")
    assert entry.changes["session_hours"] == [12, 8]
    # the next sign-in of the office's users lasts 8 hours
    fresh = Client()
    assert sign_in(fresh, "thu31").status_code == 302
    assert fresh.session.get_expiry_age() == 8 * 3600
