"""The sync endpoint applies a phone's offline queue once, within the user's territory."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from django.test import Client

from ansinh.collection import dues
from ansinh.collection.models import Receipt
from ansinh.participation.models import Participation
from ansinh.registry.models import Person, SIStatus


def _post(client: Client, items: list[dict[str, Any]]) -> Any:
    response = client.post("/field/dong-bo/", json.dumps({"items": items}),
                           content_type="application/json")
    return response


def _receipt_item(participation: Participation, key: str) -> dict[str, Any]:
    amount = dues.quote_months(participation, [date(2026, 1, 1)], date(2026, 1, 20)).amount
    return {"kind": "receipt", "client_uuid": key, "participation": participation.pk,
            "months": ["2026-01"], "amount": amount, "paid_on": "2026-01-20", "channel": "cash"}


def test_a_queue_sent_twice_records_once(client: Client, participation_al3: Participation,
                                         agent_al3: Any) -> None:
    client.force_login(agent_al3)
    key = str(uuid.uuid4())
    first = _post(client, [_receipt_item(participation_al3, key)]).json()["results"]
    again = _post(client, [_receipt_item(participation_al3, key)]).json()["results"]
    assert first[0]["status"] == "recorded" and first[0]["number"] == "AL3-0000001"
    assert again[0]["status"] == "already" and again[0]["number"] == "AL3-0000001"
    assert Receipt.objects.count() == 1


def test_refusals_come_back_per_item_in_order(client: Client, participation_al3: Participation,
                                              agent_al3: Any) -> None:
    client.force_login(agent_al3)
    wrong = _receipt_item(participation_al3, str(uuid.uuid4())) | {"amount": 5}
    good = _receipt_item(participation_al3, str(uuid.uuid4()))
    results = _post(client, [wrong, {"kind": "nonsense", "client_uuid": "x"}, good]).json()
    assert [r["status"] for r in results["results"]] == ["refused", "refused", "recorded"]
    assert "chênh lệch" in results["results"][0]["reason"]


def test_another_communes_participant_is_out_of_reach(client: Client, world: Any,
                                                      director: Any) -> None:
    from ansinh.participation.actions import enrol

    person = Person.objects.filter(village__commune__code="AL1", si_status=SIStatus.NONE,
                                   birth_date__lt=date(1990, 1, 1),
                                   birth_date__gt=date(1980, 1, 1)).first()
    assert person is not None
    participation = enrol(person, start_month=date(2026, 1, 1), income=1_500_000,
                          mode="monthly", actor=director, enrolled_on=date(2026, 1, 3))
    client.force_login(world["users"]["thu31"])
    item = _receipt_item(participation, str(uuid.uuid4())) | {"channel": "bank_transfer"}
    result = _post(client, [item]).json()["results"][0]
    assert result["status"] == "refused"
    assert not Receipt.objects.exists()


def test_an_offline_enrolment_is_created_once(client: Client, prospect_al3: Person,
                                              agent_al3: Any) -> None:
    client.force_login(agent_al3)
    item = {"kind": "enrol", "client_uuid": str(uuid.uuid4()), "person": prospect_al3.pk,
            "start_month": "2026-03", "income": 1_500_000, "mode": "monthly",
            "enrolled_on": "2026-03-10"}
    assert _post(client, [item]).json()["results"][0]["status"] == "recorded"
    assert _post(client, [item]).json()["results"][0]["status"] == "already"
    assert Participation.objects.filter(person=prospect_al3).count() == 1


def test_viewers_cannot_sync_and_bad_bodies_are_400(client: Client, viewer_al1: Any,
                                                    agent_al3: Any) -> None:
    client.force_login(viewer_al1)
    assert _post(client, [{"kind": "receipt", "client_uuid": str(uuid.uuid4())}]
                 ).status_code == 403
    client.force_login(agent_al3)
    bad = client.post("/field/dong-bo/", "not json", content_type="application/json")
    assert bad.status_code == 400


def test_the_service_worker_is_served_from_the_root(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert "ansinh-field" in response.content.decode()
