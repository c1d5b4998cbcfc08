"""Pension (Law 41/2024 Art. 98-101, 104; Decree 159/2025 Art. 10, 11, 13).

Eligibility: retirement age and at least 15 years (20 years for pensions starting before
2025-07-01), counted in actual months. Rate (Art. 99): women 45 % at 15 years, men 45 % at 20 years
(40 % at 15 years + 1 % per year below 20), + 2 % per year, at most 75 %; odd months 1-6 count as
half a year, 7-11 as a full year (Art. 5(6)). The pension is rate x average revalued income (Mbq).
One-time allowance (Art. 100): 0.5 x Mbq per year above 30 (women) / 35 (men) years, 2 x Mbq per
such year paid after reaching retirement age.

Mixed histories (D159 Art. 11, D158 Art. 17; POLICY.md §12): all months count; Mbq averages the
revalued salaries and incomes; the 55/60 route needs 20 years of voluntary months; with at least
20 years of compulsory SI begun before 2025-07-01 the pension is at least the reference level.
The ages are the normal-conditions ages of both laws: the early routes of L41 Art. 64-65
(hazardous work, regional allowance, mining, work-capacity loss) take inputs ansinh does not ask
for, and state-sector salaries of people who joined before 2016 are not modelled (§12.4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.policy.history import (
    ContributionPeriod,
    Month,
    average_income,
    check_sex,
    compulsory_months,
    expand,
    governing_decree,
)
from ansinh.policy.money import (
    ZERO,
    add_months,
    benefit_years,
    month_index,
    month_start,
    month_str,
    rate_str,
    vnd,
    years_str,
)
from ansinh.policy.parameters import Lookup, ParameterTree, ParamValue
from ansinh.policy.results import Breakdown, Reason
from ansinh.policy.retirement import retirement_age_months


def _dec(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"not a number: {value!r}")
    return Decimal(value)


def half_year_max(lk: Lookup, on: date) -> int:
    return lk.vnd("benefits.half_year_odd_months", on)


def pension_rate(sex: str, years: Decimal, on: date, tree: ParameterTree | None = None) -> Decimal:
    """Pension rate for ``years`` benefit years, for a pension starting on ``on`` (Art. 99)."""
    return _pension_rate(Lookup(tree), sex, years, on)


def _pension_rate(lk: Lookup, sex: str, years: Decimal, on: date) -> Decimal:
    base_years = _dec(lk.table("pension.rate_base_years", on)[sex])
    maximum = lk.dec("pension.rate_max", on)
    if years >= base_years:
        base = lk.dec("pension.rate_base", on)
        step = _dec(lk.table("pension.rate_step", on)[sex])
        return min(base + step * (years - base_years), maximum)
    short_pv = lk.tree.find("pension.short_service", on)
    if short_pv is not None and isinstance(short_pv.value, Mapping):
        rule = short_pv.value.get(sex)
        if isinstance(rule, Mapping):
            from_years = _dec(rule["from_years"])
            if years >= from_years:
                lk.used[(short_pv.name, short_pv.start)] = short_pv
                return min(_dec(rule["rate"]) + _dec(rule["step"]) * (years - from_years), maximum)
    return ZERO


@dataclass(frozen=True)
class Pension(Breakdown):
    sex: str
    birth: date
    settle_year: int
    eligible: bool
    reason: Reason
    months_required: int
    months: int
    months_projected: int
    benefit_years: Decimal
    rate: Decimal
    average_income: int
    monthly_pension: int
    one_time_allowance: int
    retirement_age_years: int
    retirement_age_months: int
    reached_month: date
    retirement_month: date | None
    pension_from: date | None
    transition_eligible: bool
    transition_pension_from: date | None
    months_compulsory: int = 0
    decree: str = ""
    floor_applied: bool = False
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sex": self.sex,
            "birth": self.birth.isoformat(),
            "eligible": self.eligible,
            "reason": str(self.reason),
            "months": self.months,
            "months_required": self.months_required,
            "months_projected": self.months_projected,
            "benefit_years": years_str(self.benefit_years),
            "rate": rate_str(self.rate),
            "average_income": self.average_income,
            "monthly_pension": self.monthly_pension,
            "one_time_allowance": self.one_time_allowance,
            "settle_year": self.settle_year,
            "retirement_age_years": self.retirement_age_years,
            "retirement_age_months": self.retirement_age_months,
            "reached_month": month_str(self.reached_month),
            "retirement_month": None
            if self.retirement_month is None
            else month_str(self.retirement_month),
            "pension_from": None if self.pension_from is None else self.pension_from.isoformat(),
            "transition_eligible": self.transition_eligible,
            "transition_pension_from": None
            if self.transition_pension_from is None
            else self.transition_pension_from.isoformat(),
            "months_compulsory": self.months_compulsory,
            "months_voluntary": self.months - self.months_compulsory,
            "decree": self.decree,
            "floor_applied": self.floor_applied,
            "provisional": self.provisional,
            "references": self.references(),
        }


def one_time_allowance(
    lk: Lookup, sex: str, months: Sequence[Month], reached: date, mbq: int, on: date
) -> int:
    """Law 41/2024 Art. 100: 0.5 x Mbq per benefit year above the threshold up to retirement age,
    2 x Mbq per such year paid after reaching retirement age."""
    rule = lk.table("pension.one_time_allowance", on)
    thresholds = rule["threshold_years"]
    assert isinstance(thresholds, Mapping)
    extra = len(months) - int(_dec(thresholds[sex])) * 12
    if extra <= 0:
        return 0
    reached_idx = month_index(reached)
    after_age = sum(1 for m in months if m.index > reached_idx)
    after = min(extra, after_age)
    before = extra - after
    half = half_year_max(lk, on)
    amount = mbq * (
        _dec(rule["before_age"]) * benefit_years(before, half)
        + _dec(rule["after_age"]) * benefit_years(after, half)
    )
    return vnd(amount)


def pension(
    sex: str,
    birth: date,
    history: Sequence[ContributionPeriod],
    settle_year: int | None = None,
    today: date | None = None,
    tree: ParameterTree | None = None,
) -> Pension:
    """Pension on retiring at the retirement age with ``history`` (Law 41/2024 Art. 98-100).

    Months up to the month the retirement age is reached count. If they fall short of the minimum
    and the history continues after that month (paying on past the age), the person retires in the
    month the minimum is reached. ``settle_year`` (revaluation table) defaults to the year of the
    pension start; months after ``today`` are reported as projected.
    """
    check_sex(sex)
    lk = Lookup(tree)
    age, reached = retirement_age_months(lk, sex, birth)
    all_months = expand(history, lk)
    reached_idx = month_index(reached)
    default_from = add_months(reached, 1)
    required = lk.vnd("pension.min_years", default_from) * 12
    upto_age = [m for m in all_months if m.index <= reached_idx]
    retirement_month: date | None = None
    if len(upto_age) >= required:
        retirement_month = reached
        counted = upto_age
    else:
        later = [m for m in all_months if m.index > reached_idx]
        missing = required - len(upto_age)
        if len(later) >= missing:
            retirement_month = later[missing - 1].start
            required = lk.vnd("pension.min_years", add_months(retirement_month, 1)) * 12
            missing = max(required - len(upto_age), 1)
            retirement_month = later[min(missing, len(later)) - 1].start
        counted = [m for m in all_months if m.index <= month_index(retirement_month or reached)]
    eligible = retirement_month is not None and len(counted) >= required
    pension_from = add_months(retirement_month, 1) if eligible and retirement_month else None
    regime_date = pension_from or default_from
    settle = settle_year if settle_year is not None else regime_date.year
    mbq = average_income(lk, counted, settle)
    years = benefit_years(len(counted), half_year_max(lk, regime_date))
    rate = _pension_rate(lk, sex, years, regime_date) if eligible else ZERO
    monthly = vnd(rate * mbq) if eligible else 0
    floor_applied = False
    if eligible and compulsory_months(counted):
        floor = _floor(lk, counted, regime_date)
        if monthly < floor:
            monthly, floor_applied = floor, True
    allowance = one_time_allowance(lk, sex, counted, reached, mbq, regime_date) if eligible else 0
    if eligible:
        reason = Reason("eligible_pension", "Đủ điều kiện hưởng lương hưu",
                        "eligible for a pension")
    else:
        reason = Reason(
            "too_few_years", f"Chưa đủ {required // 12} năm đóng ({len(counted)} tháng)",
            f"fewer than {required // 12} years of contributions ({len(counted)} months)",
            (("years", required // 12), ("months", len(counted))))
    projected = 0
    if today is not None:
        today_idx = month_index(today)
        projected = sum(1 for m in counted if m.index > today_idx)

    transition_eligible, transition_from = _transition(lk, sex, birth, all_months)
    return Pension(
        sex=sex,
        birth=birth,
        settle_year=settle,
        eligible=eligible,
        reason=reason,
        months_required=required,
        months=len(counted),
        months_projected=projected,
        benefit_years=years,
        rate=rate,
        average_income=mbq,
        monthly_pension=monthly,
        one_time_allowance=allowance,
        retirement_age_years=age // 12,
        retirement_age_months=age % 12,
        reached_month=reached,
        retirement_month=retirement_month if eligible else None,
        pension_from=pension_from,
        transition_eligible=transition_eligible,
        transition_pension_from=transition_from,
        months_compulsory=compulsory_months(counted),
        decree=governing_decree(lk, counted or all_months, regime_date),
        floor_applied=floor_applied,
        parameters=lk.parameters(),
    )


def _floor(lk: Lookup, months: Sequence[Month], on: date) -> int:
    """The reference level, for a history with at least 20 years of compulsory SI first joined
    before 2025-07-01 (D159 Art. 11(3), D158 Art. 13(1)); otherwise 0. ansinh takes the
    compulsory periods to be of the groups a, b, c, d, đ, g, i of L41 Art. 2(1) (employees)."""
    need_pv = lk.tree.find("pension.floor_min_compulsory_months", on)
    before_pv = lk.tree.find("pension.floor_joined_before", on)
    if need_pv is None or before_pv is None:
        return 0
    compulsory = [m for m in months if m.compulsory]
    lk.used[(need_pv.name, need_pv.start)] = need_pv
    assert isinstance(need_pv.value, int)
    if len(compulsory) < need_pv.value:
        return 0
    lk.used[(before_pv.name, before_pv.start)] = before_pv
    assert isinstance(before_pv.value, date)
    if compulsory[0].start >= before_pv.value:
        return 0
    return lk.vnd("general.reference_level", on)


def _transition(
    lk: Lookup, sex: str, birth: date, months: Sequence[Month]
) -> tuple[bool, date | None]:
    """D159 Art. 13: first joined before 2021-01-01 with >= 20 years of voluntary contributions by
    the transition age (60 men / 55 women) -> may draw the pension from the month after that age.
    Only voluntary months count, for a mixed history too (D159 Art. 11(2)(c))."""
    months = [m for m in months if not m.compulsory]
    if not months:
        return False, None
    rule_pv = lk.tree.find("retirement.pre2021_joiner", months[-1].start)
    cutoff_pv = lk.tree.find("retirement.pre2021_joiner_cutoff", months[-1].start)
    if rule_pv is None or cutoff_pv is None or not isinstance(rule_pv.value, Mapping):
        return False, None
    cutoff = cutoff_pv.value
    assert isinstance(cutoff, date)
    if months[0].start >= cutoff:
        return False, None
    lk.used[(rule_pv.name, rule_pv.start)] = rule_pv
    lk.used[(cutoff_pv.name, cutoff_pv.start)] = cutoff_pv
    age = rule_pv.value[sex]
    need = rule_pv.value["min_years_months"]
    assert isinstance(age, int)
    assert isinstance(need, int)
    reached_idx = month_index(birth) + age
    have = [m for m in months if m.index <= reached_idx]
    if len(have) >= need:
        start = month_start(max(reached_idx + 1, month_index(rule_pv.start)))
        return True, start
    later = [m for m in months if m.index > reached_idx]
    if len(have) + len(later) >= need:
        idx = later[need - len(have) - 1].index
        return True, month_start(max(idx + 1, month_index(rule_pv.start)))
    return False, None
