"""/thuc-dia/xung-dot/: the phone items that met a changed record, for staff of the territory,
in words, each resolved with a note (audited)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry
from ansinh.field.actions import resolve_conflict
from ansinh.field.devices import register_device
from ansinh.field.models import SyncItem
from ansinh.registry.models import Person

PAGE = "/thuc-dia/xung-dot/"


def _conflict(person: Person, user: Any) -> SyncItem:
    return SyncItem.objects.create(
        client_uuid=uuid.uuid4(), user=user, office_id=person.office_id,
        village_id=person.village_id, person=person, kind="receipt", content_hash="0" * 64,
        status="conflict", reason_vi="Số tiền khác số phải nộp", reason_en="amount differs",
        number="AL3-0000007",
        payload={"participation": str(uuid.uuid4()), "months": ["2026-01", "2026-02"],
                 "amount": 693000, "paid_on": "2026-02-20", "channel": "cash",
                 "number": "AL3-0000007", "note": ""})


def _person_of(commune: str) -> Person:
    person = Person.objects.filter(village__commune__code=commune).first()
    assert person is not None
    return person


def test_staff_see_their_territorys_conflicts_in_words(client: Client, staff_al2: Any,
                                                       agent_al3: Any) -> None:
    mine = _conflict(_person_of("AL2"), agent_al3)
    _conflict(_person_of("AL3"), agent_al3)
    client.force_login(staff_al2)
    page = client.get(PAGE).content.decode()
    assert mine.person is not None and mine.person.full_name in page
    assert "693.000 đ" in page and "01/2026, 02/2026" in page and "AL3-0000007" in page
    assert "Số tiền khác số phải nộp" in page
    assert page.count('name="note"') == 1  # the other commune's is not shown


def test_the_page_speaks_english(client: Client, director: Any, agent_al3: Any) -> None:
    _conflict(_person_of("AL3"), agent_al3)
    client.cookies["django_language"] = "en"
    client.force_login(director)
    page = client.get(PAGE).content.decode()
    assert "Sync conflicts" in page and "amount differs" in page and "Receipt of" in page


def test_agents_and_viewers_do_not_resolve(client: Client, agent_al3: Any,
                                           viewer_al1: Any) -> None:
    item = _conflict(_person_of("AL3"), agent_al3)
    for user in (agent_al3, viewer_al1):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(f"{PAGE}{item.pk}/xu-ly/", {"note": "x"}).status_code == 403
    assert SyncItem.objects.get(pk=item.pk).resolved_at is None


def test_resolving_needs_a_note_and_is_audited(client: Client, director: Any,
                                               agent_al3: Any) -> None:
    item = _conflict(_person_of("AL3"), agent_al3)
    client.force_login(director)
    empty = client.post(f"{PAGE}{item.pk}/xu-ly/", {"note": "  "})
    assert empty.status_code == 400 and "Cần ghi lại" in empty.content.decode()
    done = client.post(f"{PAGE}{item.pk}/xu-ly/", {"note": "Đã hoàn tiền tháng 2"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.resolved_by == director and item.resolution_note == "Đã hoàn tiền tháng 2"
    entry = AuditEntry.objects.get(action="sync_conflict.resolve")
    assert entry.object_id == str(item.pk) and entry.note == "Đã hoàn tiền tháng 2"
    page = client.get(PAGE).content.decode()
    assert "Đã hoàn tiền tháng 2" in page and 'name="note"' not in page
    with pytest.raises(Refused):
        resolve_conflict(item, actor=director, note="lần nữa")


def test_another_territorys_conflict_is_404(client: Client, staff_al2: Any,
                                            agent_al3: Any) -> None:
    item = _conflict(_person_of("AL3"), agent_al3)
    client.force_login(staff_al2)
    assert client.post(f"{PAGE}{item.pk}/xu-ly/", {"note": "x"}).status_code == 404


def test_a_conflict_from_the_api_lands_on_the_page(client: Client, director: Any,
                                                   agent_al3: Any,
                                                   prospect_al3: Person) -> None:
    token = register_device(actor=agent_al3, name="A")[1]
    item = {"kind": "person", "client_uuid": str(uuid.uuid4()),
            "data": {"village": prospect_al3.village_id, "full_name": prospect_al3.full_name,
                     "birth_date": prospect_al3.birth_date.isoformat(), "sex": "F"}}
    answer = client.post("/api/sync", {"items": [item]}, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}").json()["results"][0]
    assert answer["status"] == "conflict"
    client.force_login(director)
    page = client.get(PAGE).content.decode()
    assert f"Thêm người mới {prospect_al3.full_name}" in page
