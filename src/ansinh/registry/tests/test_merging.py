"""Merge a duplicate into the surviving record and undo it: every kind of related record moves
and comes back, the survivor's fields follow staff's choices, and what cannot be combined is
refused or flagged."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Q

from ansinh.collection import actions as money
from ansinh.collection.dues import quote_months
from ansinh.collection.lifecycle import stop
from ansinh.collection.receipts import record_receipt
from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry
from ansinh.field.models import SyncItem
from ansinh.outreach import actions as outreach
from ansinh.outreach.models import Contact, Priority
from ansinh.outreach.priority import refresh_persons
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation
from ansinh.policy import household_hi
from ansinh.registry import merging
from ansinh.registry.models import DuplicatePair, Household, Merge, PairStatus, Person
from ansinh.reminders.models import OutboxMessage
from ansinh.reports import figures
from ansinh.retention import history as si_history
from ansinh.retention.actions import open_case
from ansinh.retention.comparison import history_rows
from ansinh.rules.tree import current_tree

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 1, 20)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(datetime(2026, 1, 20, 9, tzinfo=HCM), tick=False):
        yield


def _twin(person: Person) -> Person:
    """The same person registered again from another list: no diacritics, another household
    of the commune, a phone the first record lacks."""
    household = (Household.objects.filter(village__commune__code="AL3")
                 .exclude(pk=person.household_id or 0).order_by("id").first())
    assert household is not None
    return Person.objects.create(
        office=person.office, village=household.village, household=household,
        full_name="Ho Thi Lan" if person.sex == "F" else "Ho Van Lan",
        birth_date=person.birth_date, sex=person.sex, ethnicity=person.ethnicity,
        phone="0912345678", relation_to_head="con")


def _state(*persons: Person) -> dict[str, set[tuple[int, int]]]:
    """Every row that points at these persons, per declared link: {(row, person)}."""
    ids = [p.pk for p in persons]
    return {key: set(declared.model._base_manager.filter(**{f"{declared.field}_id__in": ids})
                     .values_list("pk", f"{declared.field}_id"))
            for key, declared in merging.LINKS.items() if not declared.derived}


@pytest.fixture
def twins(prospect_al3: Person, agent_al3: Any, director: Any, receipt_book_al3: Any
          ) -> tuple[Person, Person]:
    """The survivor (an open participation) and its duplicate, which holds one row of every
    kind a person can have: a stopped participation with a paid month, a household HI receipt,
    a visit with a follow-up, the same event's attendance as the survivor, an open retention
    case, a declared SI history period, a message, a phone entry and a worklist priority."""
    first, second = prospect_al3, _twin(prospect_al3)
    # the duplicate paid for a participation that stopped; the survivor pays now
    old = enrol(second, start_month=date(2025, 6, 1), income=1_500_000, mode="monthly",
                actor=agent_al3, enrolled_on=date(2025, 6, 5))
    june = [date(2025, 6, 1)]
    record_receipt(old, months=june, amount=quote_months(old, june, date(2025, 6, 5)).amount,
                   paid_on=date(2025, 6, 5), channel="cash", client_uuid=uuid.uuid4(),
                   actor=agent_al3)
    stop(old, reason="moved", on=date(2025, 9, 1), actor=director)
    enrol(first, start_month=date(2026, 1, 1), income=2_000_000, mode="monthly",
          actor=agent_al3, enrolled_on=date(2026, 1, 5))
    # household HI for the duplicate's household, naming the duplicate
    household = second.household
    assert household is not None
    amount = household_hi(DAY, 1, 12, tree=current_tree(household.office)).total
    money.record_hi_receipt(household, person=second, members=[second], months=12,
                            first_month=date(2026, 2, 1), amount=amount, paid_on=DAY,
                            channel="online", client_uuid=uuid.uuid4(), actor=agent_al3)
    # a visit with a follow-up, then both records on one event's list (the follow-up is done
    # by the duplicate's attendance)
    outreach.record_contact(actor=agent_al3, person=second, on=date(2026, 1, 10),
                            channel="visit", outcome="follow_up",
                            next_follow_up_on=date(2026, 1, 15))
    event = outreach.create_event(actor=agent_al3, village=first.village, kind="community",
                                  held_on=date(2026, 1, 18))
    for person in (first, second):
        outreach.record_contact(actor=agent_al3, person=person, on=date(2026, 1, 18),
                                channel="event", outcome="interested", event=event)
    open_case(person=second, reason="wants_lump_sum", on=DAY, actor=agent_al3)
    si_history.declare(second, [{"from": "2012-01", "to": "2019-12", "income": 5_000_000,
                                 "kind": "compulsory"}], source="hand", actor=agent_al3)
    OutboxMessage.objects.create(
        office=second.office, village=second.village, recipient_kind="participant", person=second,
        template_code="due_soon", channel="sms", phone=second.phone, body="Nhắc đóng",
        dedupe_key=f"test-{second.pk}", as_of=DAY)
    SyncItem.objects.create(client_uuid=uuid.uuid4(), user=agent_al3, office=second.office,
                            village=second.village, person=second, kind="contact",
                            content_hash="x", payload={}, status="recorded")
    refresh_persons([first.pk, second.pk], today=DAY)
    return first, second


def test_every_foreign_key_to_a_person_is_declared_to_the_merge() -> None:
    assert merging.undeclared_links() == []


def test_a_merge_moves_every_related_record_and_the_undo_puts_each_back(
        twins: tuple[Person, Person], director: Any) -> None:
    first, second = twins
    office = first.office
    figures.rebuild(office.pk, today=DAY)
    before = _state(first, second)
    assert history_rows(Participation.objects.get(person=first)) == []
    phone_before = first.phone
    pair = DuplicatePair.objects.create(office=office, village=first.village, person_a=first,
                                        person_b=second, score=92, reasons=["diacritics"])

    done = merging.merge(pair, first, second, choices={"phone": "merged"}, actor=director)

    # the duplicate leaves the register and every row of it is the survivor's
    assert not Person.objects.filter(pk=second.pk).exists()
    assert Person.with_merged.get(pk=second.pk).merged_into_id == first.pk
    after = _state(first, second)
    assert all(person == first.pk for rows in after.values() for _row, person in rows)
    kinds = {key for key, declared in merging.LINKS.items() if not declared.derived}
    assert set(done.moved) == kinds, "the fixture must hold a row of every declared kind"
    # the same event's attendance is kept once; the follow-up it closed points at the kept one
    assert len(done.removed) == 1 and done.removed[0]["model"] == "outreach.Contact"
    kept = Contact.objects.get(pk=done.removed[0]["kept"])
    assert kept.person_id == first.pk
    assert Contact.objects.filter(followed_up_by=kept, person=first).exists()
    # the survivor took the phone it lacked; the other value is in the history
    first.refresh_from_db()
    assert first.phone == "0912345678" and phone_before == ""
    assert Merge.objects.get(pk=done.pk).before["survivor"]["phone"] == ""
    assert AuditEntry.objects.filter(action="person.merge", object_id=str(first.pk)).exists()
    # two participations are flagged, never combined
    assert done.flags == ["two_participations"]
    assert Participation.objects.filter(person=first).count() == 2
    # the payment history is whole: the duplicate's paid month is the survivor's now
    assert set(Participation.objects.filter(person=first).values_list(
        "receipts__paid_months__month", flat=True)) >= {date(2025, 6, 1)}
    # ... and the counselling comparison counts both records' months
    current = Participation.objects.get(person=first, status__in=("active", "awaiting", "late"))
    rows = history_rows(current)
    assert next(r["from"] for r in rows if not r.get("declared")) == "2025-06"
    # ... and the SI history the duplicate declared (VssID)
    assert [(r["from"], r["kind"]) for r in rows if r.get("declared")] == [
        ("2012-01", "compulsory")]
    # the derived rows follow: no priority for the merged record, the cells still exact
    assert not Priority.objects.filter(person_id=second.pk).exists()
    assert figures.rebuild(office.pk, today=DAY)["differing"] == 0
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED

    kept_since = merging.undo(done, actor=director)

    assert kept_since == []
    assert _state(first, second) == before
    first.refresh_from_db()
    second = Person.objects.get(pk=second.pk)
    assert first.phone == phone_before and second.phone == "0912345678"
    assert Contact.objects.filter(person=second, event__isnull=False).count() == 1
    assert Contact.objects.filter(person=second, event__isnull=True,
                                  followed_up_by__person=second).exists()
    assert figures.rebuild(office.pk, today=DAY)["differing"] == 0
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN
    with pytest.raises(merging.MergeRefused):
        merging.undo(done, actor=director)


def test_the_survivor_takes_the_national_id_of_the_duplicate_and_gives_it_back(
        prospect_al3: Person, director: Any) -> None:
    second = _twin(prospect_al3)
    number = prospect_al3.national_id
    Person.objects.filter(pk=prospect_al3.pk).update(national_id=None)
    Person.objects.filter(pk=second.pk).update(national_id=number)
    first = Person.objects.get(pk=prospect_al3.pk)
    done = merging.merge(None, first, Person.objects.get(pk=second.pk),
                         choices={"national_id": "merged"}, actor=director)
    assert Person.objects.get(pk=first.pk).national_id == number
    merging.undo(done, actor=director)
    assert Person.objects.get(pk=first.pk).national_id is None
    assert Person.objects.get(pk=second.pk).national_id == number


def test_a_field_edited_after_the_merge_keeps_its_new_value_on_undo(
        prospect_al3: Person, director: Any) -> None:
    second = _twin(prospect_al3)
    done = merging.merge(None, prospect_al3, second, choices={"phone": "merged"},
                         actor=director)
    Person.objects.filter(pk=prospect_al3.pk).update(phone="0987654321")
    assert merging.undo(done, actor=director) == ["phone"]
    assert Person.objects.get(pk=prospect_al3.pk).phone == "0987654321"


def test_two_open_participations_are_refused_and_nothing_moves(
        prospect_al3: Person, agent_al3: Any, director: Any, receipt_book_al3: Any) -> None:
    second = _twin(prospect_al3)
    for person in (prospect_al3, second):
        enrol(person, start_month=date(2026, 1, 1), income=2_000_000, mode="monthly",
              actor=agent_al3, enrolled_on=date(2026, 1, 5))
    before = _state(prospect_al3, second)
    with pytest.raises(Refused, match="quá trình tham gia"):
        merging.merge(None, prospect_al3, second, choices={}, actor=director)
    assert _state(prospect_al3, second) == before
    assert Person.objects.filter(pk=second.pk).exists()


def test_two_open_retention_cases_are_refused(prospect_al3: Person, agent_al3: Any,
                                              director: Any) -> None:
    second = _twin(prospect_al3)
    for person in (prospect_al3, second):
        open_case(person=person, reason="wants_lump_sum", on=DAY, actor=agent_al3)
    with pytest.raises(Refused, match="duy trì"):
        merging.merge(None, prospect_al3, second, choices={}, actor=director)


def test_household_hi_for_the_same_months_is_refused(prospect_al3: Person, agent_al3: Any,
                                                     director: Any) -> None:
    second = _twin(prospect_al3)
    for person in (prospect_al3, second):
        household = person.household
        assert household is not None
        amount = household_hi(DAY, 1, 12, tree=current_tree(household.office)).total
        money.record_hi_receipt(household, person=person, members=[person], months=12,
                                first_month=date(2026, 2, 1), amount=amount, paid_on=DAY,
                                channel="online", client_uuid=uuid.uuid4(), actor=agent_al3)
    with pytest.raises(Refused, match="BHYT"):
        merging.merge(None, prospect_al3, second, choices={}, actor=director)


def test_an_agent_or_another_commune_may_not_merge(prospect_al3: Person, agent_al3: Any,
                                                   staff_al2: Any, director_elsewhere: Any
                                                   ) -> None:
    second = _twin(prospect_al3)
    for actor in (agent_al3, staff_al2, director_elsewhere):
        with pytest.raises(Refused):
            merging.merge(None, prospect_al3, second, choices={}, actor=actor)
    assert Person.objects.filter(pk=second.pk).exists()


def test_not_the_same_person_is_remembered(prospect_al3: Person, director: Any) -> None:
    second = _twin(prospect_al3)
    pair = DuplicatePair.objects.create(office=prospect_al3.office, village=second.village,
                                        person_a=prospect_al3, person_b=second, score=88)
    merging.not_the_same(pair, actor=director)
    assert DuplicatePair.objects.get(pk=pair.pk).status == PairStatus.NOT_SAME
    assert not DuplicatePair.objects.filter(Q(status=PairStatus.OPEN)).exists()
