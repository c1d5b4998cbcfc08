"""POST /api/sync applies a phone's outbox once, item by item, within the user's territory."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from ansinh.collection import dues
from ansinh.collection.models import Receipt
from ansinh.field.models import SyncItem
from ansinh.outreach.models import Contact
from ansinh.participation.models import Participation
from ansinh.registry.changes import touch
from ansinh.registry.models import Person, SIStatus

from .conftest import post


def _sync(client: Client, token: str, items: list[dict[str, Any]], **extra: Any) -> Any:
    response = post(client, "/api/sync", {"items": items, **extra}, token)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _receipt(participation: Participation, key: str | None = None,
             **data: Any) -> dict[str, Any]:
    amount = dues.quote_months(participation, [date(2026, 1, 1)], date(2026, 1, 20)).amount
    return {"kind": "receipt", "client_uuid": key or str(uuid.uuid4()),
            "data": {"participation": str(participation.uuid), "months": ["2026-01"],
                     "amount": amount, "paid_on": "2026-01-20", "channel": "cash"} | data}


def _enrol(person: Person, key: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"kind": "enrol", "client_uuid": key or str(uuid.uuid4()),
            "data": {"person": str(person.uuid), "start_month": "2026-03", "income": 1_500_000,
                     "mode": "monthly", "enrolled_on": "2026-03-10"}} | extra


def test_a_queue_sent_twice_records_once(client: Client, participation_al3: Participation,
                                         token_al3: str) -> None:
    item = _receipt(participation_al3)
    first = _sync(client, token_al3, [item])
    again = _sync(client, token_al3, [item])
    assert first[0]["status"] == "recorded" and first[0]["number"] == "AL3-0000001"
    assert again[0]["status"] == "already" and again[0]["number"] == "AL3-0000001"
    assert first[0]["client_uuid"] == item["client_uuid"]
    assert Receipt.objects.get().uuid == uuid.UUID(item["client_uuid"])
    assert SyncItem.objects.get().status == "recorded"


def test_the_same_uuid_with_other_content_is_refused(client: Client, token_al3: str,
                                                     participation_al3: Participation) -> None:
    item = _receipt(participation_al3)
    _sync(client, token_al3, [item])
    changed = item | {"data": item["data"] | {"note": "sửa"}}
    answer = _sync(client, token_al3, [changed])[0]
    assert answer["status"] == "refused" and "Mã giao dịch" in answer["reason"]
    assert Receipt.objects.count() == 1


def test_refusals_come_back_per_item_in_order(client: Client, participation_al3: Participation,
                                              token_al3: str) -> None:
    wrong = _receipt(participation_al3, amount=5)
    future = _receipt(participation_al3, months=["2026-02"],
                      paid_on=(timezone.localdate() + timedelta(days=2)).isoformat())
    good = _receipt(participation_al3)
    results = _sync(client, token_al3, [wrong, future, good])
    assert [r["status"] for r in results] == ["refused", "refused", "recorded"]
    assert "chênh lệch" in results[0]["reason"]
    assert "chưa đến" in results[1]["reason"]


def test_reasons_come_in_the_callers_language(client: Client, token_al3: str,
                                              participation_al3: Participation) -> None:
    client.cookies["django_language"] = "en"
    answer = _sync(client, token_al3, [_receipt(participation_al3, amount=5)])[0]
    assert "difference" in answer["reason"]


def test_another_communes_participant_is_out_of_reach(client: Client, world: Any,
                                                      director: Any) -> None:
    from ansinh.field.devices import register_device
    from ansinh.participation.actions import enrol

    person = Person.objects.filter(village__commune__code="AL1", si_status=SIStatus.NONE,
                                   birth_date__lt=date(1990, 1, 1),
                                   birth_date__gt=date(1980, 1, 1)).first()
    assert person is not None
    participation = enrol(person, start_month=date(2026, 1, 1), income=1_500_000,
                          mode="monthly", actor=director, enrolled_on=date(2026, 1, 3))
    _device, token = register_device(actor=world["users"]["thu31"], name="A")
    item = _receipt(participation, channel="bank_transfer")
    assert _sync(client, token, [item])[0]["status"] == "refused"
    assert not Receipt.objects.exists()


def test_an_offline_enrolment_is_created_once(client: Client, prospect_al3: Person,
                                              token_al3: str) -> None:
    item = _enrol(prospect_al3)
    assert _sync(client, token_al3, [item])[0]["status"] == "recorded"
    assert _sync(client, token_al3, [item])[0]["status"] == "already"
    participation = Participation.objects.get(person=prospect_al3)
    assert participation.uuid == uuid.UUID(item["client_uuid"])


def test_a_day_names_its_own_new_rows_by_uuid(client: Client, token_al3: str, world: Any,
                                              receipt_book_al3: Any) -> None:
    """A new person, a contact with them, their enrolment and first receipt, in one post."""
    village = Person.objects.filter(village__commune__code="AL3").first().village  # type: ignore[union-attr]
    person_key, contact_key, enrol_key = (str(uuid.uuid4()) for _i in range(3))
    on = date(2026, 3, 10)
    items = [
        {"kind": "person", "client_uuid": person_key,
         "data": {"village": village.pk, "full_name": "Hồ Văn Mới", "birth_date": "1985-04-02",
                  "sex": "M"}},
        {"kind": "contact", "client_uuid": contact_key,
         "data": {"person": person_key, "on": on.isoformat(), "channel": "visit",
                  "outcome": "follow_up", "next_follow_up_on": "2026-03-20"}},
        {"kind": "follow_up", "client_uuid": str(uuid.uuid4()),
         "data": {"contact": contact_key, "done": False, "next_on": "2026-03-25"}},
        {"kind": "enrol", "client_uuid": enrol_key,
         "data": {"person": person_key, "start_month": "2026-03", "income": 1_500_000,
                  "mode": "monthly", "enrolled_on": on.isoformat()}},
    ]
    results = _sync(client, token_al3, items)
    assert [r["status"] for r in results] == ["recorded"] * 4, results
    person = Person.objects.get(uuid=person_key)
    contact = Contact.objects.get(uuid=contact_key)
    assert contact.person == person and contact.next_follow_up_on == date(2026, 3, 25)
    assert Participation.objects.get(uuid=enrol_key).person == person
    again = _sync(client, token_al3, items)
    assert [r["status"] for r in again] == ["already"] * 4
    assert Person.objects.filter(full_name="Hồ Văn Mới").count() == 1


def test_a_new_person_like_one_in_the_register_is_a_conflict(client: Client, token_al3: str,
                                                              prospect_al3: Person) -> None:
    item = {"kind": "person", "client_uuid": str(uuid.uuid4()),
            "data": {"village": prospect_al3.village_id,
                     "full_name": prospect_al3.full_name.upper(),
                     "birth_date": prospect_al3.birth_date.isoformat(), "sex": prospect_al3.sex}}
    answer = _sync(client, token_al3, [item])[0]
    assert answer["status"] == "conflict" and prospect_al3.full_name in answer["reason"]
    assert _sync(client, token_al3, [item])[0]["status"] == "conflict"
    stored = SyncItem.objects.get()
    assert stored.status == "conflict" and stored.village_id == prospect_al3.village_id


def test_an_enrolment_meeting_a_changed_person_is_a_conflict(
        client: Client, token_al3: str, prospect_al3: Person, director: Any) -> None:
    from ansinh.participation.actions import enrol

    seen = prospect_al3.sync_version
    enrol(prospect_al3, start_month=date(2026, 3, 1), income=2_000_000, mode="monthly",
          actor=director, enrolled_on=date(2026, 3, 2))
    touch(prospect_al3.office_id, [prospect_al3.pk])  # what the enrolment's touch does
    stale = _sync(client, token_al3, [_enrol(prospect_al3, base_version=seen)])[0]
    assert stale["status"] == "conflict", stale
    assert stale["version"] > seen
    without_base = _sync(client, token_al3, [_enrol(prospect_al3)])[0]
    assert without_base["status"] == "refused"
    assert Participation.objects.filter(person=prospect_al3).count() == 1


def test_a_receipt_refused_after_a_change_is_a_conflict(client: Client, token_al3: str,
                                                        participation_al3: Participation) -> None:
    person = participation_al3.person
    seen = Person.objects.get(pk=person.pk).sync_version
    touch(person.office_id, [person.pk])  # e.g. the declared income changed meanwhile
    stale = _receipt(participation_al3, amount=5) | {"base_version": seen}
    answer = _sync(client, token_al3, [stale])[0]
    assert answer["status"] == "conflict"
    current = _receipt(participation_al3, amount=5) | {"base_version": answer["version"]}
    fresh = _sync(client, token_al3, [current])[0]
    assert fresh["status"] == "refused"


def test_a_follow_up_closed_meanwhile_is_a_conflict(client: Client, token_al3: str,
                                                    prospect_al3: Person, director: Any) -> None:
    from ansinh.outreach.actions import close_follow_up, record_contact

    contact = record_contact(actor=director, person=prospect_al3, on=date(2026, 1, 5),
                             channel="visit", outcome="follow_up",
                             next_follow_up_on=date(2026, 2, 1))
    seen = Person.objects.get(pk=prospect_al3.pk).sync_version
    close_follow_up(contact, actor=director)
    touch(prospect_al3.office_id, [prospect_al3.pk])
    item = {"kind": "follow_up", "client_uuid": str(uuid.uuid4()), "base_version": seen,
            "data": {"contact": str(contact.uuid), "done": False, "next_on": "2026-02-10"}}
    assert _sync(client, token_al3, [item])[0]["status"] == "conflict"
    contact.refresh_from_db()
    assert contact.next_follow_up_on == date(2026, 2, 1)


def test_own_earlier_items_do_not_make_later_ones_stale(token_al3: str, agent_al3: Any,
                                                        prospect_al3: Person) -> None:
    from ansinh.api.outbox import effective_base

    SyncItem.objects.create(client_uuid=uuid.uuid4(), user=agent_al3, person=prospect_al3,
                            kind="contact", content_hash="x", payload={}, status="recorded",
                            prior_version=5, version=7)
    SyncItem.objects.create(client_uuid=uuid.uuid4(), user=agent_al3, person=prospect_al3,
                            kind="contact", content_hash="y", payload={}, status="recorded",
                            prior_version=9, version=10)  # someone else wrote 8 or 9
    assert effective_base(agent_al3, prospect_al3.pk, 5) == 7
    assert effective_base(agent_al3, prospect_al3.pk, 4) == 4


def test_malformed_bodies_are_422_with_the_item(client: Client, token_al3: str,
                                                participation_al3: Participation) -> None:
    good = _receipt(participation_al3)
    bad = _receipt(participation_al3, amount="nhiều")
    response = post(client, "/api/sync", {"items": [good, bad, {"kind": "nonsense"}]},
                    token_al3)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert {p["item"] for p in problems} == {1, 2}
    assert not Receipt.objects.exists()
    assert post(client, "/api/sync", "not json", token_al3).status_code in (400, 422)
    many = post(client, "/api/sync", {"items": [good] * 501}, token_al3)
    assert many.status_code == 422


def test_viewers_cannot_sync(client: Client, viewer_al1: Any,
                             participation_al3: Participation) -> None:
    client.force_login(viewer_al1)
    response = post(client, "/api/sync", {"items": [_receipt(participation_al3)]})
    assert response.status_code == 403


def test_a_signed_in_page_syncs_with_its_session(client: Client, agent_al3: Any,
                                                 participation_al3: Participation) -> None:
    client.force_login(agent_al3)
    answer = post(client, "/api/sync", {"items": [_receipt(participation_al3)]}).json()
    assert answer["results"][0]["status"] == "recorded"


def test_the_old_endpoint_is_gone(client: Client, agent_al3: Any) -> None:
    client.force_login(agent_al3)
    assert client.post("/field/dong-bo/", {}).status_code == 404


def test_the_service_worker_is_served_from_the_root(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"


def test_an_item_whose_answer_was_lost_in_a_crash_is_already(
        client: Client, token_al3: str, participation_al3: Participation,
        agent_al3: Any) -> None:
    """The action committed, the kept answer did not (the server died between the two): the
    action's own uuid idempotency answers the retry."""
    from ansinh.collection.receipts import ReceiptRequest, record_receipts

    item = _receipt(participation_al3)
    data = item["data"]
    record_receipts([ReceiptRequest(participation_al3.pk, (date(2026, 1, 1),), data["amount"],
                                    date(2026, 1, 20), "cash",
                                    uuid.UUID(item["client_uuid"]))], actor=agent_al3)
    answer = _sync(client, token_al3, [item])[0]
    assert answer["status"] == "already" and answer["number"] == "AL3-0000001"
    assert Receipt.objects.count() == 1 and SyncItem.objects.get().status == "recorded"
