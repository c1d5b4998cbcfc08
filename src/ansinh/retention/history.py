"""The person's own SI history: the periods they show on VssID ("quá trình tham gia"), entered
by staff or an agent, kept as declared by the person and not verified, apart from the office's
receipts (`DeclaredPeriod`).

One write path for the page, a paste and an upload: `declare` and `remove` check the actor's
role and territory (`edit_persons` on the person), validate every period with the policy
engine's own rules (kinds, months, amounts, no voluntary month before 2008, no overlap), run in
one transaction and write the audit row.

`months` gives the person's whole history for the engine: the months paid here win; a declared
month the office also has is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction

from ansinh.core import audit, permissions
from ansinh.core.errors import Refused
from ansinh.core.models import User
from ansinh.policy import InvalidInput, parse_history
from ansinh.policy.history import COMPULSORY, expand
from ansinh.policy.money import month_index
from ansinh.policy.parameters import Lookup
from ansinh.registry.models import Person

from .models import DeclaredPeriod, PeriodSource

MAX_PERIODS = 200  # a working life is a few dozen periods; this bounds a hostile paste


@transaction.atomic
def declare(person: Person, rows: Iterable[Mapping[str, Any]], *, source: str,
            actor: User) -> list[DeclaredPeriod]:
    """Add the periods ``rows`` (`ansinh calc`'s form: from, to, income, kind, category, and an
    optional employer) to the person's declared history. Refuses, having written nothing, when
    one is invalid or overlaps another declared period."""
    permissions.authorise(actor, "edit_persons", person)
    if source not in PeriodSource.values:
        raise ValueError(f"unknown source {source!r}")
    rows = list(rows)
    if not rows:
        raise Refused("Chưa có giai đoạn nào để lưu", "There is no period to save")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    existing = list(DeclaredPeriod.objects.filter(person=locked))
    if len(existing) + len(rows) > MAX_PERIODS:
        raise Refused(f"Tối đa {MAX_PERIODS} giai đoạn cho một người",
                      f"At most {MAX_PERIODS} periods for one person")
    try:
        periods = parse_history([_engine_row(row) for row in rows])
        expand(parse_history([*map(as_row, existing), *(_engine_row(r) for r in rows)]),
               Lookup(None))
    except InvalidInput as exc:
        raise Refused(exc.vi, exc.en) from None
    created = DeclaredPeriod.objects.bulk_create(
        DeclaredPeriod(person=locked, kind=period.kind, start_month=period.start,
                       end_month=period.end, income=period.income, category=period.category,
                       employer=str(row.get("employer") or "").strip()[:200], source=source,
                       entered_by=actor)
        for period, row in zip(periods, rows, strict=True))
    audit.record(actor=actor, office=locked.office, action="person.si_history.declare",
                 obj=locked, changes={"declared_periods": [
                     None, [str(p) for p in created]]}, note=str(PeriodSource(source).label))
    return created


@transaction.atomic
def remove(period: DeclaredPeriod, *, actor: User) -> None:
    """Take a declared period out (a typing slip); the audit row keeps what it was."""
    permissions.authorise(actor, "edit_persons", period.person)
    person = period.person
    text = f"{period} {period.income}"
    DeclaredPeriod.objects.filter(pk=period.pk).delete()
    audit.record(actor=actor, office=person.office, action="person.si_history.remove",
                 obj=person, changes={"declared_periods": [text, None]})


def as_row(period: DeclaredPeriod) -> dict[str, Any]:
    """A declared period in `ansinh calc`'s JSON form."""
    row: dict[str, Any] = {"from": f"{period.start_month:%Y-%m}", "to": f"{period.end_month:%Y-%m}",
                           "income": int(period.income), "kind": period.kind}
    if period.kind != COMPULSORY:
        row["category"] = period.category
    return row


def _engine_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {key: row[key] for key in ("from", "to", "income", "kind", "category") if key in row}
    if out.get("kind") == COMPULSORY:
        out.pop("category", None)
    return out


def declared_months(person_id: int, skip: set[date]) -> list[tuple[date, int, str, str]]:
    """The declared months of the person, as (month, income, category, kind), without the months
    in ``skip`` (those the office has)."""
    out = []
    for period in DeclaredPeriod.objects.filter(person_id=person_id).order_by("start_month"):
        first, last = month_index(period.start_month), month_index(period.end_month)
        for index in range(first, last + 1):
            month = date(index // 12, index % 12 + 1, 1)
            if month not in skip:
                out.append((month, int(period.income), period.category, period.kind))
    return out
