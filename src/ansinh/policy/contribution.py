"""Contributions: what a participant pays (Law 41/2024 Art. 31(2), 36; Decree 159/2025 Art. 4-8).

``contribution_quote`` gives the gross contribution (rate x declared income), the state support
(k x rate x rural poverty line, highest category only, within the 120-month cap), any provincial
top-up and the participant's share for a payment mode. Advance payments for 2-5 years discount the
gross monthly contributions at the fund yield r (D159 Art. 6); the support is subtracted
undiscounted by default (``contribution.advance_support_mode``). ``missing_period`` is the Art. 7
lump for people at retirement age, compounded at r; ``refund`` is Art. 8.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.policy.errors import IncomeOutOfRange, InvalidInput
from ansinh.policy.history import (
    ContributionPeriod,
    check_categories,
    check_sex,
    expand,
    support_rate_for,
)
from ansinh.policy.money import ONE, ZERO, add_months, month_index, month_str, rate_str, vnd
from ansinh.policy.parameters import Lookup, ParameterTree, ParamValue
from ansinh.policy.results import Breakdown, Reason
from ansinh.policy.retirement import retirement_age_months

MODES = ("monthly", "quarterly", "half_yearly", "yearly", "advance")
ADVANCE_SUPPORT_MODES = ("subtract_undiscounted", "discount_net")


@dataclass(frozen=True)
class IncomeBounds(Breakdown):
    on: date
    rate: Decimal
    floor: int
    ceiling: int
    step: int
    reference_level: int
    parameters: tuple[ParamValue, ...] = ()


def _bounds(lk: Lookup, on: date) -> tuple[Decimal, int, int, int, int]:
    rate = lk.dec("contribution.rate", on)
    floor = lk.vnd("contribution.rural_poverty_line", on)
    reference_level = lk.vnd("general.reference_level", on)
    ceiling = vnd(lk.dec("contribution.income_ceiling_multiplier", on) * reference_level)
    step_pv = lk.find("contribution.income_step", on)
    step = step_pv.value if step_pv is not None and isinstance(step_pv.value, int) else 1
    return rate, floor, ceiling, max(step, 1), reference_level


def income_bounds(on: date, tree: ParameterTree | None = None) -> IncomeBounds:
    """Floor (rural poverty line), ceiling (20 x reference level) and step of declared income."""
    lk = Lookup(tree)
    rate, floor, ceiling, step, ref = _bounds(lk, on)
    return IncomeBounds(on, rate, floor, ceiling, step, ref, lk.parameters())


def check_income(income: int, floor: int, ceiling: int, step: int) -> None:
    if isinstance(income, bool) or not isinstance(income, int):
        raise InvalidInput(
            f"Thu nhập phải là số nguyên (đồng), không phải {income!r}",
            f"income must be an integer VND, not {income!r}",
        )
    if income < floor or income > ceiling or (income - floor) % step:
        raise IncomeOutOfRange(income, floor, ceiling, step)


def _local_top_up(
    lk: Lookup, categories: Sequence[str], province: str, on: date, base: Decimal
) -> int:
    """Highest provincial top-up among ``categories`` (VND amount plus share of the base)."""
    best = 0
    used: list[ParamValue] = []
    amounts = lk.tree.find("subsidy.local_top_up_amount", on)
    rates = lk.tree.find("subsidy.local_top_up_rate", on)
    for cat in categories:
        total = 0
        for pv, is_rate in ((amounts, False), (rates, True)):
            if pv is None or not isinstance(pv.value, Mapping):
                continue
            by_cat = pv.value.get(province)
            if not isinstance(by_cat, Mapping) or cat not in by_cat:
                continue
            raw = by_cat[cat]
            part = vnd(raw * base) if is_rate and isinstance(raw, Decimal) else raw
            if isinstance(part, int) and part:
                total += part
                used.append(pv)
        best = max(best, total)
    for pv in used:
        lk.used[(pv.name, pv.start)] = pv
    return best


@functools.lru_cache(maxsize=1024)
def _annuity(r: Decimal, n: int) -> Decimal:
    """Σ_{i=1}^{n} 1/(1+r)^(i-1)."""
    if n <= 0:
        return ZERO
    if r == ZERO:
        return Decimal(n)
    v = ONE / (ONE + r)
    return (ONE - v**n) / (ONE - v)


@dataclass(frozen=True)
class ContributionQuote(Breakdown):
    """What a participant pays for one payment of ``months`` months from the month of ``on``."""

    on: date
    income: int
    categories: tuple[str, ...]
    category_applied: str
    mode: str
    years: int | None
    months: int
    rate: Decimal
    floor: int
    ceiling: int
    reference_level: int
    gross_monthly: int
    support_rate: Decimal
    support_monthly: int
    local_support_monthly: int
    net_monthly: int
    supported_months_before: int
    supported_months_in_payment: int
    gross_total: int
    discounted_gross_total: int | None
    support_total: int
    fund_yield: Decimal | None
    advance_support_mode: str | None
    deadline_months: int | None
    total: int
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "income": self.income,
            "categories": list(self.categories),
            "category_applied": self.category_applied,
            "mode": self.mode,
            "years": self.years,
            "months": self.months,
            "rate": rate_str(self.rate),
            "gross_monthly": self.gross_monthly,
            "support_rate": rate_str(self.support_rate),
            "support_monthly": self.support_monthly,
            "local_support_monthly": self.local_support_monthly,
            "net_monthly": self.net_monthly,
            "supported_months_before": self.supported_months_before,
            "supported_months_in_payment": self.supported_months_in_payment,
            "gross_total": self.gross_total,
            "discounted_gross_total": self.discounted_gross_total,
            "support_total": self.support_total,
            "fund_yield": None if self.fund_yield is None else format(self.fund_yield, "f"),
            "advance_support_mode": self.advance_support_mode,
            "deadline_months": self.deadline_months,
            "total": self.total,
            "floor": self.floor,
            "ceiling": self.ceiling,
            "reference_level": self.reference_level,
            "provisional": self.provisional,
            "references": self.references(),
        }


def _payment_months(lk: Lookup, on: date, mode: str, years: int | None) -> tuple[int, int | None]:
    if mode not in MODES:
        raise InvalidInput(
            f"Phương thức đóng không hợp lệ: {mode!r} (cho phép: {', '.join(MODES)})",
            f"unknown payment mode {mode!r} (allowed: {', '.join(MODES)})",
        )
    if mode == "advance":
        limits = lk.table("contribution.advance_years", on)
        lo, hi = limits["min"], limits["max"]
        assert isinstance(lo, int)
        assert isinstance(hi, int)
        if years is None or not lo <= years <= hi:
            raise InvalidInput(
                f"Đóng trước nhiều năm: số năm phải từ {lo} đến {hi}",
                f"advance payment: years must be between {lo} and {hi}",
            )
        return 12 * years, None
    if years is not None:
        raise InvalidInput(
            "Chỉ phương thức advance mới nhận số năm",
            "years only applies to the advance mode",
        )
    table = lk.table("contribution.payment_modes", on)
    months = table.get(mode)
    assert isinstance(months, int)
    deadline_pv = lk.find("contribution.payment_deadline_months", on)
    deadline = None
    if deadline_pv is not None and isinstance(deadline_pv.value, Mapping):
        raw = deadline_pv.value.get(mode)
        deadline = raw if isinstance(raw, int) else None
    return months, deadline


def contribution_quote(
    on: date,
    income: int,
    categories: Sequence[str] = ("other",),
    mode: str = "monthly",
    years: int | None = None,
    supported_months: int = 0,
    fund_yield: Decimal | None = None,
    tree: ParameterTree | None = None,
    province: str = "hue",
) -> ContributionQuote:
    """Quote one payment (Law 41/2024 Art. 31(2), 36; D159 Art. 5-6).

    ``supported_months``: months of state support already received (the 120-month cap).
    ``fund_yield``: monthly r for advance payments; default the value in force on ``on``.
    Rates, floor and support are those in force on ``on`` for the whole paid period (D159 Art. 5(5):
    no adjustment within a prepaid period).
    """
    lk = Lookup(tree)
    cats = check_categories(categories)
    if supported_months < 0:
        raise InvalidInput(
            "Số tháng đã hỗ trợ không được âm", "supported months cannot be negative"
        )
    rate, floor, ceiling, step, ref = _bounds(lk, on)
    check_income(income, floor, ceiling, step)
    months, deadline = _payment_months(lk, on, mode, years)

    gross_monthly = vnd(rate * income)
    support_base = rate * floor
    k, applied = support_rate_for(lk, cats, on)
    support_monthly = vnd(k * support_base)
    local_monthly = _local_top_up(lk, cats, province, on, support_base)
    remaining = 0
    if support_monthly or local_monthly:
        cap_pv = lk.find("subsidy.max_supported_months", on)
        cap = cap_pv.value if cap_pv is not None and isinstance(cap_pv.value, int) else 0
        remaining = max(0, cap - supported_months)
    supported_in_payment = min(months, remaining)
    if supported_in_payment == 0:
        k, support_monthly, local_monthly = ZERO, 0, 0
    # The participant never pays less than nothing, whatever the provincial top-up.
    local_monthly = min(local_monthly, gross_monthly - support_monthly)
    relief = support_monthly + local_monthly
    net_monthly = gross_monthly - relief
    gross_total = gross_monthly * months
    support_total = relief * supported_in_payment

    discounted: int | None = None
    r: Decimal | None = None
    netting: str | None = None
    if mode == "advance":
        r = fund_yield if fund_yield is not None else lk.dec("contribution.fund_yield", on)
        if r < ZERO:
            raise InvalidInput("Lãi suất quỹ không được âm", "fund yield cannot be negative")
        netting = lk.text("contribution.advance_support_mode", on)
        discounted_exact = gross_monthly * _annuity(r, months)
        discounted = vnd(discounted_exact)
        if netting == "discount_net":
            total = vnd(discounted_exact - relief * _annuity(r, supported_in_payment))
        elif netting == "subtract_undiscounted":
            total = discounted - support_total
        else:
            raise InvalidInput(
                f"Cách trừ hỗ trợ không hợp lệ: {netting!r}",
                f"unknown advance_support_mode {netting!r}",
            )
    else:
        total = gross_total - support_total

    return ContributionQuote(
        on=on,
        income=income,
        categories=cats,
        category_applied=applied,
        mode=mode,
        years=years,
        months=months,
        rate=rate,
        floor=floor,
        ceiling=ceiling,
        reference_level=ref,
        gross_monthly=gross_monthly,
        support_rate=k,
        support_monthly=support_monthly,
        local_support_monthly=local_monthly,
        net_monthly=net_monthly,
        supported_months_before=supported_months,
        supported_months_in_payment=supported_in_payment,
        gross_total=gross_total,
        discounted_gross_total=discounted,
        support_total=support_total,
        fund_yield=r,
        advance_support_mode=netting,
        deadline_months=deadline,
        total=max(total, 0),
        parameters=lk.parameters(),
    )


@dataclass(frozen=True)
class Refund(Breakdown):
    """Refund of unused prepaid months (D159 Art. 8)."""

    mode: str
    months_paid: int
    months_remaining: int
    gross: int
    support: int
    amount: int
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "months_paid": self.months_paid,
            "months_remaining": self.months_remaining,
            "gross": self.gross,
            "support": self.support,
            "amount": self.amount,
            "provisional": self.provisional,
            "references": self.references(),
        }


def refund(quote: ContributionQuote, months_remaining: int) -> Refund:
    """Refund for the last ``months_remaining`` months of a prepaid payment (D159 Art. 8).

    3/6/12-month modes: the amount paid for those months, excluding state support. Advance:
    HT = Σ_{i=N-m+1}^{N} 22 % x TN / (1+r)^(i-1) - M, M = support for those months.
    Supported months are taken to be the first months of the payment.
    """
    n = quote.months
    if not 0 <= months_remaining <= n:
        raise InvalidInput(
            f"Số tháng còn lại phải từ 0 đến {n}", f"remaining months must be between 0 and {n}"
        )
    first_remaining = n - months_remaining + 1  # 1-based index of the first refunded month
    supported = max(0, quote.supported_months_in_payment - (first_remaining - 1))
    relief = quote.support_monthly + quote.local_support_monthly
    support = relief * supported
    if quote.mode == "advance":
        r = quote.fund_yield or ZERO
        exact = quote.gross_monthly * (_annuity(r, n) - _annuity(r, n - months_remaining))
        gross = vnd(exact)
    else:
        gross = quote.gross_monthly * months_remaining
    return Refund(
        quote.mode, n, months_remaining, gross, support, max(gross - support, 0), quote.parameters
    )


@dataclass(frozen=True)
class MissingPeriod(Breakdown):
    """Lump payment for the months missing to reach the pension minimum (D159 Art. 7)."""

    on: date
    income: int
    months_contributed: int
    months_required: int
    months_missing: int
    max_missing_months: int
    reached_month: date
    earliest_month: date
    allowed: bool
    reason: Reason
    gross_monthly: int
    fund_yield: Decimal
    plain_total: int
    total: int
    pension_from: date | None
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "income": self.income,
            "months_contributed": self.months_contributed,
            "months_required": self.months_required,
            "months_missing": self.months_missing,
            "max_missing_months": self.max_missing_months,
            "reached_month": month_str(self.reached_month),
            "earliest_month": month_str(self.earliest_month),
            "allowed": self.allowed,
            "reason": str(self.reason),
            "gross_monthly": self.gross_monthly,
            "fund_yield": format(self.fund_yield, "f"),
            "plain_total": self.plain_total,
            "total": self.total,
            "pension_from": None if self.pension_from is None else self.pension_from.isoformat(),
            "provisional": self.provisional,
            "references": self.references(),
        }


def missing_period(
    sex: str,
    birth: date,
    history: Sequence[ContributionPeriod],
    on: date,
    income: int,
    fund_yield: Decimal | None = None,
    tree: ParameterTree | None = None,
    categories: Sequence[str] = ("other",),
) -> MissingPeriod:
    """Lump for the missing months at retirement age (D159 Art. 7; Law 41/2024 Art. 36(3)(e)).

    MĐ2 = Σ_{i=1}^{t} 22 % x TN x (1+r)^i, t = missing months, allowed from the month before the
    month the retirement age is reached, for at most 60 missing months to reach 15 years (120 to
    reach 20 years before 2025-07-01). Months of ``history`` starting after ``on`` are ignored.
    """
    check_sex(sex)
    cats = check_categories(categories)
    lk = Lookup(tree)
    rate, floor, ceiling, step, _ = _bounds(lk, on)
    check_income(income, floor, ceiling, step)
    months = [m for m in expand(history, lk) if m.start <= on]
    required = lk.vnd("pension.min_years", on) * 12
    max_missing = lk.vnd("contribution.missing_period_max_months", on)
    _, reached = retirement_age_months(lk, sex, birth)
    earliest = add_months(reached, -1)
    missing = max(0, required - len(months))
    r = fund_yield if fund_yield is not None else lk.dec("contribution.fund_yield", on)

    if missing == 0:
        allowed, reason = False, Reason("has_required_years", "Đã đủ số năm đóng",
                                         "already has the required years")
    elif missing > max_missing:
        allowed = False
        reason = Reason(
            "too_many_missing", f"Thiếu {missing} tháng, quá {max_missing} tháng",
            f"{missing} months missing, more than {max_missing}",
            (("missing", missing), ("max", max_missing)))
    elif month_index(on) < month_index(earliest):
        allowed = False
        reason = Reason(
            "too_early", f"Chưa đến tháng {month_str(earliest)}",
            f"not before {month_str(earliest)} (the month before reaching retirement age)",
            (("month", f"{earliest:%m/%Y}"),))
    else:
        allowed, reason = True, Reason(
            "may_pay_missing", "Được đóng một lần cho số tháng còn thiếu",
            "may pay the missing months")

    gross_monthly = vnd(rate * income)
    compounded = sum((gross_monthly * (ONE + r) ** i for i in range(1, missing + 1)), start=ZERO)
    support = 0
    support_flag = lk.find("contribution.missing_period_support", on)
    if support_flag is not None and support_flag.value is True and missing:
        k, _ = support_rate_for(lk, cats, on)
        support = vnd(k * rate * floor) * missing
    total = max(vnd(compounded) - support, 0)
    pension_from = add_months(on, 1) if allowed else None
    return MissingPeriod(
        on=on,
        income=income,
        months_contributed=len(months),
        months_required=required,
        months_missing=missing,
        max_missing_months=max_missing,
        reached_month=reached,
        earliest_month=earliest,
        allowed=allowed,
        reason=reason,
        gross_monthly=gross_monthly,
        fund_yield=r,
        plain_total=gross_monthly * missing,
        total=total,
        pension_from=pension_from,
        parameters=lk.parameters(),
    )
