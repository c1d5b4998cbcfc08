"""The shared case file: the Python engine's answers that the JavaScript port must give too.

``generate_cases`` runs the engine over a few hundred inputs (dates on both sides of the 2026 and
2027 value changes, incomes at the floor, the ceiling and odd values, every category, every
payment mode and month count, both sexes and many birth dates) and records what it answers.
``ansinh calc-cases`` writes them to ``calculator/tests/cases.json``; a test checks that the
engine still gives every answer (a policy change forces regenerating the file, in one command)
and a browser test runs every case through ``static/calculator/engine.js`` in chromium.

A case is ``{"kind": "contribution" | "retirement_age" | "pension" | "lump_sum", "input": {...},
"expected": {...}}``; its input is what ``AnsinhEngine.contribution`` / ``retirementAge`` /
``pension`` / ``lumpSum`` take, and a refusal is expected as ``{"error": "invalid_input" |
"income_out_of_range" | "parameter_not_found"}``. A pension's or lump sum's ``reason`` is kept as
its code and arguments (the engine's words are for the CLI; pages word the code).
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
    Reason,
    contribution_quote,
    income_bounds,
    load_default_tree,
    lump_sum,
    parse_history,
    pension,
    retirement_age,
)
from ansinh.policy.money import add_months

CASES_FILE = Path(__file__).resolve().parent / "tests" / "cases.json"
# The day of the snapshot the JavaScript side runs on (it holds every dated value).
SNAPSHOT_ON = date(2026, 7, 1)
TODAY = date(2026, 12, 2)  # "today" of the pension and lump-sum cases

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


def _reason(result: Any) -> dict[str, Any]:
    out: dict[str, Any] = result.to_dict()
    reason: Reason = result.reason
    out["reason"] = {"code": reason.code, "args": reason.arguments}
    return out


def _birth(inp: Mapping[str, Any]) -> date | None:
    return date.fromisoformat(inp["birth"]) if inp.get("birth") else None


def run_case(case: Mapping[str, Any], tree: ParameterTree) -> dict[str, Any]:
    """What the Python engine answers to one case's input."""
    inp = case["input"]
    try:
        if case["kind"] == "contribution":
            return _contribution(inp, tree)
        if case["kind"] == "retirement_age":
            return retirement_age(inp["sex"], date.fromisoformat(inp["birth"]), tree).to_dict()
        if case["kind"] == "pension":
            birth = _birth(inp)
            assert birth is not None
            return _reason(pension(
                inp["sex"], birth, parse_history(inp["history"]),
                settle_year=inp.get("settle_year"),
                today=date.fromisoformat(inp["today"]) if inp.get("today") else None, tree=tree))
        if case["kind"] == "lump_sum":
            return _reason(lump_sum(
                parse_history(inp["history"]), date.fromisoformat(inp["claim_on"]),
                inp.get("ground", "twelve_months_out"), tree, inp.get("sex"), _birth(inp)))
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
    cases += _pension_inputs(tree) + _lump_sum_inputs() + _mixed_inputs()
    return cases


def _month(d: date) -> str:
    return f"{d:%Y-%m}"


def _history(paid: int, last: date, income: int, category: str) -> list[dict[str, Any]]:
    """``paid`` months ending with the month of ``last``, as the calculator pages build them."""
    if paid <= 0:
        return []
    return [{"from": _month(add_months(last, 1 - paid)), "to": _month(last), "income": income,
             "category": category}]


def _pension_inputs(tree: ParameterTree) -> list[dict[str, Any]]:
    """Paths as "Tôi sẽ nhận gì?" builds them: the months paid so far, then a plan to the
    retirement age (or none, or on past it), at other incomes and categories."""
    cases: list[dict[str, Any]] = []
    last = add_months(TODAY, -1)
    plans = itertools.cycle(("to_age", "none", "past_age", "to_age"))
    incomes = itertools.cycle((1_500_000, 2_345_678, 5_000_000, 46_800_000, 3_100_001))
    categories = itertools.cycle(("other", "poor", "near_poor", "ethnic_minority"))
    for sex in ("F", "M"):
        for birth in ("1966-04-01", "1969-09-01", "1972-01-01", "1980-07-01", "1995-11-01"):
            for paid in (0, 60, 179, 215):
                income, category, plan = next(incomes), next(categories), next(plans)
                history = _history(paid, last, income, category)
                reached = retirement_age(sex, date.fromisoformat(birth), tree).reached_month
                end = {"to_age": reached, "past_age": add_months(reached, 72),
                       "none": None}[plan]
                if end is not None and end >= TODAY.replace(day=1):
                    history.append({"from": _month(TODAY), "to": _month(end),
                                    "income": next(incomes), "category": category})
                inp: dict[str, Any] = {"sex": sex, "birth": birth, "history": history,
                                       "today": TODAY.isoformat()}
                if paid == 179:
                    inp["settle_year"] = 2026
                cases.append({"kind": "pension", "input": inp})
    # a missing-period lump, two categories over time, a pre-2021 joiner (the 60/55 transition)
    cases.append({"kind": "pension", "input": {"sex": "M", "birth": "1966-02-01", "history": [
        {"from": "2008-01", "to": "2020-12", "income": 2_000_000, "category": "poor"},
        {"from": "2021-01", "to": "2026-05", "income": 3_000_000, "category": "near_poor"},
        {"from": "2026-06", "to": "2026-11", "income": 3_000_000, "missing_lump": True}],
        "today": TODAY.isoformat()}})
    cases.append({"kind": "pension", "input": {"sex": "F", "birth": "1965-06-01", "history": [
        {"from": "2009-03", "to": "2029-12", "income": 1_800_000, "category": "ethnic_minority"}],
        "today": TODAY.isoformat()}})
    cases.append({"kind": "pension", "input": {"sex": "F", "birth": "1980-01-01", "history": [
        {"from": "2020-01", "to": "2020-06", "income": 2_000_000},
        {"from": "2020-05", "to": "2020-08", "income": 2_000_000}]}})  # overlapping: refused
    return cases


def _lump_sum_inputs() -> list[dict[str, Any]]:
    """Claims as "Nếu rút BHXH một lần?" builds them, on every ground."""
    cases: list[dict[str, Any]] = []
    incomes = itertools.cycle((1_500_000, 2_000_000, 4_444_444, 700_000, 9_876_543))
    categories = itertools.cycle(("poor", "other", "near_poor", "ethnic_minority", "island"))
    sexes = itertools.cycle(("F", "M"))
    births = itertools.cycle(("1960-03-01", "1965-01-01", "1971-10-01", "1985-05-01"))
    for ground in ("twelve_months_out", "retirement_age", "emigration", "illness",
                   "disability"):
        for paid in (6, 11, 30, 150, 200, 250):
            for last, claim_on in (("2025-06-01", "2026-12-02"), ("2026-10-01", "2027-08-15"),
                                   ("2024-12-01", "2025-12-31")):
                inp: dict[str, Any] = {
                    "history": _history(paid, date.fromisoformat(last), next(incomes),
                                        next(categories)),
                    "claim_on": claim_on, "ground": ground}
                if ground == "retirement_age" and paid != 30:
                    inp.update(sex=next(sexes), birth=next(births))
                cases.append({"kind": "lump_sum", "input": inp})
    cases.append({"kind": "lump_sum", "input": {"history": [], "claim_on": "2026-12-02"}})
    cases.append({"kind": "lump_sum", "input": {
        "history": [{"from": "2020-01", "to": "2021-12", "income": 2_000_000}],
        "claim_on": "2026-12-02", "ground": "bored"}})
    return cases


def _compulsory(start: str, end: str, salary: int, **extra: Any) -> dict[str, Any]:
    return {"from": start, "to": end, "salary": salary, "kind": "compulsory", **extra}


def _voluntary(start: str, end: str, income: int, category: str = "other") -> dict[str, Any]:
    return {"from": start, "to": end, "income": income, "category": category}


def _mixed_inputs() -> list[dict[str, Any]]:
    """Mixed histories (compulsory and voluntary periods, POLICY §12), as the compulsory step of
    the calculator pages and the CLI build them: compulsory only, compulsory then voluntary,
    voluntary then compulsory (Decree 158 governs), the reference-level floor at 20 years of
    compulsory SI begun before 2025-07 and not at 19, salaries before 1995, and refusals."""
    today = TODAY.isoformat()
    pensions: list[dict[str, Any]] = [
        # compulsory only
        {"sex": "M", "birth": "1966-02-01", "today": today,
         "history": [_compulsory("2000-01", "2026-11", 8_000_000)]},
        {"sex": "F", "birth": "1972-08-01", "today": today,
         "history": [_compulsory("2010-05", "2026-11", 5_300_000),
                     _compulsory("2026-12", "2032-10", 6_100_000)]},
        # compulsory then voluntary (Decree 159 governs), with support categories
        {"sex": "F", "birth": "1975-05-01", "today": today,
         "history": [_compulsory("2005-03", "2015-08", 5_500_000),
                     _voluntary("2016-01", "2026-11", 2_000_000, "poor"),
                     _voluntary("2026-12", "2035-05", 2_500_000, "poor")]},
        {"sex": "M", "birth": "1980-01-01", "today": today,
         "history": [_compulsory("2018-12", "2024-11", 6_500_000),
                     _voluntary("2024-12", "2026-11", 1_500_000),
                     _voluntary("2026-12", "2042-03", 2_000_000)]},
        # voluntary then compulsory (Decree 158 governs)
        {"sex": "M", "birth": "1970-03-01", "today": today,
         "history": [_voluntary("2010-01", "2014-12", 3_000_000, "near_poor"),
                     _compulsory("2015-01", "2031-06", 12_000_000)]},
        # at least 20 years of compulsory SI begun before 2025-07: the reference level
        {"sex": "F", "birth": "1972-01-01", "today": today,
         "history": [_compulsory("1998-01", "2017-12", 1_000_000),
                     _voluntary("2018-01", "2026-11", 1_500_000)]},
        {"sex": "M", "birth": "1966-07-01", "today": today, "settle_year": 2026,
         "history": [_compulsory("2001-01", "2020-12", 900_000)]},
        # 19 years: no floor
        {"sex": "F", "birth": "1972-01-01", "today": today,
         "history": [_compulsory("1998-01", "2016-12", 1_000_000),
                     _voluntary("2017-01", "2026-11", 1_500_000)]},
        # salaries before 1995 (the "before 1995" coefficient)
        {"sex": "M", "birth": "1966-01-01", "today": today,
         "history": [_compulsory("1986-01", "1999-12", 350_000),
                     _voluntary("2010-01", "2026-11", 2_200_000, "ethnic_minority")]},
        {"sex": "F", "birth": "1970-11-01", "today": today, "settle_year": 2025,
         "history": [_compulsory("1990-06", "1996-05", 180_000),
                     _compulsory("2003-01", "2012-12", 2_100_000),
                     _voluntary("2013-01", "2030-12", 1_800_000, "near_poor")]},
        # a pre-2021 voluntary joiner with compulsory years: the 60/55 transition on voluntary
        # months only
        {"sex": "M", "birth": "1964-01-01", "today": today,
         "history": [_compulsory("2000-01", "2007-12", 3_000_000),
                     _voluntary("2008-01", "2027-12", 2_000_000)]},
        # the kind and the salary spelt as the CLI accepts them
        {"sex": "F", "birth": "1971-03-01",
         "history": [{"from": "2004-01", "to": "2024-12", "income": 4_000_000,
                      "kind": " Compulsory "}]},
        # refused: a compulsory period with a category, or a missing-period lump, an unknown
        # kind, a voluntary month before 2008, an overlap of the two kinds
        {"sex": "F", "birth": "1975-05-01",
         "history": [_compulsory("2005-03", "2015-08", 5_500_000, category="poor")]},
        {"sex": "F", "birth": "1975-05-01",
         "history": [_compulsory("2005-03", "2015-08", 5_500_000, missing_lump=True)]},
        {"sex": "F", "birth": "1975-05-01",
         "history": [{"from": "2005-03", "to": "2015-08", "income": 5_500_000,
                      "kind": "mandatory"}]},
        {"sex": "M", "birth": "1966-01-01",
         "history": [_compulsory("1990-01", "2004-12", 3_000_000),
                     _voluntary("2005-01", "2026-11", 2_000_000)]},
        {"sex": "M", "birth": "1980-01-01",
         "history": [_compulsory("2010-01", "2020-12", 6_000_000),
                     _voluntary("2020-06", "2026-11", 2_000_000)]},
    ]
    cases = [{"kind": "pension", "input": inp} for inp in pensions]
    claims: list[dict[str, Any]] = [
        # compulsory only, and under a year before 1995 (no contribution known: 0)
        {"history": [_compulsory("2015-01", "2024-06", 7_000_000)], "claim_on": "2026-12-02",
         "ground": "twelve_months_out"},
        {"history": [_compulsory("2016-03", "2024-04", 7_000_000)], "claim_on": "2027-08-15",
         "ground": "emigration"},
        {"history": [_compulsory("1994-03", "1994-08", 400_000)], "claim_on": "2026-12-02",
         "ground": "disability"},
        # compulsory then voluntary: the support of the voluntary months is deducted
        {"history": [_compulsory("2012-01", "2019-12", 6_000_000),
                     _voluntary("2020-01", "2025-05", 2_000_000, "poor")],
         "claim_on": "2026-12-02", "ground": "twelve_months_out"},
        {"history": [_compulsory("2012-01", "2019-12", 6_000_000),
                     _voluntary("2020-01", "2025-05", 2_000_000, "poor")],
         "claim_on": "2026-12-02", "ground": "illness"},
        # voluntary then compulsory (Decree 158)
        {"history": [_voluntary("2016-01", "2019-12", 1_500_000, "near_poor"),
                     _compulsory("2020-01", "2025-06", 9_000_000)],
         "claim_on": "2026-10-01", "ground": "emigration"},
        {"history": [_voluntary("2016-01", "2019-12", 1_500_000, "near_poor"),
                     _compulsory("2020-01", "2026-09", 9_000_000)],
         "claim_on": "2027-08-15", "ground": "twelve_months_out"},
        # under a year, both kinds: the contributions paid, at most 2 x Mbq
        {"history": [_compulsory("2025-01", "2025-04", 5_000_000),
                     _voluntary("2025-05", "2025-09", 1_500_000, "island")],
         "claim_on": "2026-12-02", "ground": "twelve_months_out"},
        # before 1995 and before 2014
        {"history": [_compulsory("1990-01", "2005-12", 1_200_000),
                     _voluntary("2010-01", "2012-12", 1_000_000, "ethnic_minority")],
         "claim_on": "2026-12-02", "ground": "illness"},
        # at the retirement age without the years
        {"history": [_compulsory("1995-01", "2001-06", 1_500_000),
                     _voluntary("2018-01", "2022-06", 1_500_000, "poor")],
         "claim_on": "2026-12-02", "ground": "retirement_age", "sex": "F",
         "birth": "1965-01-01"},
        # 20 years with compulsory time: no 12-months-out withdrawal
        {"history": [_compulsory("2000-01", "2019-12", 5_000_000),
                     _voluntary("2020-01", "2024-12", 2_000_000)],
         "claim_on": "2026-12-02", "ground": "twelve_months_out"},
        # refused: a compulsory period with a category
        {"history": [_compulsory("2015-01", "2024-06", 7_000_000, category="near_poor")],
         "claim_on": "2026-12-02", "ground": "twelve_months_out"},
    ]
    cases += [{"kind": "lump_sum", "input": inp} for inp in claims]
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
