"""Rankings: raw (share of target reached) and fair (results weighed against potential).

Raw ranks units by achieved / target of one metric (by the figure itself where no target).

Fair credits three results, each compared with the office as a whole (1.0 = the office's
rate), and weighs them by how hard the territory is:

- recruitment: new participants / (new participants + prospects not yet enrolled) — the share
  of the people still to convince who were convinced, so a commune with few prospects left is
  not punished for having enrolled them earlier;
- retention: of the participants due to pay within the period, the share who paid;
- persistence: of the participants active or late twelve months before the look-up date, the
  share still active or late on it;
- difficulty: 1 + a·(share of persons in poor or near-poor households) + b·(share of ethnic-
  minority persons) + c·(mean remoteness − 1) / 2, remoteness running 1–3 per village.

fair score = 100 × (w_r·recruitment + w_t·retention + w_p·persistence) × difficulty /
difficulty of the office, so the office scores 100. The weights are the office's operational
choice, not law; `FairWeights` holds them and the page prints them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q

from ansinh.core.models import Office
from ansinh.core.periods import Period, add_months
from ansinh.network.models import Agent, CollectionOrganisation, Metric
from ansinh.participation.models import Participation
from ansinh.registry.models import Person, PovertyStatus, Village
from ansinh.registry.prospects import prospect_q
from ansinh.registry.reference import KINH

from . import figures as summary
from . import metrics
from .metrics import ACTIVE_STATES, Window, status_on
from .progress import VILLAGE_BASED, Row, Unit, progress_rows, units, villages_by_commune


@dataclass(frozen=True)
class FairWeights:
    recruitment: Decimal = Decimal("0.4")
    retention: Decimal = Decimal("0.3")
    persistence: Decimal = Decimal("0.3")
    poverty: Decimal = Decimal("0.5")
    minority: Decimal = Decimal("0.3")
    remoteness: Decimal = Decimal("0.2")


WEIGHTS = FairWeights()


@dataclass
class Potential:
    persons: int = 0
    prospects: int = 0
    poor: int = 0
    minority: int = 0
    remoteness_weight: int = 0  # Σ persons × village remoteness

    def add(self, other: Potential) -> None:
        self.persons += other.persons
        self.prospects += other.prospects
        self.poor += other.poor
        self.minority += other.minority
        self.remoteness_weight += other.remoteness_weight

    def difficulty(self, weights: FairWeights = WEIGHTS) -> Decimal:
        if not self.persons:
            return Decimal(1)
        persons = Decimal(self.persons)
        remoteness = Decimal(self.remoteness_weight) / persons
        return (1 + weights.poverty * self.poor / persons
                + weights.minority * self.minority / persons
                + weights.remoteness * (remoteness - 1) / 2)


@dataclass
class Results:
    new: int = 0
    retained: int = 0
    due: int = 0
    persisted: int = 0
    active_year_ago: int = 0

    def add(self, other: Results) -> None:
        for name in ("new", "retained", "due", "persisted", "active_year_ago"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Ranked:
    unit: Unit
    raw: Row
    potential: Potential
    results: Results
    recruitment: Decimal | None
    retention: Decimal | None
    persistence: Decimal | None
    difficulty: Decimal
    fair: Decimal
    raw_rank: int = 0
    fair_rank: int = 0
    figures: dict[str, object] = field(default_factory=dict)


def _share(part: int, whole: int) -> Decimal | None:
    """part / whole to 0.1 %; None when there is nothing to measure."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"), ROUND_HALF_UP)


def village_potential(office: Office, on: date) -> dict[int, Potential]:
    """Per village: persons, prospects, poor and minority on `on`; remoteness. From the
    summary cells when `on` is the day of their last rebuild, else from the register."""
    if summary.built_on(office.pk) != on:
        return live_village_potential(office, on)
    remoteness = dict(Village.objects.filter(commune__office=office)
                      .values_list("id", "remoteness"))
    counted = summary.on_day(office.pk, summary.POTENTIAL, on, "village")
    result: dict[int, Potential] = defaultdict(Potential)
    for metric in summary.POTENTIAL:
        for (village_id,), value in counted[metric].items():
            setattr(result[village_id], metric, value)
    for village_id, potential in result.items():
        potential.remoteness_weight = potential.persons * remoteness.get(village_id, 1)
    return result


def live_village_potential(office: Office, on: date) -> dict[int, Potential]:
    """Persons, prospects, poor and minority persons per village (two grouped queries)."""
    result: dict[int, Potential] = defaultdict(Potential)
    remoteness = dict(Village.objects.filter(commune__office=office)
                      .values_list("id", "remoteness"))
    rows = (Person.objects.filter(office=office).order_by().values("village_id")
            .annotate(total=Count("id"), minority=Count("id", filter=~Q(ethnicity=KINH)),
                      prospects=Count("id", filter=prospect_q(on))))
    for row in rows:
        potential = result[row["village_id"]]
        potential.persons = row["total"]
        potential.minority = row["minority"]
        potential.prospects = row["prospects"]
        potential.remoteness_weight = row["total"] * remoteness.get(row["village_id"], 1)
    poor = (Person.objects.filter(
        office=office, household__poverty_statuses__year=on.year,
        household__poverty_statuses__status__in=(PovertyStatus.POOR, PovertyStatus.NEAR_POOR))
        .order_by().values("village_id").annotate(n=Count("id")))
    for village_id, count in poor.values_list("village_id", "n"):
        result[village_id].poor = count
    return result


def _persistence(office: Office, on: date, dimension: str) -> dict[tuple[object, ...], tuple[
        int, int]]:
    """{group: (active a year before, of them still active)}: from the summary cells on the
    day of their last rebuild (kept current by the write path), else one grouped query."""
    if summary.built_on(office.pk) == on:
        counted = summary.on_day(office.pk, (summary.PERSIST_BASE, summary.PERSIST_KEPT), on,
                                 dimension)
        base, kept = counted[summary.PERSIST_BASE], counted[summary.PERSIST_KEPT]
        return {key: (value, kept.get(key, 0)) for key, value in base.items()}
    return live_persistence(office, on, dimension)


def live_persistence(office: Office, on: date, dimension: str) -> dict[tuple[object, ...],
                                                                         tuple[int, int]]:
    """`_persistence` from the raw rows, in one grouped query."""
    fields = metrics.GROUPINGS[dimension]
    return {tuple(row[name] for name in fields): (row["base"], row["kept"])
            for row in persistence_rows(office.pk, on, fields)}


def persistence_rows(office_id: int, on: date, fields: tuple[str, ...]) -> Any:
    """Per group of `fields` ({fields…, base, kept}): the participations enrolled a year
    before `on` and active or late then, and of those, active or late on `on` (one grouped
    query; the summary's nightly refresh writes its cells of the day from it too)."""
    year_ago = add_months(on, -12)
    return (Participation.objects.filter(office_id=office_id, enrolled_on__lte=year_ago)
            .annotate(then=status_on(year_ago), now=status_on(on))
            .filter(then__in=ACTIVE_STATES).order_by().values(*fields)
            .annotate(base=Count("id"), kept=Count("id", filter=Q(now__in=ACTIVE_STATES))))


def _results(office: Office, window: Window, dimension: str) -> dict[tuple[object, ...],
                                                                      Results]:
    result: dict[tuple[object, ...], Results] = defaultdict(Results)
    for key, value in metrics.grouped(office, Metric.NEW, window, dimension).items():
        result[key].new = value
    for key, value in metrics.grouped(office, Metric.RETAINED, window, dimension).items():
        result[key].retained = value
    for key, value in metrics.grouped_base(office, window, dimension).items():
        result[key].due = value
    for key, (base, kept) in _persistence(office, window.until, dimension).items():
        result[key].active_year_ago = base
        result[key].persisted = kept
    return result


def _organisation_territory(office: Office, agent_units: list[Unit]) -> dict[int, set[int]]:
    by_agent = {unit.id: unit.village_ids for unit in agent_units}
    territory: dict[int, set[int]] = defaultdict(set)
    for agent_id, organisation_id in Agent.objects.filter(
            organisation__office=office).values_list("id", "organisation_id"):
        territory[organisation_id] |= set(by_agent.get(agent_id, ()))
    by_commune = villages_by_commune(office)
    for organisation_id, commune_id in CollectionOrganisation.objects.filter(
            office=office, commune__isnull=False).values_list("id", "commune_id"):
        territory[organisation_id] |= by_commune.get(commune_id, set())
    return territory


def rank(office: Office, period: Period, as_of: date, kind: str,
         metric: str = Metric.ACTIVE, weights: FairWeights = WEIGHTS) -> list[Ranked]:
    """Every unit of a kind, with raw and fair scores and both ranks (1 = best)."""
    window = Window(period, as_of)
    unit_list = units(office, kind, window.until)
    raw_rows = {row.unit.key: row for row in progress_rows(office, period, metric, kind, as_of,
                                                            unit_list, compare=False)}
    per_village = village_potential(office, window.until)
    if kind == "organisation":
        territory = _organisation_territory(office, units(office, "agent", window.until))
        unit_villages = {unit.key: territory.get(unit.id or 0, set()) for unit in unit_list}
    else:
        unit_villages = {unit.key: set(unit.village_ids) for unit in unit_list}
    dimension = "village" if kind in VILLAGE_BASED else "agent"
    grouped = _results(office, window, dimension)
    office_potential, office_results = Potential(), Results()
    for potential in per_village.values():
        office_potential.add(potential)
    for results in grouped.values():
        office_results.add(results)
    office_rates = (_share(office_results.new, office_results.new + office_potential.prospects),
                    _share(office_results.retained, office_results.due),
                    _share(office_results.persisted, office_results.active_year_ago))
    office_difficulty = office_potential.difficulty(weights)
    ranked = []
    for unit in unit_list:
        potential = Potential()
        for village in unit_villages[unit.key]:
            if village in per_village:
                potential.add(per_village[village])
        results = Results()
        for key, value in grouped.items():
            if _belongs(kind, unit, key):
                results.add(value)
        rates = (_share(results.new, results.new + potential.prospects),
                 _share(results.retained, results.due),
                 _share(results.persisted, results.active_year_ago))
        indexes = [_index(rate, office_rate) for rate, office_rate in
                   zip(rates, office_rates, strict=True)]
        performance = (weights.recruitment * indexes[0] + weights.retention * indexes[1]
                       + weights.persistence * indexes[2])
        difficulty = potential.difficulty(weights)
        fair = (100 * performance * difficulty / office_difficulty).quantize(Decimal("0.1"))
        raw = raw_rows[unit.key]
        ranked.append(Ranked(unit=unit, raw=raw, potential=potential, results=results,
                             recruitment=rates[0], retention=rates[1], persistence=rates[2],
                             difficulty=difficulty.quantize(Decimal("0.01")), fair=fair))
    for position, item in enumerate(sorted(
            ranked, key=lambda r: (-(r.raw.ratio if r.raw.ratio is not None else -1),
                                   -r.raw.achieved, r.unit.code)), start=1):
        item.raw_rank = position
    for position, item in enumerate(sorted(ranked, key=lambda r: (-r.fair, r.unit.code)),
                                    start=1):
        item.fair_rank = position
    for item in ranked:
        item.figures = _figures(item, period, as_of, metric)
    return sorted(ranked, key=lambda r: r.fair_rank)


def _belongs(kind: str, unit: Unit, key: tuple[object, ...]) -> bool:
    if kind in VILLAGE_BASED:
        return key[0] in unit.village_ids
    if kind == "organisation":
        return key[0] == unit.id
    return key[1] == unit.id


def _index(rate: Decimal | None, office_rate: Decimal | None) -> Decimal:
    """The unit's rate against the office's (1 = as good as the office); 1 without data."""
    if rate is None or not office_rate:
        return Decimal(1)
    return rate / office_rate


def _figures(item: Ranked, period: Period, as_of: date, metric: str) -> dict[str, object]:
    """The figures a reward rests on, kept with the reward when it is granted."""
    def pct(value: Decimal | None) -> float | None:
        return None if value is None else round(float(value), 4)

    return {
        "period": period.code, "as_of": as_of.isoformat(), "metric": metric,
        "unit": item.unit.code, "achieved": item.raw.achieved, "target": item.raw.target,
        "ratio": pct(item.raw.ratio), "raw_rank": item.raw_rank, "fair_rank": item.fair_rank,
        "fair_score": float(item.fair), "new": item.results.new,
        "prospects": item.potential.prospects, "retention": pct(item.retention),
        "persistence_12m": pct(item.persistence), "difficulty": float(item.difficulty),
    }


def candidates(ranked: list[Ranked], count: int = 3) -> list[Ranked]:
    """Proposed for a reward: the best fair scores among units that beat the office (> 100)."""
    chosen = [item for item in ranked if item.fair > 100 and item.raw.achieved > 0]
    return sorted(chosen, key=lambda item: item.fair_rank)[:count]
