"""engine.js in Debian's chromium gives the Python engine's answer to every case of the shared
case file, to the đồng, with the same references (the JavaScript port of issue 12, item 3)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ansinh.calculator.cases import CASES_FILE, SNAPSHOT_ON, compact, run_case
from ansinh.calculator.snapshot import parameters_snapshot
from ansinh.policy import load_default_tree

pytestmark = pytest.mark.browser

ENGINE = Path(__file__).resolve().parents[1] / "static" / "calculator" / "engine.js"

RUN = """([snapshot, cases]) => cases.map(c => {
  try {
    const fn = {contribution: AnsinhEngine.contribution, retirement_age: AnsinhEngine.retirementAge,
                pension: AnsinhEngine.pension, lump_sum: AnsinhEngine.lumpSum}[c.kind];
    return fn(snapshot, c.input);
  } catch (e) {
    if (e instanceof AnsinhEngine.EngineError) return {error: e.kind, code: e.code};
    return {crash: String(e)};
  }
})"""


@pytest.fixture
def engine_page(phone_page: Any) -> Any:
    phone_page.goto("about:blank")
    phone_page.add_script_tag(content=ENGINE.read_text(encoding="utf-8"))
    return phone_page


def test_engine_js_gives_the_engines_answer_to_every_case(engine_page: Any) -> None:
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    tree = load_default_tree()
    snapshot = parameters_snapshot(SNAPSHOT_ON, tree)
    answers = engine_page.evaluate(RUN, [snapshot, cases])
    wrong = []
    for case, answer in zip(cases, answers, strict=True):
        answer.pop("code", None)
        if compact(answer) != case["expected"] or answer != run_case(case, tree):
            wrong.append((case["input"], answer, case["expected"]))
    assert not wrong, f"{len(wrong)} of {len(cases)} cases differ, first: {wrong[0]}"
    assert len(cases) >= 300


def test_every_kind_of_case_is_in_the_file() -> None:
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    kinds = {c["kind"] for c in cases}
    assert kinds == {"contribution", "retirement_age", "pension", "lump_sum"}
    assert any(c["expected"].get("eligible") for c in cases if c["kind"] == "pension")
    assert any(c["expected"].get("allowed") for c in cases if c["kind"] == "lump_sum")


def test_a_date_before_any_value_is_refused_as_the_engine_refuses_it(engine_page: Any) -> None:
    snapshot = parameters_snapshot(date(2026, 12, 2), load_default_tree())
    case = {"kind": "contribution", "input": {
        "on": "1990-01-15", "income": 2_000_000, "category": "poor", "mode": "monthly"}}
    answer = engine_page.evaluate(RUN, [snapshot, [case]])
    assert answer == [{"error": "parameter_not_found", "code": "no_value"}]
    assert run_case(case, load_default_tree()) == {"error": "parameter_not_found"}


def test_the_other_way_of_netting_the_support_in_advance_gives_the_engines_total(
        engine_page: Any) -> None:
    """An office may enter discount_net (D159 Art. 6, the other reading): the port follows."""
    from ansinh.policy import Override, Reference

    tree = load_default_tree().with_overrides([Override(
        name="contribution.advance_support_mode", start=date(2026, 1, 1), value="discount_net",
        reference=Reference("CV 1/BHXH", "whole letter"))])
    snapshot = parameters_snapshot(SNAPSHOT_ON, tree)
    cases = [{"kind": "contribution", "input": {
        "on": "2026-11-28", "income": income, "category": cat, "months": months,
        "supported_months": supported}}
        for income in (1_500_000, 3_333_333, 50_600_000)
        for cat in ("poor", "other") for months in (24, 60) for supported in (0, 100)]
    answers = engine_page.evaluate(RUN, [snapshot, cases])
    for case, answer in zip(cases, answers, strict=True):
        assert answer == run_case(case, tree), case["input"]
    assert {a["advance_support_mode"] for a in answers} == {"discount_net"}
