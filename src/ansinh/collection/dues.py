"""What is owed and what is paid: the one place that reads paid months to answer it.

The due schedule itself is pure (`ansinh.participation.schedule`); this module loads what it
needs (terms rows, the months paid and not released by a reversal) for one participation or
many, counts the months of state support a person has had (the 120-month cap, D159 Art. 5(2)),
prices months with the engine (`pricing.price_months`) and says which months a receipt may pay.
The receipt write path, the lifecycle actions, the lapse run, the worklist, reminders and the
pages all ask here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import Count

from ansinh.core.errors import Refused
from ansinh.core.models import Office
from ansinh.participation.models import Participation, PaymentMode, Terms
from ansinh.participation.schedule import Dues, Period, TermsRow, schedule
from ansinh.participation.subsidy import Facts, facts_for, facts_for_people
from ansinh.policy import ParameterTree, PolicyError
from ansinh.policy.money import add_months, first_of_month
from ansinh.registry.models import Person
from ansinh.rules.tree import current_tree

from .models import PaidMonth
from .pricing import Pricing, price_months

CHUNK = 5000  # SQLite caps the variables of one query: IN lists stay below this


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class MonthAlreadyPaid(Refused):
    def __init__(self, months: Sequence[date]) -> None:
        self.months = tuple(months)
        listed = ", ".join(f"{m:%m/%Y}" for m in months)
        super().__init__(f"Tháng đã được đóng: {listed}", f"month already paid: {listed}")


# ---------------------------------------------------------------------------------------------
# Loading


def terms_rows(participation: Participation) -> list[TermsRow]:
    return [
        TermsRow(t.from_month, t.income, t.mode, t.advance_years, t.paused)
        for t in participation.terms.order_by("from_month")
    ]


def paid_months(participation: Participation) -> list[date]:
    """The months the participation has paid (not released by a reversal)."""
    return list(PaidMonth.objects.filter(participation=participation, released_by__isnull=True)
                .values_list("month", flat=True))


def dues(participation: Participation, as_of: date, tree: ParameterTree | None = None) -> Dues:
    """The dues of one participation on `as_of` (two queries)."""
    return schedule(terms_rows(participation), paid_months(participation), as_of, tree)


def terms_and_paid(ids: Sequence[int]) -> tuple[dict[int, list[TermsRow]], dict[int, list[date]]]:
    """Terms rows and paid months of the participations `ids`, in chunks: the cost follows the
    number of participations asked for, not the size of the office."""
    terms: dict[int, list[TermsRow]] = {pid: [] for pid in ids}
    paid: dict[int, list[date]] = {pid: [] for pid in ids}
    for group in chunks(sorted(ids)):
        for pid, from_month, income, mode, years, paused in Terms.objects.filter(
            participation_id__in=group
        ).order_by("participation_id", "from_month").values_list(
                "participation_id", "from_month", "income", "mode", "advance_years", "paused"):
            terms[pid].append(TermsRow(from_month, income, mode, years, paused))
        for pid, month in PaidMonth.objects.filter(
                participation_id__in=group, released_by__isnull=True).values_list(
                "participation_id", "month"):
            paid[pid].append(month)
    return terms, paid


def dues_bulk(
    participations: Iterable[Participation] | None, as_of: date, *, office_id: int | None = None,
    tree: ParameterTree | None = None,
) -> dict[int, Dues]:
    """Dues of many participations in three queries: {participation id: Dues}.

    The schedules are compact: `periods` holds only the started periods with months unpaid
    and those reaching the month of `as_of` (see `schedule`).

    Pass `office_id` (and None) for every open participation of an office.
    """
    if office_id is None:
        ids = [p.pk for p in participations or ()]
        terms, paid = terms_and_paid(ids)
        return {pid: schedule(terms[pid], paid[pid], as_of, tree, compact=True) for pid in ids}
    # a whole office: two scans of its rows rather than chunks of IN lists
    ids = list(Participation.objects.filter(office_id=office_id)
               .exclude(status="stopped").values_list("id", flat=True))
    terms = {pid: [] for pid in ids}
    paid = {pid: [] for pid in ids}
    for pid, from_month, income, mode, years, paused in Terms.objects.filter(
        participation__office_id=office_id
    ).order_by("participation_id", "from_month").values_list(
            "participation_id", "from_month", "income", "mode", "advance_years", "paused"):
        if pid in terms:
            terms[pid].append(TermsRow(from_month, income, mode, years, paused))
    for pid, month in PaidMonth.objects.filter(
            participation__office_id=office_id, released_by__isnull=True).values_list(
            "participation_id", "month"):
        if pid in paid:
            paid[pid].append(month)
    return {pid: schedule(terms[pid], paid[pid], as_of, tree, compact=True) for pid in ids}


# ---------------------------------------------------------------------------------------------
# State support already had (the 120-month cap)


def supported_counts(person_ids: Iterable[int]) -> dict[int, int]:
    """Months of state support each person has had, over all their participations: the months
    declared from before ansinh plus the supported months paid here (both read through
    indexes, never a join over every paid month)."""
    counts: dict[int, int] = defaultdict(int)
    for group in chunks(sorted(set(person_ids))):
        person_of: dict[int, int] = {}
        for pid, person, prior in Participation.objects.filter(person_id__in=group).values_list(
                "id", "person_id", "prior_supported_months"):
            person_of[pid] = person
            counts[person] += prior
        for pid, n in PaidMonth.objects.filter(
                participation_id__in=list(person_of), released_by__isnull=True, support__gt=0
        ).values_list("participation_id").annotate(n=Count("id")):
            counts[person_of[pid]] += n
    return counts


def supported_before(person: Person) -> int:
    """Months of state support the person has had (120-month cap, D159 Art. 5(2))."""
    return supported_counts([person.pk])[person.pk]


# ---------------------------------------------------------------------------------------------
# Prices and payable months


def quote_months(participation: Participation, months: Sequence[date],
                 paid_on: date) -> Pricing:
    """The engine's price of `months` for this participation on `paid_on` (for forms, too)."""
    try:
        return price_months(
            [first_of_month(m) for m in months], paid_on, terms=terms_rows(participation),
            facts=facts_for(participation.person),
            supported_before=supported_before(participation.person),
            tree=current_tree(participation.office),
        )
    except PolicyError as exc:
        raise Refused(exc.vi, exc.en) from exc
    except ValueError as exc:
        raise Refused("Có tháng không thuộc thời gian phải đóng",
                      "a month is outside the participation's payment schedule") from exc


def months_refusal(current: Dues, months: Sequence[date],
                   paid: Iterable[date] | None = None) -> Refused | None:
    """Why `months` cannot be paid under `current` dues, or None: they must make whole
    periods that are payable now (overdue, due or the next one) and not be paid already.
    `paid` (every month paid) lets a compact schedule name an old month paid long ago."""
    if not months:
        return Refused("Chưa chọn tháng nào", "no month selected")
    if len(set(months)) != len(months):
        return Refused("Một tháng được chọn hai lần", "a month is selected twice")
    ahead = (current.next_period,) if current.next_period else ()
    known = set(paid) if paid is not None else {m for p in (*current.periods, *ahead)
                                                for m in p.paid}
    already = sorted(set(months) & known)
    if already:
        return MonthAlreadyPaid(already)
    chosen = set(months)
    for period in current.payable:
        part = chosen & set(period.unpaid)
        if part and part != set(period.unpaid):
            return Refused(
                f"Phải đóng đủ cả kỳ {period.start:%m/%Y} ({len(period.unpaid)} tháng)",
                f"the whole period from {period.start:%m/%Y} must be paid "
                f"({len(period.unpaid)} months)",
            )
        chosen -= part
    if chosen:
        listed = ", ".join(f"{m:%m/%Y}" for m in sorted(chosen))
        return Refused(f"Chưa đến hạn hoặc không phải đóng: {listed}",
                       f"not payable now: {listed}")
    return None


def period_amounts(participation: Participation, periods: Sequence[Period],
                   on: date) -> dict[date, int | None]:
    """What each unpaid period would cost if paid on `on` ({period start: amount or None})."""
    prices = price_periods(periods, lambda months: quote_months(participation, months, on))
    return {start: None if pricing is None else pricing.amount
            for start, pricing in prices.items()}


def price_periods(periods: Sequence[Period],
                  quote: Callable[[list[date]], Pricing]) -> dict[date, Pricing | None]:
    """The price of each period's unpaid months ({period start: Pricing, or None when the
    engine refuses}), `quote` pricing a list of months on the payment date.

    Months of the ordinary modes are priced together in one quote (the 120-month counter runs
    across them as it would in one payment); an advance period is priced on its own.
    """
    prices: dict[date, Pricing | None] = {}
    ordinary = [period for period in periods if period.mode != PaymentMode.ADVANCE]
    months = [m for period in ordinary for m in period.unpaid]
    if months:
        try:
            whole: Pricing | None = quote(months)
        except Refused:
            whole = None
        by_month = {line.month: line for line in whole.lines} if whole is not None else {}
        for period in ordinary:
            lines = tuple(by_month[m] for m in period.unpaid if m in by_month)
            prices[period.start] = (
                replace(whole, mode=period.mode, lines=lines)
                if whole is not None and len(lines) == len(period.unpaid) else None)
    for period in periods:
        if period.mode == PaymentMode.ADVANCE:
            try:
                prices[period.start] = quote(list(period.unpaid))
            except Refused:
                prices[period.start] = None
    return prices


@dataclass(frozen=True)
class Payable:
    """What a participation owes on a date and the price of each payable period."""

    dues: Dues
    prices: dict[date, Pricing | None]


def payable_bulk(rows: Sequence[tuple[int, int, int]], on: date) -> dict[int, Payable]:
    """Dues and the engine's price of every payable period (as the receipt page offers them)
    of many participations, paid on `on`: rows are (participation id, person id, office id).
    A fixed number of queries, whatever the count: the bundles of a phone's download."""
    terms, paid = terms_and_paid([pid for pid, _person, _office in rows])
    persons = sorted({person for _pid, person, _office in rows})
    facts: dict[int, Facts] = {}
    for group in chunks(persons):
        facts.update(facts_for_people(group))
    supported = supported_counts(persons)
    trees = {office: current_tree(office_row) for office, office_row in
             Office.objects.in_bulk({office for _p, _person, office in rows}).items()}
    found: dict[int, Payable] = {}
    for pid, person, office in rows:
        tree = trees[office]
        current = schedule(terms[pid], paid[pid], on, tree, compact=True)

        def quote(months: list[date], pid: int = pid, person: int = person,
                  tree: ParameterTree = tree) -> Pricing:
            try:
                return price_months(months, on, terms=terms[pid], facts=facts[person],
                                    supported_before=supported[person], tree=tree)
            except PolicyError as exc:
                raise Refused(exc.vi, exc.en) from exc
            except ValueError as exc:
                raise Refused("Có tháng không thuộc thời gian phải đóng",
                              "a month is outside the participation's payment schedule") from exc

        found[pid] = Payable(current, price_periods(current.payable, quote))
    return found


# ---------------------------------------------------------------------------------------------
# Where the terms may change and where a pause starts


def next_change_month(participation: Participation, on: date) -> date:
    """The first month new terms may start: after the period in force on `on` (D159 Art. 4)
    and after every month already paid ahead."""
    current = dues(participation, on)
    month = first_of_month(on)
    for period in current.periods:
        end = add_months(period.start, len(period.months))
        if period.start <= month < end:
            month = end
    last_paid = max(paid_months(participation), default=None)
    if last_paid is not None and add_months(last_paid, 1) > month:
        month = add_months(last_paid, 1)
    return month


def first_unpaid_month(participation: Participation, on: date) -> date:
    """Where a pause or a stop starts: the first month not paid (nothing paid stops)."""
    current = dues(participation, on)
    for period in current.periods:
        if period.unpaid:
            return period.unpaid[0]
    if current.next_period is not None:
        return current.next_period.unpaid[0] if current.next_period.unpaid else add_months(
            current.next_period.start, len(current.next_period.months))
    return first_of_month(on)
