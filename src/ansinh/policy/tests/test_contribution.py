"""Contributions in the law's own terms (Law 41/2024 Art. 31, 36; D159 Art. 5-8), both sides of
every effective date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansinh.policy import (
    CATEGORIES,
    IncomeOutOfRange,
    InvalidInput,
    Override,
    ParameterTree,
    Reference,
    contribution_quote,
    refund,
)

DAY = timedelta(days=1)


def net(on: date, cats: tuple[str, ...] = ("other",), income: int | None = None) -> tuple[int, int]:
    q = contribution_quote(on, income or (1_500_000 if on >= date(2022, 1, 1) else 700_000), cats)
    return q.support_monthly, q.net_monthly


# POLICY §1.3 table: support per month by category and period.
@pytest.mark.parametrize(
    ("on", "category", "support", "net_monthly"),
    [
        (date(2018, 1, 1), "poor", 46_200, 107_800),
        (date(2018, 1, 1), "near_poor", 38_500, 115_500),
        (date(2018, 1, 1), "other", 15_400, 138_600),
        (date(2021, 12, 31), "ethnic_minority", 15_400, 138_600),
        (date(2022, 1, 1), "poor", 99_000, 231_000),
        (date(2022, 1, 1), "near_poor", 82_500, 247_500),
        (date(2022, 1, 1), "other", 33_000, 297_000),
        (date(2025, 6, 30), "ethnic_minority", 33_000, 297_000),
        (date(2025, 7, 1), "poor", 165_000, 165_000),
        (date(2025, 7, 1), "island", 165_000, 165_000),
        (date(2025, 7, 1), "near_poor", 132_000, 198_000),
        (date(2025, 7, 1), "ethnic_minority", 99_000, 231_000),
        (date(2025, 7, 1), "other", 66_000, 264_000),
        (date(2026, 11, 28), "other", 66_000, 264_000),
        (date(2026, 12, 31), "poor", 165_000, 165_000),
        # 2027 outlook (floor 2.2 M, provisional): 242,000 / 193,600 / 145,200 / 96,800
        (date(2027, 1, 1), "poor", 242_000, 242_000),
        (date(2027, 1, 1), "near_poor", 193_600, 290_400),
        (date(2027, 1, 1), "ethnic_minority", 145_200, 338_800),
        (date(2027, 1, 1), "other", 96_800, 387_200),
    ],
)
def test_support_by_category_and_period(
    on: date, category: str, support: int, net_monthly: int
) -> None:
    floor = (
        2_200_000 if on >= date(2027, 1, 1) else 1_500_000 if on >= date(2022, 1, 1) else 700_000
    )
    q = contribution_quote(on, floor, (category,))
    assert (q.floor, q.support_monthly, q.net_monthly) == (floor, support, net_monthly)
    assert q.provisional == (on >= date(2027, 1, 1) or on < date(2025, 7, 1))


def test_no_support_before_2018() -> None:
    q = contribution_quote(date(2017, 12, 31), 700_000, ("poor",))
    assert (q.gross_monthly, q.support_monthly, q.net_monthly) == (154_000, 0, 154_000)
    assert contribution_quote(date(2018, 1, 1), 700_000, ("poor",)).support_monthly == 46_200


def test_minimum_contribution_by_period() -> None:
    assert contribution_quote(date(2021, 12, 31), 700_000).gross_monthly == 154_000
    assert contribution_quote(date(2022, 1, 1), 1_500_000).gross_monthly == 330_000
    assert contribution_quote(date(2026, 12, 31), 1_500_000).gross_monthly == 330_000
    assert contribution_quote(date(2027, 1, 1), 2_200_000).gross_monthly == 484_000
    with pytest.raises(IncomeOutOfRange):
        contribution_quote(date(2022, 1, 1), 700_000)
    with pytest.raises(IncomeOutOfRange) as info:
        contribution_quote(date(2027, 1, 1), 1_500_000)
    assert "2.200.000" in str(info.value)
    assert "2,200,000" in str(info.value)


def test_ceiling_moves_with_the_reference_level() -> None:
    before, after = date(2026, 6, 30), date(2026, 7, 1)
    q = contribution_quote(before, 46_800_000)
    assert (q.ceiling, q.gross_monthly) == (46_800_000, 10_296_000)
    with pytest.raises(IncomeOutOfRange) as info:
        contribution_quote(before, 50_600_000)
    msg = str(info.value)
    assert "1.500.000" in msg
    assert "46.800.000" in msg
    assert "46,800,000" in msg
    assert " / " in msg
    q = contribution_quote(after, 50_600_000)
    assert (q.ceiling, q.gross_monthly) == (50_600_000, 11_132_000)
    with pytest.raises(IncomeOutOfRange):
        contribution_quote(after, 50_600_001)
    assert contribution_quote(date(2025, 7, 1), 46_800_000).reference_level == 2_340_000


def test_income_step_is_one_dong_by_default_and_configurable(tree: ParameterTree) -> None:
    assert contribution_quote(date(2026, 1, 5), 1_512_345).gross_monthly == vnd22(1_512_345)
    t = tree.with_overrides(
        [
            Override(
                "contribution.income_step",
                date(2026, 1, 1),
                50_000,
                Reference("VSS procedure", "collection software", ""),
                "confirmed",
            )
        ]
    )
    assert contribution_quote(date(2026, 1, 5), 1_550_000, tree=t).gross_monthly == 341_000
    with pytest.raises(IncomeOutOfRange, match="50,000"):
        contribution_quote(date(2026, 1, 5), 1_512_345, tree=t)


def vnd22(income: int) -> int:
    return int((Decimal("0.22") * income).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def test_rounding_is_half_up_to_the_dong() -> None:
    # 22 % x 1,500,003 = 330,000.66 -> 330,001 ; x 1,500,002 = 330,000.44 -> 330,000
    assert contribution_quote(date(2026, 1, 5), 1_500_003).gross_monthly == 330_001
    assert contribution_quote(date(2026, 1, 5), 1_500_002).gross_monthly == 330_000


def test_highest_category_only() -> None:
    q = contribution_quote(date(2026, 1, 5), 1_500_000, ("ethnic_minority", "near_poor", "other"))
    assert (q.support_rate, q.support_monthly, q.category_applied) == (
        Decimal("0.40"),
        132_000,
        "near_poor",
    )


def test_periodic_modes_and_deadlines() -> None:
    on = date(2026, 1, 5)
    for mode, months, deadline in [
        ("monthly", 1, 1),
        ("quarterly", 3, 3),
        ("half_yearly", 6, 4),
        ("yearly", 12, 7),
    ]:
        q = contribution_quote(on, 2_000_000, ("ethnic_minority",), mode=mode)
        assert (q.months, q.deadline_months) == (months, deadline)
        assert q.total == (440_000 - 99_000) * months


def test_120_month_cap() -> None:
    on = date(2026, 1, 5)
    q = contribution_quote(on, 1_500_000, ("poor",), mode="yearly", supported_months=115)
    assert q.supported_months_in_payment == 5
    assert q.total == 330_000 * 12 - 165_000 * 5
    q = contribution_quote(on, 1_500_000, ("poor",), supported_months=120)
    assert (q.support_monthly, q.net_monthly, q.total) == (0, 330_000, 330_000)


def test_advance_payment_discounts_gross_and_subtracts_support_undiscounted() -> None:
    on = date(2026, 3, 1)
    q = contribution_quote(on, 1_500_000, ("other",), mode="advance", years=2)
    r = Decimal("0.0031")
    expected_gross = sum((Decimal(330_000) / (1 + r) ** (i - 1) for i in range(1, 25)), Decimal(0))
    assert q.months == 24
    assert q.discounted_gross_total == int(expected_gross.quantize(Decimal(1), "ROUND_HALF_UP"))
    assert q.total == q.discounted_gross_total - 66_000 * 24
    assert q.total < q.gross_total - q.support_total  # cheaper than paying month by month
    assert q.provisional  # the 0.31 %/month yield is a placeholder


def test_advance_discount_net_switch(tree: ParameterTree) -> None:
    t = tree.with_overrides(
        [
            Override(
                "contribution.advance_support_mode",
                date(2026, 1, 1),
                "discount_net",
                Reference("VSS guidance", "test", ""),
                "assumed",
            )
        ]
    )
    on = date(2026, 3, 1)
    a = contribution_quote(on, 1_500_000, ("other",), mode="advance", years=2, tree=tree)
    b = contribution_quote(on, 1_500_000, ("other",), mode="advance", years=2, tree=t)
    r = Decimal("0.0031")
    expected = sum((Decimal(264_000) / (1 + r) ** (i - 1) for i in range(1, 25)), Decimal(0))
    assert b.total == int(expected.quantize(Decimal(1), "ROUND_HALF_UP"))
    assert b.total > a.total


def test_advance_years_limits() -> None:
    for bad in (1, 6, None):
        with pytest.raises(InvalidInput):
            contribution_quote(date(2026, 3, 1), 1_500_000, mode="advance", years=bad)
    with pytest.raises(InvalidInput):
        contribution_quote(date(2026, 3, 1), 1_500_000, mode="yearly", years=2)
    with pytest.raises(InvalidInput):
        contribution_quote(date(2026, 3, 1), 1_500_000, mode="weekly")
    with pytest.raises(InvalidInput):
        contribution_quote(date(2026, 3, 1), 1_500_000, ("rich",))


def test_explicit_fund_yield_and_zero_yield() -> None:
    q = contribution_quote(
        date(2026, 3, 1), 1_500_000, mode="advance", years=5, fund_yield=Decimal(0)
    )
    assert q.total == 330_000 * 60 - 66_000 * 60


def test_refund_periodic_excludes_support() -> None:
    q = contribution_quote(date(2026, 1, 5), 1_500_000, ("ethnic_minority",), mode="yearly")
    rf = refund(q, 5)
    assert (rf.gross, rf.support, rf.amount) == (1_650_000, 495_000, 1_155_000)


def test_refund_advance_follows_art_8() -> None:
    q = contribution_quote(date(2026, 1, 5), 1_500_000, ("other",), mode="advance", years=2)
    r = Decimal("0.0031")
    exact = sum((Decimal(330_000) / (1 + r) ** (i - 1) for i in range(24 - 10 + 1, 25)), Decimal(0))
    rf = refund(q, 10)
    assert rf.gross == int(exact.quantize(Decimal(1), "ROUND_HALF_UP"))
    assert rf.amount == rf.gross - 66_000 * 10
    assert refund(q, 24).gross == q.discounted_gross_total


dates = st.dates(min_value=date(2018, 1, 1), max_value=date(2028, 12, 31))
cats = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=5)
modes = st.sampled_from(["monthly", "quarterly", "half_yearly", "yearly", "advance"])


def _income(on: date, frac: float) -> tuple[int, int]:
    q = contribution_quote(
        on, 2_200_000 if on.year >= 2027 else 1_500_000 if on.year >= 2022 else 700_000
    )
    return q.floor, q.ceiling


@settings(max_examples=300, deadline=None, database=None)
@given(
    on=dates,
    categories=cats,
    mode=modes,
    supported=st.integers(0, 200),
    a=st.integers(0, 10**9),
    b=st.integers(0, 10**9),
    years=st.integers(2, 5),
)
def test_properties(
    on: date, categories: list[str], mode: str, supported: int, a: int, b: int, years: int
) -> None:
    floor, ceiling = _income(on, 0)
    low, high = sorted((floor + a % (ceiling - floor + 1), floor + b % (ceiling - floor + 1)))
    y = years if mode == "advance" else None
    q_low = contribution_quote(on, low, categories, mode, y, supported)
    q_high = contribution_quote(on, high, categories, mode, y, supported)
    # net >= 0 and monotone in income
    assert 0 <= q_low.net_monthly <= q_high.net_monthly
    assert 0 <= q_low.total <= q_high.total
    # highest category only: equal to the best single category
    singles = [contribution_quote(on, low, (c,), mode, y, supported) for c in categories]
    assert q_low.support_monthly == max(s.support_monthly for s in singles)
    assert q_low.total == min(s.total for s in singles)
    # no support after 120 months
    if supported >= 120:
        assert q_low.support_monthly == 0
        assert q_low.support_total == 0
    else:
        assert q_low.supported_months_in_payment == min(q_low.months, 120 - supported)
    assert q_low.to_dict()["support_rate"].count(".") == 1
