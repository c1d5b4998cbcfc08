"""Demo outreach for the A Lưới office, consistent with the participations already seeded.

Runs after the participation and receipt demo: it reads the participations from the database.
Each commune holds events every month (conferences, small groups, door-to-door rounds, market
days); about a third of the enrolments come from an event attended 0–60 days before, about
half from a door-to-door visit by their agent, the rest from nowhere recorded. Other prospects
are met too: some refuse (with an objection), some are not home, some have a follow-up around
the demo date. Deterministic for a seed; rows written with bulk_create.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Min

from ansinh.core.models import Office
from ansinh.network.models import Agent, Assignment
from ansinh.outreach.models import Contact, Event, EventKind, Objection, Outcome, Partner
from ansinh.participation.models import Participation
from ansinh.registry.models import Person, Village
from ansinh.registry.prospects import prospect_q

MONTHS = 18
MAX_YEARS = 5
COSTS = {  # VND per event: hall, water, printing (typical of the seed office's reports)
    EventKind.CONFERENCE: (2_000_000, 6_000_000), EventKind.SMALL_GROUP: (200_000, 800_000),
    EventKind.DOOR_TO_DOOR: (0, 0), EventKind.MARKET_DAY: (300_000, 1_000_000),
    EventKind.COMMUNITY: (0, 500_000), EventKind.LOUDSPEAKER: (100_000, 300_000),
}
OBJECTIONS = [o for o in Objection.values if o != Objection.COMPULSORY]


@transaction.atomic
def seed_demo(office: Office, as_of: date, seed: int) -> None:
    rng = random.Random(seed * 104_729 + 6)
    villages = list(Village.objects.filter(commune__office=office).order_by("code"))
    by_commune: dict[int, list[Village]] = defaultdict(list)
    for village in villages:
        by_commune[village.commune_id].append(village)
    agent_users: dict[int, list[int]] = defaultdict(list)
    agent_ids = dict(Agent.objects.filter(user__office=office).values_list("id", "user_id"))
    for user_id, commune_id in Assignment.objects.filter(
        user_id__in=agent_ids.values(), commune__isnull=False
    ).order_by("id").values_list("user_id", "commune_id"):
        agent_users[commune_id].append(user_id)
    commune_of = {v.pk: v.commune_id for v in villages}
    # events from before the earliest enrolment (at most MAX_YEARS back), so enrolments of
    # every cohort can come from an event
    first = Participation.objects.filter(office=office).aggregate(m=Min("enrolled_on"))["m"]
    start = max(min(as_of - timedelta(days=30 * MONTHS),
                    (first or as_of) - timedelta(days=60)),
                as_of - timedelta(days=365 * MAX_YEARS))

    events: list[Event] = []
    organisers: list[tuple[int, int]] = []  # (event index, user id)
    for commune_id, commune_villages in sorted(by_commune.items()):
        users = agent_users.get(commune_id) or []
        day = start
        while day <= as_of:
            plan = [EventKind.CONFERENCE, EventKind.SMALL_GROUP, EventKind.SMALL_GROUP,
                    EventKind.DOOR_TO_DOOR, EventKind.DOOR_TO_DOOR]
            plan += [EventKind.MARKET_DAY] if rng.random() < 0.5 else [EventKind.COMMUNITY]
            if rng.random() < 0.3:
                plan.append(EventKind.LOUDSPEAKER)
            for kind in plan:
                held = day + timedelta(days=rng.randrange(28))
                if held > as_of:
                    continue
                low, high = COSTS[kind]
                village = rng.choice(commune_villages)
                events.append(Event(
                    office=office, village=village, kind=kind, held_on=held,
                    title="", place=f"Nhà văn hóa thôn {village.name}"
                    if kind in (EventKind.CONFERENCE, EventKind.SMALL_GROUP,
                                EventKind.COMMUNITY) else "",
                    partners=rng.sample(Partner.values, k=rng.randrange(1, 3)),
                    leaflets=rng.randrange(20, 120) if kind != EventKind.LOUDSPEAKER else 0,
                    cost=(rng.randrange(low, high + 1) // 10_000 * 10_000) if high else 0,
                ))
                for user_id in rng.sample(users, k=min(len(users), rng.randrange(1, 3))):
                    organisers.append((len(events) - 1, user_id))
            day += timedelta(days=30)
    Event.objects.bulk_create(events, batch_size=2000)
    through = Event.organisers.through
    through.objects.bulk_create([through(event_id=events[i].pk, user_id=u)
                                 for i, u in organisers], batch_size=5000)
    meeting_events = defaultdict(list)  # village -> events people attend
    commune_events = defaultdict(list)  # commune -> conferences and small groups
    for event in events:
        if event.kind != EventKind.LOUDSPEAKER:
            meeting_events[event.village_id].append(event)
        if event.kind in (EventKind.CONFERENCE, EventKind.SMALL_GROUP):
            commune_events[commune_of[event.village_id]].append(event)
    for found in meeting_events.values():
        found.sort(key=lambda e: e.held_on)

    contacts: list[Contact] = []
    attended: set[tuple[int, int]] = set()
    touched: set[int] = set()
    rows = Participation.objects.filter(office=office, enrolled_on__gte=start).order_by(
        "id").values_list("person_id", "village_id", "enrolled_on", "agent_id")
    for person_id, village_id, enrolled_on, agent_id in rows:
        by = agent_ids.get(agent_id) if agent_id else None
        draw = rng.random()
        if draw < 0.35:
            # a conference or small group of the commune (people walk to the next village)
            candidates = [e for e in commune_events.get(commune_of[village_id], ())
                          if 0 <= (enrolled_on - e.held_on).days <= 60]
            if candidates:
                event = rng.choice(candidates)
                attended.add((event.pk, person_id))
                contacts.append(Contact(
                    office=office, village_id=village_id, person_id=person_id, event=event,
                    on=event.held_on, channel="event", by_id=by,
                    outcome=Outcome.ENROLLED if event.held_on == enrolled_on
                    else Outcome.INTERESTED))
                touched.add(person_id)
                continue
        if draw < 0.85:
            on = enrolled_on - timedelta(days=rng.choice((0, 0, 3, 7, 14, 30, 45)))
            contacts.append(Contact(
                office=office, village_id=village_id, person_id=person_id, on=on,
                channel="visit", by_id=by,
                outcome=Outcome.ENROLLED if on == enrolled_on else Outcome.FOLLOW_UP,
                next_follow_up_on=enrolled_on if on != enrolled_on else None,
                owner_id=by if on != enrolled_on else None,
                follow_up_done=on != enrolled_on))
            touched.add(person_id)

    # prospects met who have not enrolled (yet)
    prospects = list(Person.objects.filter(office=office).filter(prospect_q(as_of))
                     .exclude(participations__isnull=False).order_by("id")
                     .values_list("id", "village_id"))
    rng.shuffle(prospects)
    met = prospects[: len(prospects) // 6]
    for person_id, village_id in met:
        met_by: list[int | None] = [*agent_users.get(commune_of[village_id], [])] or [None]
        by = rng.choice(met_by)
        events_here = meeting_events.get(village_id, [])
        if events_here and rng.random() < 0.4:
            event = rng.choice(events_here)
            if (event.pk, person_id) in attended:
                continue
            attended.add((event.pk, person_id))
            contacts.append(Contact(
                office=office, village_id=village_id, person_id=person_id, event=event,
                on=event.held_on, channel="event", by_id=by,
                outcome=rng.choice((Outcome.INTERESTED, Outcome.NOT_INTERESTED)),
                objection=rng.choice(OBJECTIONS)))
            continue
        on = as_of - timedelta(days=rng.randrange(1, max((as_of - start).days, 2)))
        outcome = rng.choices((Outcome.NOT_INTERESTED, Outcome.NOT_MET, Outcome.FOLLOW_UP,
                               Outcome.INTERESTED), weights=(4, 3, 2, 1))[0]
        follow = None
        if outcome == Outcome.FOLLOW_UP:
            # a few due around the demo date, so the worklist has its boundaries
            follow = (as_of + timedelta(days=rng.randrange(-5, 10)) if rng.random() < 0.5
                      else on + timedelta(days=rng.randrange(3, 15)))
            on = min(on, follow)
        contacts.append(Contact(
            office=office, village_id=village_id, person_id=person_id, on=on,
            channel=rng.choice(("visit", "visit", "call", "meeting")), by_id=by,
            outcome=outcome,
            objection=rng.choice(OBJECTIONS) if outcome == Outcome.NOT_INTERESTED else "",
            next_follow_up_on=follow, owner_id=by if follow else None,
            follow_up_done=bool(follow and follow < as_of - timedelta(days=5))))
    # event attendance tops up each event with a few more people of its village
    by_village: dict[int, list[int]] = defaultdict(list)
    for person_id, village_id in prospects[len(prospects) // 6:]:
        by_village[village_id].append(person_id)
    for event in events:
        if event.kind not in (EventKind.CONFERENCE, EventKind.SMALL_GROUP):
            continue
        pool = by_village.get(event.village_id, [])
        size = rng.randrange(8, 30) if event.kind == EventKind.CONFERENCE else rng.randrange(3, 9)
        for person_id in rng.sample(pool, k=min(size, len(pool))):
            if (event.pk, person_id) in attended:
                continue
            attended.add((event.pk, person_id))
            outcome = rng.choices((Outcome.INTERESTED, Outcome.NOT_INTERESTED,
                                   Outcome.FOLLOW_UP), weights=(3, 5, 2))[0]
            contacts.append(Contact(
                office=office, village_id=event.village_id, person_id=person_id, event=event,
                on=event.held_on, channel="event", outcome=outcome,
                objection=rng.choice(OBJECTIONS) if outcome == Outcome.NOT_INTERESTED else "",
                next_follow_up_on=event.held_on + timedelta(days=14)
                if outcome == Outcome.FOLLOW_UP else None,
                owner_id=next(iter(agent_users.get(commune_of[event.village_id], [])), None)
                if outcome == Outcome.FOLLOW_UP else None,
                follow_up_done=outcome == Outcome.FOLLOW_UP
                and event.held_on + timedelta(days=14) < as_of - timedelta(days=5)))
    Contact.objects.bulk_create(contacts, batch_size=5000)
