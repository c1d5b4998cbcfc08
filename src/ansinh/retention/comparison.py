"""The counselling comparison for one participant, from their own contribution history.

The history is the months paid here (`PaidMonth` rows not released by a reversal), in runs of
equal income and category, plus the months paid before ansinh (``prior_months``). The dates of
those earlier months are not recorded, so they are placed just before the first month paid
here, at the participation's declared income; the last ``prior_supported_months`` of them carry
the category of the first month paid here (the state supported them), the others "other".

Every figure comes from the policy engine with the office's parameter tree, the same functions
`ansinh calc lump-sum` and `ansinh calc pension` call; `history_rows()` gives the history in the
CLI's JSON form, so a counsellor (or a test) can reproduce each number from the shell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Sum

from ansinh.collection.models import PaidMonth
from ansinh.participation.models import Participation
from ansinh.participation.subsidy import categories_for
from ansinh.policy import (
    ContributionPeriod,
    HouseholdHI,
    IncomeOutOfRange,
    LumpSum,
    MissingPeriod,
    MonthlyAllowance,
    ParameterTree,
    Pension,
    Survivors,
    household_hi,
    lump_sum,
    missing_period,
    monthly_allowance,
    parse_history,
    pension,
    retirement_age,
    survivors,
)
from ansinh.policy.money import add_months, month_index
from ansinh.registry.models import Person
from ansinh.rules.presenting import (
    SpreadTopUp,
    duration_text,
    lump_sum_in_pensions,
    months_text,
    spread,
    top_up_text,
)

from .history import declared_months

POOR = ("poor", "near_poor")


@dataclass(frozen=True)
class Comparison:
    on: date
    person: Person
    participation: Participation | None
    rows: list[dict[str, Any]]
    history: tuple[ContributionPeriod, ...]
    ledger_paid: int  # what the receipts recorded here say the person paid (net of support)
    months: int
    ground: str
    cash: LumpSum | None
    kept: Pension
    plan_income: int
    plan_category: str
    resume: date
    allowance: MonthlyAllowance | None
    card: HouseholdHI
    top_up: SpreadTopUp | None  # the allowance's top-up, over the months to retirement age
    # what the relatives would receive if the person died today while still covered (a lump sum
    # taken ends the record: then nothing)
    survivors: Survivors | None = None
    # paying on to retirement age still short of the minimum: the months missing then, and the
    # lump that pays them (D159 Art. 7), at the plan's income
    missing: MissingPeriod | None = None

    @property
    def lump_sum_in_pensions(self) -> str:
        """The lump sum in months of pension, said exactly ("hơn 5 tháng" for 5,06)."""
        return lump_sum_in_pensions(self.cash.amount if self.cash else 0,
                                    self.kept.monthly_pension)

    @property
    def declared_months(self) -> int:
        """Months the person declared (VssID), not verified, that the comparison counts."""
        return sum(_span(row) for row in self.rows if row.get("declared"))

    @property
    def compulsory_months(self) -> int:
        return sum(_span(row) for row in self.rows if row.get("kind") == "compulsory")

    @property
    def months_said(self) -> str:
        return months_text(self.months)

    @property
    def kept_months_said(self) -> str:
        return duration_text(self.kept.months)

    @property
    def top_up_text(self) -> str:
        if self.allowance is None:
            return ""
        return top_up_text(self.top_up, social_pension_month=self.allowance.social_pension_month)

    def figures(self) -> dict[str, Any]:
        """What the session keeps of the comparison."""
        return {
            "on": self.on.isoformat(), "history": self.rows, "months": self.months,
            "ground": self.ground, "ledger_paid": self.ledger_paid,
            "contributions_paid": self.cash.contributions_paid if self.cash else 0,
            "lump_sum": self.cash.amount if self.cash else 0,
            "lump_sum_gross": self.cash.gross if self.cash else 0,
            "support_deducted": self.cash.support_deducted if self.cash else 0,
            "monthly_pension": self.kept.monthly_pension,
            "pension_from": self.kept.pension_from.isoformat() if self.kept.pension_from else None,
            "plan_income": self.plan_income,
            "monthly_allowance": self.allowance.monthly_amount if self.allowance else 0,
            "hi_card_year": self.card.total,
            "survivors_one_time": self.survivors.one_time_allowance if self.survivors else 0,
            "funeral_grant": self.survivors.funeral_grant if self.survivors else 0,
            "survivors_monthly": self.survivors.monthly_eligible if self.survivors else False,
            "months_missing": self.missing.months_missing if self.missing else 0,
            "missing_lump": self.missing.total if self.missing and self.missing.allowed else 0,
        }


def history_rows(participation: Participation | None, person: Person | None = None
                 ) -> list[dict[str, Any]]:
    """The history in `ansinh calc`'s JSON form: [{"from", "to", "income", "category"}], and
    for the periods the person declared (`retention.history`: their VssID history, compulsory
    or voluntary, not verified) also "kind" and "declared": true.

    It is the person's whole history: the months of every participation of theirs, so a
    person whose duplicate record was merged (registry.merging) keeps both records' months. A
    month paid in two participations counts once (a merge flags such a person for staff); a
    declared month the office also has counts as the office's."""
    person_id = participation.person_id if participation else (person.pk if person else None)
    if person_id is None:
        return []
    mine = Participation.objects.filter(person_id=person_id).order_by("start_month", "id")
    by_month: dict[date, tuple[int, str, str]] = {}
    for one in list(mine) or ([participation] if participation else []):
        for month, income, category in _months(one):
            by_month.setdefault(month, (income, category, ""))
    for month, income, category, kind in declared_months(person_id, set(by_month)):
        by_month[month] = (income, category, kind)
    rows: list[dict[str, Any]] = []
    for month, (income, category, kind) in sorted(by_month.items()):
        last = rows[-1] if rows else None
        if (last is not None and last["income"] == income and last["category"] == category
                and last["kind"] == kind and add_months(last["_to"], 1) == month):
            last["_to"] = month
            continue
        rows.append({"_from": month, "_to": month, "income": income, "category": category,
                     "kind": kind})
    return [_row(r) for r in rows]


def _span(row: dict[str, Any]) -> int:
    start, end = row["from"], row["to"]
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7]) + 1


def _row(run: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"from": f"{run['_from']:%Y-%m}", "to": f"{run['_to']:%Y-%m}",
                           "income": run["income"], "category": run["category"]}
    if run["kind"]:
        row["kind"] = run["kind"]
        row["declared"] = True
        if run["kind"] == "compulsory":
            del row["category"]
    return row


def _months(participation: Participation) -> list[tuple[date, int, str]]:
    """One participation's months: those paid here, and before them the months paid before
    ansinh (``prior_months``) at the declared income, the last ``prior_supported_months`` of
    them in the category of the first month paid here."""
    paid = [(month, int(income), category) for month, income, category in
            PaidMonth.objects.filter(participation=participation, released_by__isnull=True)
            .order_by("month").values_list("month", "income", "category")]
    prior = participation.prior_months
    if not prior:
        return paid
    first = paid[0][0] if paid else participation.start_month
    supported = min(participation.prior_supported_months, prior)
    category = paid[0][2] if paid else "other"
    income = int(participation.income)
    before = [(add_months(first, -back), income, category if back <= supported else "other")
              for back in range(prior, 0, -1)]
    return before + paid


def ledger_paid(participation: Participation) -> int:
    """What the person paid here, over all their participations (see `history_rows`)."""
    total = PaidMonth.objects.filter(participation__person_id=participation.person_id,
                                     released_by__isnull=True).aggregate(s=Sum("net"))["s"]
    return int(total or 0)


def compare(person: Person, participation: Participation | None, on: date, tree: ParameterTree,
            *, ground: str = "twelve_months_out", plan_income: int | None = None) -> Comparison:
    """Lump sum now against paying on to retirement age at the same income (or ``plan_income``),
    the monthly allowance and the health-insurance card (policy engine, office tree)."""
    rows = history_rows(participation, person)
    history = parse_history(rows)
    months = sum((p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1
                 for p in history)
    sex, birth = person.sex, person.birth_date
    cash = lump_sum(history, on, ground, tree, sex, birth) if history and history[0].start <= on \
        else None
    last_paid = history[-1].end if history else add_months(on.replace(day=1), -1)
    resume = max(add_months(last_paid, 1), on.replace(day=1))
    income = plan_income or (int(participation.income) if participation else 0)
    categories = categories_for(person, resume)
    category = categories[0] if categories else "other"
    reached = retirement_age(sex, birth, tree).reached_month
    plan = history
    if income and resume <= reached:
        plan = (*history, ContributionPeriod(resume, reached, income, category))
    kept = pension(sex, birth, plan, today=on, tree=tree)
    poor = any(cat in POOR for cat in categories)
    past = tuple(p for p in history if p.start <= on)
    allowance = monthly_allowance(sex, birth, past, on, poor, tree) if past else None
    card = household_hi(on, 1, 12, tree)
    top_up = spread(allowance.top_up_to_social_pension_age,
                    max(month_index(reached) - month_index(on), 1)) if allowance else None
    return Comparison(
        on=on, person=person, participation=participation, rows=rows, history=history,
        ledger_paid=ledger_paid(participation) if participation else 0, months=months,
        ground=ground, cash=cash, kept=kept, plan_income=income, plan_category=category,
        resume=resume, allowance=allowance, card=card, top_up=top_up,
        survivors=survivors(past, on, tree=tree) if past else None,
        missing=_missing(sex, birth, plan, kept, income, category, tree),
    )


def _missing(sex: str, birth: date, plan: tuple[ContributionPeriod, ...], kept: Pension,
             income: int, category: str, tree: ParameterTree) -> MissingPeriod | None:
    """What the months still missing at retirement age cost, paid at once the month before it
    (the earliest the law allows), when paying on to that age is not enough."""
    if kept.eligible or not income or not plan:
        return None
    on = add_months(kept.reached_month, -1)
    try:
        return missing_period(sex, birth, plan, on, income, tree=tree, categories=(category,))
    except IncomeOutOfRange as exc:  # the income then must lie within that year's bounds
        bounded = min(max(income, exc.floor), exc.ceiling)
        return missing_period(sex, birth, plan, on, bounded, tree=tree, categories=(category,))
