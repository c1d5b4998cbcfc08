"""Mixed compulsory and voluntary histories, survivors, months before 2008 (POLICY.md §12).

Every expected number is worked out by hand in the comment above it, from the tables of §12.2
(salary and income coefficients), the reference level (2,340,000 until 2026-06, 2,530,000 from
2026-07) and the contribution rates (compulsory 18 % 2010-11, 20 % 2012-13, 22 % from 2014;
voluntary 22 %).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ansinh.policy import InvalidInput, lump_sum, parse_history, pension
from ansinh.policy.history import DECREE_158, DECREE_159, average_income, expand
from ansinh.policy.parameters import Lookup
from ansinh.policy.survivors import survivors


def c(start: str, end: str, salary: int) -> dict[str, object]:
    return {"from": start, "to": end, "salary": salary, "kind": "compulsory"}


def v(start: str, end: str, income: int, category: str = "other") -> dict[str, object]:
    return {"from": start, "to": end, "income": income, "category": category}


def mbq(*rows: dict[str, object], settle: int) -> int:
    lk = Lookup(None)
    return average_income(lk, expand(parse_history(rows), lk), settle)


# ---- months before 2008 and 1995 (§12.1, §12.4 item 9) ----


def test_a_voluntary_month_before_2008_is_invalid_and_a_compulsory_one_is_not() -> None:
    with pytest.raises(InvalidInput, match="2007-12"):
        lump_sum(parse_history([v("2007-12", "2010-12", 1_500_000)]), date(2026, 5, 1),
                 "emigration")
    fine = lump_sum(parse_history([v("2008-01", "2010-12", 1_500_000)]), date(2026, 5, 1),
                    "emigration")
    assert fine.months == 36
    mixed = lump_sum(parse_history([c("2007-12", "2007-12", 1_500_000),
                                    v("2008-01", "2010-12", 1_500_000)]),
                     date(2026, 5, 1), "emigration")
    assert (mixed.months, mixed.months_compulsory) == (37, 1)


def test_a_period_knows_only_two_kinds_and_a_compulsory_one_has_no_support_category() -> None:
    with pytest.raises(InvalidInput, match="kind"):
        parse_history([{"from": "2010-01", "to": "2010-12", "income": 1, "kind": "private"}])
    with pytest.raises(InvalidInput, match="support category"):
        parse_history([{**c("2010-01", "2010-12", 5_000_000), "category": "poor"}])


# ---- revaluation: the salary column and the income column (§12.2) ----


def test_salaries_before_1995_take_the_before_1995_coefficient_of_the_settlement_year() -> None:
    # 1990 and 1994 salaries both take "before 1995": 5.81 settled in 2026, 5.63 in 2025;
    # 1995 takes 4.91 / 4.78.
    assert mbq(c("1990-01", "1990-01", 1_000_000), settle=2026) == 5_810_000
    assert mbq(c("1994-12", "1994-12", 1_000_000), settle=2026) == 5_810_000
    assert mbq(c("1994-12", "1994-12", 1_000_000), settle=2025) == 5_630_000
    assert mbq(c("1995-01", "1995-01", 1_000_000), settle=2026) == 4_910_000
    assert mbq(c("1995-01", "1995-01", 1_000_000), settle=2025) == 4_780_000


def test_the_mixed_average_revalues_each_kind_with_its_own_column() -> None:
    # 12 months of salary in 1993 (5.81) and 12 of income in 2008 (2.29), 1,000,000 each,
    # settled 2026: (12 x 5.81 + 12 x 2.29) / 24 x 1,000,000 = 97.2 / 24 = 4,050,000.
    rows = (c("1993-01", "1993-12", 1_000_000), v("2008-01", "2008-12", 1_000_000))
    assert mbq(*rows, settle=2026) == 4_050_000
    # settled 2025: (12 x 5.63 + 12 x 2.21) / 24 = 94.08 / 24 = 3,920,000
    assert mbq(*rows, settle=2025) == 3_920_000
    # the lump sum on it (claim 2026): 24 months before 2014 = 2 years x 1.5 = 3 x Mbq;
    # no support on 2008's months (none for "other" then)
    r = lump_sum(parse_history(rows), date(2026, 5, 1), "emigration")
    assert (r.average_income, r.gross, r.state_support_received, r.amount) == (
        4_050_000, 12_150_000, 0, 12_150_000)


# ---- pension (§12.3) ----


def test_mixed_pension_needs_15_years_in_all() -> None:
    # Man born 1966-05: 62 in 2028-05. 179 months: 119 compulsory 2008-06..2018-04, 60 voluntary
    # 2023-06..2028-05 -> not eligible; one more compulsory month (2008-05) -> 180, eligible.
    short = pension("M", date(1966, 5, 1), parse_history(
        [c("2008-06", "2018-04", 4_000_000), v("2023-06", "2028-05", 2_000_000)]))
    assert (short.months, short.eligible) == (179, False)
    enough = pension("M", date(1966, 5, 1), parse_history(
        [c("2008-05", "2018-04", 4_000_000), v("2023-06", "2028-05", 2_000_000)]))
    assert (enough.months, enough.months_compulsory, enough.eligible) == (180, 120, True)
    assert enough.decree == DECREE_159


def test_the_floor_needs_20_years_of_compulsory_si_begun_before_2025_07() -> None:
    # Man born 1966-05, settled 2028 (no table yet: coefficient 1.00, provisional).
    # 240 compulsory months 2008-06..2028-05 at 2,000,000: Mbq 2,000,000, 20 years = 45 %,
    # 900,000 < the reference level 2,530,000 -> 2,530,000.
    floor = pension("M", date(1966, 5, 1), parse_history([c("2008-06", "2028-05", 2_000_000)]))
    assert (floor.months_compulsory, floor.rate, floor.floor_applied) == (240, Decimal("0.45"),
                                                                           True)
    assert floor.monthly_pension == 2_530_000
    assert floor.decree == DECREE_158
    # 239 compulsory months (from 2008-07): 19 years 11 months = 20 benefit years, 45 %, and
    # no floor: 900,000.
    below = pension("M", date(1966, 5, 1), parse_history([c("2008-07", "2028-05", 2_000_000)]))
    assert (below.months_compulsory, below.floor_applied, below.monthly_pension) == (
        239, False, 900_000)


def test_the_floor_is_only_for_compulsory_si_begun_before_2025_07() -> None:
    # Man born 1984-01: 62 in 2046-01. 240 compulsory months from 2025-06 -> floor; from
    # 2025-07 (first joined under the new law) -> none. Mbq 2,000,000 (coefficient 1.00), rate
    # 45 % + 2 % for the half year beyond 20 years is not reached: 20.0 years -> 45 %.
    before = pension("M", date(1984, 1, 1), parse_history([c("2025-06", "2045-05", 2_000_000)]))
    after = pension("M", date(1984, 1, 1), parse_history([c("2025-07", "2045-06", 2_000_000)]))
    assert (before.floor_applied, before.monthly_pension) == (True, 2_530_000)
    assert (after.floor_applied, after.monthly_pension) == (False, 900_000)


def test_the_55_60_route_counts_voluntary_months_only() -> None:
    # Man born 1966-06: 60 in 2026-06. Voluntary from 2008-01 to 2028-06: 240 voluntary months
    # by 2027-12 -> may draw from 2028-01.
    pure = pension("M", date(1966, 6, 1), parse_history([v("2008-01", "2028-06", 2_000_000)]))
    assert pure.transition_pension_from == date(2028, 1, 1)
    # 12 years compulsory (2000-2011) then voluntary from 2012: 318 months by 60, but only 174
    # voluntary, and 197 by the last month: total time does not fill the 240 voluntary months
    # -> the pension at 62 only (from 2028-06, the month after 62).
    mixed = pension("M", date(1966, 6, 1), parse_history(
        [c("2000-01", "2011-12", 3_000_000), v("2012-01", "2028-05", 2_000_000)]))
    assert (mixed.months, mixed.months_compulsory) == (144 + 197, 144)
    assert not mixed.transition_eligible
    assert mixed.pension_from == date(2028, 7, 1)


# ---- lump sum (§12.3, §12.4 item 6) ----


def test_the_mixed_lump_sum_deducts_the_support_of_voluntary_months_only() -> None:
    # 36 compulsory months 2020-2022 at 5,000,000 and 24 voluntary months 2023-2024 at
    # 1,500,000 as a poor participant; claimed 2026-03 (15 months out, first SI in 2020).
    # Mbq settled 2026: 12 x 5,000,000 x (1.16 + 1.14 + 1.11) = 204,600,000
    #                 + 12 x 1,500,000 x (1.07 + 1.03)       =  37,800,000
    #                 = 242,400,000 / 60 = 4,040,000
    # 5 years from 2014 x 2 x 4,040,000 = 40,400,000
    # support: 24 months x 30 % x 22 % x 1,500,000 (rural poverty line) = 24 x 99,000 = 2,376,000
    r = lump_sum(parse_history([c("2020-01", "2022-12", 5_000_000),
                                v("2023-01", "2024-12", 1_500_000, "poor")]),
                 date(2026, 3, 1), "twelve_months_out")
    assert r.allowed
    assert (r.average_income, r.gross, r.state_support_received, r.amount) == (
        4_040_000, 40_400_000, 2_376_000, 38_024_000)
    assert (r.months_compulsory, r.decree) == (36, DECREE_159)
    # what the person paid: 8 % of the salary in compulsory months (36 x 400,000 = 14,400,000;
    # the employer paid the other 14 %), and the voluntary 22 % less the support
    # (24 x 330,000 - 2,376,000 = 5,544,000)
    assert (r.contributions_gross, r.contributions_paid) == (
        36 * 1_100_000 + 24 * 330_000, 14_400_000 + 5_544_000)


def test_a_worker_with_compulsory_si_before_2025_07_keeps_the_twelve_months_out_ground() -> None:
    returning = lump_sum(parse_history([c("2020-01", "2022-12", 5_000_000),
                                        v("2025-08", "2025-12", 1_500_000)]),
                         date(2027, 2, 1), "twelve_months_out")
    assert returning.allowed
    newcomer = lump_sum(parse_history([v("2025-08", "2025-12", 1_500_000)]),
                        date(2027, 2, 1), "twelve_months_out")
    assert not newcomer.allowed
    assert newcomer.reason.code == "new_law_joiner"


def test_under_one_year_of_compulsory_months_refunds_22_percent() -> None:
    # 6 compulsory months 2025-01..06 at 10,000,000: contributions 6 x 22 % x 10,000,000 =
    # 13,200,000, at most 2 x Mbq = 20,000,000 -> 13,200,000.
    r = lump_sum(parse_history([c("2025-01", "2025-06", 10_000_000)]), date(2026, 8, 1),
                 "emigration")
    assert (r.gross, r.amount, r.decree) == (13_200_000, 13_200_000, DECREE_158)


# ---- funeral grant (§12.3) ----


@pytest.mark.parametrize(("rows", "eligible"), [
    ([v("2021-01", "2025-11", 2_000_000)], False),                                  # 59 months
    ([v("2021-01", "2025-12", 2_000_000)], True),                                   # 60 months
    ([c("2024-01", "2024-12", 5_000_000), v("2025-01", "2025-10", 2_000_000)], True),  # 12 comp.
    ([c("2024-01", "2024-11", 5_000_000), v("2021-01", "2023-12", 2_000_000),
      v("2024-12", "2025-12", 2_000_000)], True),                           # 11 comp., 60 in all
    ([c("2024-01", "2024-11", 5_000_000), v("2021-02", "2023-12", 2_000_000),
      v("2024-12", "2025-12", 2_000_000)], False),                          # 11 comp., 59 in all
])
def test_the_funeral_grant_on_both_sides_of_12_and_60_months(rows: list[dict[str, object]],
                                                              eligible: bool) -> None:
    r = survivors(parse_history(rows), date(2026, 3, 10))
    assert r.funeral_eligible is eligible
    # 10 x 2,340,000 (reference level 2024-07 .. 2026-06)
    assert r.funeral_grant == (23_400_000 if eligible else 0)


def test_the_funeral_grant_follows_the_reference_level_of_the_month_of_death() -> None:
    rows = parse_history([v("2021-01", "2025-12", 2_000_000)])
    assert survivors(rows, date(2026, 6, 30)).funeral_grant == 23_400_000
    assert survivors(rows, date(2026, 7, 1)).funeral_grant == 25_300_000


# ---- monthly survivors' allowance (§12.3) ----


def test_monthly_survivors_allowance_needs_15_years_of_compulsory_si() -> None:
    # 179 compulsory months + 30 voluntary: one-time only; 180 compulsory: monthly, 50 % and 70 %
    # of the reference level 2,530,000 (death 2026-08) = 1,265,000 and 1,771,000.
    short = survivors(parse_history([c("2011-01", "2025-11", 6_000_000),
                                     v("2025-12", "2026-05", 2_000_000)]), date(2026, 8, 10))
    assert (short.months_compulsory, short.monthly_eligible) == (179, False)
    assert short.monthly_reason.code == "compulsory_years_short"
    enough = survivors(parse_history([c("2010-12", "2025-11", 6_000_000),
                                      v("2025-12", "2026-05", 2_000_000)]), date(2026, 8, 10))
    assert (enough.months_compulsory, enough.monthly_eligible) == (180, True)
    assert (enough.monthly_per_relative, enough.monthly_per_relative_no_carer) == (
        1_265_000, 1_771_000)
    # a voluntary-only history never has it
    voluntary = survivors(parse_history([v("2008-01", "2026-05", 2_000_000)]), date(2026, 8, 10))
    assert not voluntary.monthly_eligible
    assert survivors(parse_history([v("2008-01", "2026-05", 2_000_000)]), date(2026, 8, 10),
                     occupational_loss_61=True).monthly_eligible


def test_under_decree_158_relatives_may_pay_up_to_6_missing_compulsory_months() -> None:
    # D158 Art. 21(3)(a), POLICY §12.4 item 2. Voluntary 2010-01..2014-12, then compulsory
    # 2015-01..2029-06 (174 months) at 8,000,000, the last period compulsory (Decree 158):
    # 6 months short of 180 -> the relatives may pay 6 x 22 % x 8,000,000 = 10,560,000.
    six = survivors(parse_history([v("2010-01", "2014-12", 1_500_000),
                                   c("2015-01", "2029-06", 8_000_000)]), date(2029, 7, 15))
    assert (six.decree, six.months_compulsory, six.monthly_eligible) == (DECREE_158, 174, False)
    assert (six.relatives_may_pay_months, six.relatives_payment) == (6, 10_560_000)
    # the last salary is the one that counts: 7,000,000 in the last month -> 6 x 22 % x 7,000,000
    last = survivors(parse_history([v("2010-01", "2014-12", 1_500_000),
                                    c("2015-01", "2029-05", 8_000_000),
                                    c("2029-06", "2029-06", 7_000_000)]), date(2029, 7, 15))
    assert (last.relatives_may_pay_months, last.relatives_payment) == (6, 9_240_000)
    # 7 months short (173): no such payment
    seven = survivors(parse_history([v("2010-01", "2014-12", 1_500_000),
                                     c("2015-02", "2029-06", 8_000_000)]), date(2029, 7, 15))
    assert (seven.months_compulsory, seven.relatives_may_pay_months,
            seven.relatives_payment) == (173, 0, 0)
    # five months short (175; a compulsory history alone is under Decree 158 too):
    # 5 x 22 % x 8,000,000 = 8,800,000
    five = survivors(parse_history([c("2014-12", "2029-06", 8_000_000)]), date(2029, 7, 15))
    assert (five.months_compulsory, five.relatives_may_pay_months, five.relatives_payment) == (
        175, 5, 8_800_000)
    # the same 174 compulsory months, the last period voluntary (Decree 159): no such rule
    d159 = survivors(parse_history([c("2015-01", "2029-06", 8_000_000),
                                    v("2029-07", "2029-08", 1_500_000)]), date(2029, 9, 15))
    assert (d159.decree, d159.relatives_may_pay_months, d159.relatives_payment) == (
        DECREE_159, 0, 0)
    # 180 months: the monthly allowance itself, nothing to pay
    full = survivors(parse_history([c("2014-07", "2029-06", 8_000_000)]), date(2029, 7, 15))
    assert (full.monthly_eligible, full.relatives_may_pay_months) == (True, 0)


# ---- one-time survivors' allowance (§12.3) ----


def test_one_time_for_a_voluntary_history_on_both_sides_of_60_months() -> None:
    # 59 months 2021-01..2025-11 at 2,000,000: the contributions paid, gross: 59 x 22 % x
    # 2,000,000 = 25,960,000.
    under = survivors(parse_history([v("2021-01", "2025-11", 2_000_000)]), date(2026, 3, 10))
    assert (under.one_time_basis, under.one_time_allowance) == ("contributions", 25_960_000)
    # 60 months 2021-01..2025-12: Mbq settled 2026 = 12 x 2,000,000 x (1.14 + 1.11 + 1.07 +
    # 1.03 + 1.00) / 60 = 128,400,000 / 60 = 2,140,000; 5 years x 2 = 21,400,000.
    full = survivors(parse_history([v("2021-01", "2025-12", 2_000_000)]), date(2026, 3, 10))
    assert (full.average_income, full.one_time_basis, full.one_time_allowance) == (
        2_140_000, "per_year", 21_400_000)
    assert not full.one_time_floor_applied


def test_one_time_for_a_mixed_history_is_at_least_three_times_the_average() -> None:
    # Last period voluntary (Decree 159): 6 compulsory months 2025-01..06 at 10,000,000 and 6
    # voluntary 2025-07..12 at 1,500,000; death 2026-02. Under 60 months -> contributions:
    # 6 x 22 % x 10,000,000 + 6 x 22 % x 1,500,000 = 13,200,000 + 1,980,000 = 15,180,000.
    # Mbq (2025 coefficient 1.00) = (60,000,000 + 9,000,000) / 12 = 5,750,000; 3 x = 17,250,000.
    r = survivors(parse_history([c("2025-01", "2025-06", 10_000_000),
                                 v("2025-07", "2025-12", 1_500_000)]), date(2026, 2, 1))
    assert (r.decree, r.contributions_paid, r.average_income) == (DECREE_159, 15_180_000,
                                                                  5_750_000)
    assert (r.one_time_basis, r.one_time_floor_applied, r.one_time_allowance) == (
        "contributions", True, 17_250_000)
    # 24 months, 12 compulsory at 5,000,000 (2024: 1.03) then 12 voluntary at 2,000,000:
    # contributions 13,200,000 + 5,280,000 = 18,480,000 > 3 x Mbq
    # (Mbq = (61,800,000 + 24,000,000) / 24 = 3,575,000; 3 x = 10,725,000).
    r = survivors(parse_history([c("2024-01", "2024-12", 5_000_000),
                                 v("2025-01", "2025-12", 2_000_000)]), date(2026, 2, 1))
    assert (r.average_income, r.one_time_allowance, r.one_time_floor_applied) == (
        3_575_000, 18_480_000, False)


def test_one_time_under_the_compulsory_decree_has_no_60_month_rule() -> None:
    # Last period compulsory (Decree 158, L41 Art. 89(1)): 12 months 2025 at 5,000,000,
    # Mbq 5,000,000; 1 year x 2 = 10,000,000 < 3 x Mbq = 15,000,000 -> 15,000,000.
    r = survivors(parse_history([c("2025-01", "2025-12", 5_000_000)]), date(2026, 2, 1))
    assert (r.decree, r.one_time_basis, r.one_time_floor_applied, r.one_time_allowance) == (
        DECREE_158, "per_year", True, 15_000_000)
    # 59 months ending compulsory: the per-year formula, not the contributions:
    # 2021-01..2025-11 at 5,000,000: Mbq = 5,000,000 x (12 x (1.14 + 1.11 + 1.07 + 1.03) + 11)
    # / 59 = 5,000,000 x 63.2 / 59 = 5,355,932.2 -> 5,355,932; 4 years 11 months = 5 years:
    # 2 x 5 x 5,355,932 = 53,559,320.
    r = survivors(parse_history([v("2021-01", "2021-12", 5_000_000),
                                 c("2022-01", "2025-11", 5_000_000)]), date(2026, 2, 1))
    assert (r.months, r.decree, r.one_time_basis) == (59, DECREE_158, "per_year")
    assert (r.average_income, r.one_time_allowance) == (5_355_932, 53_559_320)


@pytest.mark.parametrize(("death", "months", "amount"), [
    (date(2026, 1, 20), Decimal(48), 144_000_000),     # the first month of the pension
    (date(2026, 2, 27), Decimal(48), 144_000_000),     # the second
    (date(2026, 3, 1), Decimal("47.5"), 142_500_000),  # the third: half a month fewer
    (date(2033, 12, 1), Decimal(3), 9_000_000),        # month 96: 48 - 47 = 1 -> at least 3
])
def test_one_time_for_a_pensioner(death: date, months: Decimal, amount: int) -> None:
    r = survivors(parse_history([c("2000-01", "2025-12", 6_000_000)]), death,
                  pension_from=date(2026, 1, 1), monthly_pension=3_000_000)
    assert (r.one_time_basis, r.one_time_pension_months, r.one_time_allowance) == (
        "pension", months, amount)
    assert r.funeral_eligible
    assert r.monthly_eligible  # 312 compulsory months


def test_a_pensioner_needs_the_pension_and_its_start() -> None:
    with pytest.raises(InvalidInput):
        survivors(parse_history([c("2000-01", "2025-12", 6_000_000)]), date(2026, 3, 1),
                  pension_from=date(2026, 1, 1))


# ---- which decree, and its reference (§12.1) ----


def test_a_mixed_result_names_its_decree_and_the_decision_behind_it() -> None:
    mixed = lump_sum(parse_history([c("2020-01", "2022-12", 5_000_000),
                                    v("2023-01", "2024-12", 1_500_000)]),
                     date(2026, 3, 1), "emigration")
    names = {p.name for p in mixed.parameters}
    assert "general.mixed_history_decree" in names
    assert "pension.revaluation_salary" in names
    assert mixed.provisional  # the decision is ansinh's, not the law's
    pure = lump_sum(parse_history([v("2020-01", "2024-12", 1_500_000)]), date(2026, 3, 1),
                    "emigration")
    assert "general.mixed_history_decree" not in {p.name for p in pure.parameters}
