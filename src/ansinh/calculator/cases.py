"""The shared case file: the Python engine's answers that the JavaScript port must give too.

``generate_cases`` runs the engine over a few hundred inputs (dates on both sides of the 2026 and
2027 value changes, incomes at the floor, the ceiling and odd values, every category, every
payment mode and month count, both sexes and many birth dates) and records what it answers.
``ansinh calc-cases`` writes them to ``calculator/tests/cases.json``; a test checks that the
engine still gives every answer (a policy change forces regenerating the file, in one command)
and a browser test runs every case through ``static/calculator/engine.js`` in chromium.

A case is ``{"kind": "contribution" | "retirement_age", "input": {...}, "expected": {...}}``;
its input is what ``AnsinhEngine.contribution`` / ``retirementAge`` take, and a refusal is
expected as ``{"error": "invalid_input" | "income_out_of_range" | "parameter_not_found"}``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ansinh.policy import (
    IncomeOutOfRange,
    InvalidInput,
    ParameterNotFound,
    ParameterTree,
    PolicyError,
    contribution_quote,
    income_bounds,
    load_default_tree,
    retirement_age,
)

CASES_FILE = Path(__file__).resolve().parent / "tests" / "cases.json"
# The snapshot the JavaScript side runs on: valid from 2025-07-01 (the 2024 law's start).
SNAPSHOT_ON = date(2026, 7, 1)

DATES = (
    "2025-07-01", "2025-12-31", "2026-01-15", "2026-06-30", "2026-07-01", "2026-11-28",
    "2026-12-31", "2027-01-01", "2027-06-15", "2028-03-01",
)
CATEGORY_SETS: tuple[tuple[str, ...], ...] = (
    ("poor",), ("near_poor",), ("ethnic_minority",), ("island",), ("other",),
    ("ethnic_minority", "near_poor"), ("other", "poor"), (),
)
PAYMENTS: tuple[tuple[str, int | None], ...] = (
    ("monthly", None), ("quarterly", None), ("half_yearly", None), ("yearly", None),
    ("advance", 2), ("advance", 3), ("advance", 4), ("advance", 5),
)
ODD_INCOMES = (1_999_999, 2_345_678, 3_000_000, 4_999_999, 7_777_777, 12_345_679, 31_000_001)
SUPPORTED = (0, 0, 0, 115, 119, 120, 60)

_ERRORS: tuple[tuple[type[PolicyError], str], ...] = (
    (IncomeOutOfRange, "income_out_of_range"),
    (ParameterNotFound, "parameter_not_found"),
    (InvalidInput, "invalid_input"),
)


def _mode_for(tree: ParameterTree, on: date, months: int) -> tuple[str, int | None]:
    """A count of months as the engine's (mode, years), as engine.js reads ``months``."""
    table = tree.find("contribution.payment_modes", on)
    if table is not None and isinstance(table.value, Mapping):
        for mode, count in table.value.items():
            if count == months:
                return mode, None
    if months > 0 and months % 12 == 0:
        return "advance", months // 12
    raise InvalidInput(f"Số tháng không hợp lệ: {months}", f"invalid months {months}")


def _contribution(inp: Mapping[str, Any], tree: ParameterTree) -> dict[str, Any]:
    on = date.fromisoformat(inp["on"])
    categories = inp.get("categories", [inp["category"]] if inp.get("category") else [])
    mode, years = inp.get("mode"), inp.get("years")
    if mode is None and "months" in inp:
        mode, years = _mode_for(tree, on, inp["months"])
    fund_yield = inp.get("fund_yield")
    quote = contribution_quote(
        on, inp["income"], tuple(categories), mode or "monthly", years,
        supported_months=inp.get("supported_months", 0),
        fund_yield=Decimal(fund_yield) if fund_yield is not None else None,
        tree=tree, province=inp.get("province", "hue"))
    result = quote.to_dict()
    result.update(amount=quote.total, support=quote.support_total,
                  gross=quote.discounted_gross_total if quote.discounted_gross_total is not None
                  else quote.gross_total)
    return result


def run_case(case: Mapping[str, Any], tree: ParameterTree) -> dict[str, Any]:
    """What the Python engine answers to one case's input."""
    inp = case["input"]
    try:
        if case["kind"] == "contribution":
            return _contribution(inp, tree)
        if case["kind"] == "retirement_age":
            return retirement_age(inp["sex"], date.fromisoformat(inp["birth"]), tree).to_dict()
    except PolicyError as exc:
        for cls, kind in _ERRORS:
            if isinstance(exc, cls):
                return {"error": kind}
        raise
    raise ValueError(f"unknown case kind {case['kind']!r}")


def _inputs(tree: ParameterTree) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    incomes = itertools.cycle(range(9))
    supported = itertools.cycle(SUPPORTED)
    for on_text in DATES:
        on = date.fromisoformat(on_text)
        bounds = income_bounds(on, tree)
        choices = (bounds.floor, bounds.ceiling, bounds.floor + 1, *ODD_INCOMES)
        for cats, (mode, years) in itertools.product(CATEGORY_SETS, PAYMENTS):
            income = choices[next(incomes) % len(choices)]
            inp: dict[str, Any] = {"on": on_text, "income": income}
            if len(cats) == 1:
                inp["category"] = cats[0]  # one person's category, as the field app sends it
            else:
                inp["categories"] = list(cats)
            if mode == "advance" and years in (2, 4):
                inp["months"] = 12 * (years or 0)  # the field app's way: months, not a mode
            elif mode == "yearly" and cats == ("poor",):
                inp["months"] = 12
            else:
                inp["mode"] = mode
                if years is not None:
                    inp["years"] = years
            inp["supported_months"] = next(supported)
            cases.append({"kind": "contribution", "input": inp})
        # the edges of the bounds, and what the engine refuses
        for income in (bounds.floor - 1, bounds.ceiling + 1):
            cases.append({"kind": "contribution",
                          "input": {"on": on_text, "income": income, "category": "poor"}})
    refused: list[dict[str, Any]] = [
        {"on": "2026-11-28", "income": 3_000_000, "category": "rich"},
        {"on": "2026-11-28", "income": 3_000_000, "mode": "weekly"},
        {"on": "2026-11-28", "income": 3_000_000, "mode": "advance", "years": 1},
        {"on": "2026-11-28", "income": 3_000_000, "mode": "advance", "years": 6},
        {"on": "2026-11-28", "income": 3_000_000, "mode": "advance"},
        {"on": "2026-11-28", "income": 3_000_000, "mode": "monthly", "years": 2},
        {"on": "2026-11-28", "income": 3_000_000, "months": 7},
        {"on": "2026-11-28", "income": 3_000_000, "supported_months": -1},
        {"on": "2027-01-01", "income": 1_500_000, "category": "near_poor"},
    ]
    cases += [{"kind": "contribution", "input": inp} for inp in refused]
    # another fund yield, and none at all (no discount)
    for r in ("0.0045", "0", "0.00305"):
        for years in (2, 5):
            cases.append({"kind": "contribution", "input": {
                "on": "2026-11-28", "income": 4_321_987, "category": "near_poor",
                "mode": "advance", "years": years, "fund_yield": r}})
    for sex in ("F", "M"):
        for year in range(1955, 2006, 3):
            for month in (1, 5, 12):
                cases.append({"kind": "retirement_age",
                              "input": {"sex": sex, "birth": f"{year}-{month:02d}-01"}})
    return cases


def compact(result: Mapping[str, Any]) -> dict[str, Any]:
    """An answer as the file keeps it: each reference as "name@start" (the snapshot holds the
    values and documents; the browser test compares them in full against the live engine)."""
    out = dict(result)
    if "references" in out:
        out["references"] = [f"{r['name']}@{r['start']}" for r in out["references"]]
    return out


def generate_cases(tree: ParameterTree | None = None) -> dict[str, Any]:
    """The case file's content: every input with the engine's answer."""
    tree = tree if tree is not None else load_default_tree()
    cases = _inputs(tree)
    for case in cases:
        case["expected"] = compact(run_case(case, tree))
    return {"snapshot_on": SNAPSHOT_ON.isoformat(),
            "generated_by": "ansinh calc-cases", "cases": cases}


def dumps(content: Mapping[str, Any]) -> str:
    """The file's text: one case per line, so a diff shows which answers a change moved."""
    head = {k: v for k, v in content.items() if k != "cases"}
    lines = [json.dumps(case, ensure_ascii=False, sort_keys=True) for case in content["cases"]]
    body = ",\n".join(lines)
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "cases": [\n' + body + "\n]}\n"
