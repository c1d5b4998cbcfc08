"""The parameter snapshot: every dated value engine.js needs, from a year back, JSON-ready."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from ansinh.calculator.snapshot import PARAMETERS, parameters_snapshot
from ansinh.policy import load_default_tree
from ansinh.rules.actions import add_override
from ansinh.rules.models import ParameterOverride


def _values(snapshot: dict[str, Any], name: str) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = snapshot["parameters"][name]["values"]
    return values


def test_the_snapshot_holds_every_dated_value_with_its_reference() -> None:
    snap = parameters_snapshot(date(2026, 12, 2), load_default_tree())
    assert snap["on"] == "2026-12-02"
    assert set(snap["parameters"]) == set(PARAMETERS)
    lines = _values(snap, "contribution.rural_poverty_line")
    # the past ones (a history since 2016 is computed with them) and the coming year's
    assert [(v["start"], v["value"]) for v in lines] == [
        ("2016-01-01", 700_000), ("2022-01-01", 1_500_000), ("2027-01-01", 2_200_000)]
    assert lines[2]["provisional"] is True  # 2027's line is from a secondary source
    assert lines[1]["provisional"] is False
    assert lines[1]["reference"]["document_vi"]
    assert lines[1]["reference"]["link"].startswith("https://")
    # a value that ends is sent as null, from its date
    assert _values(snap, "pension.revaluation")[-1]["value"] is None


def test_the_snapshot_is_json_with_integer_money_and_decimal_strings() -> None:
    snap = parameters_snapshot(date(2026, 12, 2), load_default_tree())
    again = json.loads(json.dumps(snap))
    assert again == snap
    assert isinstance(_values(snap, "general.reference_level")[0]["value"], int)
    assert _values(snap, "contribution.rate")[-1]["value"] == "0.22"
    assert _values(snap, "subsidy.support_rate")[-1]["value"]["poor"] == "0.50"
    # a phone downloads it once, with the territory: ~39 KB with the compulsory salary table
    assert len(json.dumps(snap)) < 48_000


@pytest.mark.django_db
def test_the_snapshot_carries_the_offices_overrides() -> None:
    add_override(ParameterOverride(
        name="contribution.fund_yield", start=date(2027, 1, 1), value="0.0035",
        reference_document="CV 999/BHXH-ĐTQ", reference_article="toàn văn"), actor=None)
    values = _values(parameters_snapshot(date(2026, 12, 2)), "contribution.fund_yield")
    assert values[-1]["start"] == "2027-01-01"
    assert values[-1]["value"] == "0.0035"
    assert values[-1]["reference"]["document"] == "CV 999/BHXH-ĐTQ"
