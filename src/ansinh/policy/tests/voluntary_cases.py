"""Random voluntary-only histories and what the engine answered for them before mixed histories
came in (`data/voluntary_golden.json`, written by ``python -m
ansinh.policy.tests.voluntary_cases``). A history with no compulsory period must keep giving
exactly these answers."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

from ansinh.policy.benefits import monthly_allowance
from ansinh.policy.errors import PolicyError
from ansinh.policy.history import CATEGORIES, ContributionPeriod, parse_month
from ansinh.policy.lump_sum import GROUNDS, lump_sum
from ansinh.policy.money import add_months
from ansinh.policy.pension import pension

GOLDEN = Path(__file__).parent / "data" / "voluntary_golden.json"
CASES = 150


def cases(seed: int = 16) -> list[dict[str, Any]]:
    """Histories of one to four voluntary periods from 2008 on, with gaps, for people born
    1960-1995, each with a claim date."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for _ in range(CASES):
        birth = date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
        start = date(rng.randint(2008, 2024), rng.randint(1, 12), 1)
        periods: list[dict[str, Any]] = []
        for _ in range(rng.randint(1, 4)):
            end = add_months(start, rng.randint(0, 150))
            income = rng.choice((1_500_000, 2_000_000, 2_340_000, 3_100_000, 5_000_000))
            periods.append({"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}", "income": income,
                            "category": rng.choice(CATEGORIES)})
            start = add_months(end, rng.randint(1, 40))
        claim = add_months(end, rng.randint(1, 30))
        out.append({"sex": rng.choice("FM"), "birth": birth.isoformat(), "periods": periods,
                    "claim_on": claim.isoformat(), "ground": rng.choice(GROUNDS)})
    return out


def history(case: dict[str, Any]) -> tuple[ContributionPeriod, ...]:
    return tuple(
        ContributionPeriod(parse_month(p["from"]), parse_month(p["to"]), p["income"],
                           p["category"])
        for p in case["periods"])


def answers(case: dict[str, Any]) -> dict[str, Any]:
    periods = history(case)
    birth = date.fromisoformat(case["birth"])
    claim = date.fromisoformat(case["claim_on"])
    result: dict[str, Any] = {}
    for name, call in (
            ("pension", lambda: pension(case["sex"], birth, periods, today=date(2026, 12, 1))),
            ("lump_sum", lambda: lump_sum(periods, claim, case["ground"], sex=case["sex"],
                                          birth=birth)),
            ("monthly_allowance", lambda: monthly_allowance(case["sex"], birth, periods, claim))):
        try:
            answer = call().to_dict()
            # the values used, by name and date (their wording is the YAML's business)
            answer["references"] = [f"{r['name']}@{r['start']}" for r in answer["references"]]
            result[name] = answer
        except PolicyError as exc:
            result[name] = {"error": str(exc)}
    return result


def main() -> None:
    golden = [{"case": case, "answers": answers(case)} for case in cases()]
    text = json.dumps(golden, ensure_ascii=False, separators=(",", ":"))
    GOLDEN.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
