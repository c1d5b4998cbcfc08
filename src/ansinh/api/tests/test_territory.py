"""GET /api/territory: the agent's territory in pages, then only what changed since a cursor;
GET /api/worklist: today's worklist."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from ansinh.field.devices import register_device, revoke_device
from ansinh.network.models import Assignment
from ansinh.outreach.actions import record_contact
from ansinh.participation.models import Participation
from ansinh.registry.actions import update_person
from ansinh.registry.models import Person, Village

TODAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _forget_downloads() -> None:
    """Each test's world numbers its changes from scratch: no download remembered across."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def phone(agent_al3: Any) -> tuple[Client, str]:
    _device, token = register_device(actor=agent_al3, name="Điện thoại của thu31")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), token


def _get(client: Client, **params: Any) -> Any:
    return client.get("/api/territory", params)


def _download(client: Client, cursor: str = "", limit: int = 500) -> tuple[list[dict[str, Any]],
                                                                           list[dict[str, Any]]]:
    """Every page of one download: (pages, persons)."""
    pages, persons, after = [], [], 0
    while True:
        answer = _get(client, cursor=cursor, after=after, limit=limit)
        assert answer.status_code == 200, answer.content[:300]
        page = answer.json()
        pages.append(page)
        persons.extend(page["persons"])
        if page["next_after"] is None:
            return pages, persons
        after = page["next_after"]


def _territory_ids(agent: Any) -> set[int]:
    in_villages = set(Person.objects.filter(village__commune__code="AL3")
                      .values_list("id", flat=True))
    followed = set(Participation.objects.filter(agent__user=agent).exclude(status="stopped")
                   .values_list("person_id", flat=True))
    return in_villages | followed


def test_a_full_download_adds_up_page_by_page(phone: tuple[Client, str], agent_al3: Any,
                                             participation_al3: Any) -> None:
    client, _token = phone
    pages, persons = _download(client, limit=37)
    ids = [person["id"] for person in persons]
    assert len(ids) == len(set(ids)), "a person came twice"
    assert set(ids) == _territory_ids(agent_al3)
    assert ids == sorted(ids)
    assert all(page["total"] == len(ids) and page["reset"] for page in pages)
    assert len({page["cursor"] for page in pages}) == 1, "one cursor for the whole download"
    assert len(pages) == -(-len(ids) // 37)
    assert {v["id"] for v in pages[0]["villages"]} == set(
        Village.objects.filter(commune__code="AL3").values_list("id", flat=True))
    assert all(not page["villages"] for page in pages[1:])
    for page in pages:
        held = {h["id"] for h in page["households"]}
        assert {p["household"] for p in page["persons"] if p["household"]} == held
    enrolled = next(p for p in persons if p["id"] == participation_al3.person_id)
    part = enrolled["participation"]
    assert part["uuid"] == str(participation_al3.uuid) and part["mode"] == "monthly"
    assert part["periods"], "the months payable now"
    assert all(period["amount"] and period["amount"] > 0 for period in part["periods"])
    assert enrolled["category"] in {"poor", "near_poor", "island", "ethnic_minority", "other"}
    assert enrolled["name_folded"].isascii()


def test_the_amounts_are_the_receipt_pages(phone: tuple[Client, str],
                                           participation_al3: Any) -> None:
    from django.utils import timezone

    from ansinh.collection.dues import dues, period_amounts

    client, _token = phone
    _pages, persons = _download(client)
    enrolled = next(p for p in persons if p["id"] == participation_al3.person_id)
    today = timezone.localdate()
    current = dues(participation_al3, today)
    expected = period_amounts(participation_al3, current.payable, today)
    assert [(period["months"][0], period["amount"]) for period in
            enrolled["participation"]["periods"]] == [
        (p.unpaid[0].isoformat(), expected[p.start]) for p in current.payable]


def test_each_person_carries_the_support_months_already_had(phone: tuple[Client, str],
                                                            paying_al3: Any) -> None:
    """The phone prices an enrolment under the 120-month cap, as the receipt page does."""
    from ansinh.collection.dues import supported_before

    client, _token = phone
    _pages, persons = _download(client)
    had = supported_before(paying_al3.person)
    assert had > 0
    assert next(p for p in persons if p["id"] == paying_al3.person_id)["supported_months"] == had


def test_another_communes_persons_never_appear(phone: tuple[Client, str],
                                               agent_al3: Any) -> None:
    client, _token = phone
    elsewhere = Person.objects.filter(village__commune__code="AL1").order_by("id")
    first = elsewhere.first()
    assert first is not None
    mine = _territory_ids(agent_al3)
    for after in (0, first.pk - 1, first.pk, 10**12):
        answer = _get(client, after=after, limit=1000).json()
        assert not {p["id"] for p in answer["persons"]} - mine
    assert _get(client, after=10**12).json()["persons"] == []


def test_the_second_download_sends_only_what_changed(phone: tuple[Client, str],
                                                    agent_al3: Any, director: Any) -> None:
    client, _token = phone
    pages, _persons = _download(client)
    cursor = pages[0]["cursor"]
    again = _get(client, cursor=cursor).json()
    assert (again["reset"], again["total"], again["persons"], again["removed"]) == (
        False, 0, [], [])
    mine = Person.objects.filter(village__commune__code="AL3").order_by("id")
    edited, visited = mine[0], mine[1]
    update_person(edited, {"phone": "0900000001"}, actor=director)
    record_contact(actor=agent_al3, person=visited, on=TODAY, channel="visit",
                   outcome="follow_up", next_follow_up_on=date(2026, 3, 30))
    other = Person.objects.filter(village__commune__code="AL1").first()
    assert other is not None
    update_person(other, {"phone": "0900000002"}, actor=director)
    changed = _get(client, cursor=cursor).json()
    assert not changed["reset"]
    assert {p["id"] for p in changed["persons"]} == {edited.pk, visited.pk}
    assert changed["total"] == 2
    assert changed["removed"] == [], "a person of another commune is not named"
    follow_up = next(p for p in changed["persons"] if p["id"] == visited.pk)["follow_ups"]
    assert [(f["on"], f["owner"]) for f in follow_up] == [("2026-03-30", agent_al3.username)]
    assert changed["cursor"] != cursor
    assert _get(client, cursor=changed["cursor"]).json()["total"] == 0


def test_a_person_moved_out_comes_back_in_removed(phone: tuple[Client, str],
                                                  director: Any) -> None:
    client, _token = phone
    pages, _persons = _download(client)
    person = Person.objects.filter(village__commune__code="AL3", participations=None).first()
    assert person is not None
    away = Village.objects.filter(commune__code="AL1").first()
    update_person(person, {"village": away, "household": None}, actor=director)
    changed = _get(client, cursor=pages[0]["cursor"]).json()
    assert changed["removed"] == [str(person.uuid)]
    assert person.pk not in {p["id"] for p in changed["persons"]}


def test_a_merged_duplicate_comes_back_in_removed(phone: tuple[Client, str],
                                                  director: Any) -> None:
    from ansinh.registry import merging
    from ansinh.registry.changes import touch

    client, _token = phone
    pages, _persons = _download(client)
    person = Person.objects.filter(village__commune__code="AL3", participations=None).first()
    assert person is not None
    twin = Person.objects.create(office=person.office, village=person.village,
                                 full_name=person.full_name, birth_date=person.birth_date,
                                 sex=person.sex)
    touch(person.office_id, [twin.pk])
    middle = _get(client, cursor=pages[0]["cursor"]).json()
    assert twin.pk in {p["id"] for p in middle["persons"]}
    merging.merge(None, person, twin, choices={}, actor=director)
    changed = _get(client, cursor=middle["cursor"]).json()
    assert changed["removed"] == [str(twin.uuid)]
    assert twin.pk not in {p["id"] for p in changed["persons"]}
    assert person.pk in {p["id"] for p in changed["persons"]}


def test_a_territory_change_gives_a_reset(phone: tuple[Client, str], agent_al3: Any) -> None:
    client, _token = phone
    pages, persons = _download(client)
    village = Village.objects.filter(commune__code="AL2").first()
    Assignment.objects.create(user=agent_al3, village=village, starts_on=date(2020, 1, 1))
    again, more = _download(client, cursor=pages[0]["cursor"])
    assert again[0]["reset"] and len(more) > len(persons)
    assert again[0]["cursor"] != pages[0]["cursor"]


def test_a_revoked_token_gets_401(phone: tuple[Client, str], agent_al3: Any) -> None:
    client, _token = phone
    assert _get(client).status_code == 200
    from ansinh.field.models import Device

    revoke_device(Device.objects.get(user=agent_al3), actor=agent_al3)
    assert _get(client).status_code == 401
    assert client.get("/api/worklist").status_code == 401


@pytest.mark.parametrize("query", [
    "limit=-1", "limit=abc", "limit=0", "limit=1001", "after=-5", "after=abc",
    "after=99999999999999999999999999", "limit=99999999999999999999999",
    "cursor=../../", "cursor=1.2.3", "cursor=" + "9" * 300, "cursor=%00", "cursor=1.99.zz",
    "cursor=999999999999.999999999999999999.0123456789abcdef",
])
def test_garbage_in_the_query_string_is_4xx_or_a_reset(phone: tuple[Client, str],
                                                      query: str) -> None:
    client, _token = phone
    answer = client.get(f"/api/territory?{query}")
    assert answer.status_code < 500
    if answer.status_code == 200:
        assert answer.json()["reset"]
    else:
        assert 400 <= answer.status_code < 500


@pytest.mark.parametrize("query", [
    "limit=0", "limit=1001", "limit=abc", "offset=-1", "offset=abc", "village=abc",
    "village=0", "village=-3", "village=99999999999999999999999999", "offset=99999999999999999999",
])
def test_garbage_in_the_worklist_query_is_4xx(phone: tuple[Client, str], query: str) -> None:
    client, _token = phone
    answer = client.get(f"/api/worklist?{query}")
    assert 400 <= answer.status_code < 500


def test_the_worklist_is_the_pages(phone: tuple[Client, str], agent_al3: Any,
                                   participation_al3: Any) -> None:
    from django.utils import timezone

    from ansinh.outreach.worklist import build

    client, _token = phone
    answer = client.get("/api/worklist")
    assert answer.status_code == 200
    lines = answer.json()
    # the precomputed list (outreach.priority): every never-visited prospect, 500 at most
    built = build(agent_al3, timezone.localdate(), never_visited_limit=10**9)
    assert len(lines) == min(built.lines, 500)
    uuids = set(Person.objects.filter(village__commune__code="AL3").values_list("uuid",
                                                                                flat=True))
    assert {line["person"] for line in lines} <= {str(u) for u in uuids}
    assert all(line["reasons"] and line["score"] > 0 for line in lines)


def test_the_schema_describes_the_answers(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/territory" in schema["paths"] and "/api/worklist" in schema["paths"]
    person = schema["components"]["schemas"]["PersonOut"]["properties"]
    assert {"category", "participation", "follow_ups", "last_contact"} <= set(person)


def test_a_change_between_pages_is_not_lost(phone: tuple[Client, str], director: Any) -> None:
    client, _token = phone
    first = _get(client, limit=20).json()
    sent = Person.objects.get(pk=first["persons"][0]["id"])
    update_person(sent, {"phone": "0900000003"}, actor=director)  # already on the phone
    rest = _get(client, after=first["next_after"], limit=1000).json()
    assert rest["cursor"] == first["cursor"] and rest["next_after"] is None
    later = _get(client, cursor=first["cursor"]).json()
    assert [p["id"] for p in later["persons"]] == [sent.pk]
    assert later["persons"][0]["phone"] == "0900000003"


def test_an_agents_participant_elsewhere_is_in_the_download(phone: tuple[Client, str],
                                                            agent_al3: Any,
                                                            director: Any) -> None:
    from ansinh.participation.actions import enrol

    client, _token = phone
    pages, persons = _download(client)
    elsewhere = (Person.objects.filter(village__commune__code="AL1", si_status="none",
                                       birth_date__year__gt=1981, birth_date__year__lt=1996)
                 .order_by("id").first())
    assert elsewhere is not None and elsewhere.pk not in {p["id"] for p in persons}
    enrol(elsewhere, start_month=date(2026, 3, 1), income=2_000_000, mode="monthly",
          actor=director, enrolled_on=date(2026, 3, 2), agent=agent_al3.agent)
    changed = _get(client, cursor=pages[0]["cursor"]).json()
    assert [p["id"] for p in changed["persons"]] == [elsewhere.pk]
    assert changed["persons"][0]["participation"]["periods"]


def test_a_participant_elsewhere_who_stops_comes_back_in_removed(
        phone: tuple[Client, str], agent_al3: Any, director: Any) -> None:
    from ansinh.collection.lifecycle import stop
    from ansinh.participation.actions import enrol

    client, _token = phone
    elsewhere = (Person.objects.filter(village__commune__code="AL1", si_status="none",
                                       birth_date__year__gt=1981, birth_date__year__lt=1996)
                 .order_by("id").first())
    assert elsewhere is not None
    participation = enrol(elsewhere, start_month=date(2026, 3, 1), income=2_000_000,
                          mode="monthly", actor=director, enrolled_on=date(2026, 3, 2),
                          agent=agent_al3.agent)
    pages, persons = _download(client)
    assert elsewhere.pk in {p["id"] for p in persons}
    stop(participation, reason="moved", on=date(2026, 3, 10), actor=director)
    changed = _get(client, cursor=pages[0]["cursor"]).json()
    assert changed["removed"] == [str(elsewhere.uuid)] and changed["persons"] == []
