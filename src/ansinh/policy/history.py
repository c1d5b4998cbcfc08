"""Contribution histories: periods of contributions and what they add up to.

A history is a sequence of ``ContributionPeriod`` (months inclusive, income per month, support
category, kind). A period is voluntary (the declared income, with its support category) or
compulsory (the monthly salary; no state support), back to 1995 and before where the law needs
it (POLICY.md §12). Periods after "today" may be a plan; the calculators decide which months
count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ansinh.policy.errors import InvalidInput
from ansinh.policy.money import ONE, ZERO, month_index, month_start, vnd
from ansinh.policy.parameters import Lookup

CATEGORIES = ("poor", "near_poor", "ethnic_minority", "island", "other")
SEXES = ("F", "M")
VOLUNTARY = "voluntary"
COMPULSORY = "compulsory"
KINDS = (VOLUNTARY, COMPULSORY)
DECREE_158 = "158/2025/NĐ-CP"  # compulsory SI
DECREE_159 = "159/2025/NĐ-CP"  # voluntary SI


def check_sex(sex: str) -> str:
    if sex not in SEXES:
        raise InvalidInput(
            f"Giới tính phải là F hoặc M, không phải {sex!r}",
            f"sex must be F or M, not {sex!r}",
        )
    return sex


def check_categories(categories: Iterable[str]) -> tuple[str, ...]:
    cats = tuple(categories) or ("other",)
    for cat in cats:
        if cat not in CATEGORIES:
            raise InvalidInput(
                f"Nhóm đối tượng không hợp lệ: {cat!r} (cho phép: {', '.join(CATEGORIES)})",
                f"unknown category {cat!r} (allowed: {', '.join(CATEGORIES)})",
            )
    return cats


@dataclass(frozen=True)
class ContributionPeriod:
    """Months ``start``..``end`` (first days of months, inclusive) at ``income`` VND per month.

    ``missing_lump`` marks months paid in a missing-period lump (D159 Art. 7): revalued with
    coefficient 1 and, by default, without state support. ``kind`` is ``voluntary`` (``income``
    is the declared income) or ``compulsory`` (``income`` is the monthly salary; no support
    category, no missing-period lump).
    """

    start: date
    end: date
    income: int
    category: str = "other"
    missing_lump: bool = False
    kind: str = VOLUNTARY

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.end.day != 1:
            object.__setattr__(self, "start", self.start.replace(day=1))
            object.__setattr__(self, "end", self.end.replace(day=1))
        if self.end < self.start:
            raise InvalidInput(
                f"Giai đoạn {self.start:%Y-%m}–{self.end:%Y-%m}: "
                "tháng kết thúc trước tháng bắt đầu",
                f"period {self.start:%Y-%m}–{self.end:%Y-%m}: end is before start",
            )
        if isinstance(self.income, bool) or not isinstance(self.income, int) or self.income <= 0:
            raise InvalidInput(
                f"Thu nhập phải là số nguyên dương (đồng), không phải {self.income!r}",
                f"income must be a positive integer VND, not {self.income!r}",
            )
        check_categories((self.category,))
        if self.kind not in KINDS:
            raise InvalidInput(
                f"Loại giai đoạn phải là {' hoặc '.join(KINDS)}, không phải {self.kind!r}",
                f"a period's kind must be {' or '.join(KINDS)}, not {self.kind!r}",
            )
        if self.kind == COMPULSORY and (self.category != "other" or self.missing_lump):
            raise InvalidInput(
                f"Giai đoạn bắt buộc {self.start:%Y-%m}–{self.end:%Y-%m} không có nhóm hỗ trợ "
                "hay đóng bù",
                f"compulsory period {self.start:%Y-%m}–{self.end:%Y-%m} has no support category "
                "and no missing-period lump",
            )


@dataclass(frozen=True)
class Month:
    """One contributed month, expanded from a period."""

    index: int
    income: int
    category: str
    missing_lump: bool
    kind: str = VOLUNTARY

    @property
    def compulsory(self) -> bool:
        return self.kind == COMPULSORY

    @property
    def start(self) -> date:
        return month_start(self.index)


def parse_month(text: str) -> date:
    """Parse "YYYY-MM" (or a full ISO date) to the first day of the month."""
    try:
        if len(text) == 7:
            return date(int(text[:4]), int(text[5:7]), 1)
        return date.fromisoformat(text).replace(day=1)
    except (ValueError, TypeError):
        raise InvalidInput(
            f"Tháng không hợp lệ: {text!r} (định dạng YYYY-MM)",
            f"invalid month {text!r} (expected YYYY-MM)",
        ) from None


def parse_history(rows: Iterable[Mapping[str, object]]) -> tuple[ContributionPeriod, ...]:
    """Build periods from ``{"from": "YYYY-MM", "to": "YYYY-MM", "income": VND, "category": C,
    "kind": "voluntary" | "compulsory"}`` (``kind`` defaults to voluntary; a compulsory period
    may name its salary ``salary`` instead of ``income``)."""
    periods: list[ContributionPeriod] = []
    for row in rows:
        if isinstance(row, Mapping) and "income" not in row and "salary" in row:
            row = {**row, "income": row["salary"]}
        if not isinstance(row, Mapping) or "from" not in row or "income" not in row:
            raise InvalidInput(
                "Mỗi giai đoạn cần from, to, income",
                "each period needs from, to and income",
            )
        start = parse_month(str(row["from"]))
        end = parse_month(str(row.get("to", row["from"])))
        raw_income = row["income"]
        try:
            income = int(str(raw_income).replace(",", "").replace(".", "").strip())
        except ValueError:
            raise InvalidInput(
                f"Thu nhập không hợp lệ: {raw_income!r}", f"invalid income {raw_income!r}"
            ) from None
        category = str(row.get("category") or "other")
        lump = row.get("missing_lump", False)
        kind = str(row.get("kind") or VOLUNTARY).strip().lower()
        periods.append(
            ContributionPeriod(start, end, income, category, lump in (True, "true", "1", 1), kind)
        )
    return tuple(periods)


def expand(history: Sequence[ContributionPeriod], lk: Lookup | None = None) -> list[Month]:
    """All contributed months in order; overlapping periods are an error. With ``lk``, a
    voluntary month before voluntary SI began (2008-01) is an error too."""
    months: dict[int, Month] = {}
    for period in history:
        for idx in range(month_index(period.start), month_index(period.end) + 1):
            if idx in months:
                raise InvalidInput(
                    f"Các giai đoạn đóng chồng lên nhau tại tháng {month_start(idx):%Y-%m}",
                    f"contribution periods overlap in {month_start(idx):%Y-%m}",
                )
            months[idx] = Month(idx, period.income, period.category, period.missing_lump,
                                period.kind)
    ordered = [months[i] for i in sorted(months)]
    if lk is not None and ordered:
        first_voluntary = next((m for m in ordered if not m.compulsory), None)
        began_pv = lk.tree.find("general.voluntary_scheme_start", ordered[-1].start)
        if first_voluntary is not None and began_pv is not None:
            began = began_pv.value
            assert isinstance(began, date)
            if first_voluntary.start < began:
                raise InvalidInput(
                    f"BHXH tự nguyện bắt đầu từ {began:%m/%Y}: tháng "
                    f"{first_voluntary.start:%m/%Y} không thể là tháng đóng tự nguyện",
                    f"voluntary SI began in {began:%Y-%m}: {first_voluntary.start:%Y-%m} cannot "
                    "be a voluntary month",
                )
    return ordered


def compulsory_months(months: Sequence[Month]) -> int:
    return sum(1 for m in months if m.compulsory)


def governing_decree(lk: Lookup, months: Sequence[Month], on: date) -> str:
    """The decree a history is settled under: 159/2025 (voluntary SI) for a voluntary history,
    158/2025 (compulsory SI) for a compulsory one, and for a mixed history the decree of its last
    period (a dated ansinh decision, ``general.mixed_history_decree``: POLICY §12.1), for a
    settlement on ``on``."""
    compulsory = compulsory_months(months)
    if compulsory and compulsory < len(months):
        pv = lk.tree.find("general.mixed_history_decree", on)
        if pv is not None:
            lk.used[(pv.name, pv.start)] = pv
    return DECREE_158 if months and months[-1].compulsory else DECREE_159



def support_rate_for(lk: Lookup, categories: Sequence[str], on: date) -> tuple[Decimal, str]:
    """Highest national support rate among ``categories`` on ``on`` (0 if no support in force)."""
    pv = lk.tree.find("subsidy.support_rate", on)
    if pv is None or not isinstance(pv.value, Mapping):
        return ZERO, categories[0]
    lk.used[(pv.name, pv.start)] = pv
    best, best_cat = ZERO, categories[0]
    for cat in categories:
        rate = pv.value.get(cat, ZERO)
        assert isinstance(rate, Decimal)
        if rate > best:
            best, best_cat = rate, cat
    return best, best_cat


@dataclass(frozen=True)
class HistoryTotals:
    """Money over a set of months: gross contributions, state support, the participant's share."""

    months: int
    gross: int
    support: int
    own: int
    supported_months: int


def contributions(lk: Lookup, months: Sequence[Month]) -> HistoryTotals:
    """Gross contributions (rate in force each month x income), state support actually received
    (k x rate x rural poverty line, at most the lifetime cap of supported months) and own share
    (of a compulsory month, the employee's share of the salary; the employer paid the rest)."""
    gross = ZERO
    employer = ZERO  # of compulsory months: paid by the employer, not by the person
    support = 0
    count_old = 0
    count_new = 0
    for m in months:
        on = m.start
        if m.compulsory:  # the retirement and survivors' fund's share; no state support
            # (service before 1995 counts as time without a contribution the engine knows of)
            pv = lk.find("contribution.compulsory_rate", on)
            if pv is not None:
                assert isinstance(pv.value, Decimal)
                gross += pv.value * m.income
                employee = lk.find("contribution.compulsory_employee_rate", on)
                if employee is not None:
                    assert isinstance(employee.value, Decimal)
                    employer += (pv.value - employee.value) * m.income
            continue
        rate = lk.dec("contribution.rate", on)
        gross += rate * m.income
        if m.missing_lump:
            flag = lk.tree.find("contribution.missing_period_support", on)
            if flag is None or flag.value is not True:
                continue
        k, _ = support_rate_for(lk, (m.category,), on)
        if k == ZERO:
            continue
        cap_pv = lk.find("subsidy.max_supported_months", on)
        cap = cap_pv.value if cap_pv is not None and isinstance(cap_pv.value, int) else 0
        switch = lk.tree.find("subsidy.count_pre_2025_months", on)
        if switch is not None:
            lk.used[(switch.name, switch.start)] = switch
            used = count_new + (count_old if switch.value is True else 0)
        else:
            used = count_old
        if used >= cap:
            continue
        floor = lk.vnd("contribution.rural_poverty_line", on)
        support += vnd(k * rate * floor)
        if switch is not None:
            count_new += 1
        else:
            count_old += 1
    gross_vnd = vnd(gross)
    return HistoryTotals(
        len(months), gross_vnd, support, gross_vnd - support - vnd(employer),
        count_old + count_new
    )


def revaluation(lk: Lookup, year: int, settle_year: int, kind: str = VOLUNTARY) -> Decimal:
    """Coefficient for the income (voluntary, D159 Art. 10) or the salary (compulsory, D158
    Art. 16: years before 1995 take the "before 1995" value) of ``year`` settled in
    ``settle_year``."""
    if kind == COMPULSORY:
        pv = lk.find("pension.revaluation_salary", date(settle_year, 1, 1))
        key = "before_1995" if year < 1995 else str(year)
    else:
        pv = lk.find("pension.revaluation", date(settle_year, 1, 1))
        key = str(year)
    if pv is not None and isinstance(pv.value, Mapping):
        coef = pv.value.get(key)
        if isinstance(coef, Decimal):
            return coef
    return lk.dec("pension.revaluation_default", date(settle_year, 1, 1))


def average_income(lk: Lookup, months: Sequence[Month], settle_year: int) -> int:
    """Mbq: average of the revalued monthly incomes over all months (Law 41/2024 Art. 104,
    D159 Art. 10); months of a missing-period lump use coefficient 1 (Art. 10(3)). A mixed
    history averages the revalued salaries and incomes together (D159 Art. 11(4), D158
    Art. 17(5): Mbq_compulsory x its months + the revalued incomes, over all months, which for
    employer-set salaries is this plain average)."""
    if not months:
        return 0
    total = ZERO
    coefs: dict[tuple[str, int], Decimal] = {}
    for m in months:
        if m.missing_lump:
            coef = ONE
        else:
            key = (m.kind, m.index // 12)
            if key not in coefs:
                coefs[key] = revaluation(lk, key[1], settle_year, m.kind)
            coef = coefs[key]
        total += coef * m.income
    return vnd(total / len(months))
