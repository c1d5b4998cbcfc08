"""When a participant or a pensioner dies: the funeral grant and the survivors' allowances, for
pure voluntary, pure compulsory and mixed histories (Law 41/2024 Art. 85-89, 109-111;
Decree 159/2025 Art. 12, 15; Decree 158/2025 Art. 21; POLICY.md §7 and §12.3).

- Funeral grant: 10 x the reference level in the month of death. A voluntary-only history needs
  60 months or a pension; a history with compulsory months needs 12 compulsory months, or 60 in
  all, or a pension, or a monthly occupational-accident allowance.
- Monthly survivors' allowance: only with 15 years of compulsory SI (or a pension that came with
  them, or an occupational-accident allowance at >= 61 %); per relative a share of the reference
  level. Otherwise, or by the relatives' choice, the one-time allowance. Under the compulsory
  decree, a person at most 6 compulsory months short: the relatives may pay them in one sum
  (22 % of the last salary a month, D158 Art. 21(3)(a)) and then receive the monthly allowance.
- One-time allowance, death of a participant or a reserved record: 1.5 x Mbq per year before 2014
  and 2 x Mbq per year from 2014 (odd months before 2014 counted in the later part). Under the
  decree of the voluntary scheme (the last period voluntary): under 60 months, the contributions
  paid; a history with compulsory months at least 3 x Mbq. Under the compulsory decree (the last
  period compulsory): at least 3 x Mbq, and no 60-month rule (L41 Art. 89(1)).
- One-time allowance, death of a pensioner: 48 months of pension within the first two months of
  the pension, half a month fewer for each later month, at least 3 months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.policy.errors import InvalidInput
from ansinh.policy.history import (
    DECREE_158,
    ContributionPeriod,
    average_income,
    compulsory_months,
    contributions,
    expand,
    governing_decree,
)
from ansinh.policy.money import benefit_years, month_index, vnd, years_str
from ansinh.policy.parameters import Lookup, ParameterTree, ParamValue
from ansinh.policy.pension import half_year_max
from ansinh.policy.results import Breakdown, Reason


def _dec(value: object) -> Decimal:
    assert isinstance(value, (Decimal, int)) and not isinstance(value, bool)
    return Decimal(value)


@dataclass(frozen=True)
class Survivors(Breakdown):
    death_on: date
    months: int
    months_compulsory: int
    pensioner: bool
    decree: str
    average_income: int
    reference_level: int
    funeral_eligible: bool
    funeral_grant: int
    monthly_eligible: bool
    monthly_reason: Reason
    monthly_per_relative: int
    monthly_per_relative_no_carer: int
    one_time_basis: str
    one_time_years_before_2014: Decimal
    one_time_years_from_2014: Decimal
    one_time_pension_months: Decimal
    one_time_floor_applied: bool
    one_time_allowance: int
    contributions_paid: int
    relatives_may_pay_months: int = 0
    relatives_payment: int = 0
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "death_on": self.death_on.isoformat(),
            "months": self.months,
            "months_compulsory": self.months_compulsory,
            "months_voluntary": self.months - self.months_compulsory,
            "pensioner": self.pensioner,
            "decree": self.decree,
            "average_income": self.average_income,
            "reference_level": self.reference_level,
            "funeral_eligible": self.funeral_eligible,
            "funeral_grant": self.funeral_grant,
            "monthly_eligible": self.monthly_eligible,
            "monthly_reason": str(self.monthly_reason),
            "monthly_per_relative": self.monthly_per_relative,
            "monthly_per_relative_no_carer": self.monthly_per_relative_no_carer,
            "one_time_basis": self.one_time_basis,
            "one_time_years_before_2014": years_str(self.one_time_years_before_2014),
            "one_time_years_from_2014": years_str(self.one_time_years_from_2014),
            "one_time_pension_months": str(self.one_time_pension_months),
            "one_time_floor_applied": self.one_time_floor_applied,
            "one_time_allowance": self.one_time_allowance,
            "contributions_paid": self.contributions_paid,
            "relatives_may_pay_months": self.relatives_may_pay_months,
            "relatives_payment": self.relatives_payment,
            "provisional": self.provisional,
            "references": self.references(),
        }


def survivors(
    history: Sequence[ContributionPeriod],
    death_on: date,
    pension_from: date | None = None,
    monthly_pension: int = 0,
    occupational_allowance: bool = False,
    occupational_loss_61: bool = False,
    tree: ParameterTree | None = None,
) -> Survivors:
    """What the relatives of a person who died on ``death_on`` receive. Months after the death
    do not count. A pensioner is given by ``pension_from`` (the first month of the pension) and
    ``monthly_pension``; ``occupational_allowance`` says the person drew a monthly
    occupational-accident allowance after leaving work, ``occupational_loss_61`` at >= 61 %."""
    lk = Lookup(tree)
    months = [m for m in expand(history, lk) if m.start <= death_on]
    pensioner = pension_from is not None
    if pensioner and (monthly_pension <= 0 or pension_from is None or pension_from > death_on):
        raise InvalidInput(
            "Người hưởng lương hưu cần mức lương hưu và tháng bắt đầu hưởng trước ngày mất",
            "a pensioner needs the monthly pension and a pension start before the death",
        )
    if not months and not pensioner:
        raise InvalidInput("Chưa có tháng đóng nào", "no contribution months before the death")
    n = len(months)
    compulsory = compulsory_months(months)
    decree = governing_decree(lk, months, death_on) if months else ""
    mbq = average_income(lk, months, death_on.year)
    ref = lk.vnd("general.reference_level", death_on)

    funeral = _funeral_eligible(lk, n, compulsory, pensioner, occupational_allowance, death_on)
    multiplier = lk.table("benefits.funeral", death_on)["multiplier"]
    funeral_grant = vnd(_dec(multiplier) * ref) if funeral else 0

    monthly_eligible, monthly_reason = _monthly(lk, compulsory, occupational_loss_61, death_on)
    per_relative = no_carer = 0
    if monthly_eligible:
        rates = lk.table("survivors.monthly_rate", death_on)
        per_relative = vnd(_dec(rates["per_relative"]) * ref)
        no_carer = vnd(_dec(rates["no_carer"]) * ref)

    relatives_months, relatives_payment = (
        _relatives_may_pay(lk, months, compulsory, death_on)
        if not monthly_eligible and not pensioner and decree == DECREE_158 else (0, 0))

    totals = contributions(lk, months)
    paid = totals.gross
    if lk.text("survivors.contributions_paid", death_on) == "own":
        paid = totals.own
    years_before = years_from = pension_months = Decimal(0)
    floor_applied = False
    if pensioner:
        assert pension_from is not None
        basis = "pension"
        pension_months = _pension_months(lk, pension_from, death_on)
        amount = vnd(pension_months * monthly_pension)
    else:
        rule = lk.table("survivors.one_time", death_on)
        split_idx = month_index(lk.day("lump_sum.split_date", death_on))
        before = sum(1 for m in months if m.index < split_idx)
        full_before, odd_before = divmod(before, 12)
        years_before = Decimal(full_before)
        years_from = benefit_years(n - before + odd_before, half_year_max(lk, death_on))
        per_year = vnd(mbq * (_dec(rule["before_split"]) * years_before
                              + _dec(rule["from_split"]) * years_from))
        if decree != DECREE_158 and n < _dec(rule["under_months"]):
            basis, amount = "contributions", paid
        else:
            basis, amount = "per_year", per_year
        if compulsory:
            minimum = vnd(_dec(rule["mixed_min"]) * mbq)
            if amount < minimum:
                amount, floor_applied = minimum, True
    return Survivors(
        death_on=death_on,
        months=n,
        months_compulsory=compulsory,
        pensioner=pensioner,
        decree=decree,
        average_income=mbq,
        reference_level=ref,
        funeral_eligible=funeral,
        funeral_grant=funeral_grant,
        monthly_eligible=monthly_eligible,
        monthly_reason=monthly_reason,
        monthly_per_relative=per_relative,
        monthly_per_relative_no_carer=no_carer,
        one_time_basis=basis,
        one_time_years_before_2014=years_before,
        one_time_years_from_2014=years_from,
        one_time_pension_months=pension_months,
        one_time_floor_applied=floor_applied,
        one_time_allowance=amount,
        contributions_paid=paid,
        relatives_may_pay_months=relatives_months,
        relatives_payment=relatives_payment,
        parameters=lk.parameters(),
    )


def _funeral_eligible(lk: Lookup, n: int, compulsory: int, pensioner: bool,
                      occupational: bool, on: date) -> bool:
    if pensioner:
        return True
    if not compulsory:  # L41 Art. 109(1)
        return n >= int(_dec(lk.table("benefits.funeral", on)["min_months"]))
    rule = lk.table("benefits.funeral_mixed", on)  # D159 Art. 12(2), L41 Art. 85(1)
    return (occupational or compulsory >= int(_dec(rule["min_compulsory_months"]))
            or n >= int(_dec(rule["min_total_months"])))


def _monthly(lk: Lookup, compulsory: int, occupational_loss_61: bool,
             on: date) -> tuple[bool, Reason]:
    """D159 Art. 12(3): 15 years of compulsory SI (a pension is counted by its history), or a
    monthly occupational-accident allowance at >= 61 %."""
    need = lk.vnd("survivors.monthly_min_compulsory_months", on)
    if compulsory >= need or occupational_loss_61:
        return True, Reason("monthly_survivors", "Thân nhân có thể hưởng trợ cấp tuất hằng tháng",
                            "relatives may receive the monthly survivors' allowance")
    return False, Reason(
        "compulsory_years_short",
        f"Cần từ {need // 12} năm đóng BHXH bắt buộc ({compulsory} tháng): chỉ trợ cấp một lần",
        f"needs {need // 12} years of compulsory SI ({compulsory} months): one-time only",
        (("years", need // 12), ("months", compulsory)))


def _relatives_may_pay(lk: Lookup, months: Sequence[Any], compulsory: int,
                       on: date) -> tuple[int, int]:
    """D158 Art. 21(3)(a): a few compulsory months short of the monthly allowance, the relatives
    may pay them in one sum (rate x the last compulsory salary, per month). (0, 0) when further
    short than that."""
    short = lk.vnd("survivors.monthly_min_compulsory_months", on) - compulsory
    rule = lk.table("survivors.relatives_missing_months", on)
    if not 0 < short <= int(_dec(rule["max_months"])):
        return 0, 0
    last_salary = [m for m in months if m.compulsory][-1].income
    return short, vnd(_dec(rule["rate"]) * last_salary * short)


def _pension_months(lk: Lookup, pension_from: date, death_on: date) -> Decimal:
    """L41 Art. 110(4): 48 months if death is within the first 2 months of the pension, half a
    month fewer for each later month, at least 3."""
    rule = lk.table("survivors.pensioner", death_on)
    drawn = month_index(death_on) - month_index(pension_from) + 1  # the month of death counts
    later = max(drawn - int(_dec(rule["within_months"])), 0)
    return max(_dec(rule["full_months"]) - _dec(rule["step"]) * later, _dec(rule["minimum"]))

