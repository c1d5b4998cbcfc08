"""The office keeps its own phone, address and report heading (issue 11: the calculator's call
button comes "from office settings"): one action, audited, for the director of that office."""

from __future__ import annotations

from typing import Any

import pytest

from ansinh.core import actions
from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry, Office

pytestmark = pytest.mark.django_db


def test_the_director_sets_the_phone_the_public_calculator_shows(
        client: Any, director: Any) -> None:
    client.force_login(director)
    page = client.get("/co-quan/")
    assert page.status_code == 200 and "Thông tin cơ quan" in page.content.decode()
    response = client.post("/co-quan/", {"phone": "0234 3878 999", "address": "Thị trấn A Lưới",
                                         "parent_name": "Bảo hiểm xã hội thành phố Huế",
                                         "place": "A Lưới", "session_hours": "8"})
    assert response.status_code == 302
    office = Office.objects.get(pk=director.office_id)
    assert office.phone == "0234 3878 999"
    entry = AuditEntry.objects.get(action="office.update")
    assert entry.actor == director and entry.changes["phone"][1] == "0234 3878 999"
    client.logout()
    calculator = client.get("/tinh/dong-bao-nhieu/").content.decode()
    assert 'href="tel:02343878999"' in calculator


def test_nothing_changed_writes_nothing(director: Any) -> None:
    office = Office.objects.get(pk=director.office_id)
    actions.update_office(office, actor=director, phone=office.phone)
    assert not AuditEntry.objects.filter(action="office.update").exists()


def test_another_office_and_other_roles_are_refused(director_elsewhere: Any, director: Any,
                                                    staff_al2: Any, client: Any) -> None:
    office = Office.objects.get(pk=director.office_id)
    for actor in (director_elsewhere, staff_al2):
        with pytest.raises(Refused):
            actions.update_office(office, actor=actor, phone="0999")
    with pytest.raises(ValueError, match="not an office setting"):
        actions.update_office(office, actor=director, name="Another name")
    assert Office.objects.get(pk=office.pk).phone != "0999"
    client.force_login(staff_al2)
    assert client.post("/co-quan/", {"phone": "0999"}).status_code == 403
