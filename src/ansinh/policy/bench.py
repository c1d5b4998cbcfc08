"""Benchmark of the policy engine: one contribution quote and 100,000 quotes.

``run()`` returns the timings (seconds) so ``make bench`` can print or compare them; the default
tree is loaded (and cached) before timing, as it is once per process in the server.
"""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from typing import Any

from ansinh.policy.contribution import contribution_quote
from ansinh.policy.parameters import load_default_tree

_CATEGORIES = (
    ("other",),
    ("ethnic_minority",),
    ("near_poor",),
    ("poor",),
    ("ethnic_minority", "near_poor"),
)
_MODES = ("monthly", "quarterly", "half_yearly", "yearly", "advance")


def run(n: int = 100_000) -> dict[str, Any]:
    """Time one quote and ``n`` quotes over varied incomes, categories, modes and dates."""
    t0 = time.perf_counter()
    tree = load_default_tree()
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    contribution_quote(date(2026, 11, 28), 1_500_000, ("ethnic_minority",), tree=tree)
    one_s = time.perf_counter() - t0

    start = date(2022, 1, 1)
    total = 0
    t0 = time.perf_counter()
    for i in range(n):
        on = start + timedelta(days=(i * 7) % 1825)  # 2022-01-01 .. 2026-12-30
        income = 1_500_000 + (i * 37_000) % 28_000_000  # within every ceiling since 2022
        mode = _MODES[i % 5]
        quote = contribution_quote(
            on,
            income,
            _CATEGORIES[i % len(_CATEGORIES)],
            mode,
            2 + i % 4 if mode == "advance" else None,
            (i * 13) % 130,
            tree=tree,
        )
        total += quote.total
    many_s = time.perf_counter() - t0
    return {
        "tree_load_s": round(load_s, 4),
        "one_quote_s": round(one_s, 6),
        "quotes": n,
        "many_quotes_s": round(many_s, 3),
        "quotes_per_s": round(n / many_s),
        "checksum_vnd": total,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
