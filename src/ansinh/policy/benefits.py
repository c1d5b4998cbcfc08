"""Other benefits: monthly allowance (Law 41/2024 Art. 23; Decree 159/2025 Art. 14), social
pension (Law Art. 21-22; Decree 176/2025), maternity allowance (Law Art. 94-95) and funeral grant
(Law Art. 109)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.policy.errors import InvalidInput
from ansinh.policy.history import ContributionPeriod, average_income, check_sex, expand
from ansinh.policy.money import ZERO, month_index, month_start, month_str, vnd, years_str
from ansinh.policy.parameters import Lookup, ParameterTree, ParamValue
from ansinh.policy.results import AGE_NOT_REACHED, ALLOWED, Breakdown, Reason
from ansinh.policy.retirement import retirement_age_months


def _int(value: object) -> int:
    assert isinstance(value, (int, Decimal))
    assert not isinstance(value, bool)
    return int(value)


def _allowance_years(months: int, half: int) -> Decimal:
    """D159 Art. 14: N in years; odd months 1..half = 0.5, 7-12 = 1."""
    full, odd = divmod(months, 12)
    if odd == 0:
        return Decimal(full)
    return Decimal(full) + (Decimal("0.5") if odd <= half else Decimal(1))


@dataclass(frozen=True)
class SocialPension(Breakdown):
    on: date
    eligible: bool
    age_threshold: int
    from_month: date
    amount: int
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "eligible": self.eligible,
            "age_threshold": self.age_threshold,
            "from_month": month_str(self.from_month),
            "amount": self.amount,
            "provisional": self.provisional,
            "references": self.references(),
        }


def _social_pension_age(lk: Lookup, on: date, poor: bool) -> int:
    ages = lk.table("benefits.social_pension_age", on)
    return _int(ages["poor" if poor else "general"])


def social_pension(
    birth: date,
    on: date,
    poor: bool = False,
    receives_pension: bool = False,
    tree: ParameterTree | None = None,
) -> SocialPension:
    """Social pension (Law 41/2024 Art. 21): from 75 (70 in a poor or near-poor household) for
    people without a pension or monthly SI allowance; 500,000 VND/month (Decree 176/2025 Art. 3)."""
    lk = Lookup(tree)
    age = _social_pension_age(lk, on, poor)
    amount = lk.vnd("benefits.social_pension", on)
    from_month = month_start(month_index(birth) + age * 12)
    eligible = not receives_pension and month_index(on) >= month_index(from_month)
    return SocialPension(on, eligible, age, from_month, amount if eligible else 0, lk.parameters())


@dataclass(frozen=True)
class MonthlyAllowance(Breakdown):
    on: date
    eligible: bool
    reason: Reason
    months: int
    benefit_years: Decimal
    average_income: int
    social_pension_amount: int
    social_pension_month: date
    months_payable: int
    months_to_social_pension_age: int
    months_paid: int
    monthly_amount: int
    top_up_to_social_pension_age: int
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "eligible": self.eligible,
            "reason": str(self.reason),
            "months": self.months,
            "benefit_years": years_str(self.benefit_years),
            "average_income": self.average_income,
            "social_pension_amount": self.social_pension_amount,
            "social_pension_month": month_str(self.social_pension_month),
            "months_payable": self.months_payable,
            "months_to_social_pension_age": self.months_to_social_pension_age,
            "months_paid": self.months_paid,
            "monthly_amount": self.monthly_amount,
            "top_up_to_social_pension_age": self.top_up_to_social_pension_age,
            "provisional": self.provisional,
            "references": self.references(),
        }


def monthly_allowance(
    sex: str,
    birth: date,
    history: Sequence[ContributionPeriod],
    on: date,
    poor: bool = False,
    tree: ParameterTree | None = None,
) -> MonthlyAllowance:
    """Monthly allowance instead of the lump sum, requested on ``on`` (D159 Art. 14).

    The amounts are computed whenever there are at least 12 months, so a counsellor can show them
    before the person is eligible; ``eligible`` and ``reason`` say whether it can be granted
    on ``on``.

    T_tt = ceil(Mbq x 2 x N / TC_htxh) months at the social-pension amount TC_htxh, paid from the
    request month until social-pension age (T_đt months). If T_tt > T_đt the monthly amount is
    TC_htxh + (T_tt - T_đt) x TC_htxh / T_đt for T_đt months; otherwise TC_htxh for T_tt months and
    the person may pay ST = (T_đt - T_tt) x TC_htxh to extend it. No state-support deduction.
    """
    check_sex(sex)
    lk = Lookup(tree)
    months = [m for m in expand(history, lk) if m.start <= on]
    n = len(months)
    rule = lk.table("benefits.monthly_allowance", on)
    min_months = _int(rule["min_months"])
    factor = rule["factor_per_year"]
    assert isinstance(factor, Decimal)
    required = lk.vnd("pension.min_years", on) * 12
    _, reached = retirement_age_months(lk, sex, birth)
    tc = lk.vnd("benefits.social_pension", on)
    sp_month = month_start(month_index(birth) + _social_pension_age(lk, on, poor) * 12)
    t_dt = max(month_index(sp_month) - month_index(on), 0)
    mbq = average_income(lk, months, on.year)
    years = _allowance_years(n, lk.vnd("benefits.half_year_odd_months", on))

    if month_index(on) < month_index(reached):
        eligible, reason = False, AGE_NOT_REACHED
    elif n >= required:
        eligible, reason = False, Reason("pension_instead", "Đủ điều kiện lương hưu",
                                          "eligible for a pension instead")
    elif n < min_months:
        eligible, reason = False, Reason(
            "too_few_months", f"Đóng dưới {min_months} tháng",
            f"fewer than {min_months} months of contributions", (("months", min_months),))
    elif t_dt == 0:
        eligible, reason = False, Reason("social_pension_age",
                                          "Đã đến tuổi hưởng trợ cấp hưu trí xã hội",
                                          "at social-pension age")
    else:
        eligible, reason = True, ALLOWED

    t_tt = 0
    monthly = 0
    paid = 0
    top_up = 0
    if n >= min_months and tc > 0:
        t_tt = math.ceil(mbq * factor * years / tc)
        if t_dt > 0 and t_tt > t_dt:
            monthly = vnd(tc + Decimal(t_tt - t_dt) * tc / t_dt)
            paid = t_dt
        else:
            monthly = tc
            paid = t_tt
            top_up = max(t_dt - t_tt, 0) * tc
    return MonthlyAllowance(
        on=on,
        eligible=eligible,
        reason=reason,
        months=n,
        benefit_years=years if n >= min_months else ZERO,
        average_income=mbq,
        social_pension_amount=tc,
        social_pension_month=sp_month,
        months_payable=t_tt,
        months_to_social_pension_age=t_dt,
        months_paid=paid,
        monthly_amount=monthly,
        top_up_to_social_pension_age=top_up,
        parameters=lk.parameters(),
    )


@dataclass(frozen=True)
class Maternity(Breakdown):
    child_birth: date
    children: int
    months_paid_in_window: int
    eligible: bool
    amount: int
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "child_birth": self.child_birth.isoformat(),
            "children": self.children,
            "months_paid_in_window": self.months_paid_in_window,
            "eligible": self.eligible,
            "amount": self.amount,
            "provisional": self.provisional,
            "references": self.references(),
        }


def maternity_allowance(
    history: Sequence[ContributionPeriod],
    child_birth: date,
    children: int = 1,
    tree: ParameterTree | None = None,
) -> Maternity:
    """Voluntary-SI maternity allowance (Law 41/2024 Art. 94-95): 2,000,000 VND per child if at
    least 6 months were paid within the 12 months before the month of birth."""
    if children < 1:
        raise InvalidInput("Số con phải từ 1", "children must be at least 1")
    lk = Lookup(tree)
    per_child = lk.vnd("benefits.maternity_allowance", child_birth)
    rule = lk.table("benefits.maternity_qualifying", child_birth)
    need, window = _int(rule["paid_months"]), _int(rule["window_months"])
    birth_idx = month_index(child_birth)
    paid = sum(1 for m in expand(history) if birth_idx - window <= m.index < birth_idx)
    eligible = paid >= need
    return Maternity(
        child_birth,
        children,
        paid,
        eligible,
        per_child * children if eligible else 0,
        lk.parameters(),
    )


@dataclass(frozen=True)
class Funeral(Breakdown):
    death_on: date
    months: int
    pensioner: bool
    eligible: bool
    reference_level: int
    amount: int
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "death_on": self.death_on.isoformat(),
            "months": self.months,
            "pensioner": self.pensioner,
            "eligible": self.eligible,
            "reference_level": self.reference_level,
            "amount": self.amount,
            "provisional": self.provisional,
            "references": self.references(),
        }


def funeral_allowance(
    death_on: date, months: int, pensioner: bool = False, tree: ParameterTree | None = None
) -> Funeral:
    """Funeral grant (Law 41/2024 Art. 109): 10 x the reference level in the month of death, if the
    person contributed at least 60 months or was a pensioner."""
    lk = Lookup(tree)
    rule = lk.table("benefits.funeral", death_on)
    multiplier = rule["multiplier"]
    assert isinstance(multiplier, Decimal)
    ref = lk.vnd("general.reference_level", death_on)
    eligible = pensioner or months >= _int(rule["min_months"])
    amount = vnd(multiplier * ref) if eligible else 0
    return Funeral(death_on, months, pensioner, eligible, ref, amount, lk.parameters())
