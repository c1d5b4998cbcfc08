"""What a set of months costs on a payment date: the engine's amount a receipt must equal.

POLICY.md §1.3 and D159 Art. 5(5): the parameters in force on the payment date price the whole
paid period, and a paid period is never re-priced. Each month's subsidy category comes from the
facts in force that month (for months paid ahead, the facts on the payment date: the future is
not known). The 120-month support cap counts the person's supported months before this payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ansinh.participation.schedule import TermsRow
from ansinh.participation.subsidy import Facts
from ansinh.policy import ParameterTree, contribution_quote, load_default_tree
from ansinh.policy.contribution import ContributionQuote
from ansinh.policy.money import first_of_month


@dataclass(frozen=True)
class MonthPrice:
    month: date
    income: int
    category: str
    gross: int
    support: int
    net: int


@dataclass(frozen=True)
class Pricing:
    paid_on: date
    mode: str
    lines: tuple[MonthPrice, ...]
    parameters: tuple[str, ...] = ()
    provisional: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def amount(self) -> int:
        return sum(line.net for line in self.lines)

    @property
    def support(self) -> int:
        return sum(line.support for line in self.lines)

    @property
    def gross(self) -> int:
        return sum(line.gross for line in self.lines)

    @property
    def supported_months(self) -> int:
        return sum(1 for line in self.lines if line.support > 0)

    def to_dict(self) -> dict[str, Any]:
        """What the receipt keeps: the rules and values its amount came from."""
        return {
            "paid_on": self.paid_on.isoformat(),
            "mode": self.mode,
            "parameters": list(self.parameters),
            "provisional": list(self.provisional),
            "categories": sorted({line.category for line in self.lines}),
            "incomes": sorted({line.income for line in self.lines}),
        }


_QUOTES: dict[tuple[Any, ...], tuple[ContributionQuote, tuple[tuple[str, bool], ...]]] = {}


def _quote(tree: ParameterTree, on: date, income: int, cats: tuple[str, ...], mode: str,
           years: int | None, supported_months: int
           ) -> tuple[ContributionQuote, tuple[tuple[str, bool], ...]]:
    """The engine's quote, and the parameters it used as ("name@start", provisional).

    The support counter matters to the quote only near the 120-month cap (D159 Art. 5(2)):
    every count that leaves room for all the months paid gives the same amounts, so those
    share one quote (the price of a month does not depend on who pays it, only on the cap)."""
    months = 12 * (years or 0) if mode == "advance" else 1
    cap = _cap(tree, on)
    supported_months = max(min(supported_months, cap), cap - months) if cap > 0 else 0
    key = (tree.key, on, income, cats, mode, years, supported_months)
    found = _QUOTES.get(key)
    if found is None:
        quote = contribution_quote(on, income, cats, mode=mode, years=years,
                                   supported_months=supported_months, tree=tree)
        found = (quote, tuple((f"{pv.name}@{pv.start.isoformat()}", pv.provisional)
                              for pv in quote.parameters))
        if len(_QUOTES) > 100_000:
            _QUOTES.clear()
        _QUOTES[key] = found
    return found


def _cap(tree: ParameterTree, on: date) -> int:
    found = tree.find("subsidy.max_supported_months", on)
    return found.value if found is not None and isinstance(found.value, int) else 0


def terms_in_force(terms: Sequence[TermsRow], month: date) -> TermsRow | None:
    current: TermsRow | None = None
    for row in terms:
        if row.from_month <= month:
            current = row
        else:
            break
    return None if current is None or current.paused else current


def price_months(
    months: Sequence[date],
    paid_on: date,
    *,
    terms: Sequence[TermsRow],
    facts: Facts,
    supported_before: int,
    tree: ParameterTree | None = None,
) -> Pricing:
    """The engine's price of `months` paid on `paid_on` under `terms`.

    Raises the engine's PolicyError (e.g. an income below the floor in force on the payment
    date) and ValueError when a month has no terms in force.
    """
    tree = tree or load_default_tree()
    paid_month = first_of_month(paid_on)
    months = sorted(months)
    used: dict[str, bool] = {}
    lines: list[MonthPrice] = []
    first_terms = terms_in_force(terms, months[0]) if months else None
    if first_terms is not None and first_terms.mode == "advance":
        lines = _price_advance(months, paid_on, first_terms, facts, supported_before, tree, used)
    else:
        counter = supported_before
        for month in months:
            row = terms_in_force(terms, month)
            if row is None:
                raise ValueError(f"no terms in force for {month}")
            cats = facts.categories(min(month, paid_month))
            quote, params = _quote(tree, paid_on, row.income, cats, "monthly", None, counter)
            supported = quote.supported_months_in_payment > 0
            support = quote.support_monthly + quote.local_support_monthly if supported else 0
            lines.append(MonthPrice(month, row.income, quote.category_applied,
                                    quote.gross_monthly, support, quote.gross_monthly - support))
            counter += 1 if support else 0
            used.update(params)
    return Pricing(
        paid_on=paid_on, mode=first_terms.mode if first_terms else "monthly",
        lines=tuple(lines), parameters=tuple(sorted(used)),
        provisional=tuple(sorted(name for name, prov in used.items() if prov)),
    )


def _split(total: int, parts: int) -> list[int]:
    """`total` in `parts` integer shares that sum exactly to it (the remainder goes first)."""
    if parts <= 0:
        return []
    base, remainder = divmod(total, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]


def _price_advance(months: Sequence[date], paid_on: date, row: TermsRow, facts: Facts,
                   supported_before: int, tree: ParameterTree,
                   used: dict[str, bool]) -> list[MonthPrice]:
    """An advance payment for 2-5 years: one quote (D159 Art. 6), spread over its months."""
    years = row.advance_years or 0
    if len(months) != 12 * years:
        raise ValueError("an advance payment covers exactly its years")
    cats = facts.categories(min(months[0], first_of_month(paid_on)))
    quote, params = _quote(tree, paid_on, row.income, cats, "advance", years, supported_before)
    used.update(params)
    relief = quote.support_monthly + quote.local_support_monthly
    supports = [relief if i < quote.supported_months_in_payment else 0
                for i in range(len(months))]
    nets = _split(quote.total, len(months))
    # gross = net + support month by month (the discounted gross in total), so the columns add up
    return [
        MonthPrice(month, row.income, quote.category_applied, net + support, support, net)
        for month, net, support in zip(months, nets, supports, strict=True)
    ]
