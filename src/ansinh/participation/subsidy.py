"""The subsidy category of a month, derived from facts in force that month — never typed.

Decree 159 Art. 5(1): poor households and island communes 50 %, near-poor 40 %, ethnic-minority
participants 30 %, others 20 %; the policy engine applies the highest. The facts are the
household's poverty status certified for the month's year, the person's ethnicity and whether
the commune is an island commune.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from ansinh.policy import ParameterTree
from ansinh.registry.models import HouseholdPoverty, Person, PovertyStatus
from ansinh.registry.reference import KINH


@dataclass(frozen=True)
class Facts:
    ethnic_minority: bool
    island: bool
    poverty_by_year: dict[int, str] = field(default_factory=dict)

    def categories(self, month: date) -> tuple[str, ...]:
        """Every category the person is in for `month` (the engine picks the highest)."""
        cats: list[str] = []
        status = self.poverty_by_year.get(month.year, PovertyStatus.NONE)
        if status == PovertyStatus.POOR:
            cats.append("poor")
        elif status == PovertyStatus.NEAR_POOR:
            cats.append("near_poor")
        if self.island:
            cats.append("island")
        if self.ethnic_minority:
            cats.append("ethnic_minority")
        return tuple(cats) or ("other",)

    def category(self, month: date, tree: ParameterTree) -> str:
        """The one category the engine applies in `month` (the highest support rate in force;
        D159 Art. 5(1)): what the calculator and its offline port take."""
        cats = self.categories(month)
        found = tree.find("subsidy.support_rate", month)
        rates = found.value if found is not None and isinstance(found.value, Mapping) else {}
        return max(cats, key=lambda cat: (rates.get(cat, 0), -cats.index(cat)))


def facts_for_people(
    person_ids: Iterable[int] | None = None, *, office_id: int | None = None
) -> dict[int, Facts]:
    """Facts of many persons in two queries (the bulk paths use this).

    Pass `office_id` instead of ids for a whole office (no long IN list).
    """
    people_qs = Person.objects.all()
    if office_id is not None:
        people_qs = people_qs.filter(office_id=office_id)
    else:
        people_qs = people_qs.filter(id__in=list(person_ids or ()))
    rows = people_qs.values_list(
        "id", "ethnicity", "village__commune__is_island", "household_id"
    )
    people = {pid: (eth, island, hh) for pid, eth, island, hh in rows}
    households = {hh for _eth, _island, hh in people.values() if hh}
    poverty: dict[int, dict[int, str]] = {}
    poverty_qs = HouseholdPoverty.objects.all()
    if office_id is not None:
        poverty_qs = poverty_qs.filter(household__office_id=office_id)
    else:
        poverty_qs = poverty_qs.filter(household_id__in=households)
    for hh, year, status in poverty_qs.values_list("household_id", "year", "status"):
        poverty.setdefault(hh, {})[year] = status
    return {
        pid: Facts(eth != KINH, bool(island), poverty.get(hh, {}) if hh else {})
        for pid, (eth, island, hh) in people.items()
    }


def facts_for(person: Person) -> Facts:
    return facts_for_people([person.pk])[person.pk]


def categories_for(person: Person, month: date) -> tuple[str, ...]:
    """The subsidy categories of `person` in `month`."""
    return facts_for(person).categories(month)
