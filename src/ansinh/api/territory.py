"""What a phone downloads before leaving: the caller's territory, then only what changed.

`GET /api/territory` pages through the persons the caller may see (`core.scoping`, plus the
participants an agent answers for wherever they live), each with their household, their open
participation with the periods payable today at the engine's amounts, their open follow-ups and
their last contact (docs/field-sync.md). A cursor names the office, the office's change number
the download was read at, and a digest of the caller's territory: the next download asks only
for persons whose `sync_version` is above that number; a cursor of another office or of a
territory that has changed since answers a full download with `reset`.

Every page of one download answers the same cursor: the number is read before the first page's
rows and remembered for an hour (in the cache, keyed by the device and the cursor it came with)
for the pages that follow. Should the cache have forgotten it (another server process, an hour
gone), a later page answers the cursor the caller came with — a smaller number, so the next
download sends a little again and misses nothing.

`GET /api/worklist` is the caller's worklist for today, as the worklist page shows it, a slice
at a time (`offset`, `limit`) and optionally one village.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.params.functions import Query
from pydantic import BaseModel, Field

from ansinh.collection.dues import chunks, payable_bulk, supported_counts
from ansinh.core import permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry, Office, Role, User
from ansinh.network.models import Agent
from ansinh.outreach import priority
from ansinh.outreach.models import Contact
from ansinh.participation.models import Participation, Status
from ansinh.participation.subsidy import facts_for_people
from ansinh.registry.changes import current_seq
from ansinh.registry.models import Household, Person
from ansinh.rules.tree import current_tree

from .errors import ERRORS

router = Router(tags=["territory"])

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
MAX_ID = 2**62  # larger ids cannot be stored; the query string is refused before any query
CURSOR = re.compile(r"^(\d{1,12})\.(\d{1,18})\.([0-9a-f]{16})$")
REMEMBER_SECONDS = 3600  # how long the pages of one download answer its first cursor


# ---------------------------------------------------------------------------------------------
# The answer (plain pydantic models: ninja's Schema reads attributes of ORM objects, which these
# dicts are not, and costs a third of a page's time doing so)


class VillageOut(BaseModel):
    id: int
    name: str
    commune: str


class HouseholdOut(BaseModel):
    id: int
    village: int
    head: str


class PeriodOut(BaseModel):
    months: list[date] = Field(description="the unpaid months of the period, as the receipt "
                                           "page ticks them together")
    amount: int | None = Field(description="the engine's amount paid today (VND); null when "
                                           "the engine refuses it")
    support: int | None = Field(description="state and local support in that amount (VND)")
    deadline: date
    overdue: bool


class ParticipationOut(BaseModel):
    id: int
    uuid: UUID
    status: str
    mode: str
    income: int
    start_month: date
    periods: list[PeriodOut] = Field(description="periods payable now and the next one")


class FollowUpOut(BaseModel):
    contact: UUID
    on: date
    note: str
    owner: str | None = Field(description="username of who is to go back")


class LastContactOut(BaseModel):
    on: date
    outcome: str


class PersonOut(BaseModel):
    id: int
    uuid: UUID
    version: int
    full_name: str
    name_folded: str
    birth_date: date
    birth_year_only: bool
    sex: str
    ethnicity: str
    village: int
    household: int | None
    phone: str
    si_status: str
    category: str = Field(description="the subsidy category the contribution formula takes "
                                      "today (poor, near_poor, island, ethnic_minority, other)")
    supported_months: int = Field(description="months of state support already had (the "
                                              "120-month cap): the phone prices an enrolment "
                                              "with it")
    participation: ParticipationOut | None
    follow_ups: list[FollowUpOut]
    last_contact: LastContactOut | None


class TerritoryPage(BaseModel):
    reset: bool = Field(description="a full download: replace what the phone holds")
    cursor: str = Field(description="keep it once the last page has arrived (the same in "
                                    "every page of one download)")
    total: int = Field(description="persons in this whole download")
    next_after: int | None = Field(description="`after` of the next page; null on the last")
    villages: list[VillageOut] = Field(description="the territory's villages (first page)")
    households: list[HouseholdOut]
    persons: list[PersonOut]
    removed: list[UUID] = Field(description="uuids of persons changed since the cursor who "
                                            "are outside the caller's territory (first page); "
                                            "drop them if held")


class WorklistLine(BaseModel):
    person: UUID
    kinds: list[str]
    reasons: list[str]
    score: int
    village: int


# ---------------------------------------------------------------------------------------------
# Who calls, and what they may see


def _caller(request: HttpRequest) -> User:
    user = permissions.signed_in(request)
    permissions.require(user, "field_work")
    if user.office_id is None:
        raise Refused("Tài khoản không thuộc cơ quan nào: không có địa bàn để tải",
                      "the account belongs to no office: there is no territory to download")
    return user


def persons_in_scope(user: User, on: date) -> QuerySet[Person]:
    """The persons the phone holds: those the user may see, and (for an agent) the persons of
    the open participations they answer for outside their villages, wherever those live."""
    seen = scoping.scoped(user, Person.objects.all(), on)
    if user.role != Role.AGENT:
        return seen
    # a short list (the participants of the agent and their absent colleagues elsewhere): as
    # literals, so the database reads the villages' persons and these through their indexes
    # instead of testing every person of the office against a subquery
    followed = list(scoping.scoped(user, Participation.objects.exclude(status=Status.STOPPED)
                                   .exclude(village__in=scoping.visible_villages(user, on)), on)
                    .values_list("person_id", flat=True))
    return seen | Person.objects.filter(id__in=followed) if followed else seen


def territory_digest(user: User, on: date) -> str:
    """What the caller's territory is made of: changes when their assignments do."""
    villages = sorted(scoping.visible_villages(user, on).values_list("id", flat=True))
    represented = sorted(scoping.territory().represented_users(user, on)
                         .values_list("id", flat=True))
    text = f"{user.pk}|{user.role}|{user.office_id}|{villages}|{represented}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Cursor:
    office_id: int
    seq: int
    digest: str

    def __str__(self) -> str:
        return f"{self.office_id}.{self.seq}.{self.digest}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        found = CURSOR.match(text.strip())
        if found is None:
            return None
        return cls(int(found[1]), int(found[2]), found[3])


def _download_cursor(request: HttpRequest, user: User, came_with: Cursor | None, fresh: Cursor,
                     first_page: bool) -> Cursor:
    """The cursor every page of this download answers (see the module docstring): the first
    page's number, remembered per device and starting cursor."""
    device = getattr(request, "device", None)
    who = f"{user.pk}|{device.pk if device is not None else 'session'}"
    key = "api.territory:" + hashlib.sha256(
        f"{who}|{came_with or ''}|{fresh.digest}".encode()).hexdigest()
    if first_page:
        cache.set(key, fresh.seq, REMEMBER_SECONDS)
        return fresh
    remembered = cache.get(key)
    if isinstance(remembered, int) and remembered <= fresh.seq:
        return Cursor(fresh.office_id, remembered, fresh.digest)
    return Cursor(fresh.office_id, came_with.seq if came_with is not None else 0, fresh.digest)


# ---------------------------------------------------------------------------------------------
# The endpoints


@router.get("/territory", response={200: TerritoryPage, **ERRORS},
            summary="The caller's territory: in full, or what changed since a cursor")
def territory(
    request: HttpRequest,
    cursor: str = Query("", max_length=200),
    after: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    user = _caller(request)
    today = timezone.localdate()
    office_id = user.office_id
    assert office_id is not None
    digest = territory_digest(user, today)
    given = Cursor.parse(cursor)
    reset = given is None or given.office_id != office_id or given.digest != digest
    base = 0 if reset or given is None else given.seq
    first_page = after == 0
    fresh = Cursor(office_id, current_seq(office_id), digest)  # read before any row
    answer_cursor = _download_cursor(request, user, None if reset else given, fresh,
                                     first_page)

    scope = persons_in_scope(user, today)
    changed = scope if reset else scope.filter(sync_version__gt=base)
    total = changed.count()
    page = list(_person_rows(changed.filter(id__gt=after).order_by("id")[:limit]))
    next_after = page[-1]["id"] if len(page) == limit and changed.filter(
        id__gt=page[-1]["id"]).exists() else None
    villages: list[dict[str, Any]] = []
    removed: list[UUID] = []
    if first_page:
        villages = [{"id": vid, "name": name, "commune": commune}
                    for vid, name, commune in scoping.visible_villages(user, today)
                    .order_by("commune__code", "code")
                    .values_list("id", "name", "commune__name")]
        if not reset:
            removed = left_scope(user, base, scope, today)
    return {
        "reset": reset, "cursor": str(answer_cursor), "total": total, "next_after": next_after,
        "villages": villages, "households": _households(page),
        "persons": _bundles(page, user.office, today), "removed": removed,
    }


@router.get("/worklist", response={200: list[WorklistLine], **ERRORS},
            summary="The caller's worklist for today, as the worklist page builds it")
def worklist_today(
    request: HttpRequest,
    village: int | None = Query(None, ge=1, le=MAX_ID),
    offset: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Lines ``offset``… of the list (village by village, the most urgent first), at most
    ``limit``; ``village`` narrows it to one village of the caller's territory (another is
    ignored, as on the page). Read from the precomputed priorities (`outreach.priority`)."""
    user = _caller(request)
    lines = priority.lines_for(user, timezone.localdate(), village_id=village, start=offset,
                               stop=offset + limit)
    uuids = dict(Person.objects.filter(id__in=[line.person_id for line in lines])
                 .values_list("id", "uuid"))
    return [{"person": uuids[line.person_id], "kinds": sorted(line.kinds),
             "reasons": [str(reason) for _points, reason in line.reasons],
             "score": line.score, "village": line.village_id}
            for line in lines]


def left_scope(user: User, base: int, scope: QuerySet[Person], on: date) -> list[UUID]:
    """Persons changed since `base` who were the caller's and are no longer: moved out of one
    of their villages (the register's audit trail says from where), or a participant they
    answered for elsewhere whose participation stopped, or a duplicate merged into another
    record of their villages (registry.merging). Persons who were never theirs are not
    named: a phone learns nothing of another territory."""
    villages = set(scoping.visible_villages(user, on).values_list("id", flat=True))
    merged = list(Person.with_merged.filter(
        office=user.office, sync_version__gt=base, merged_into__isnull=False,
        village_id__in=villages).values_list("uuid", flat=True))
    candidates = dict(Person.objects.filter(office=user.office, sync_version__gt=base)
                      .exclude(id__in=scope.values("id")).values_list("id", "uuid"))
    if not candidates:
        return merged
    agents = set(Agent.objects.filter(
        user__in=scoping.territory().represented_users(user, on)).values_list("id", flat=True))
    left: set[int] = set()
    ids = sorted(candidates)
    for group in chunks(ids):
        for object_id, changes in AuditEntry.objects.filter(
                model="registry.Person", action__in=("person.update", "import.update"),
                object_id__in=[str(pid) for pid in group]).values_list("object_id", "changes"):
            moved = changes.get("village") or changes.get("village_id") or [None]
            if moved[0] in villages:
                left.add(int(object_id))
        if not agents:
            continue
        # a participant of theirs outside their villages whose participation stopped (a
        # hand-over moves the agent's assignments too: their next download is a reset)
        left.update(Participation.objects.filter(person_id__in=group, agent_id__in=agents)
                    .values_list("person_id", flat=True))
    return merged + [candidates[pid] for pid in sorted(left)]


# ---------------------------------------------------------------------------------------------
# The bundles of one page: a fixed number of queries, whatever the page size

PERSON_FIELDS = ("id", "uuid", "sync_version", "full_name", "name_folded", "birth_date",
                 "birth_year_only", "sex", "ethnicity", "village_id", "household_id", "phone",
                 "si_status")


def _person_rows(persons: QuerySet[Person]) -> Any:
    last = Contact.objects.filter(person=OuterRef("pk")).order_by("-on", "-id")
    return persons.annotate(
        last_on=Subquery(last.values("on")[:1]), last_outcome=Subquery(last.values("outcome")[:1]),
    ).values(*PERSON_FIELDS, "last_on", "last_outcome")


def _households(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = {row["household_id"] for row in page if row["household_id"]}
    return [{"id": hid, "village": village, "head": head}
            for hid, village, head in Household.objects.filter(id__in=ids).order_by("id")
            .values_list("id", "village_id", "head_name")]


def _bundles(page: list[dict[str, Any]], office: Office | None,
             today: date) -> list[dict[str, Any]]:
    person_ids = [row["id"] for row in page]
    if not person_ids:
        return []
    participations = {
        row["person_id"]: row for row in Participation.objects.filter(
            person_id__in=person_ids).exclude(status=Status.STOPPED).values(
            "id", "uuid", "person_id", "office_id", "status", "mode", "income", "start_month")
    }
    payable = payable_bulk([(p["id"], p["person_id"], p["office_id"])
                            for p in participations.values()], today)
    follow_ups: dict[int, list[dict[str, Any]]] = {}
    for person_id, contact, on, note, owner in Contact.objects.filter(
            person_id__in=person_ids, follow_up_done=False, next_follow_up_on__isnull=False,
    ).order_by("next_follow_up_on", "id").values_list(
            "person_id", "uuid", "next_follow_up_on", "note", "owner__username"):
        follow_ups.setdefault(person_id, []).append(
            {"contact": contact, "on": on, "note": note, "owner": owner})
    facts = facts_for_people(person_ids)
    supported = supported_counts(person_ids)
    tree = current_tree(office)
    bundles = []
    for row in page:
        part = participations.get(row["id"])
        bundles.append({
            "id": row["id"], "uuid": row["uuid"], "version": row["sync_version"],
            "full_name": row["full_name"], "name_folded": row["name_folded"],
            "birth_date": row["birth_date"], "birth_year_only": row["birth_year_only"],
            "sex": row["sex"], "ethnicity": row["ethnicity"], "village": row["village_id"],
            "household": row["household_id"], "phone": row["phone"],
            "si_status": row["si_status"],
            "category": facts[row["id"]].category(today, tree),
            "supported_months": supported.get(row["id"], 0),
            "participation": None if part is None else _participation(part, payable, today),
            "follow_ups": follow_ups.get(row["id"], []),
            "last_contact": ({"on": row["last_on"], "outcome": row["last_outcome"]}
                             if row["last_on"] is not None else None),
        })
    return bundles


def _participation(part: Any, payable: dict[int, Any],
                   today: date) -> dict[str, Any]:
    found = payable[part["id"]]
    periods = []
    for period in found.dues.payable:
        pricing = found.prices.get(period.start)
        periods.append({
            "months": list(period.unpaid),
            "amount": pricing.amount if pricing is not None else None,
            "support": pricing.support if pricing is not None else None,
            "deadline": period.deadline, "overdue": period.deadline < today,
        })
    return {"id": part["id"], "uuid": part["uuid"], "status": part["status"],
            "mode": part["mode"], "income": part["income"], "start_month": part["start_month"],
            "periods": periods}
