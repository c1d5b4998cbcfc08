"""Pension, lump sum, missing period, monthly allowance and other benefits, in the law's terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ansinh.policy import (
    ContributionPeriod,
    InvalidInput,
    funeral_allowance,
    household_hi,
    lump_sum,
    maternity_allowance,
    missing_period,
    monthly_allowance,
    parse_history,
    pension,
    pension_rate,
    social_pension,
)


def h(*rows: tuple[str, str, int] | tuple[str, str, int, str]) -> tuple[ContributionPeriod, ...]:
    return parse_history(
        [
            {"from": r[0], "to": r[1], "income": r[2], "category": r[3] if len(r) > 3 else "other"}
            for r in rows
        ]
    )


NEW = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("sex", "years", "rate"),
    [
        ("F", "15", "0.45"),
        ("F", "15.5", "0.46"),
        ("F", "16", "0.47"),
        ("F", "30", "0.75"),
        ("F", "35", "0.75"),
        ("M", "15", "0.40"),
        ("M", "15.5", "0.405"),
        ("M", "19", "0.44"),
        ("M", "19.5", "0.445"),
        ("M", "20", "0.45"),
        ("M", "35", "0.75"),
        ("M", "40", "0.75"),
    ],
)
def test_pension_rate_law_41_art_99(sex: str, years: str, rate: str) -> None:
    assert pension_rate(sex, Decimal(years), NEW) == Decimal(rate)


def test_pension_rate_old_law_men_20_years_no_40_percent_bracket() -> None:
    assert pension_rate("M", Decimal(20), date(2025, 6, 1)) == Decimal("0.45")
    assert pension_rate("M", Decimal(15), date(2025, 6, 1)) == 0
    assert pension_rate("M", Decimal(15), date(2025, 7, 1)) == Decimal("0.40")


def test_pension_odd_month_rule_and_eligibility_in_actual_months() -> None:
    # Woman born 05/1969 reaches 57y in 2026-05; pension from 2026-06-01.
    birth = date(1969, 5, 10)
    p = pension("F", birth, h(("2011-06", "2026-05", 2_000_000)))  # 180 months
    assert (p.eligible, p.months, p.rate, p.pension_from) == (
        True,
        180,
        Decimal("0.45"),
        date(2026, 6, 1),
    )
    p = pension("F", birth, h(("2011-07", "2026-05", 2_000_000)))  # 179 months
    assert not p.eligible
    assert p.monthly_pension == 0
    p = pension("F", birth, h(("2010-11", "2026-05", 2_000_000)))  # 15y7m -> 16 years -> 47 %
    assert (p.benefit_years, p.rate) == (Decimal(16), Decimal("0.47"))
    p = pension("F", birth, h(("2010-12", "2026-05", 2_000_000)))  # 15y6m -> 15.5 -> 46 %
    assert (p.benefit_years, p.rate) == (Decimal("15.5"), Decimal("0.46"))


def test_pension_amount_average_income_revalued_2026() -> None:
    # Man born 01/1965: 61y6m, reached 2026-07, pension from 2026-08-01, settled 2026.
    p = pension("M", date(1965, 1, 1), h(("2011-08", "2026-07", 3_000_000)))
    coefs = {
        2011: "1.65",
        2012: "1.51",
        2013: "1.42",
        2014: "1.36",
        2015: "1.36",
        2016: "1.32",
        2017: "1.28",
        2018: "1.23",
        2019: "1.20",
        2020: "1.16",
        2021: "1.14",
        2022: "1.11",
        2023: "1.07",
        2024: "1.03",
        2025: "1.00",
        2026: "1.00",
    }
    months = {2011: 5, 2026: 7}
    total = sum((Decimal(c) * 3_000_000 * months.get(y, 12) for y, c in coefs.items()), Decimal(0))
    mbq = int((total / 180).quantize(Decimal(1), "ROUND_HALF_UP"))
    assert p.average_income == mbq
    assert p.monthly_pension == int((Decimal("0.40") * mbq).quantize(Decimal(1), "ROUND_HALF_UP"))
    assert p.provisional  # the 2026 revaluation table is secondary


def test_pension_before_and_after_2025_07_01() -> None:
    # Man born 01/1964: 61y3m, reached 2025-04 -> pension from 2025-05 under the old law (20 y).
    old = pension("M", date(1964, 1, 1), h(("2008-01", "2025-04", 2_000_000)))
    assert not old.eligible
    assert old.months_required == 240
    # Man born 10/1964: reached 2026-04 -> new law, 15 years enough.
    new = pension("M", date(1964, 10, 1), h(("2011-05", "2026-04", 2_000_000)))
    assert new.eligible
    assert new.months_required == 180


def test_pension_keeps_paying_after_the_age_to_reach_15_years() -> None:
    # 162 months by 2026-07 (age reached); 18 more months paid after the age -> 2028-01.
    p = pension("M", date(1965, 1, 1), h(("2013-02", "2028-12", 2_000_000)))
    assert p.eligible
    assert p.months == 180
    assert p.pension_from == date(2028, 2, 1)
    assert p.retirement_month == date(2028, 1, 1)


def test_settlement_after_2026_uses_coefficient_one_and_is_provisional() -> None:
    p = pension("F", date(1971, 6, 1), h(("2015-01", "2029-12", 2_000_000)))
    assert p.settle_year == 2030
    assert p.average_income == 2_000_000
    assert p.provisional
    assert any(r["name"] == "pension.revaluation_default" for r in p.to_dict()["references"])


def test_one_time_allowance_art_100() -> None:
    # Woman, 32 years by retirement age: 2 years above 30 -> 0.5 x Mbq x 2. (Voluntary SI began
    # in 2008: the years before are compulsory.)
    years = parse_history([
        {"from": "1994-06", "to": "2007-12", "salary": 2_000_000, "kind": "compulsory"},
        {"from": "2008-01", "to": "2026-05", "income": 2_000_000}])
    p = pension("F", date(1969, 5, 1), years)
    assert p.months == 384
    assert p.rate == Decimal("0.75")
    assert p.one_time_allowance == p.average_income


def test_pre_2021_joiner_transition() -> None:
    p = pension("M", date(1966, 6, 1), h(("2008-01", "2028-06", 2_000_000)))
    # 60 in 2026-06 with 222 months; 240 months reached in 2027-12 -> from 2028-01, before the
    # normal age (62 in 2028-06).
    assert p.transition_eligible
    assert p.transition_pension_from == date(2028, 1, 1)
    assert p.pension_from == date(2028, 7, 1)
    q = pension("M", date(1966, 6, 1), h(("2021-01", "2028-06", 2_000_000)))
    assert not q.transition_eligible


# ---- lump sum (Law 41/2024 Art. 102; D159 Art. 9) ----


def test_policy_example_48_months_at_floor_2022_2025() -> None:
    r = lump_sum(h(("2022-01", "2025-12", 1_500_000)), date(2026, 11, 15), "emigration")
    assert r.contributions_paid == 14_058_000
    assert r.state_support_received == 1_782_000
    assert r.average_income == 1_578_750
    assert (r.years_before_2014, r.years_from_2014) == (Decimal(0), Decimal(4))
    assert r.gross == 12_630_000
    assert r.amount == 10_848_000
    assert r.allowed


def test_no_support_deduction_for_illness() -> None:
    r = lump_sum(h(("2022-01", "2025-12", 1_500_000)), date(2026, 11, 15), "illness")
    assert r.amount == 12_630_000
    assert r.support_deducted == 0


def test_odd_months_before_2014_move_to_the_later_part() -> None:
    # 2012-04 .. 2013-12 = 21 months before 2014 -> 1 year at 1.5 + 9 months moved;
    # 2014-01 .. 2015-12 = 24 months -> 33 months -> 2.5... 9+24 = 33 = 2y9m -> 3 years at 2.
    r = lump_sum(h(("2012-04", "2015-12", 2_000_000)), date(2026, 3, 1), "emigration")
    assert (r.years_before_2014, r.years_from_2014) == (Decimal(1), Decimal(3))
    assert r.gross == int((r.average_income * Decimal("7.5")).quantize(Decimal(1), "ROUND_HALF_UP"))
    assert r.state_support_received == 0  # no support before 2018


def test_under_one_year_contributions_capped_at_two_months() -> None:
    r = lump_sum(
        h(("2025-07", "2025-12", 1_500_000, "ethnic_minority")), date(2026, 5, 1), "emigration"
    )
    assert r.contributions_gross == r.gross == 6 * 330_000  # below the 2 x Mbq cap
    assert r.amount == 6 * 330_000 - 6 * 99_000 == r.contributions_paid
    capped = lump_sum(h(("2025-01", "2025-11", 2_000_000)), date(2026, 5, 1), "illness")
    assert capped.contributions_gross == 11 * 440_000
    assert capped.gross == capped.amount == 2 * 2_000_000


def test_twelve_months_out_rules() -> None:
    old = h(("2020-01", "2024-12", 1_500_000))
    assert not lump_sum(old, date(2025, 12, 20)).allowed  # only 12 months out in 2025-12
    assert lump_sum(old, date(2026, 1, 2)).allowed
    new_joiner = h(("2025-07", "2025-12", 1_500_000))
    r = lump_sum(new_joiner, date(2027, 3, 1))
    assert not r.allowed
    assert r.amount == 0
    assert r.gross > 0
    assert not lump_sum(h(("2008-01", "2027-12", 3_000_000)), date(2029, 3, 1)).allowed  # 20 y
    with pytest.raises(InvalidInput):
        lump_sum(old, date(2026, 3, 1), "bored")


def test_retirement_age_ground_needs_fewer_than_15_years_and_the_age() -> None:
    hist = h(("2015-01", "2024-12", 2_000_000))
    assert lump_sum(
        hist, date(2026, 8, 1), "retirement_age", sex="M", birth=date(1965, 1, 1)
    ).allowed
    assert not lump_sum(
        hist, date(2026, 6, 1), "retirement_age", sex="M", birth=date(1965, 1, 1)
    ).allowed
    assert not lump_sum(
        h(("2010-01", "2024-12", 2_000_000)), date(2026, 8, 1), "retirement_age"
    ).allowed


def test_support_cap_and_count_pre_2025_switch() -> None:
    hist = h(("2018-01", "2031-12", 1_500_000, "poor"))
    r = lump_sum(hist, date(2032, 2, 1), "emigration")
    # 120 months supported in total: 2018-01..2027-12 (old 30 % then 50 %).
    assert r.state_support_received > 0
    old_rate = 46_200 * 48 + 99_000 * 42  # 2018-2021 at 700k, 2022-01..2025-06 at 1.5 M
    new_rate = 165_000 * 18 + 242_000 * 12  # 2025-07..2026-12, 2027-01..2027-12
    assert r.state_support_received == old_rate + new_rate


# ---- missing period (D159 Art. 7) ----


def test_missing_period_compounded_at_r() -> None:
    hist = h(("2013-01", "2026-06", 2_000_000))  # 162 months, 18 missing
    mp = missing_period("M", date(1965, 1, 1), hist, date(2026, 7, 10), 2_000_000)
    r = Decimal("0.0031")
    expected = sum((Decimal(440_000) * (1 + r) ** i for i in range(1, 19)), Decimal(0))
    assert mp.months_missing == 18
    assert mp.allowed
    assert mp.total == int(expected.quantize(Decimal(1), "ROUND_HALF_UP"))
    assert mp.total > mp.plain_total == 440_000 * 18
    assert mp.pension_from == date(2026, 8, 1)


def test_missing_period_earliest_month_before_retirement_age() -> None:
    hist = h(("2013-01", "2026-04", 2_000_000))
    assert missing_period("M", date(1965, 1, 1), hist, date(2026, 6, 1), 2_000_000).allowed
    assert not missing_period("M", date(1965, 1, 1), hist, date(2026, 5, 31), 2_000_000).allowed


def test_missing_period_limit_60_from_2025_07_01_and_120_before() -> None:
    hist = h(("2012-01", "2020-12", 2_000_000))  # 108 months
    new = missing_period("M", date(1963, 1, 1), hist, date(2025, 7, 1), 2_000_000)
    assert (new.months_missing, new.allowed) == (72, False)
    old = missing_period("M", date(1963, 1, 1), hist, date(2025, 6, 30), 2_000_000)
    assert (old.months_required, old.months_missing, old.allowed) == (240, 132, False)
    old2 = missing_period(
        "M", date(1963, 1, 1), h(("2008-01", "2020-12", 2_000_000)), date(2025, 6, 30), 2_000_000
    )
    assert (old2.months_missing, old2.allowed) == (84, True)


# ---- monthly allowance (Law Art. 23; D159 Art. 14) ----


def test_monthly_allowance_short_entitlement_with_top_up() -> None:
    m = monthly_allowance(
        "M", date(1964, 1, 1), h(("2015-01", "2024-12", 3_000_000)), date(2026, 1, 1)
    )
    # Mbq settled 2026 (2015: 1.36 ... 2024: 1.03), N = 10 years.
    coefs = ["1.36", "1.32", "1.28", "1.23", "1.20", "1.16", "1.14", "1.11", "1.07", "1.03"]
    mbq = int(
        (sum((Decimal(c) for c in coefs), Decimal(0)) * 3_000_000 / 10).quantize(
            Decimal(1), "ROUND_HALF_UP"
        )
    )
    assert m.average_income == mbq == 3_570_000
    assert m.months_payable == 143  # ceil(3,570,000 x 2 x 10 / 500,000) = 142.8 -> 143
    assert m.months_to_social_pension_age == 156  # 2026-01 .. 2038-12 (75 in 2039-01)
    assert (m.monthly_amount, m.top_up_to_social_pension_age) == (500_000, 13 * 500_000)
    assert m.eligible


def test_monthly_allowance_long_entitlement_spread_to_social_pension_age() -> None:
    m = monthly_allowance(
        "F", date(1960, 3, 1), h(("2012-01", "2024-12", 8_000_000)), date(2026, 3, 1), poor=True
    )
    # poor: social pension at 70 -> 2030-03; T_đt = 48
    assert m.months_to_social_pension_age == 48
    assert m.months_payable > 48
    expected = Decimal(500_000) + Decimal(m.months_payable - 48) * 500_000 / 48
    assert m.monthly_amount == int(expected.quantize(Decimal(1), "ROUND_HALF_UP"))
    assert m.top_up_to_social_pension_age == 0


def test_monthly_allowance_conditions() -> None:
    hist = h(("2015-01", "2024-12", 3_000_000))
    assert not monthly_allowance("M", date(1966, 1, 1), hist, date(2026, 1, 1)).eligible  # age
    assert not monthly_allowance(
        "M", date(1964, 1, 1), h(("2024-06", "2024-12", 3_000_000)), date(2026, 1, 1)
    ).eligible  # < 12 months


# ---- social pension, maternity, funeral, household HI ----


def test_social_pension_ages() -> None:
    assert social_pension(date(1951, 6, 1), date(2026, 6, 1)).amount == 500_000
    assert social_pension(date(1951, 6, 1), date(2026, 5, 31)).amount == 0
    assert social_pension(date(1956, 6, 1), date(2026, 6, 1), poor=True).eligible
    assert not social_pension(date(1956, 6, 1), date(2026, 6, 1)).eligible
    assert not social_pension(date(1940, 1, 1), date(2026, 6, 1), receives_pension=True).eligible


def test_maternity_allowance_six_of_twelve_months() -> None:
    hist = h(("2025-11", "2026-04", 1_500_000))
    assert maternity_allowance(hist, date(2026, 5, 20)).amount == 2_000_000
    assert maternity_allowance(hist, date(2026, 5, 20), children=2).amount == 4_000_000
    assert maternity_allowance(h(("2025-12", "2026-04", 1_500_000)), date(2026, 5, 20)).amount == 0


def test_funeral_allowance_ten_reference_levels() -> None:
    assert funeral_allowance(date(2026, 6, 30), 60).amount == 23_400_000
    assert funeral_allowance(date(2026, 7, 1), 60).amount == 25_300_000
    assert funeral_allowance(date(2026, 7, 1), 59).amount == 0
    assert funeral_allowance(date(2026, 7, 1), 10, pensioner=True).amount == 25_300_000


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (
            date(2026, 6, 30),
            [
                (105_300, 1_263_600),
                (73_710, 884_520),
                (63_180, 758_160),
                (52_650, 631_800),
                (42_120, 505_440),
                (42_120, 505_440),
            ],
        ),
        (
            date(2026, 7, 1),
            [
                (113_850, 1_366_200),
                (79_695, 956_340),
                (68_310, 819_720),
                (56_925, 683_100),
                (45_540, 546_480),
                (45_540, 546_480),
            ],
        ),
    ],
)
def test_household_hi_ladder(on: date, expected: list[tuple[int, int]]) -> None:
    r = household_hi(on, 6)
    assert [(m.monthly, m.total) for m in r.members] == expected
    assert r.total == sum(t for _, t in expected)
    assert household_hi(on, 2, months=6).total == (expected[0][0] + expected[1][0]) * 6
    with pytest.raises(InvalidInput):
        household_hi(on, 0)
