"""Lump-sum withdrawal, BHXH một lần (Law 41/2024 Art. 102; Decree 159/2025 Art. 9).

Grounds: retirement age with fewer than 15 years (``retirement_age``), emigration, serious
illness (``illness``), >= 81 % work-capacity loss (``disability``), and 12 months out of SI with
fewer than 20 years (``twelve_months_out``) -- the last only for people with contributions before
2025-07-01. Amount: Mbq x (1.5 x years before 2014 + 2 x years from 2014), odd months before 2014
counted in the from-2014 part; under one year: the contributions paid, at most 2 x Mbq. The state
support actually received is deducted (MH = TC - M), except for illness and disability.

Mixed histories (D159 Art. 11(6); D158 Art. 17; POLICY.md §12): the same formula on the mixed
Mbq; M is the support of the voluntary months only (compulsory months have none); compulsory time
counts for the twelve-months-out ground, so a worker with compulsory SI before 2025-07-01 keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.policy.errors import InvalidInput
from ansinh.policy.history import (
    ContributionPeriod,
    average_income,
    check_sex,
    compulsory_months,
    contributions,
    expand,
    governing_decree,
)
from ansinh.policy.money import benefit_years, month_index, vnd, years_str
from ansinh.policy.parameters import Lookup, ParameterTree, ParamValue
from ansinh.policy.pension import half_year_max
from ansinh.policy.results import AGE_NOT_REACHED, ALLOWED, Breakdown, Reason
from ansinh.policy.retirement import retirement_age_months

GROUNDS = ("retirement_age", "emigration", "illness", "disability", "twelve_months_out")


def _dec(value: object) -> Decimal:
    assert isinstance(value, (Decimal, int))
    assert not isinstance(value, bool)
    return Decimal(value)


@dataclass(frozen=True)
class LumpSum(Breakdown):
    claim_on: date
    ground: str
    allowed: bool
    reason: Reason
    months: int
    average_income: int
    years_before_2014: Decimal
    years_from_2014: Decimal
    gross: int
    state_support_received: int
    support_deducted: int
    amount: int
    contributions_gross: int
    contributions_paid: int
    months_compulsory: int = 0
    decree: str = ""
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_on": self.claim_on.isoformat(),
            "ground": self.ground,
            "allowed": self.allowed,
            "reason": str(self.reason),
            "months": self.months,
            "average_income": self.average_income,
            "years_before_2014": years_str(self.years_before_2014),
            "years_from_2014": years_str(self.years_from_2014),
            "gross": self.gross,
            "state_support_received": self.state_support_received,
            "support_deducted": self.support_deducted,
            "amount": self.amount,
            "contributions_gross": self.contributions_gross,
            "contributions_paid": self.contributions_paid,
            "months_compulsory": self.months_compulsory,
            "decree": self.decree,
            "provisional": self.provisional,
            "references": self.references(),
        }


def lump_sum(
    history: Sequence[ContributionPeriod],
    claim_on: date,
    ground: str = "twelve_months_out",
    tree: ParameterTree | None = None,
    sex: str | None = None,
    birth: date | None = None,
) -> LumpSum:
    """One-time withdrawal claimed on ``claim_on`` (months of ``history`` after it are ignored).

    For ``retirement_age`` pass ``sex`` and ``birth`` to check the age; without them the ground
    is taken as declared. ``amount`` is 0 when the claim is not allowed (``gross`` still shows).
    """
    if ground not in GROUNDS:
        raise InvalidInput(
            f"Lý do hưởng BHXH một lần không hợp lệ: {ground!r} (cho phép: {', '.join(GROUNDS)})",
            f"unknown lump-sum ground {ground!r} (allowed: {', '.join(GROUNDS)})",
        )
    lk = Lookup(tree)
    months = [m for m in expand(history, lk) if m.start <= claim_on]
    if not months:
        raise InvalidInput("Chưa có tháng đóng nào", "no contribution months before the claim")
    n = len(months)
    allowed, reason = _check_ground(
        lk, ground, months[0].start, months[-1].start, n, claim_on, sex, birth
    )

    mbq = average_income(lk, months, claim_on.year)
    split = lk.day("lump_sum.split_date", claim_on)
    factors = lk.table("lump_sum.factor", claim_on)
    split_idx = month_index(split)
    before = sum(1 for m in months if m.index < split_idx)
    full_before, odd_before = divmod(before, 12)
    years_before = Decimal(full_before)
    years_from = benefit_years(n - before + odd_before, half_year_max(lk, claim_on))
    totals = contributions(lk, months)
    if n < 12:
        gross = min(totals.gross, vnd(_dec(factors["under_one_year_cap"]) * mbq))
    else:
        gross = vnd(
            mbq
            * (
                _dec(factors["before_split"]) * years_before
                + _dec(factors["from_split"]) * years_from
            )
        )
    deduct = True
    deduction_pv = lk.find("lump_sum.support_deduction", claim_on)
    if deduction_pv is not None and isinstance(deduction_pv.value, Mapping):
        deduct = deduction_pv.value.get(ground, True) is True
    deducted = totals.support if deduct else 0
    amount = max(gross - deducted, 0) if allowed else 0
    return LumpSum(
        claim_on=claim_on,
        ground=ground,
        allowed=allowed,
        reason=reason,
        months=n,
        average_income=mbq,
        years_before_2014=years_before,
        years_from_2014=years_from,
        gross=gross,
        state_support_received=totals.support,
        support_deducted=deducted,
        amount=amount,
        contributions_gross=totals.gross,
        contributions_paid=totals.own,
        months_compulsory=compulsory_months(months),
        decree=governing_decree(lk, months, claim_on),
        parameters=lk.parameters(),
    )


def _check_ground(
    lk: Lookup,
    ground: str,
    first: date,
    last: date,
    n: int,
    claim_on: date,
    sex: str | None,
    birth: date | None,
) -> tuple[bool, Reason]:
    if ground in ("emigration", "illness", "disability"):
        return True, ALLOWED
    if ground == "retirement_age":
        required = lk.vnd("pension.min_years", claim_on) * 12
        if n >= required:
            return False, Reason(
                "has_pension_years", f"Đã đủ {required // 12} năm để hưởng lương hưu",
                f"has the {required // 12} years for a pension", (("years", required // 12),))
        if sex is not None and birth is not None:
            _, reached = retirement_age_months(lk, check_sex(sex), birth)
            if month_index(claim_on) < month_index(reached):
                return False, AGE_NOT_REACHED
        return True, Reason("age_without_years", "Đủ tuổi nghỉ hưu, chưa đủ số năm",
                             "retirement age without the years")
    # twelve_months_out
    rule = lk.table("lump_sum.grounds", claim_on)["twelve_months_out"]
    assert isinstance(rule, Mapping)
    gap, max_months = rule["gap_months"], rule["max_months"]
    assert isinstance(gap, int)
    assert isinstance(max_months, int)
    new_law = lk.tree.find("lump_sum.new_law_first_joined", claim_on)
    if new_law is not None:
        lk.used[(new_law.name, new_law.start)] = new_law
        assert isinstance(new_law.value, date)
        if first >= new_law.value:
            return False, Reason(
                "new_law_joiner", "Người tham gia từ 01/7/2025 không được rút vì nghỉ 12 tháng",
                "people who first joined from 2025-07-01 cannot withdraw after 12 months out")
    if n >= max_months:
        return False, Reason(
            "too_many_years", f"Đã đóng từ {max_months // 12} năm trở lên",
            f"{max_months // 12} years or more", (("years", max_months // 12),))
    if month_index(claim_on) - month_index(last) <= gap:
        return False, Reason(
            "gap_too_short", f"Chưa đủ {gap} tháng không đóng",
            f"fewer than {gap} months without contributions", (("months", gap),))
    return True, ALLOWED
