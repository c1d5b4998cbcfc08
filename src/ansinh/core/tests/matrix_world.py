"""The world the write matrix runs in, built once per test module and rolled back at its end.

- the A Lưới office from the demo seeding (its users are the personas) with 60 persons;
- a second office, Phong Điền, with one commune, one village, a director, a staff member and
  two agents: the "other office";
- for each target place the records the cases act on, made through the project's actions:
  own = A Lưới 3 (where the staff, agent and viewer personas work), other commune = A Lưới 2,
  other office = Phong Điền 1, substitute = A Lưới 1 (its agent thu11 is away and names the
  agent persona as substitute), assigned = A Lưới 4 with a participant whose agent is the
  agent persona.

The clock is frozen on TODAY (a Monday in March 2026) for the build and for every request, so
the payment periods are known: January is paid and remitted, February is overdue, March due.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ansinh.collection import actions as money
from ansinh.collection import lifecycle
from ansinh.collection.dues import quote_months
from ansinh.collection.lapses import settings_for
from ansinh.collection.models import Receipt, ReceiptBook, Remittance
from ansinh.collection.receipts import record_receipt
from ansinh.core.models import Office, Role, User
from ansinh.core.periods import parse_period
from ansinh.demo.seeding import seed_people, seed_reference
from ansinh.network import actions as network
from ansinh.network.models import Agent, Assignment, CollectionOrganisation, OrganisationKind
from ansinh.network.models import Target as TargetRow
from ansinh.outreach import actions as outreach
from ansinh.outreach.models import Contact, Event
from ansinh.participation import actions as participation_actions
from ansinh.participation.models import Participation
from ansinh.policy import household_hi
from ansinh.registry.models import Commune, Household, Person, Province, Village
from ansinh.retention import actions as retention
from ansinh.retention.models import RetentionCase
from ansinh.rules.tree import current_tree

from .matrix import Persona, Where

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 3, 16)
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=HCM)
SEEDED_AS_OF = date(2026, 3, 31)  # the demo's reference date, as in the root conftest
JANUARY = date(2026, 1, 1)
INCOME = 2_000_000

# Who plays each role. Staff, agent and viewer answer for A Lưới 3, the "own" commune.
PERSONA_USERS = {
    Persona.ADMIN: "admin",
    Persona.DIRECTOR: "giamdoc",
    Persona.STAFF: "canbo3",
    Persona.AGENT: "thu31",
    Persona.VIEWER: "xa3",
}


@dataclass
class Place:
    """A commune where a target lies, with everything a case may act on there."""

    where: Where
    office: Office
    commune: Commune
    village: Village
    staff: User  # the staff member who answers for the commune
    agent: Agent  # who collects here (participations and books are theirs); for the
    # "assigned" place, the agent persona
    colleague: Agent  # a second agent of the commune: the one who leaves in a hand-over
    prospect: Person  # eligible, not enrolled, with a national ID; member of `household`
    household: Household
    participation: Participation  # January paid and remitted, February overdue
    paused: Participation
    receipt: Receipt  # January's, cash, in `remittance`
    hi_receipt: Receipt  # household HI, cash, not yet remitted
    remittance: Remittance  # submitted, waiting for the office's confirmation
    book: ReceiptBook  # the agent's open book
    event: Event
    attendance: Contact  # the participant's attendance at `event`
    follow_up: Contact  # a visit to the prospect with a follow-up still open
    case: RetentionCase  # the participant wants the lump sum
    office_target: TargetRow  # the office's 2026 target of active participants

    @property
    def organisation(self) -> CollectionOrganisation:
        return self.agent.organisation


@dataclass
class World:
    users: dict[Persona, User]
    places: dict[Where, Place] = field(default_factory=dict)

    def home_village(self, persona: Persona, place: Place) -> Village:
        """The village a persona would name for a record of `place`: staff, agents and viewers
        only know their own commune's villages; the director and admin name the place's own."""
        if persona in (Persona.DIRECTOR, Persona.ADMIN):
            return place.village
        return self.places[Where.OWN].village


def build_world() -> World:
    office, villages, _users = seed_reference(SEEDED_AS_OF)
    seed_people(office, villages, persons=60, seed=7, as_of=SEEDED_AS_OF)
    other = _second_office()
    users = {persona: User.objects.get(username=name) for persona, name in PERSONA_USERS.items()}
    targets = {}
    for each in (office, other):
        settings_for(each)  # created on first read by the pages: create it now, not mid-test
        targets[each.pk] = network.set_target(
            office=each, period=parse_period("2026"), metric="active", unit_kind="office",
            unit=None, value=1000, effective_on=JANUARY,
            actor=User.objects.get(office=each, role=Role.DIRECTOR))
    world = World(users=users)
    specs = (
        (Where.OWN, "AL3", "canbo3", "thu31", "thu32"),
        # thu22 works for the farmers' union, an organisation serving the whole office (no
        # commune): the case where a commune's staff could reach another commune's money
        (Where.OTHER_COMMUNE, "AL2", "canbo2", "thu22", "thu21"),
        (Where.OTHER_OFFICE, "PD1", "canbo_pd", "thu_pd1", "thu_pd2"),
        (Where.SUBSTITUTE, "AL1", "canbo1", "thu11", "thu12"),
        # A Lưới 4's records, but its participant was enrolled by thu31, who collects from them
        (Where.ASSIGNED, "AL4", "canbo4", "thu31", "thu42"),
    )
    for number, (where, commune_code, staff, agent, colleague) in enumerate(specs, start=1):
        commune = Commune.objects.get(code=commune_code)
        world.places[where] = _place(
            where, number, commune, staff=User.objects.get(username=staff),
            agent=Agent.objects.get(user__username=agent),
            colleague=Agent.objects.get(user__username=colleague),
            office_target=targets[commune.office_id])
    # thu11 is away: their assignment to A Lưới 1 names the persona agent as substitute
    Assignment.objects.filter(user__username="thu11", commune__code="AL1").update(
        substitute=users[Persona.AGENT])
    return world


def _second_office() -> Office:
    """Phong Điền: one commune, one village, a collection organisation and four users."""
    office = Office.objects.create(code="PD", name="BHXH cơ sở Phong Điền")
    commune = Commune.objects.create(office=office, province=Province.objects.get(code="46"),
                                     code="PD1", name="Phong Điền 1")
    Village.objects.create(commune=commune, code="PD1-01", name="Khe Trái")
    organisation = CollectionOrganisation.objects.create(
        office=office, code="UB-PD1", name="UBND xã Phong Điền 1",
        kind=OrganisationKind.COMMUNE_COMMITTEE, commune=commune)
    User.objects.create(username="giamdoc_pd", role=Role.DIRECTOR, office=office)
    for username, role in (("canbo_pd", Role.STAFF), ("thu_pd1", Role.AGENT),
                           ("thu_pd2", Role.AGENT)):
        user = User.objects.create(username=username, role=role, office=office)
        Assignment.objects.create(user=user, commune=commune, starts_on=date(2025, 1, 1))
        if role == Role.AGENT:
            Agent.objects.create(user=user, organisation=organisation, code=username.upper())
    return office


def _person(village: Village, household: Household | None, name: str, born: date, sex: str,
            serial: int) -> Person:
    century_digit = 0 if sex == "M" else 1  # born in the 1900s
    person = Person(office_id=village.commune.office_id, village=village, household=household,
                    full_name=name, birth_date=born, sex=sex,
                    national_id=f"046{century_digit}{born.year % 100:02d}{serial:06d}",
                    si_status_source="matrix")
    person.save()
    return person


def _place(where: Where, number: int, commune: Commune, *, staff: User, agent: Agent,
           colleague: Agent, office_target: TargetRow) -> Place:
    village = commune.villages.order_by("code").first()
    assert village is not None
    office = commune.office
    household = Household.objects.create(office=office, village=village,
                                         code=f"{village.code}-HMATRIX", head_name="Hồ Văn Đức")
    serial = 990_000 + number * 10
    prospect = _person(village, household, "Hồ Văn Đức", date(1990, 5, 10), "M", serial)
    payer = _person(village, None, "Kăn Thị Hoa", date(1988, 2, 3), "F", serial + 1)
    resting = _person(village, None, "Lê Văn Sơn", date(1985, 7, 7), "M", serial + 2)
    collector = agent.user
    # the office sets the place up (its director may act anywhere in it): the agent of a place
    # need not hold its village (the "assigned" place), yet collects there
    director = User.objects.get(office=office, role=Role.DIRECTOR)
    book = money.issue_book(agent, series=f"MATRIX{number}", first_number=1, last_number=200,
                            issued_on=date(2026, 1, 2), actor=director)
    participation = participation_actions.enrol(
        payer, start_month=JANUARY, income=INCOME, mode="monthly", actor=director,
        enrolled_on=date(2026, 1, 5), agent=agent)
    receipt = record_receipt(
        participation, months=[JANUARY],
        amount=quote_months(participation, [JANUARY], date(2026, 1, 20)).amount,
        paid_on=date(2026, 1, 20), channel="cash", client_uuid=uuid.uuid4(),
        actor=director, agent=agent).receipt
    remittance = money.remit(agent.organisation, receipts=[receipt], number=f"NT-MATRIX-{number}",
                             remitted_on=date(2026, 1, 25), actor=director)
    paused = participation_actions.enrol(
        resting, start_month=JANUARY, income=INCOME, mode="monthly", actor=director,
        enrolled_on=date(2026, 1, 5), agent=agent)
    lifecycle.pause(paused, on=date(2026, 2, 10), actor=director, reason="ốm")
    hi_paid_on = date(2026, 3, 10)
    hi_amount = household_hi(hi_paid_on, 1, 12, tree=current_tree(office)).total
    hi_receipt = money.record_hi_receipt(
        household, person=prospect, members=[prospect], months=12, first_month=date(2026, 4, 1),
        amount=hi_amount, paid_on=hi_paid_on, channel="cash", client_uuid=uuid.uuid4(),
        actor=director, agent=agent).receipt
    event = outreach.create_event(actor=director, village=village, kind="conference",
                                  held_on=date(2026, 3, 10), title="Hội nghị khách hàng")
    attendance = outreach.record_contact(actor=director, person=payer, on=event.held_on,
                                         channel="event", outcome="interested", event=event)
    follow_up = outreach.record_contact(
        actor=director, person=prospect, on=date(2026, 3, 12), channel="visit",
        outcome="follow_up", next_follow_up_on=date(2026, 3, 20), owner=collector)
    case = retention.open_case(person=payer, reason="wants_lump_sum", on=date(2026, 3, 1),
                               actor=director)
    return Place(
        where=where, office=office, commune=commune, village=village, staff=staff, agent=agent,
        colleague=colleague, prospect=prospect, household=household,
        participation=participation, paused=paused, receipt=receipt, hi_receipt=hi_receipt,
        remittance=remittance, book=book, event=event, attendance=attendance,
        follow_up=follow_up, case=case, office_target=office_target)
