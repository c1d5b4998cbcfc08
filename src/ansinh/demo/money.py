"""Demo participations and money for the A Lưới office, deterministic and bulk.

On the as-of date exactly the persons the register marks as voluntary participants are active
or late (1,805 at the default size), with 2-8 years of payment history priced by the policy
engine on each payment date. Around them: paused participants, people who withdrew (lump sum)
or moved to compulsory SI, resumed participants, receipt books, weekly remittances and closed
months up to the month before the as-of date.

The money goes through the application's own write path, as an agent's would: the histories
are planned here (who enrolled when, on what terms, what they paid on which day), then every
receipt is recorded by `collection.receipts.record_receipts` and every household-HI receipt by
`collection.actions.record_hi_receipt`, with the director as the recording user, against
receipt books issued first. A planned receipt the write path refuses stops the demo: the
histories must be ones the office could really have recorded.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from ansinh.collection.actions import record_hi_receipt
from ansinh.collection.ledger import period_totals
from ansinh.collection.models import (
    PaidMonth,
    PeriodClose,
    Receipt,
    ReceiptBook,
    Remittance,
    RemittanceLine,
)
from ansinh.collection.payment_state import pause_date
from ansinh.collection.pricing import price_months
from ansinh.collection.receipts import ReceiptRequest, record_receipts
from ansinh.core.bulk import db_datetime, db_uuid, insert_rows, reset_sequences
from ansinh.core.models import Office, User
from ansinh.network.models import Agent
from ansinh.participation.models import Participation, StatusChange, Terms
from ansinh.participation.schedule import TermsRow, last_day, period_shape
from ansinh.participation.subsidy import facts_for_people
from ansinh.policy import household_hi, load_default_tree
from ansinh.policy.money import add_months, first_of_month
from ansinh.registry.models import Person, SIStatus

Progress = Callable[[str, int, int], None]

INCOMES = ((1_500_000, 0.55), (2_000_000, 0.25), (3_000_000, 0.12), (5_000_000, 0.08))
MODES = (("monthly", 0.34), ("quarterly", 0.22), ("half_yearly", 0.14), ("yearly", 0.27),
         ("advance", 0.03))
CHANNELS = (("cash", 0.84), ("post_office", 0.06), ("bank_transfer", 0.05), ("online", 0.05))
LATE_SHARE = 0.08  # of the active set: missed their last deadline
PAUSED_SHARE = 0.07  # extra participants, paused on the as-of date
RESUMED_SHARE = 0.05  # of the active set: paused once and came back
NEW_SHARE = 0.07  # of the active set: enrolled in the months before the as-of date
PAUSE_AFTER_MONTHS = 3  # the office default (LapseSettings): late longer than this is paused
HI_SHARE = 0.25  # of the active participants' households: also buy household HI each year


def _pick(rng: random.Random, table: tuple[tuple[Any, float], ...]) -> Any:
    draw = rng.random()
    for value, share in table:
        if draw < share:
            return value
        draw -= share
    return table[-1][0]


class _Writer:
    """Collects rows with explicit ids, then writes them in one transaction."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        for model in (Participation, Terms, StatusChange, Receipt, PaidMonth, ReceiptBook,
                      Remittance, RemittanceLine, PeriodClose):
            self.ids[model._meta.db_table] = (model.objects.aggregate(m=Max("id"))["m"] or 0)
        self.rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)

    def next_id(self, model: type[Any]) -> int:
        table = model._meta.db_table
        self.ids[table] += 1
        return self.ids[table]


def seed_demo(office: Office, as_of: date, seed: int, progress: Progress | None = None) -> int:
    """Participations, receipts, books, remittances and closes; returns the receipts written."""
    rng = random.Random(seed * 7919 + 17)
    tree = load_default_tree()
    now = db_datetime(timezone.now())
    agents_by_commune: dict[int, list[Agent]] = defaultdict(list)
    for agent in Agent.objects.filter(organisation__office=office).select_related(
        "user", "organisation"
    ).order_by("code"):
        commune_id = agent.user.assignments.values_list("commune_id", flat=True).first()
        if commune_id:
            agents_by_commune[commune_id].append(agent)
    director = User.objects.filter(office=office, role="director").first()
    people = list(Person.objects.filter(office=office).values_list(
        "id", "village_id", "village__commune_id", "si_status", "birth_date"))
    voluntary = [p for p in people if p[3] == SIStatus.VOLUNTARY]
    young = [p for p in people if p[3] == SIStatus.NONE and 24 <= (as_of - p[4]).days // 365 <= 50]
    paused = rng.sample(young, min(len(young), round(len(voluntary) * PAUSED_SHARE)))
    # a stopped participation paid for a year or more after the person's 18th birthday and
    # stopped a year or more ago
    old_enough = [p for p in people if (as_of - p[4]).days // 365 >= 24]
    withdrew = [p for p in old_enough if p[3] == SIStatus.LUMP_SUM]
    compulsory = [p for p in old_enough if p[3] == SIStatus.COMPULSORY]
    stopped = (rng.sample(withdrew, min(len(withdrew), round(len(voluntary) * 0.08)))
               + rng.sample(compulsory, min(len(compulsory), round(len(voluntary) * 0.03))))
    plan: list[tuple[tuple[Any, ...], str]] = (
        [(p, _voluntary_fate(rng.random())) for p in voluntary]
        + [(p, "paused") for p in paused] + [(p, "stopped") for p in stopped]
    )
    facts = facts_for_people(office_id=office.id)
    writer = _Writer()
    requests: list[ReceiptRequest] = []
    final_status: dict[int, tuple[str, date]] = {}
    stopped_on: dict[int, date] = {}  # person: the day their participation stopped
    as_of_month = first_of_month(as_of)
    hi_candidates: list[tuple[tuple[Any, ...], Agent]] = []
    for done, (person, fate) in enumerate(plan, start=1):
        agents = agents_by_commune.get(person[2]) or [a for v in agents_by_commune.values()
                                                      for a in v]
        agent = rng.choice(agents)
        if fate in ("active", "new", "resumed"):
            hi_candidates.append((person, agent))
        _participation(writer, rng, tree, office, person, fate, agent, director, facts,
                       as_of, as_of_month, now, requests, final_status, stopped_on)
        if progress and done % 500 == 0:
            progress("participations", done, len(plan))
    hi = _household_hi(rng, hi_candidates, as_of)
    cash: dict[int, int] = defaultdict(int)
    for request in requests:
        if request.channel == "cash" and request.agent_id:
            cash[request.agent_id] += 1
    for _person, agent, _members, _year, _paid_on, _key in hi:
        cash[agent.pk] += 1
    _books(writer, office, agents_by_commune, cash, director)
    with transaction.atomic():
        _write(writer)
        Person.objects.filter(id__in=[p[0] for p in paused]).update(
            si_status=SIStatus.VOLUNTARY, si_status_source="Sổ thu BHXH tự nguyện")
        for person_id, on in stopped_on.items():  # the register dates the stop
            Person.objects.filter(id=person_id).update(si_status_as_of=on)
        reset_sequences(Participation, Terms, StatusChange, ReceiptBook)
    assert director is not None, "the demo office needs its director"
    recorded = _record(requests, director, as_of, progress)
    recorded += _record_hi(hi, director)
    with transaction.atomic():
        _set_statuses(final_status)
        _remittances(rng, office, director, as_of)
        _close_months(office, as_of_month, director)
        reset_sequences(Remittance, RemittanceLine, PeriodClose)
    if progress:
        progress("participations", len(plan), len(plan))
    return recorded


RECORD_CHUNK = 5000  # participations whose receipts one call records


def _record(requests: list[ReceiptRequest], director: User, as_of: date,
            progress: Progress | None) -> int:
    """Every planned receipt through the write path, a participation's in date order."""
    by_participation: dict[int, list[ReceiptRequest]] = defaultdict(list)
    for request in requests:
        by_participation[request.participation_id].append(request)
    ids = sorted(by_participation)
    recorded = 0
    for start in range(0, len(ids), RECORD_CHUNK):
        chunk = sorted((r for pid in ids[start:start + RECORD_CHUNK]
                        for r in by_participation[pid]),
                       key=lambda r: (r.paid_on, r.participation_id))
        result = record_receipts(chunk, actor=director, today=as_of)
        refused = result.refused
        if refused:
            index, reason = refused[0]
            raise RuntimeError(f"the demo planned a receipt the office could not record "
                               f"({len(refused)} in all), e.g. {chunk[index]}: {reason}")
        recorded += len(result.created)
        if progress:
            progress("receipts", min(start + RECORD_CHUNK, len(ids)), len(ids))
    return recorded


def _set_statuses(final_status: dict[int, tuple[str, date]]) -> None:
    """The participations' states on the as-of date (they were open while their receipts were
    recorded): one update per (state, since)."""
    groups: dict[tuple[str, date], list[int]] = defaultdict(list)
    for pid, state in final_status.items():
        groups[state].append(pid)
    for (status, since), pids in groups.items():
        Participation.objects.filter(id__in=pids).update(status=status, status_since=since)


def _voluntary_fate(draw: float) -> str:
    """What happened to a person the register shows as a participant (active or late today)."""
    for fate, share in (("late", LATE_SHARE), ("resumed", RESUMED_SHARE), ("new", NEW_SHARE)):
        if draw < share:
            return fate
        draw -= share
    return "active"


def _participation(writer: _Writer, rng: random.Random, tree: Any, office: Office,
                   person: tuple[Any, ...], fate: str, agent: Agent, director: User | None,
                   facts: dict[int, Any], as_of: date, as_of_month: date, now: Any,
                   requests: list[ReceiptRequest],
                   final_status: dict[int, tuple[str, date]],
                   stopped_on: dict[int, date]) -> None:
    person_id, village_id = person[0], person[1]
    # enrolments spread over the years before the as-of date (every year has new people),
    # never before the person turned 18
    years_back = rng.uniform(0.3, 8)
    start = first_of_month(as_of - timedelta(days=int(years_back * 365.25)))
    if fate == "new":
        start = first_of_month(as_of - timedelta(days=rng.randrange(3, 85)))
    start = max(start, date(2018, 4, 1))
    if fate == "stopped":
        start = max(date(2018, 4, 1), add_months(start, -12))
    adult = add_months(first_of_month(person[4]), 18 * 12 + 1)
    if fate != "new":
        start = min(max(start, adult), add_months(as_of_month, -3))
    enrolled_on = min(as_of, start + timedelta(days=rng.randrange(0, 20)))
    income = _pick(rng, INCOMES)
    mode = _pick(rng, MODES)
    if fate in ("paused", "stopped") and mode == "advance":
        mode = "yearly"  # an advance period would cover the years they stopped paying
    years = rng.choice((2, 3, 5)) if mode == "advance" else None
    pid = writer.next_id(Participation)
    terms = [TermsRow(start, income, mode, years)]
    # Where the payment history ends and what happens then.
    # (people who lapsed did so more than a year and a half ago: a year before the as-of
    # date they were already paused, so the office's count grows year on year)
    if fate == "paused":
        stop_paying = add_months(as_of_month, -rng.randrange(22, 36))
    elif fate == "stopped":
        stop_paying = add_months(as_of_month, -rng.randrange(24, 40))
    else:
        stop_paying = None
    if stop_paying is not None:
        # a year of payments at least before they stopped
        start = min(start, add_months(stop_paying, -12))
        enrolled_on = start + timedelta(days=rng.randrange(0, 20))
        terms = [TermsRow(start, income, mode, years)]
    gap_after = rng.randrange(4, 9) if fate == "resumed" else -1
    # half of those who came back did so this year (re-joined), the others long ago
    resume_at: date | None = None
    if fate == "resumed" and mode in ("monthly", "quarterly") and rng.random() < 0.5:
        resume_at = add_months(first_of_month(date(as_of.year, 1, 1)),
                               rng.randrange(0, as_of_month.month))
        gap_after = -1
    # enrolled awaiting the first payment; active from the first receipt (added below)
    changes: list[tuple[date, str, str, str]] = [(enrolled_on, "", "awaiting", "enrol")]
    paid_until: date | None = None
    supported = 0
    person_facts = facts[person_id]
    month = start
    periods_paid = 0
    while month <= as_of_month:
        length, deadline_months = period_shape(mode, years, month, tree)
        period_months = [add_months(month, i) for i in range(length)]
        deadline = last_day(add_months(month, deadline_months - 1))
        next_start = add_months(month, length)
        if resume_at is not None and periods_paid and month >= add_months(resume_at, -9):
            # missed this period, paused three months after its deadline, resumed later on
            late_on = deadline + timedelta(days=1)
            paused_on = add_months(late_on, 3)
            if paused_on >= as_of - timedelta(days=20):
                resume_at = None  # too recent a history for a pause and a return
                continue
            resume_at = max(resume_at, first_of_month(add_months(paused_on, 1)))
            resumed_on = min(as_of - timedelta(days=1),
                             resume_at + timedelta(days=rng.randrange(0, 15)))
            changes += [(late_on, "active", "late", "deadline passed"),
                        (paused_on, "late", "paused", "lapse"),
                        (max(resumed_on, paused_on + timedelta(days=1)),
                         "paused", "active", "resume")]
            terms.append(TermsRow(month, income, mode, years, paused=True))
            terms.append(TermsRow(resume_at, income, mode, years))
            month = resume_at
            resume_at = None
            continue
        if periods_paid == gap_after and add_months(month, 14) < as_of_month:
            # missed this period, lapsed, and came back some months later
            late_on = deadline + timedelta(days=1)
            paused_on = add_months(late_on, 3)
            resume_month = add_months(month, rng.randrange(6, 12))
            changes += [(late_on, "active", "late", "deadline passed"),
                        (paused_on, "late", "paused", "lapse"),
                        (max(paused_on, resume_month) + timedelta(days=rng.randrange(0, 15)),
                         "paused", "active", "resume")]
            resume_month = first_of_month(max(paused_on, resume_month))
            terms.append(TermsRow(month, income, mode, years, paused=True))
            terms.append(TermsRow(resume_month, income, mode, years))
            month = resume_month
            gap_after = -1
            continue
        if stop_paying is not None and (month >= stop_paying or (periods_paid and _paused_on(
                mode, years, next_start, tree) >= as_of - timedelta(days=90))):
            break  # stopped paying, long enough ago to have been paused (and stopped) since
        if fate == "late" and periods_paid and \
                deadline < as_of < pause_date(deadline, PAUSE_AFTER_MONTHS):
            next_deadline = last_day(add_months(next_start, period_shape(
                mode, years, next_start, tree)[1] - 1))
            if next_start > as_of_month or next_deadline >= as_of:
                break  # the last period that fell due is unpaid, recently enough to be late
        if periods_paid and deadline >= as_of and rng.random() < 0.5:
            break  # the current period is due and not yet paid (the first one is paid)
        latest = min(deadline, as_of)
        first_day = min(max(month, enrolled_on), latest)
        span = (latest - first_day).days
        paid_on = first_day + timedelta(days=rng.choice((2, 9, 16, 23)) % (span + 1))
        pricing = price_months(period_months, paid_on, terms=terms, facts=person_facts,
                               supported_before=supported, tree=tree)
        supported += pricing.supported_months
        channel = _pick(rng, CHANNELS)
        if not periods_paid:
            changes.append((paid_on, "awaiting", "active", "paid"))
        requests.append(ReceiptRequest(
            participation_id=pid, months=tuple(period_months), amount=pricing.amount,
            paid_on=paid_on, channel=channel,
            client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4), agent_id=agent.pk))
        periods_paid += 1
        paid_until = period_months[-1]
        month = next_start
    status, status_since, stop_reason = "active", enrolled_on, ""
    if fate == "late":
        missed = add_months(paid_until, 1) if paid_until else start
        length, deadline_months = period_shape(mode, years, missed, tree)
        late_on = last_day(add_months(missed, deadline_months - 1)) + timedelta(days=1)
        if late_on <= as_of:
            status, status_since = "late", late_on
            changes.append((late_on, "active", "late", "deadline passed"))
    elif fate in ("paused", "stopped"):
        gap_from = add_months(paid_until, 1) if paid_until else start
        terms.append(TermsRow(gap_from, income, mode, years, paused=True))
        length, deadline_months = period_shape(mode, years, gap_from, tree)
        late_on = last_day(add_months(gap_from, deadline_months - 1)) + timedelta(days=1)
        paused_on = add_months(late_on, 3)
        assert paused_on < as_of, (person_id, paused_on)
        changes.append((late_on, "active", "late", "deadline passed"))
        changes.append((paused_on, "late", "paused", "lapse"))
        status, status_since = "paused", paused_on
        if fate == "stopped":
            room = (as_of - paused_on).days - 1
            # some weeks to months after the pause, spread over the room left before as_of
            low = min(30, room)
            stop_on = paused_on + timedelta(days=rng.randrange(low, max(min(300, room), low + 1)))
            stop_reason = "lump_sum" if person[3] == SIStatus.LUMP_SUM else "compulsory"
            changes.append((stop_on, "paused", "stopped", stop_reason))
            status, status_since = "stopped", stop_on
            stopped_on[person_id] = stop_on
    # open while its receipts are recorded; the state of the as-of date is set afterwards
    writer.rows[Participation._meta.db_table].append((
        pid, office.id, village_id, person_id,
        db_uuid(uuid.UUID(int=rng.getrandbits(128), version=4)), start, enrolled_on, income,
        mode, years, agent.pk, agent.organisation_id, director.pk if director else None, True,
        0, 0, "active", enrolled_on, stop_reason, now,
    ))
    if (status, status_since) != ("active", enrolled_on):
        final_status[pid] = (status, status_since)
    # a later row for the same month replaces the earlier one (e.g. paused before any payment)
    for row in {row.from_month: row for row in terms}.values():
        writer.rows[Terms._meta.db_table].append((
            writer.next_id(Terms), pid, row.from_month, row.income, row.mode, row.advance_years,
            row.paused, "demo", None, now,
        ))
    for on, old, new, reason in changes:
        writer.rows[StatusChange._meta.db_table].append((
            writer.next_id(StatusChange), pid, on, old, new, reason, None, now,
        ))


def _paused_on(mode: str, years: int | None, gap_from: date, tree: Any) -> date:
    """When a participation that stops paying from `gap_from` is paused: late the day after
    that period's deadline, paused `PAUSE_AFTER_MONTHS` later."""
    _length, deadline_months = period_shape(mode, years, gap_from, tree)
    late_on = last_day(add_months(gap_from, deadline_months - 1)) + timedelta(days=1)
    return add_months(late_on, PAUSE_AFTER_MONTHS)


HIPlan = tuple[tuple[Any, ...], Agent, int, int, date, uuid.UUID]


def _household_hi(rng: random.Random, candidates: list[tuple[tuple[Any, ...], Agent]],
                  as_of: date) -> list[HIPlan]:
    """Some participants' households also buy household HI for 12 months each January:
    (payer, agent, members, year, paid on, client UUID) of each receipt."""
    chosen = [c for c in candidates if rng.random() < HI_SHARE]
    household_of = dict(Person.objects.filter(id__in=[p[0] for p, _a in chosen])
                        .values_list("id", "household_id"))
    sizes = dict(Person.objects.filter(household_id__in=set(household_of.values()))
                 .values_list("household_id").annotate(n=Count("id")))
    seen: set[int] = set()
    planned: list[HIPlan] = []
    for person, agent in chosen:
        household = household_of.get(person[0])
        if household is None or household in seen:
            continue
        seen.add(household)
        members = max(1, sizes.get(household, 1))
        for year in (as_of.year - 1, as_of.year):
            paid_on = date(year, 1, rng.randrange(3, 26))
            if paid_on > as_of:
                continue
            planned.append((person, agent, members, year, paid_on,
                            uuid.UUID(int=rng.getrandbits(128), version=4)))
    return planned


def _record_hi(planned: list[HIPlan], director: User) -> int:
    """The household-HI receipts through their action, at the engine's price, each insuring
    every member of the household (oldest first, as the receipt page lists them)."""
    people = Person.objects.in_bulk([person[0] for person, *_rest in planned])
    households = {household for person, *_rest in planned
                  if (household := people[person[0]].household_id) is not None}
    insured: dict[int, list[Person]] = {}
    for member in Person.objects.filter(household_id__in=households).order_by("birth_date",
                                                                               "id"):
        assert member.household_id is not None
        insured.setdefault(member.household_id, []).append(member)
    prices: dict[tuple[date, int], int] = {}
    for person, agent, members, year, paid_on, key in planned:
        payer = people[person[0]]
        assert payer.household is not None
        named = insured[payer.household.pk]
        assert len(named) == members
        if (paid_on, members) not in prices:
            prices[(paid_on, members)] = household_hi(paid_on, members, 12).total
        record_hi_receipt(payer.household, person=payer, members=named, months=12,
                          first_month=date(year, 2, 1), amount=prices[(paid_on, members)],
                          paid_on=paid_on, channel="cash", client_uuid=key, actor=director,
                          agent=agent)
    return len(planned)


def _json(value: dict[str, Any]) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _books(writer: _Writer, office: Office, agents_by_commune: dict[int, list[Agent]],
           needed: dict[int, int], director: User | None) -> None:
    """One book per agent, issued before the receipts: the numbers they need plus 200."""
    for agents in agents_by_commune.values():
        for agent in agents:
            writer.rows[ReceiptBook._meta.db_table].append((
                writer.next_id(ReceiptBook), office.id, agent.pk, agent.code, 1,
                needed.get(agent.pk, 0) + 200, 1, date(2018, 1, 2),
                director.pk if director else None, None,
            ))


def _remittances(rng: random.Random, office: Office, director: User | None,
                 as_of: date) -> None:
    """Each organisation remits its cash every Friday; the last week's cash is still in hand."""
    writer = _Writer()
    cash: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
    for org_id, paid_on, rid, amount in Receipt.objects.filter(
            office=office, channel="cash", reverses__isnull=True).values_list(
            "organisation_id", "paid_on", "id", "amount"):
        cash[org_id].append((paid_on, rid, amount))
    now = db_datetime(timezone.now())
    for org_id, receipts in sorted(cash.items()):
        receipts.sort()
        batch: list[tuple[date, int, int]] = []
        number = 0
        for paid_on, rid, amount in receipts:
            friday = paid_on + timedelta(days=(4 - paid_on.weekday()) % 7)
            if friday > as_of - timedelta(days=3):
                continue  # collected this week: still in the agent's hands
            if batch and friday != batch[0][0]:
                number = _flush(writer, office, org_id, batch, number, director, as_of, now)
                batch = []
            batch.append((friday, rid, amount))
        if batch:
            _flush(writer, office, org_id, batch, number, director, as_of, now)
    for model in (Remittance, RemittanceLine):
        insert_rows(model._meta.db_table, COLUMNS[model], writer.rows[model._meta.db_table])


def _flush(writer: _Writer, office: Office, org_id: int, batch: list[tuple[date, int, int]],
           number: int, director: User | None, as_of: date, now: Any) -> int:
    number += 1
    remitted_on = batch[0][0]
    rem_id = writer.next_id(Remittance)
    confirmed = remitted_on <= as_of - timedelta(days=7)
    confirmed_at = db_datetime(timezone.make_aware(datetime.combine(
        remitted_on + timedelta(days=3), datetime.min.time()))) if confirmed else None
    writer.rows[Remittance._meta.db_table].append((
        rem_id, office.id, org_id, db_uuid(uuid.uuid5(uuid.NAMESPACE_OID, f"rem-{rem_id}")),
        f"NT-{org_id}-{number:05d}", remitted_on, sum(a for _d, _r, a in batch),
        "confirmed" if confirmed else "submitted", director.pk if director else None, now,
        director.pk if confirmed and director else None, confirmed_at,
    ))
    for _day, rid, amount in batch:
        writer.rows[RemittanceLine._meta.db_table].append(
            (writer.next_id(RemittanceLine), rem_id, rid, amount))
    return number


COLUMNS: dict[type[Any], tuple[str, ...]] = {
    Participation: ("id", "office_id", "village_id", "person_id", "uuid", "start_month",
                    "enrolled_on", "income", "mode", "advance_years", "agent_id",
                    "organisation_id", "enrolled_by_id", "first_time", "prior_months",
                    "prior_supported_months", "status", "status_since", "stop_reason",
                    "created_at"),
    Terms: ("id", "participation_id", "from_month", "income", "mode", "advance_years", "paused",
            "note", "created_by_id", "created_at"),
    StatusChange: ("id", "participation_id", "on", "old_status", "new_status", "reason",
                   "actor_id", "at"),
    ReceiptBook: ("id", "office_id", "agent_id", "series", "first_number", "last_number",
                  "next_number", "issued_on", "issued_by_id", "returned_on"),
    Remittance: ("id", "office_id", "organisation_id", "uuid", "number", "remitted_on",
                 "amount", "status", "created_by_id", "created_at", "confirmed_by_id",
                 "confirmed_at"),
    RemittanceLine: ("id", "remittance_id", "receipt_id", "amount"),
}


def _write(writer: _Writer) -> None:
    for model in (Participation, Terms, StatusChange, ReceiptBook):
        insert_rows(model._meta.db_table, COLUMNS[model], writer.rows[model._meta.db_table])


def _close_months(office: Office, as_of_month: date, director: User | None) -> None:
    """Close every month from the first receipt's to the one before the as-of date."""
    month = Receipt.objects.filter(office=office).aggregate(m=Min("period"))["m"]
    if month is None:
        return
    closed_at = timezone.now()
    closes = []
    while month < as_of_month:
        closes.append(PeriodClose(office=office, month=month, closed_by=director,
                                  closed_at=closed_at, totals=period_totals(office, month)))
        month = add_months(month, 1)
    PeriodClose.objects.bulk_create(closes)
