"""Hostile bodies to every API endpoint that takes one (issue 13): deeply nested JSON, huge
arrays and bodies, wrong types, NUL bytes, huge numbers, dates outside the calendar, bytes that
are not UTF-8. Each answers 4xx (422 with the API's {"detail": [...]}, or 400/401/403/404/413),
never 5xx, and writes nothing, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client

from ansinh.collection import dues
from ansinh.collection.models import Receipt
from ansinh.field.models import Device, SyncItem
from ansinh.outreach.models import Contact
from ansinh.participation.models import Participation
from ansinh.registry.models import Person

HUGE = 10**30
DEEP = 100_000


def _receipt(paying: Participation, **data: Any) -> dict[str, Any]:
    amount = dues.quote_months(paying, [date(2026, 1, 1)], date(2026, 1, 20)).amount
    return {"kind": "receipt", "client_uuid": str(uuid.uuid4()),
            "data": {"participation": str(paying.uuid), "months": ["2026-01"],
                     "amount": amount, "paid_on": "2026-01-20", "channel": "cash"} | data}


def _person(**data: Any) -> dict[str, Any]:
    return {"kind": "person", "client_uuid": str(uuid.uuid4()),
            "data": {"village": 1, "full_name": "Hồ Thị Lan", "birth_date": "1990-01-01",
                     "sex": "F"} | data}


def _contact(person: Person, **data: Any) -> dict[str, Any]:
    return {"kind": "contact", "client_uuid": str(uuid.uuid4()),
            "data": {"person": str(person.uuid), "on": "2026-03-10", "channel": "visit",
                     "outcome": "interested"} | data}


def _enrol(person: Person, **data: Any) -> dict[str, Any]:
    return {"kind": "enrol", "client_uuid": str(uuid.uuid4()),
            "data": {"person": str(person.uuid), "start_month": "2026-03", "income": 1_500_000,
                     "mode": "monthly", "enrolled_on": "2026-03-10"} | data}


def raw_bodies() -> Iterator[tuple[str, bytes]]:
    """Bodies that are not a JSON document of the right shape, for every endpoint."""
    yield "nested lists", b"[" * DEEP + b"]" * DEEP
    yield "nested objects", b'{"a":' * DEEP + b"1" + b"}" * DEEP
    yield "nested items", b'{"items":' + b"[" * DEEP + b"]" * DEEP + b"}"
    yield "unclosed", b"[" * DEEP
    yield "not json", b"not json"
    yield "empty", b""
    yield "not utf-8", b'{"items": ["\xff\xfe\xc3"]}'
    yield "utf-16", '{"items": [1]}'.encode("utf-16")
    yield "NUL byte", b'{"items": []}\x00'
    yield "NaN", b'{"items": [NaN], "count": NaN, "numbers": [Infinity], "name": NaN}'
    yield "nested 900 in a field", (b'{"items": [{"kind": "receipt", "data": ' + b"[" * 900
                                    + b"]" * 900 + b'}], "count": ' + b"[" * 900 + b"]" * 900
                                    + b', "numbers": ' + b"[" * 900 + b"]" * 900 + b"}")
    yield "nested 900 in an unknown key", (b'{"items": [], "extra": ' + b"[" * 900
                                           + b"]" * 900 + b"}")
    yield "huge number literal", b'{"count": 1' + b"0" * 5000 + b"}"
    yield "3 MB", b'{"items": [], "name": "' + b"x" * 3_000_000 + b'"}'
    values: tuple[Any, ...] = (None, True, 1, -1, HUGE, 1.5, "x", [], {}, [[]], ["items"],
                               {"items": None})
    for value in values:
        yield f"json {value!r}"[:40], json.dumps(value).encode()


def sync_bodies(participation: Participation, person: Person) -> Iterator[tuple[str, Any]]:
    """Sync bodies of the right outline with hostile values in each field."""
    yield "many items", {"items": [_receipt(participation)] * 100_000}
    yield "many releases", {"items": [], "release": ["AB0001"] * 100_000}
    yield "items not a list", {"items": {"0": _receipt(participation)}}
    yield "item a string", {"items": ["receipt"]}
    hostile: tuple[Any, ...] = ("\x00", "A\x00B", "0001-01-01", "9999-12-31", "2026-02-30",
                                "0000-00-00", HUGE, -HUGE, 2**63, -1, 1.5, True, None, [], {},
                                "x" * 100_000)
    for value in hostile:
        label = repr(value)[:30]
        yield f"receipt amount {label}", {"items": [_receipt(participation, amount=value)]}
        yield f"receipt paid_on {label}", {"items": [_receipt(participation, paid_on=value)]}
        yield f"receipt months {label}", {"items": [_receipt(participation, months=[value])]}
        yield f"receipt number {label}", {"items": [_receipt(participation, number=value)]}
        # free text may hold any words ("0001-01-01" is a fine note): only what is not text
        bad_text = not isinstance(value, str) or "\x00" in value or len(value) > 300
        if bad_text:
            yield f"receipt note {label}", {"items": [_receipt(participation, note=value)]}
        yield f"receipt participation {label}", {
            "items": [_receipt(participation, participation=value)]}
        yield f"person name {label}", {"items": [_person(full_name=value)]}
        yield f"person village {label}", {"items": [_person(village=value)]}
        yield f"person birth {label}", {"items": [_person(birth_date=value)]}
        yield f"person household {label}", {"items": [_person(household=value)]}
        yield f"contact on {label}", {"items": [_contact(person, on=value)]}
        if bad_text:
            yield f"contact note {label}", {"items": [_contact(person, note=value)]}
        yield f"contact next {label}", {"items": [_contact(person, next_follow_up_on=value)]}
        yield f"enrol income {label}", {"items": [_enrol(person, income=value)]}
        yield f"enrol start {label}", {"items": [_enrol(person, start_month=value)]}
        yield f"enrol on {label}", {"items": [_enrol(person, enrolled_on=value)]}
        item = _receipt(participation)
        yield f"client_uuid {label}", {"items": [item | {"client_uuid": value}]}
        yield f"base_version {label}", {"items": [item | {"base_version": value}]}
        yield f"kind {label}", {"items": [item | {"kind": value}]}
        yield f"release {label}", {"items": [], "release": [value]}
    yield "NUL in a key", {"items": [], "\x00": 1}
    yield "year 0 dates", {"items": [_receipt(participation, paid_on="0000-01-20",
                                              months=["0000-01"])]}


# Fields that may be null (no receipt number: the server gives the next of the agent's book;
# no base version, household or follow-up): null there is a good value, not a hostile one.
OPTIONAL = ("receipt number", "base_version", "person household", "contact next")


def hostile_sync_bodies(participation: Participation,
                        person: Person) -> Iterator[tuple[str, Any]]:
    for label, body in sync_bodies(participation, person):
        if not (label.endswith(" None") and label.startswith(OPTIONAL)):
            yield label, body


def _answer_of(response: Any) -> str:
    return f"HTTP {response.status_code} {response.content[:200]!r}"


@pytest.fixture
def signed_in(client: Client, agent_al3: Any) -> Client:
    client.force_login(agent_al3)
    return client


ENDPOINTS = ("/api/sync", "/api/receipt-numbers", "/api/receipt-numbers/release",
             "/api/devices", "/api/devices/1/revoke")


def test_every_endpoint_refuses_a_malformed_body(signed_in: Client,
                                                  participation_al3: Participation) -> None:
    problems = []
    count = 0
    for endpoint in ENDPOINTS:
        for label, body in raw_bodies():
            response = signed_in.generic("POST", endpoint, body,
                                         content_type="application/json")
            count += 1
            if response.status_code >= 500 or (response.status_code == 200
                                                and "unknown key" not in label):
                problems.append(f"{endpoint} {label}: {_answer_of(response)}")
            elif response.status_code == 422:
                assert isinstance(response.json()["detail"], list), _answer_of(response)
    assert count > 100
    assert not problems, "\n".join(problems)
    assert not Receipt.objects.exists()


def test_sync_refuses_hostile_values_and_writes_nothing(
        signed_in: Client, participation_al3: Participation, prospect_al3: Person) -> None:
    receipts, contacts, persons = (Receipt.objects.count(), Contact.objects.count(),
                                   Person.objects.count())
    problems = []
    count = 0
    for label, body in hostile_sync_bodies(participation_al3, prospect_al3):
        response = signed_in.post("/api/sync", body, content_type="application/json")
        count += 1
        if response.status_code >= 500:
            problems.append(f"{label}: {_answer_of(response)}")
            continue
        if response.status_code == 200:
            # a value the schema takes: the item itself must then be refused, not recorded
            statuses = {r["status"] for r in response.json()["results"]}
            if statuses - {"refused", "conflict"}:
                problems.append(f"{label}: recorded {_answer_of(response)}")
        elif response.status_code == 422:
            assert isinstance(response.json()["detail"], list), _answer_of(response)
    assert count > 250
    assert not problems, f"{len(problems)} of {count}:\n" + "\n".join(problems)
    assert (Receipt.objects.count(), Contact.objects.count(), Person.objects.count()) == (
        receipts, contacts, persons)
    assert not SyncItem.objects.filter(status="recorded").exists()


@pytest.mark.parametrize("value", ["\x00", "Máy\x00", "x" * 100_000, HUGE, None, [], ""])
def test_a_device_name_is_refused_cleanly(signed_in: Client, value: Any) -> None:
    response = signed_in.post("/api/devices", {"name": value}, content_type="application/json")
    assert response.status_code == 422, _answer_of(response)
    assert response.json()["detail"]
    assert not Device.objects.exists()


@pytest.mark.parametrize("count", [0, -1, 101, HUGE, 2**63, "5", 1.5, None, "\x00"])
def test_reserving_numbers_refuses_a_hostile_count(signed_in: Client, count: Any) -> None:
    response = signed_in.post("/api/receipt-numbers", {"count": count},
                              content_type="application/json")
    assert response.status_code == 422, _answer_of(response)


@pytest.mark.parametrize("device_id", ["99999999999999999999", "-1", "0"])
def test_revoking_a_device_that_cannot_exist_is_404(signed_in: Client, device_id: str) -> None:
    response = signed_in.post(f"/api/devices/{device_id}/revoke")
    assert response.status_code in (404, 422), _answer_of(response)
