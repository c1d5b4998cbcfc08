"""The shared case file: the Python engine still gives every answer it records.

A change to a parameter file or a formula fails here until the file is regenerated, in one
command: `ansinh calc-cases` (then the browser test checks the JavaScript port against it).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ansinh.calculator.cases import CASES_FILE, compact, dumps, generate_cases, run_case
from ansinh.policy import load_default_tree

CONTENT = json.loads(CASES_FILE.read_text(encoding="utf-8"))
CASES = CONTENT["cases"]


def _id(case: dict[str, Any]) -> str:
    return f"{case['kind']}:" + ",".join(f"{k}={v}" for k, v in sorted(case["input"].items()))


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_the_engine_gives_the_answer_the_case_file_records(case: dict[str, Any]) -> None:
    assert compact(run_case(case, load_default_tree())) == case["expected"]


def test_the_case_file_is_what_ansinh_calc_cases_writes_today() -> None:
    assert CASES_FILE.read_text(encoding="utf-8") == dumps(generate_cases()), (
        "the case file is out of date: run `ansinh calc-cases` and commit it")


def test_the_cases_cover_every_category_mode_and_both_sides_of_the_value_changes() -> None:
    contributions = [c["expected"] for c in CASES
                     if c["kind"] == "contribution" and "error" not in c["expected"]]
    assert len(CASES) >= 300
    assert {q["category_applied"] for q in contributions} == {
        "poor", "near_poor", "ethnic_minority", "island", "other"}
    assert {(q["mode"], q["years"]) for q in contributions} >= {
        ("monthly", None), ("quarterly", None), ("half_yearly", None), ("yearly", None),
        ("advance", 2), ("advance", 3), ("advance", 4), ("advance", 5)}
    assert {q["floor"] for q in contributions} == {1_500_000, 2_200_000}  # 2027-01-01
    assert {q["reference_level"] for q in contributions} == {2_340_000, 2_530_000}  # 2026-07-01
    assert any(q["income"] == q["ceiling"] for q in contributions)
    assert any(q["income"] == q["floor"] for q in contributions)
    assert any(0 < q["supported_months_in_payment"] < q["months"] for q in contributions)
    assert {c["expected"].get("error") for c in CASES} >= {
        None, "invalid_input", "income_out_of_range"}
    ages = [c["expected"] for c in CASES if c["kind"] == "retirement_age"]
    assert {a["sex"] for a in ages} == {"F", "M"}
    assert len({(a["retirement_age_years"], a["retirement_age_months"]) for a in ages}) > 10


def test_ansinh_calc_cases_writes_the_file_and_checks_it(tmp_path: Path) -> None:
    out = tmp_path / "cases.json"
    call_command("calc-cases", "--out", str(out), stdout=io.StringIO())
    assert out.read_text(encoding="utf-8") == CASES_FILE.read_text(encoding="utf-8")
    call_command("calc-cases", "--out", str(out), "--check", stdout=io.StringIO())
    out.write_text(out.read_text(encoding="utf-8").replace('"total": 165000', '"total": 1'))
    with pytest.raises(CommandError, match="out of date"):
        call_command("calc-cases", "--out", str(out), "--check", stdout=io.StringIO())
