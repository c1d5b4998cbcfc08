"""Mixed histories changed the engine; a history with no compulsory period must give exactly
what it gave before (150 random voluntary histories, answers recorded before the change)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ansinh.policy.tests.voluntary_cases import GOLDEN, answers

GOLDEN_CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("recorded", GOLDEN_CASES, ids=lambda r: f"{r['case']['birth']}")
def test_a_voluntary_history_gives_what_it_gave_before(recorded: dict[str, Any]) -> None:
    now = answers(recorded["case"])
    for calc, before in recorded["answers"].items():
        # new keys may appear (the kind of months, the decree); every old key keeps its value
        assert {key: now[calc].get(key) for key in before} == before, calc
