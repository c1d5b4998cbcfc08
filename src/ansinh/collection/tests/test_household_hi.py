"""Household HI: a receipt names the members it insures, and a month of cover is sold once per
household and once per person (held by the database), until a reversal frees it."""

from __future__ import annotations

import importlib
import re
import threading
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ansinh.collection import actions, receipts
from ansinh.collection.models import HICoveredMonth, HIMember, Receipt
from ansinh.core.errors import Refused
from ansinh.policy import household_hi
from ansinh.registry.models import Household, Person
from ansinh.rules.tree import current_tree

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 1, 20)
FEB, JUL = date(2026, 2, 1), date(2026, 7, 1)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(datetime(2026, 1, 20, 9, tzinfo=HCM), tick=False):
        yield


def _members(household: Household) -> list[Person]:
    return list(household.members.order_by("birth_date", "id"))


def _hi(household: Household, members: list[Person], actor: Any, *, first_month: date = FEB,
        months: int = 12, paid_on: date = DAY, key: uuid.UUID | None = None) -> Receipt:
    amount = household_hi(paid_on, len(members), months,
                          tree=current_tree(household.office)).total
    return actions.record_hi_receipt(
        household, person=members[0], members=members, months=months, first_month=first_month,
        amount=amount, paid_on=paid_on, channel="online", client_uuid=key or uuid.uuid4(),
        actor=actor).receipt


def _other_household(person: Person) -> Household:
    other = (Household.objects.filter(village__commune__code="AL3")
             .exclude(pk=person.household_id or 0)
             .order_by("id").first())
    assert other is not None
    return other


def test_the_receipt_names_the_members_in_the_ladders_order(prospect_al3: Any,
                                                           agent_al3: Any) -> None:
    household = prospect_al3.household
    members = _members(household)[:2]
    receipt = _hi(household, members, agent_al3)
    assert receipt.hi_members == 2
    assert receipt.amount == household_hi(DAY, 2, 12).total
    assert [(m.person_id, m.position) for m in receipt.insured.all()] == [
        (members[0].pk, 1), (members[1].pk, 2)]
    # the household and each member get the 12 months, February to January
    rows = HICoveredMonth.objects.filter(receipt=receipt)
    assert rows.filter(person__isnull=True).count() == 12
    assert rows.filter(person=members[1]).count() == 12
    assert max(rows.values_list("month", flat=True)) == date(2027, 1, 1)


def test_the_same_household_and_months_twice_is_refused(prospect_al3: Any,
                                                        agent_al3: Any) -> None:
    household = prospect_al3.household
    members = _members(household)
    first = _hi(household, members, agent_al3)
    with pytest.raises(actions.CoverageOverlap) as refused:
        _hi(household, members, agent_al3)
    assert f"Hộ {household.code}" in refused.value.vi
    assert "02/2026–01/2027" in refused.value.vi and first.number in refused.value.vi
    assert f"household {household.code} is already insured for 02/2026–01/2027" in refused.value.en
    assert Receipt.objects.count() == 1 and HIMember.objects.count() == len(members)


def test_partly_overlapping_months_are_refused_naming_the_overlap(prospect_al3: Any,
                                                                  agent_al3: Any) -> None:
    household = prospect_al3.household
    members = _members(household)
    _hi(household, members, agent_al3, first_month=FEB, months=6)  # 02–07/2026
    with pytest.raises(actions.CoverageOverlap) as refused:
        _hi(household, members, agent_al3, first_month=JUL, months=6)  # 07–12/2026
    assert "tháng 07/2026 (" in refused.value.vi  # the one month both cover
    # the months after the first receipt's are free
    later = _hi(household, members, agent_al3, first_month=date(2026, 8, 1), months=6)
    assert later.hi_members == len(members)


def test_other_members_of_the_same_household_for_the_same_months_are_refused(
        prospect_al3: Any, agent_al3: Any) -> None:
    """The ladder prices a household's members together: a second receipt for the others
    would price its first member at 100 % again."""
    household = prospect_al3.household
    members = _members(household)
    _hi(household, members[:1], agent_al3)
    with pytest.raises(actions.CoverageOverlap):
        _hi(household, members[1:], agent_al3)


def test_a_person_insured_by_another_household_for_the_same_months_is_refused(
        prospect_al3: Any, agent_al3: Any) -> None:
    household = prospect_al3.household
    _hi(household, [prospect_al3], agent_al3)
    other = _other_household(prospect_al3)
    Person.objects.filter(pk=prospect_al3.pk).update(household=other)  # moved house
    prospect_al3.refresh_from_db()
    with pytest.raises(actions.CoverageOverlap) as refused:
        _hi(other, [prospect_al3], agent_al3, first_month=date(2026, 6, 1))
    assert f"{prospect_al3.full_name} đã có BHYT hộ gia đình tháng 06/2026–01/2027" in (
        refused.value.vi)
    assert f"Hộ {other.code}" not in refused.value.vi  # the new household was not covered


def test_a_member_outside_the_household_or_none_is_refused(prospect_al3: Any,
                                                           agent_al3: Any) -> None:
    household = prospect_al3.household
    stranger = _other_household(prospect_al3).members.order_by("id").first()
    assert stranger is not None
    with pytest.raises(Refused, match="Không thuộc hộ"):
        _hi(household, [prospect_al3, stranger], agent_al3)
    with pytest.raises(Refused, match="Chưa chọn"):
        actions.record_hi_receipt(household, person=prospect_al3, members=[], months=12,
                                  first_month=FEB, amount=0, paid_on=DAY, channel="online",
                                  client_uuid=uuid.uuid4(), actor=agent_al3)
    with pytest.raises(Refused, match="hai lần"):
        _hi(household, [prospect_al3, prospect_al3], agent_al3)
    assert not Receipt.objects.exists() and not HICoveredMonth.objects.exists()


def test_a_reversal_frees_the_months(prospect_al3: Any, agent_al3: Any, director: Any) -> None:
    household = prospect_al3.household
    members = _members(household)
    first = _hi(household, members, agent_al3)
    reversal = actions.reverse_receipt(first, on=DAY, reason="ghi nhầm", actor=director)
    assert set(HICoveredMonth.objects.filter(receipt=first).values_list(
        "released_by", flat=True)) == {reversal.pk}
    again = _hi(household, members, agent_al3)
    assert again.pk != first.pk
    # the original's rows stay (money is append-only); only the new receipt's months stand
    assert HICoveredMonth.objects.filter(receipt=first).count() == 12 * (len(members) + 1)
    assert HICoveredMonth.objects.filter(released_by__isnull=True).count() == (
        12 * (len(members) + 1))


def test_a_retried_submission_returns_the_first_receipt(prospect_al3: Any,
                                                        agent_al3: Any) -> None:
    household = prospect_al3.household
    members = _members(household)
    key = uuid.uuid4()
    first = _hi(household, members, agent_al3, key=key)
    assert _hi(household, members, agent_al3, key=key).pk == first.pk
    with pytest.raises(receipts.UuidReused):
        _hi(household, members[:1], agent_al3, key=key)  # other members: not the same


def test_the_database_refuses_a_second_cover_of_a_month(prospect_al3: Any,
                                                        agent_al3: Any) -> None:
    """The rule holds without the action's check: what stops two requests at once."""
    household = prospect_al3.household
    receipt = _hi(household, [prospect_al3], agent_al3)
    for person in (None, prospect_al3):
        with pytest.raises(IntegrityError), transaction.atomic():
            HICoveredMonth.objects.create(receipt=receipt, household=household, person=person,
                                          month=FEB)


def test_the_page_offers_the_members_and_refuses_an_overlap(prospect_al3: Any, agent_al3: Any,
                                                            receipt_book_al3: Any) -> None:
    household = prospect_al3.household
    members = _members(household)
    client = Client()
    client.force_login(agent_al3)
    url = reverse("collection:receipt_hi_new")
    page = client.get(url, {"household": household.pk})
    html = page.content.decode()
    for member in members:  # one tick each, ticked by default
        assert re.search(rf'<input type="checkbox" name="members" value="{member.pk}"[^>]*'
                         r' checked', html), member
        assert member.full_name in html
    assert page.context["hi"].total == household_hi(DAY, len(members), 12).total
    amount = household_hi(DAY, 2, 12).total
    data = {"household": household.pk, "payer": members[0].pk,
            "members": [members[0].pk, members[2].pk], "months": 12, "first_month": "2026-02",
            "amount": str(amount), "channel": "cash", "paid_on": DAY.isoformat(),
            "client_uuid": str(page.context["form"]["client_uuid"].value())}
    assert client.post(url, data).status_code == 302
    receipt = Receipt.objects.get()
    assert receipt.hi_members == 2
    for view in ("collection:receipt_print", "collection:receipt_detail"):
        shown = client.get(reverse(view, args=[receipt.pk])).content.decode()
        assert members[0].full_name in shown and members[2].full_name in shown
        assert members[1].full_name not in shown
    again = client.post(url, data | {"client_uuid": str(uuid.uuid4()),
                                     "members": [members[1].pk], "first_month": "2026-06",
                                     "amount": str(household_hi(DAY, 1, 12).total)})
    assert again.status_code == 400
    assert f"Hộ {household.code} đã có BHYT hộ gia đình tháng 06/2026–01/2027" in (
        again.content.decode())
    assert Receipt.objects.count() == 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(url, data | {"client_uuid": str(uuid.uuid4())})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert english.status_code == 400
    assert f"household {household.code} is already insured for 02/2026–01/2027" in (
        english.content.decode())
    none = client.post(url, data | {"client_uuid": str(uuid.uuid4()), "members": []})
    assert none.status_code == 400 and "Chọn ít nhất một người" in none.content.decode()
    hostile = client.post(url, data | {"client_uuid": str(uuid.uuid4()),
                                       "members": ["x", "9" * 30]})
    assert hostile.status_code == 400


def test_the_reversal_names_the_members_of_its_original(prospect_al3: Any, agent_al3: Any,
                                                        director: Any) -> None:
    household = prospect_al3.household
    receipt = _hi(household, [prospect_al3], agent_al3)
    reversal = actions.reverse_receipt(receipt, on=DAY, reason="ghi nhầm", actor=director)
    client = Client()
    client.force_login(director)
    shown = client.get(reverse("collection:receipt_print", args=[reversal.pk])).content.decode()
    assert prospect_al3.full_name in shown and "Người được bảo hiểm" in shown


def test_the_migration_covers_the_months_of_earlier_receipts(prospect_al3: Any,
                                                             agent_al3: Any) -> None:
    """Receipts from before members were named keep their count; their household's months
    are recorded, the first receipt keeping a month that a duplicate paid again."""
    household = prospect_al3.household
    old = _hi(household, [prospect_al3], agent_al3, first_month=FEB)
    HICoveredMonth.objects.all().delete()
    HIMember.objects.all().delete()
    duplicate = Receipt.objects.create(  # what the old code let through
        office=old.office, village=old.village, product="household_hi", household=household,
        person=prospect_al3, number="OLD-2", channel="online", participant_kind="continuing",
        paid_on=DAY, period=date(2026, 1, 1), months=3, hi_members=2, first_month=date(2027, 1, 1),
        amount=1, recorded_at=timezone.now())
    migration = importlib.import_module(
        "ansinh.collection.migrations.0004_household_hi_members_and_months")
    migration.cover_earlier_receipts(apps, None)
    months = dict(HICoveredMonth.objects.values_list("month", "receipt_id"))
    assert len(months) == 14 and not HICoveredMonth.objects.filter(person__isnull=False).exists()
    assert months[date(2027, 1, 1)] == old.pk  # the first receipt keeps the month both paid
    assert months[date(2027, 3, 1)] == duplicate.pk
    assert not HIMember.objects.exists()
    with pytest.raises(actions.CoverageOverlap):
        _hi(household, _members(household), agent_al3, first_month=date(2026, 12, 1), months=3)


# Two connections at once: SQLite's in-memory test database cannot hold two writers, so these
# run on PostgreSQL (as collection/tests/test_concurrency.py does).
def _race(household: Household, members: list[Person], actor: Any,
          keys: list[uuid.UUID]) -> list[object]:
    barrier = threading.Barrier(len(keys))
    results: list[object] = [None] * len(keys)

    def buy(slot: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[slot] = _hi(household, members, actor, key=keys[slot])
        except Refused as exc:
            results[slot] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(slot,)) for slot in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="needs two server connections (PostgreSQL)")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_connections_covering_the_same_months_land_one_receipt(
        prospect_al3: Any, agent_al3: Any) -> None:
    household = prospect_al3.household
    results = _race(household, _members(household), agent_al3, [uuid.uuid4(), uuid.uuid4()])
    recorded = [r for r in results if isinstance(r, Receipt)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(recorded) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], actions.CoverageOverlap), refused
    assert Receipt.objects.count() == 1
    assert HICoveredMonth.objects.filter(month=FEB, person__isnull=True).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_submission_twice_at_once_returns_one_receipt(prospect_al3: Any,
                                                              agent_al3: Any) -> None:
    household = prospect_al3.household
    key = uuid.uuid4()
    results = _race(household, _members(household), agent_al3, [key, key])
    assert all(isinstance(r, Receipt) for r in results), results
    assert len({r.pk for r in results if isinstance(r, Receipt)}) == 1
    assert Receipt.objects.count() == 1
