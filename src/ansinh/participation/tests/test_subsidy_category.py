"""The one subsidy category of a month (what the calculator and the phone take) is the one the
engine applies to all the person's categories (D159 Art. 5(1): the highest only)."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.participation.subsidy import Facts
from ansinh.policy import contribution_quote, income_bounds, load_default_tree

MARCH = date(2026, 3, 1)


@pytest.mark.parametrize(("facts", "expected"), [
    (Facts(ethnic_minority=False, island=False), "other"),
    (Facts(ethnic_minority=True, island=False), "ethnic_minority"),
    (Facts(ethnic_minority=True, island=False, poverty_by_year={2026: "near_poor"}),
     "near_poor"),
    (Facts(ethnic_minority=True, island=True, poverty_by_year={2026: "poor"}), "poor"),
    (Facts(ethnic_minority=True, island=True), "island"),
    # last year's certificate does not count this year
    (Facts(ethnic_minority=False, island=False, poverty_by_year={2025: "poor"}), "other"),
])
def test_the_category_is_the_one_the_engine_applies(facts: Facts, expected: str) -> None:
    tree = load_default_tree()
    assert facts.category(MARCH, tree) == expected
    floor = income_bounds(MARCH, tree).floor
    every = contribution_quote(MARCH, floor, facts.categories(MARCH), tree=tree)
    single = contribution_quote(MARCH, floor, (expected,), tree=tree)
    assert (single.support_monthly, single.local_support_monthly, single.total) == (
        every.support_monthly, every.local_support_monthly, every.total)
