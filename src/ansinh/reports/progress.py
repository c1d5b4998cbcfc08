"""Progress against target: rows per unit, rolled up, scoped to what the user may see.

A row holds the achieved figure on the look-up date, the target in force then, their ratio,
the same date a year earlier, the pace so far and a projection to the period's end at that pace
(`Pace` says how), hence how far short of its target a unit will fall (`Row.shortfall`).
Figures come from `metrics.grouped` (one grouped query per metric and window); the roll-ups
and the target look-ups are Python over a few hundred small rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from ansinh.core.models import Office, Role, User
from ansinh.core.periods import Period
from ansinh.core.scoping import visible_villages
from ansinh.network.actions import value_on
from ansinh.network.models import (
    Agent,
    Assignment,
    CollectionOrganisation,
    Metric,
    Target,
)
from ansinh.registry.models import Commune, Village

from . import metrics
from .figures import DUE
from .metrics import STOCK_METRICS, Window

BY_CHOICES = ("office", "commune", "village", "staff", "agent", "organisation")
VILLAGE_BASED = ("office", "commune", "village", "staff")
# which breakdowns each role may open (viewers: their commune; agents: themselves)
ALLOWED_BY: dict[str, tuple[str, ...]] = {
    Role.ADMIN: BY_CHOICES,
    Role.DIRECTOR: BY_CHOICES,
    Role.STAFF: ("commune", "village", "staff", "agent", "organisation"),
    Role.VIEWER: ("commune", "village"),
    Role.AGENT: ("agent",),
}


@dataclass
class Unit:
    kind: str
    id: int | None
    code: str
    name: str
    village_ids: frozenset[int] = frozenset()

    @property
    def key(self) -> str:
        return self.kind if self.kind == "office" else f"{self.kind}:{self.id or 0}"


@dataclass
class Row:
    unit: Unit
    metric: str
    achieved: int
    target: int | None
    last_year: int
    projection: int | None
    base: int | None = None  # retained: how many were due
    extra: dict[str, Any] = field(default_factory=dict)
    pace: Decimal | None = None  # gained per month since the period began (see `Pace`)
    needed: Decimal | None = None  # per month from now on to reach the target

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.achieved, self.target)

    @property
    def shortfall(self) -> int | None:
        """How far below its target the unit ends the period at the pace so far (negative:
        above it); None without a target or a projection."""
        if self.target is None or self.projection is None:
            return None
        return self.target - self.projection

    @property
    def status(self) -> str:
        """`behind` (chậm kế hoạch), `on_track`, or `unknown` (no target or no projection);
        also the CSS class of its colour."""
        gap = self.shortfall
        if gap is None:
            return UNKNOWN
        return BEHIND if gap > 0 else ON_TRACK

    @property
    def bar(self) -> int:
        """Width of the progress bar, 0–100."""
        value = self.ratio
        return 0 if value is None else int(min(value, Decimal(1)) * 100)

    def as_json(self) -> dict[str, Any]:
        value = self.ratio
        return {"unit_code": self.unit.code, "unit_name": self.unit.name,
                "metric": self.metric, "target": self.target, "achieved": self.achieved,
                "ratio": None if value is None else float(value)}


BEHIND, ON_TRACK, UNKNOWN = "behind", "on_track", "unknown"


def by_gap(rows: list[Row]) -> list[Row]:
    """Worst first: the largest projected shortfall at the end of the period, then the rest
    down to the furthest ahead; units without a target or a projection last, by code."""
    return sorted(rows, key=lambda row: (row.shortfall is None, -(row.shortfall or 0),
                                         row.unit.code))


def ratio(achieved: int, target: int | None) -> Decimal | None:
    """achieved / target to 0.1 % (0.559 for 1,805 / 3,229); None without a target."""
    if not target:
        return None
    return (Decimal(achieved) / Decimal(target)).quantize(Decimal("0.001"), ROUND_HALF_UP)


def allowed_by(user: User) -> tuple[str, ...]:
    if user.is_superuser:
        return BY_CHOICES
    return ALLOWED_BY.get(user.role, ())


# ---------------------------------------------------------------------------------------------
# Units


def villages_by_commune(office: Office) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    for village_id, commune_id in Village.objects.filter(commune__office=office).values_list(
            "id", "commune_id"):
        result[commune_id].add(village_id)
    return result


def territory_villages(users: Iterable[int], on: date, office: Office) -> dict[int, set[int]]:
    """{user id: villages of the communes and villages assigned to them on `on`}."""
    by_commune = villages_by_commune(office)
    result: dict[int, set[int]] = defaultdict(set)
    assignments = Assignment.objects.filter(user__in=list(users), starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)).values_list("user_id", "commune_id",
                                                                  "village_id")
    for user_id, commune_id, village_id in assignments:
        if commune_id:
            result[user_id] |= by_commune.get(commune_id, set())
        if village_id:
            result[user_id].add(village_id)
    return result


def units(office: Office, kind: str, on: date) -> list[Unit]:
    """Every unit of a kind in the office, with its villages where that applies (read once
    per page view: the dashboard asks for the office once per headline)."""
    return list(metrics.remembered(("units", office.pk, kind, on),
                                   lambda: _units(office, kind, on)))


def _units(office: Office, kind: str, on: date) -> list[Unit]:
    if kind == "office":
        villages = frozenset(Village.objects.filter(commune__office=office)
                             .values_list("id", flat=True))
        return [Unit("office", None, office.code, office.name, villages)]
    if kind == "commune":
        by_commune = villages_by_commune(office)
        return [Unit("commune", commune.id, commune.code, commune.name,
                     frozenset(by_commune.get(commune.id, ())))
                for commune in Commune.objects.filter(office=office).order_by("code")]
    if kind == "village":
        return [Unit("village", village.id, village.code,
                     f"{village.name} ({village.commune.name})", frozenset({village.id}))
                for village in Village.objects.filter(commune__office=office)
                .select_related("commune").order_by("code")]
    if kind == "staff":
        staff = list(User.objects.filter(office=office, role=Role.STAFF).order_by("username"))
        territory = territory_villages((user.id for user in staff), on, office)
        return [Unit("staff", user.id, user.username, user.display_name,
                     frozenset(territory.get(user.id, ()))) for user in staff]
    if kind == "organisation":
        return [Unit("organisation", org.id, org.code, org.name)
                for org in CollectionOrganisation.objects.filter(office=office).order_by("code")]
    if kind == "agent":
        agents = list(Agent.objects.filter(organisation__office=office)
                      .select_related("user").order_by("code"))
        territory = territory_villages((agent.user_id for agent in agents), on, office)
        return [Unit("agent", agent.id, agent.code, agent.user.display_name,
                     frozenset(territory.get(agent.user_id, ()))) for agent in agents]
    raise ValueError(f"unknown breakdown {kind!r}")


def visible_units(user: User, office: Office, kind: str, on: date) -> list[Unit]:
    """The units of a kind the user may see (an empty list when the breakdown is not theirs)."""
    if kind not in allowed_by(user):
        return []
    every = units(office, kind, on)
    if user.is_superuser or user.role in (Role.ADMIN, Role.DIRECTOR):
        return every
    if user.role == Role.AGENT:
        own = Agent.objects.filter(user=user).values_list("id", flat=True).first()
        return [unit for unit in every if unit.id == own]
    villages = set(visible_villages(user, on).values_list("id", flat=True))
    if kind in ("commune", "village"):
        return [unit for unit in every if unit.village_ids & villages]
    if kind == "staff":
        return [unit for unit in every if unit.id == user.id]
    if kind == "agent":
        return [unit for unit in every if unit.village_ids & villages]
    if kind == "organisation":
        seen = {unit.id for unit in visible_units(user, office, "agent", on) if unit.id}
        orgs = set(Agent.objects.filter(id__in=seen).values_list("organisation_id", flat=True))
        return [unit for unit in every if unit.id in orgs]
    return []


# ---------------------------------------------------------------------------------------------
# Figures


def targets(office: Office, period: Period, metric: str, kind: str,
            on: date) -> dict[int | None, int]:
    """{unit id (None for the office): target in force on `on`}; the targets of every metric
    are read together, once per page view (two queries)."""
    return metrics.remembered(("targets", office.pk, period, kind, on),
                              lambda: _targets(office, period, kind, on)).get(metric, {})


def _targets(office: Office, period: Period, kind: str,
             on: date) -> dict[str, dict[int | None, int]]:
    slots = (Target.objects.filter(office=office, period_kind=period.kind,
                                   period_start=period.start, unit_kind=kind)
             .prefetch_related("versions"))
    result: dict[str, dict[int | None, int]] = defaultdict(dict)
    for slot in slots:
        value = value_on(list(slot.versions.all()), on)
        if value is not None:
            result[slot.metric][slot.unit_id] = value
    return result


def figures(office: Office, metric: str, window: Window, kind: str,
            unit_list: list[Unit]) -> dict[str, int]:
    """{unit key: achieved} for units of one kind (one grouped query; the office's from its
    totals)."""
    if kind == "office":
        return {unit.key: metrics.total(office, metric, window) for unit in unit_list}
    if kind in VILLAGE_BASED:
        per_village = metrics.grouped(office, metric, window, "village")
        return {unit.key: sum(per_village.get((village,), 0) for village in unit.village_ids)
                for unit in unit_list}
    per_agent = metrics.grouped(office, metric, window, "agent")
    result: dict[str, int] = defaultdict(int)
    for (organisation_id, agent_id), value in per_agent.items():
        if kind == "organisation":
            result[f"organisation:{organisation_id or 0}"] += value
        else:
            result[f"agent:{agent_id or 0}"] += value
    return result


def _base(office: Office, window: Window, kind: str, unit_list: list[Unit]) -> dict[str, int]:
    if kind == "office":
        due = metrics.grouped_base(office, window, "office").get((), 0)
        return {unit.key: due for unit in unit_list}
    if kind in VILLAGE_BASED:
        per_village = metrics.grouped_base(office, window, "village")
        return {unit.key: sum(per_village.get((village,), 0) for village in unit.village_ids)
                for unit in unit_list}
    result: dict[str, int] = defaultdict(int)
    for (organisation_id, agent_id), value in metrics.grouped_base(office, window,
                                                                   "agent").items():
        key = (f"organisation:{organisation_id or 0}" if kind == "organisation"
               else f"agent:{agent_id or 0}")
        result[key] += value
    return result


@dataclass(frozen=True)
class Pace:
    """The pace so far, and the period's end if it goes on.

    Pace = what the unit gained from the period's first day to the look-up date, per month:
    for a flow (new participants, money …) everything counted so far; for the stock (active
    participants) the net change since the day before the period began. A month is the
    period's days / its months (30.4 days in a year). The projection keeps that pace to the
    period's last day; `needed` is the pace the rest of the period asks to reach the target.
    """

    metric: str
    window: Window

    @property
    def elapsed(self) -> int:
        return (self.window.until - self.window.period.start).days + 1

    @property
    def total(self) -> int:
        period = self.window.period
        return (period.end - period.start).days + 1

    def _months(self, days: int) -> Decimal:
        return Decimal(days) * self.window.period.months / self.total

    def gained(self, achieved: int, at_start: int | None) -> int | None:
        if self.metric in STOCK_METRICS:
            return None if at_start is None else achieved - at_start
        return achieved

    def per_month(self, achieved: int, at_start: int | None) -> Decimal | None:
        gained = self.gained(achieved, at_start)
        if gained is None or self.elapsed <= 0:
            return None
        return (gained / self._months(min(self.elapsed, self.total))).quantize(Decimal("0.1"))

    def projection(self, achieved: int, at_start: int | None) -> int | None:
        if self.elapsed <= 0:
            return None
        if self.elapsed >= self.total:
            return achieved
        gained = self.gained(achieved, at_start)
        if gained is None:
            return None
        return round(achieved - gained + gained * self.total / self.elapsed)

    def needed(self, achieved: int, target: int | None) -> Decimal | None:
        left = self.total - max(self.elapsed, 0)
        if target is None or left <= 0:
            return None
        return (max(target - achieved, 0) / self._months(left)).quantize(Decimal("0.1"))


def progress_rows(office: Office, period: Period, metric: str, kind: str, as_of: date,
                  unit_list: list[Unit] | None = None, *, compare: bool = True) -> list[Row]:
    """One row per unit: achieved, target, ratio, last year and projection."""
    window = Window(period, as_of)
    whole = unit_list is None
    unit_list = units(office, kind, window.until) if unit_list is None else unit_list
    metrics.read_together(office, _dimension(kind), compared(metric, window, past=compare))
    achieved = figures(office, metric, window, kind, unit_list)
    last_year: dict[str, int] = {}
    at_start: dict[str, int] = {}
    if compare:
        last_year = figures(office, metric, window.last_year(), kind, unit_list)
        if metric in STOCK_METRICS:
            at_start = figures(office, metric, _day_before(period), kind, unit_list)
    base = _base(office, window, kind, unit_list) if metric == Metric.RETAINED else {}
    goal = targets(office, period, metric, kind, window.until)
    pace = Pace(metric, window)
    rows = []
    for unit in unit_list:
        value = achieved.get(unit.key, 0)
        start = at_start.get(unit.key, 0) if metric in STOCK_METRICS else None
        rows.append(Row(
            unit=unit, metric=metric, achieved=value, target=goal.get(unit.id),
            last_year=last_year.get(unit.key, 0),
            projection=pace.projection(value, start) if compare else None,
            base=base.get(unit.key) if metric == Metric.RETAINED else None,
            pace=pace.per_month(value, start) if compare else None,
            needed=pace.needed(value, goal.get(unit.id)) if compare else None,
        ))
    if kind in ("organisation", "agent"):
        # participations or receipts without an organisation / agent: shown, never dropped
        missing = achieved.get(f"{kind}:0", 0)
        if missing and whole:
            rows.append(Row(unit=Unit(kind, None, "—", _unassigned_label(kind)), metric=metric,
                            achieved=missing, target=None,
                            last_year=last_year.get(f"{kind}:0", 0), projection=None))
    return rows


def _day_before(period: Period) -> Window:
    """The day before the period began (a stock's pace counts from it)."""
    day_before = period.start - timedelta(days=1)
    return Window(Period("month", day_before.replace(day=1)), day_before)


def _dimension(kind: str) -> str:
    """The grouping a kind of unit's figures are read by (`figures` rolls them up)."""
    if kind == "office":
        return "office"
    return "village" if kind in VILLAGE_BASED else "agent"


def headline_kind(user: User) -> str:
    """The kind of unit a user's headline shows (see `headline`)."""
    role = "director" if user.is_superuser else user.role
    if role in (Role.ADMIN, Role.DIRECTOR):
        return "office"
    return role if role in (Role.STAFF, Role.AGENT) else "commune"


def read_headlines(user: User, office: Office, period: Period, as_of: date) -> None:
    """Read every metric's figures of the user's headline (`headline`: achieved, last year,
    the stock before the period, how many were due) in one statement, for the rest of the
    page view (`metrics.one_view`): the office's totals for a director or an admin, the
    office's villages for staff and commune officials, its agents for an agent."""
    window = Window(period, as_of)
    metrics.read_together(office, _dimension(headline_kind(user)),
                          [pair for metric in Metric.values for pair in compared(metric, window)])


def compared(metric: str, window: Window, *, past: bool = True) -> list[tuple[str, Window]]:
    """The (metric, window) pairs a progress row reads: the window, with `past` last year's
    and the day before the period for a stock, and how many were due for `retained`."""
    wanted = [(metric, window)]
    if past:
        wanted.append((metric, window.last_year()))
        if metric in STOCK_METRICS:
            wanted.append((metric, _day_before(window.period)))
    if metric == Metric.RETAINED:
        wanted.append((DUE, window))
    return wanted


def _unassigned_label(kind: str) -> str:
    from django.utils.translation import gettext as _

    return _("Chưa gán tổ chức") if kind == "organisation" else _("Chưa gán nhân viên thu")


def headline(user: User, office: Office, period: Period, metric: str, as_of: date) -> Row | None:
    """The one figure the user's dashboard opens with.

    Director and admin: the office; staff: their own target against their territory; viewer:
    their communes together; agent: their own target and figures.
    """
    kind = headline_kind(user)
    window = Window(period, as_of)
    if kind == "office":
        return progress_rows(office, period, metric, "office", as_of)[0]
    if kind in (Role.STAFF, Role.AGENT):
        unit_list = visible_units(user, office, kind, window.until)
        rows = progress_rows(office, period, metric, kind, as_of, unit_list)
        return rows[0] if rows else None
    communes = visible_units(user, office, "commune", window.until)
    if not communes:
        return None
    rows = progress_rows(office, period, metric, "commune", as_of, communes)
    villages = frozenset().union(*(unit.village_ids for unit in communes))
    targets_known = [row.target for row in rows if row.target is not None]
    combined = Unit("commune", communes[0].id if len(communes) == 1 else None,
                    ", ".join(unit.code for unit in communes),
                    ", ".join(unit.name for unit in communes), villages)
    return Row(unit=combined, metric=metric, achieved=sum(row.achieved for row in rows),
               target=sum(targets_known) if targets_known else None,
               last_year=sum(row.last_year for row in rows),
               projection=_sum_or_none(row.projection for row in rows),
               base=_sum_or_none(row.base for row in rows),
               pace=_sum_or_none(row.pace for row in rows),
               needed=_sum_or_none(row.needed for row in rows if row.target is not None))


def _sum_or_none(values: Iterable[Any]) -> Any:
    known = [value for value in values if value is not None]
    return sum(known) if known else None
