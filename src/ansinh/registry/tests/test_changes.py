"""Every write that changes what a phone holds of a person gives that person the office's next
change number (`registry.changes.touch`), so a download after a cursor finds it."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine

from ansinh.collection import lifecycle
from ansinh.collection.actions import reverse_receipt
from ansinh.collection.dues import quote_months
from ansinh.collection.lapses import detect_lapses
from ansinh.collection.receipts import record_receipt
from ansinh.network.actions import hand_over
from ansinh.network.models import Agent
from ansinh.outreach.actions import (
    add_new_person,
    close_follow_up,
    create_event,
    record_contact,
    update_attendance,
)
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation, Status
from ansinh.registry.actions import certify_poverty, update_person
from ansinh.registry.changes import current_seq, touch
from ansinh.registry.exporting import export_persons, template_headers
from ansinh.registry.importing import import_persons
from ansinh.registry.models import Household, Person, Village


def _changed(person: Any, action: Callable[[], Any]) -> int:
    """Run `action`; assert the person's version is now above the office's seq before it."""
    before = current_seq(person.office_id)
    action()
    version = Person.objects.values_list("sync_version", flat=True).get(pk=person.pk)
    assert version > before, f"{action} did not touch the person ({version} ≤ {before})"
    assert version <= current_seq(person.office_id)
    return version


def _pay(participation: Participation, months: list[date], paid_on: date, actor: Any) -> Any:
    with time_machine.travel(paid_on):
        return record_receipt(participation, months=months,
                              amount=quote_months(participation, months, paid_on).amount,
                              paid_on=paid_on, channel="bank_transfer",
                              client_uuid=uuid.uuid4(), actor=actor).receipt


def test_numbers_increase_and_touch_nobody_gives_none(world: dict[str, Any]) -> None:
    office = world["office"]
    first, second = (Person.objects.filter(office=office).order_by("id")[:2])
    a = touch(office.pk, [first.pk])
    b = touch(office.pk, [second.pk, first.pk])
    assert a is not None and b is not None and b == a + 1 == current_seq(office.pk)
    assert touch(office.pk, []) is None
    assert current_seq(office.pk) == b


def test_register_edits_touch_the_person_and_the_household(prospect_al3: Any,
                                                           director: Any) -> None:
    _changed(prospect_al3, lambda: update_person(prospect_al3, {"phone": "0911222333"},
                                                 actor=director))
    assert prospect_al3.household is not None
    members = list(prospect_al3.household.members.values_list("id", flat=True))
    before = current_seq(prospect_al3.office_id)
    certify_poverty(prospect_al3.household, year=2026, status="poor", source="QĐ 1",
                    actor=director)
    assert all(v > before for v in Person.objects.filter(id__in=members)
               .values_list("sync_version", flat=True))


def test_enrolment_receipts_and_reversals_touch_the_person(prospect_al3: Any, agent_al3: Any,
                                                          director: Any,
                                                          receipt_book_al3: Any) -> None:
    holder: dict[str, Any] = {}

    def enrolling() -> None:
        holder["p"] = enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000,
                            mode="monthly", actor=agent_al3, enrolled_on=date(2026, 1, 5))

    versions = [_changed(prospect_al3, enrolling)]
    participation = holder["p"]

    def paying() -> None:
        holder["r"] = _pay(participation, [date(2026, 1, 1)], date(2026, 1, 10), agent_al3)

    versions.append(_changed(prospect_al3, paying))
    versions.append(_changed(prospect_al3, lambda: reverse_receipt(
        holder["r"], on=date(2026, 1, 12), reason="ghi nhầm", actor=director)))
    assert versions == sorted(versions) and len(set(versions)) == 3


def test_lifecycle_and_lapses_touch_the_person(paying_al3: Any, director: Any) -> None:
    person = paying_al3.person
    office = paying_al3.office
    # January's deadline passes: the lapse run marks them late (mark_late)
    _changed(person, lambda: detect_lapses(office, date(2026, 2, 1)))
    paying_al3.refresh_from_db()
    assert paying_al3.status == Status.LATE
    _changed(person, lambda: lifecycle.pause(paying_al3, on=date(2026, 2, 2), actor=director))
    _changed(person, lambda: lifecycle.resume(paying_al3, from_month=date(2026, 3, 1),
                                              on=date(2026, 3, 2), actor=director))
    _changed(person, lambda: lifecycle.change_terms(
        paying_al3, from_month=date(2026, 4, 1), income=2_500_000, mode="monthly",
        actor=director, on=date(2026, 3, 3)))
    _changed(person, lambda: lifecycle.stop(paying_al3, reason="moved", on=date(2026, 3, 4),
                                            actor=director))


def test_a_receipt_of_a_late_participant_touches_them(paying_al3: Any, agent_al3: Any) -> None:
    detect_lapses(paying_al3.office, date(2026, 2, 1))
    # paying January (and February, due) makes them active again in the same batch (mark_active)
    version = _changed(paying_al3.person, lambda: _pay(
        paying_al3, [date(2026, 1, 1), date(2026, 2, 1)], date(2026, 2, 3), agent_al3))
    paying_al3.refresh_from_db()
    assert paying_al3.status == Status.ACTIVE
    assert version == current_seq(paying_al3.office_id)


def test_contacts_follow_ups_and_new_persons_touch(prospect_al3: Any, agent_al3: Any) -> None:
    holder: dict[str, Any] = {}

    def contacting() -> None:
        holder["c"] = record_contact(actor=agent_al3, person=prospect_al3, on=date(2026, 3, 2),
                                     channel="visit", outcome="follow_up",
                                     next_follow_up_on=date(2026, 3, 20))

    _changed(prospect_al3, contacting)
    _changed(prospect_al3, lambda: close_follow_up(holder["c"], actor=agent_al3))
    event = create_event(actor=agent_al3, village=prospect_al3.village, kind="small_group",
                         held_on=date(2026, 3, 5))
    attendance = record_contact(actor=agent_al3, person=prospect_al3, on=date(2026, 3, 5),
                                channel="event", outcome="interested", event=event)
    _changed(prospect_al3, lambda: update_attendance(
        attendance, actor=agent_al3, outcome="follow_up",
        next_follow_up_on=date(2026, 3, 25)))
    before = current_seq(prospect_al3.office_id)
    person = add_new_person(actor=agent_al3, village=prospect_al3.village,
                            full_name="Hồ Văn Mới", birth_date=date(1990, 1, 1), sex="M")
    assert Person.objects.get(pk=person.pk).sync_version > before


def test_a_hand_over_touches_the_leaving_agents_participants(participation_al3: Any,
                                                            agent_al3: Any,
                                                            director: Any) -> None:
    other = (Agent.objects.filter(organisation__office=director.office)
             .exclude(user=agent_al3).select_related("user").first())
    assert other is not None
    _changed(participation_al3.person, lambda: hand_over(
        agent_al3, on=date(2026, 3, 16), actor=director, substitute=other.user))


@pytest.fixture
def register_file(tmp_path: Path, prospect_al3: Any) -> Path:
    """The prospect with a new phone number, and one new person of the same village."""
    exported = tmp_path / "prospect.csv"
    export_persons(exported, Person.objects.filter(pk=prospect_al3.pk))
    header, *rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    phone = header.index(template_headers()[6])
    rows[0][phone] = "0987654321"
    village = prospect_al3.village
    rows.append(["Hồ Thị Nhập", "12/05/1990", "Nữ", "046190009999", "", "Tà Ôi", "", "",
                 village.name, village.commune.name, "", "Chưa tham gia"])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(template_headers())
    writer.writerows(row[:len(template_headers())] for row in rows)
    path = tmp_path / "register.csv"
    path.write_text(buffer.getvalue())
    return path


def test_an_import_touches_its_rows_with_one_number(world: dict[str, Any],
                                                     register_file: Path,
                                                     prospect_al3: Any) -> None:
    office = world["office"]
    before = current_seq(office.pk)
    result = import_persons(register_file, territory=Village.objects.filter(
        pk=prospect_al3.village_id))
    assert result.imported, result.errors[:3]
    assert (result.created, result.updated) == (1, 1)
    assert current_seq(office.pk) == before + 1
    new = Person.objects.get(national_id="046190009999")
    assert new.sync_version == before + 1
    prospect_al3.refresh_from_db()
    assert (prospect_al3.phone, prospect_al3.sync_version) == ("0987654321", before + 1)
    assert Person.objects.filter(office=office, sync_version__gt=before).count() == 2
    assert not Person.objects.filter(sync_version__lt=0).exists()


def test_an_import_that_certifies_a_household_numbers_its_other_members(
        world: dict[str, Any], tmp_path: Path) -> None:
    """The poverty status sets the members' subsidy category: the members the file does not
    list are sent again too, with the import's number."""
    office = world["office"]
    household = next(h for h in Household.objects.filter(office=office).order_by("id")
                     if h.members.count() >= 3 and not h.poverty_statuses.exists())
    listed, *others = household.members.order_by("id")
    exported = tmp_path / "member.csv"
    export_persons(exported, Person.objects.filter(pk=listed.pk))
    header, row = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    row[header.index("Hộ nghèo/cận nghèo")] = "Hộ nghèo"
    path = tmp_path / "register.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, row])
    before = current_seq(office.pk)
    result = import_persons(path, territory=Village.objects.filter(pk=listed.village_id))
    assert result.imported, result.errors[:3]
    assert current_seq(office.pk) == before + 1
    numbered = dict(Person.objects.filter(household=household).values_list("id", "sync_version"))
    assert set(numbered) == {listed.pk, *(p.pk for p in others)}
    assert set(numbered.values()) == {before + 1}
