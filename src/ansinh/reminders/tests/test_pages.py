"""Reminder pages by role: the outbox, the templates, the printable village list (PDF)."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.collection.lapses import detect_lapses
from ansinh.core.models import User
from ansinh.registry.models import Person
from ansinh.reminders.models import OutboxMessage, ReminderTemplate
from ansinh.reminders.queueing import queue_for_run

OUTBOX = reverse("reminders:outbox")
TEMPLATES = reverse("reminders:templates")
VILLAGE_LIST = reverse("reminders:village_list")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def queued(participation_al3: Any, agent_al3: Any) -> Any:
    """A due-soon reminder to the participant of A Lưới 3 and a digest to thu31."""
    Person.objects.filter(pk=participation_al3.person_id).update(phone="0912345678")
    User.objects.filter(pk=agent_al3.pk).update(phone="0987654321")
    office = participation_al3.office
    queue_for_run(office, detect_lapses(office, date(2026, 1, 25)))
    participation_al3.person.refresh_from_db()
    return participation_al3


@pytest.mark.parametrize(("username", "status", "sees"), [
    ("giamdoc", 200, True), ("admin", 200, True), ("canbo3", 200, True),
    ("canbo2", 200, False), ("thu31", 403, False), ("xa1", 403, False),
])
def test_outbox_by_role(queued: Any, world: Any, username: str, status: int,
                        sees: bool) -> None:
    response = _client(world["users"][username]).get(OUTBOX)
    assert response.status_code == status
    if status == 200:
        assert (queued.person.full_name in response.content.decode()) is sees


def test_the_outbox_costs_the_same_queries_whatever_the_messages(
    queued: Any, director: Any
) -> None:
    client = _client(director)
    with CaptureQueriesContext(connection) as few:
        client.get(OUTBOX)
    for i in range(30):
        OutboxMessage.objects.create(
            office=queued.office, village=queued.village, recipient_kind="participant",
            person=queued.person, template_code="late", channel="console", phone="0912",
            body=f"tin {i}", dedupe_key=f"x{i}", as_of=date(2026, 2, 1))
    with CaptureQueriesContext(connection) as more:
        client.get(OUTBOX)
    assert len(more) == len(few)


@pytest.mark.parametrize(("username", "get", "post"), [
    # staff read the templates (they handle the outbox); the office's texts are the director's
    ("giamdoc", 200, 302), ("canbo2", 200, 403), ("admin", 200, 302), ("thu31", 403, 403),
    ("xa1", 403, 403),
])
def test_templates_by_role(world: Any, username: str, get: int, post: int) -> None:
    client = _client(world["users"][username])
    assert client.get(TEMPLATES).status_code == get
    response = client.post(TEMPLATES, {"code": "late", "channel": "sms",
                                       "body": "Chậm đóng: {ho_ten}, {so_tien}",
                                       "active": "on"})
    assert response.status_code == post
    if post == 302:
        row = ReminderTemplate.objects.get(office=world["office"], code="late")
        assert row.channel == "sms"
        # the shared default is untouched
        assert ReminderTemplate.objects.get(office__isnull=True, code="late",
                                            channel="").body.startswith("{co_quan}")


def test_an_unknown_placeholder_is_refused(director: Any) -> None:
    page = _client(director).post(TEMPLATES, {"code": "late", "channel": "",
                                              "body": "Chào {ten}", "active": "on"})
    assert page.status_code == 200 and "{ten}" in page.content.decode()
    assert not ReminderTemplate.objects.filter(office__isnull=False).exists()


def _pdf_text(content: bytes, tmp_path: Path, name: str) -> str:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / name)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return " ".join(text.split())  # a long name may wrap inside its cell


def test_the_village_list_pdf_names_the_people(participation_al3: Any, agent_al3: Any,
                                               tmp_path: Path) -> None:
    person = participation_al3.person
    client = _client(agent_al3)
    response = client.get(VILLAGE_LIST, {"village": participation_al3.village_id,
                                         "month": "2026-01"})
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path, "thon")
    assert person.full_name in text  # diacritics survive: Noto Sans is named explicitly
    assert participation_al3.village.name.upper() in text  # in the title, as on official forms
    assert "Đến hạn đóng trong tháng" in text and "341.000" in text
    # the office's heading and the signature blocks every printed list shares
    assert "BHXH CƠ SỞ A LƯỚI" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "A Lưới, ngày" in text and "Trưởng thôn" in text and "Nhân viên thu" in text
    shots = Path("/work/shots/exports")
    if shots.is_dir():
        (shots / "danh-sach-thon.pdf").write_bytes(response.content)
    # the whole commune: the same person, in their village's section
    response = client.get(VILLAGE_LIST, {"commune": participation_al3.village.commune_id,
                                         "month": "2026-01"})
    assert person.full_name in _pdf_text(response.content, tmp_path, "xa")


def test_the_village_list_shows_late_people(participation_al3: Any, viewer_al1: Any,
                                            world: Any, tmp_path: Path) -> None:
    from ansinh.network.models import Assignment

    Assignment.objects.create(user=world["users"]["xa3"], village=participation_al3.village,
                              starts_on=date(2025, 1, 1))
    import time_machine

    from ansinh.outreach.tests.helpers import pay

    # late means paid once and behind since (collection.payment_state): January is paid,
    # February's deadline has passed
    with time_machine.travel(date(2026, 1, 20)):
        pay(participation_al3, [date(2026, 1, 1)], world["users"]["thu31"], date(2026, 1, 20))
    with time_machine.travel(date(2026, 3, 15)):
        response = _client(world["users"]["xa3"]).get(
            VILLAGE_LIST, {"village": participation_al3.village_id, "month": "2026-03"})
    text = _pdf_text(response.content, tmp_path, "late")
    assert "Chậm đóng (1)" in text and participation_al3.person.full_name in text
    assert "28/02/2026" in text and "682.000" in text  # two months


@pytest.mark.parametrize(("username", "status"), [
    ("giamdoc", 200), ("admin", 200), ("canbo3", 200), ("thu31", 200), ("xa3", 200),
    ("canbo2", 404), ("thu11", 404), ("xa1", 404),
])
def test_village_list_by_role(participation_al3: Any, world: Any, username: str,
                              status: int) -> None:
    client = _client(world["users"][username])
    assert client.get(VILLAGE_LIST).status_code == 200  # the chooser
    response = client.get(VILLAGE_LIST, {"village": participation_al3.village_id})
    assert response.status_code == status
