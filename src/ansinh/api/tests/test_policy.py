"""GET /api/policy: the snapshot the offline calculator runs on, for a device of the office."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine
from django.test import Client

from ansinh.calculator.snapshot import parameters_snapshot
from ansinh.field.devices import register_device
from ansinh.policy import load_default_tree
from ansinh.rules.actions import add_override
from ansinh.rules.models import ParameterOverride


def _get(client: Client, token: str, query: str = "") -> Any:
    return client.get(f"/api/policy{query}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_device_downloads_the_snapshot_for_a_date(client: Client, agent_al3: Any) -> None:
    _device, token = register_device(actor=agent_al3, name="A")
    answer = _get(client, token, "?on=2026-12-02")
    assert answer.status_code == 200
    assert answer.json() == parameters_snapshot(date(2026, 12, 2), load_default_tree())


def test_without_a_date_the_snapshot_is_for_today(client: Client, agent_al3: Any) -> None:
    _device, token = register_device(actor=agent_al3, name="A")
    with time_machine.travel(date(2027, 3, 4), tick=False):
        body = _get(client, token).json()
    assert body["on"] == "2027-03-04"


def test_the_offices_own_values_reach_its_phones(client: Client, agent_al3: Any, director: Any,
                                                 director_elsewhere: Any) -> None:
    add_override(ParameterOverride(
        name="contribution.fund_yield", start=date(2027, 2, 1), value="0.004",
        reference_document="CV 2/BHXH", reference_article="toàn văn",
        office=director.office), actor=director)
    add_override(ParameterOverride(
        name="contribution.fund_yield", start=date(2027, 1, 1), value="0.0035",
        reference_document="CV 1/BHXH", reference_article="toàn văn",
        office=director_elsewhere.office), actor=director_elsewhere)
    _device, token = register_device(actor=agent_al3, name="A")
    values = _get(client, token, "?on=2026-12-02").json()["parameters"][
        "contribution.fund_yield"]["values"]
    # the office's own value, not the other office's
    assert [(v["start"], v["value"]) for v in values] == [
        ("2016-01-01", "0.0031"), ("2027-02-01", "0.004")]


def test_a_stranger_or_a_bad_date_gets_a_4xx(client: Client, agent_al3: Any) -> None:
    assert client.get("/api/policy?on=2026-12-02").status_code == 401
    _device, token = register_device(actor=agent_al3, name="A")
    assert _get(client, token, "?on=2026-13-40").status_code == 422


def test_the_snapshot_is_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/policy" in schema["paths"]
    assert "PolicySnapshot" in schema["components"]["schemas"]
