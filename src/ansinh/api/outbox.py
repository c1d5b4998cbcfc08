"""Applying a phone's outbox: each item once, in order, each in its own transaction.

An item names its rows by uuid (a new person's, contact's, participation's or receipt's uuid is
the item's client UUID), and goes through the action a page would call: `add_new_person`,
`record_contact`, `close_follow_up` / `reschedule_follow_up`, `enrol`, `record_receipts`. The
answer is kept as a `field.SyncItem`: a retry with the same content gets it again (`already`
for what was recorded), other content under the same UUID is refused. The actions are
idempotent on the same UUIDs, which covers a crash between an action's commit and the
SyncItem row (`record_receipts` commits on its own; the other actions share the item's
transaction with the row).

Conflicts (docs/field-sync.md): the phone says which version of the person it saw
(`base_version`). When the person changed since, by anyone but this user's own earlier items,
and the change matters to the item, the item is kept as a conflict for staff and nothing is
written: a follow-up that was closed or moved meanwhile, an enrolment of a person who now has
an open participation or is no longer eligible, a receipt refused for its amount, months or
the participation's status (the money was collected: staff must see it). A new person that
looks like one in the register (the same folded name and birth date in the village, or the
national ID) is a conflict whatever the version.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol, TypeVar
from uuid import UUID

from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils import timezone

from ansinh.collection.receipts import (
    ALREADY,
    RECORDED,
    NumberNotReserved,
    ReceiptRequest,
    UuidReused,
    record_receipts,
)
from ansinh.core import permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry, User
from ansinh.core.text import fold
from ansinh.field.models import Device, SyncItem, SyncStatus
from ansinh.outreach.actions import (
    FOLLOW_UP_RESCHEDULE,
    add_new_person,
    close_follow_up,
    record_contact,
    reschedule_follow_up,
)
from ansinh.outreach.models import Contact
from ansinh.participation.actions import eligibility_refusal, enrol
from ansinh.participation.models import Participation
from ansinh.policy.money import first_of_month
from ansinh.registry.models import Household, Person, Village

T = TypeVar("T")
MAX_ITEMS = 500
ATTEMPTS = 6  # a deadlock, serialisation failure or lost race is retried this many times
REFUSED, CONFLICT = "refused", "conflict"
FIRST_YEAR, LAST_YEAR = 1900, 2100
WHO_REFUSALS = (permissions.NotPermitted, scoping.OutOfTerritory)


class Item(Protocol):
    @property
    def client_uuid(self) -> UUID: ...

    @property
    def kind(self) -> str: ...

    @property
    def base_version(self) -> int | None: ...

    @property
    def data(self) -> Any: ...


@dataclass(frozen=True)
class Answer:
    client_uuid: UUID
    status: str  # recorded, already, refused, conflict
    reason: str = ""
    number: str = ""
    version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"client_uuid": self.client_uuid, "status": self.status, "reason": self.reason,
                "number": self.number, "version": self.version}


@dataclass
class Outcome:
    """What an item came to, before it is stored."""

    status: str  # recorded, already, refused, conflict
    refusal: Refused | None = None
    number: str = ""
    person_id: int | None = None
    village_id: int | None = None
    office_id: int | None = None
    prior_version: int | None = None


def content_hash(item: Item) -> str:
    """sha256 of the canonical JSON of the item's kind and data (as parsed: "2026-01" and
    "2026-01-01" are the same month)."""
    data = item.data.model_dump(mode="json")
    if "months" in data:
        data["months"] = sorted(f"{m[:7]}" for m in data["months"])
    if "start_month" in data:
        data["start_month"] = data["start_month"][:7]
    text = json.dumps({"kind": item.kind, "data": data}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def apply_items(user: User, device: Device | None, items: Sequence[Item]) -> list[Answer]:
    """Apply `items` in order; one answer per item, in the same order."""
    return [_apply(user, device, item) for item in items]


def _retryable(exc: DatabaseError) -> bool:
    """A unique violation (another request won the race: the retry finds its row), a deadlock
    or serialisation failure (PostgreSQL), a busy database (SQLite)."""
    if isinstance(exc, IntegrityError):
        return True
    sqlstate = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def retrying(work: Callable[[], T]) -> T:
    """`work` (its own transaction), run again on a clash `_retryable` names."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return work()
        except DatabaseError as exc:
            if attempt == ATTEMPTS or not _retryable(exc):
                raise
            time.sleep(random.uniform(0, 0.02 * attempt))  # jitter, so racers part
    raise AssertionError("unreachable")


class Busy(Refused):
    def __init__(self) -> None:
        super().__init__("Máy chủ đang bận, hãy đồng bộ lại", "the server is busy: sync again")


def _apply(user: User, device: Device | None, item: Item) -> Answer:
    digest = content_hash(item)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _apply_once(user, device, item, digest)
        except DatabaseError as exc:
            if not _retryable(exc):
                raise
            if attempt < ATTEMPTS:
                time.sleep(random.uniform(0, 0.02 * attempt))
    # nothing was kept: the phone sends the item again and it is applied then
    return Answer(item.client_uuid, REFUSED, Busy().message)


def _dates_refusal(item: Item) -> Refused | None:
    """A date no person or payment can have (the engine's date arithmetic needs real years)."""
    for value in dict(item.data).values():
        if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            return Refused(f"Ngày {value:%d/%m/%Y} không hợp lệ",
                           f"the date {value:%d/%m/%Y} is not plausible")
    return None


def _apply_once(user: User, device: Device | None, item: Item, digest: str) -> Answer:
    refusal = _dates_refusal(item)
    if refusal is not None:
        return Answer(item.client_uuid, REFUSED, refusal.message)
    known = SyncItem.objects.filter(client_uuid=item.client_uuid).first()
    if known is not None:
        return _stored_answer(known, user, digest)
    if item.kind == "receipt":
        outcome = _receipt(user, device, item)
        if not _kept(outcome):
            return _unkept(item, outcome)
        try:
            with transaction.atomic(durable=True):
                row = _store(user, device, item, digest, outcome)
        except IntegrityError:
            # the same item sent twice at once: the other request kept its answer first, but
            # this one wrote the receipt (the other found it: "already")
            known = SyncItem.objects.filter(client_uuid=item.client_uuid).first()
            if known is None:
                raise
            stored = _stored_answer(known, user, digest)
            fresh = outcome.status == RECORDED and stored.status == ALREADY
            return replace(stored, status=RECORDED) if fresh else stored
    else:
        with transaction.atomic(durable=True):
            outcome = KINDS[item.kind](user, item)
            if _kept(outcome):
                row = _store(user, device, item, digest, outcome)
    if not _kept(outcome):
        return _unkept(item, outcome)
    return Answer(item.client_uuid, outcome.status,
                  outcome.refusal.message if outcome.refusal else "", outcome.number,
                  row.version)


def _kept(outcome: Outcome) -> bool:
    """A refusal for who the user is (their role, their territory) is not kept: it is not a
    fact about the item, and the same item may land once the user is assigned there."""
    return not isinstance(outcome.refusal, WHO_REFUSALS)


def _unkept(item: Item, outcome: Outcome) -> Answer:
    assert outcome.refusal is not None
    return Answer(item.client_uuid, outcome.status, outcome.refusal.message)


def _stored_answer(known: SyncItem, user: User, digest: str) -> Answer:
    if known.content_hash != digest or known.user_id != user.pk:
        return Answer(known.client_uuid, REFUSED, Refused(
            "Mã giao dịch đã dùng cho một mục khác", "this transaction id was used for another "
            "item").message)
    status = ALREADY if known.status == SyncStatus.RECORDED else known.status
    version = (Person.objects.filter(pk=known.person_id).values_list("sync_version", flat=True)
               .first() if known.person_id else None)
    return Answer(known.client_uuid, status, known.reason, known.number, version)


def _store(user: User, device: Device | None, item: Item, digest: str,
           outcome: Outcome) -> SyncItem:
    version = (Person.objects.filter(pk=outcome.person_id).values_list("sync_version", flat=True)
               .first() if outcome.person_id else None)
    refusal = outcome.refusal
    return SyncItem.objects.create(
        client_uuid=item.client_uuid, device=device, user=user,
        office_id=outcome.office_id, village_id=outcome.village_id,
        person_id=outcome.person_id, kind=item.kind, content_hash=digest,
        payload=item.data.model_dump(mode="json"),
        status=SyncStatus.RECORDED if outcome.status in (RECORDED, ALREADY) else outcome.status,
        reason_vi=refusal.vi[:300] if refusal else "",
        reason_en=refusal.en[:300] if refusal else "",
        number=outcome.number, base_version=item.base_version,
        prior_version=outcome.prior_version, version=version,
    )


# -- staleness -------------------------------------------------------------------------------

def effective_base(user: User, person_id: int, base_version: int) -> int:
    """The version the phone's view of the person amounts to: its download's, moved on past
    each of this user's own recorded items that found the person as the phone left it."""
    base = base_version
    for prior, version in (SyncItem.objects
                           .filter(person_id=person_id, user=user, status=SyncStatus.RECORDED,
                                   prior_version__isnull=False, version__isnull=False)
                           .order_by("version").values_list("prior_version", "version")):
        if prior is not None and version is not None and prior <= base:
            base = max(base, version)
    return base


def _stale(user: User, item: Item, person_id: int, version: int) -> bool:
    """Whether the person changed since the phone's download, by someone else."""
    if item.base_version is None:
        return False
    return version > effective_base(user, person_id, item.base_version)


def _where(person: Person) -> dict[str, Any]:
    return {"person_id": person.pk, "village_id": person.village_id,
            "office_id": person.office_id, "prior_version": person.sync_version}


def _no_such(vi: str, en: str) -> Outcome:
    return Outcome(REFUSED, Refused(vi, en))


def _not_future(on: date, vi: str, en: str) -> None:
    if on > timezone.localdate():
        raise Refused(f"{vi} {on:%d/%m/%Y} chưa đến", f"{en} {on:%d/%m/%Y} is in the future")


def _refusing(apply: Callable[[], Outcome], where: dict[str, Any]) -> Outcome:
    """Run `apply`; an action's refusal becomes a refused outcome (nothing it wrote stays:
    the action's own atomic block rolled back)."""
    try:
        return apply()
    except Refused as exc:
        return Outcome(REFUSED, exc, **where)


# -- the kinds -------------------------------------------------------------------------------

def _person(user: User, item: Item) -> Outcome:
    data = item.data
    village = Village.objects.select_related("commune").filter(pk=data.village).first()
    if village is None:
        return _no_such("Không có thôn này", "no such village")
    where: dict[str, Any] = {"village_id": village.pk, "office_id": village.commune.office_id}
    existing = Person.objects.filter(uuid=item.client_uuid).first()

    def apply() -> Outcome:
        permissions.authorise(user, "edit_persons", village)
        _not_future(data.birth_date, "Ngày sinh", "the birth date")
        if existing is None:
            twin = _looks_like(village, data, item.client_uuid)
            if twin is not None:
                return Outcome(CONFLICT, twin, **where)
        household = None
        if data.household is not None:
            household = Household.objects.filter(pk=data.household).first()
            if household is None:
                raise Refused("Không có hộ này", "no such household")
        person = add_new_person(
            actor=user, village=village, full_name=" ".join(data.full_name.split()),
            birth_date=data.birth_date, birth_year_only=data.birth_year_only, sex=data.sex,
            ethnicity=data.ethnicity, phone=data.phone, national_id=data.national_id,
            household=household, uuid=item.client_uuid)
        return Outcome(ALREADY if existing is not None else RECORDED,
                       **(_where(person) | {"prior_version": 0 if existing is None
                                            else person.sync_version}))

    return _refusing(apply, where)


def _looks_like(village: Village, data: Any, client_uuid: UUID) -> Refused | None:
    """A person of the register the new one may be: the same folded name and birth date in
    the village, or the same national ID."""
    twin = (Person.objects.filter(village=village, name_folded=fold(data.full_name),
                                  birth_date=data.birth_date)
            .exclude(uuid=client_uuid).first())
    if twin is not None:
        return Refused(f"Có thể trùng với {twin.full_name} ({twin.birth_display}) đã có trong sổ",
                       f"may be the same person as {twin.full_name} ({twin.birth_display}), "
                       "already in the register")
    if data.national_id and Person.objects.filter(national_id=data.national_id).exists():
        return Refused("Số định danh đã có trong sổ đối tượng",
                       "this national ID is already in the register")
    return None


def _contact(user: User, item: Item) -> Outcome:
    data = item.data
    person = Person.objects.filter(uuid=data.person).first()
    if person is None:
        return _no_such("Không có người này", "no such person")
    where = _where(person)
    existed = Contact.objects.filter(uuid=item.client_uuid).exists()

    def apply() -> Outcome:
        _not_future(data.on, "Ngày tiếp xúc", "the contact date")
        record_contact(actor=user, person=person, on=data.on, channel=data.channel,
                       outcome=data.outcome, objection=data.objection, note=data.note,
                       next_follow_up_on=data.next_follow_up_on, uuid=item.client_uuid)
        return Outcome(ALREADY if existed else RECORDED, **where)

    return _refusing(apply, where)


def _follow_up(user: User, item: Item) -> Outcome:
    data = item.data
    contact = Contact.objects.select_related("person").filter(uuid=data.contact).first()
    if contact is None:
        return _no_such("Không có lần tiếp xúc này", "no such contact")
    person = contact.person
    where = _where(person)

    def apply() -> Outcome:
        permissions.authorise(user, "record_outreach", contact)
        if _stale(user, item, person.pk, person.sync_version) and _moved(user, contact):
            return Outcome(CONFLICT, Refused(
                "Lần hẹn đã được đóng hoặc dời trên máy chủ sau khi tải về",
                "the follow-up was closed or moved on the server since the download"), **where)
        if data.done:
            close_follow_up(contact, actor=user, note=data.note)
        elif data.next_on is None:
            raise Refused("Cần ngày hẹn mới", "the new follow-up date is missing")
        else:
            reschedule_follow_up(contact, actor=user, on=data.next_on, note=data.note)
        return Outcome(RECORDED, **where)

    return _refusing(apply, where)


def _moved(user: User, contact: Contact) -> bool:
    """Whether someone else closed or moved the follow-up."""
    if contact.follow_up_done:
        return True
    return (AuditEntry.objects.filter(model=Contact._meta.label, object_id=str(contact.pk),
                                      action__in=(FOLLOW_UP_RESCHEDULE, "contact.update"))
            .exclude(actor=user).exists())


def _enrol(user: User, item: Item) -> Outcome:
    data = item.data
    person = Person.objects.filter(uuid=data.person).first()
    if person is None:
        return _no_such("Không có người này", "no such person")
    where = _where(person)
    existed = Participation.objects.filter(uuid=item.client_uuid).exists()
    start = first_of_month(date.fromisoformat(data.start_month[:7] + "-01"))

    def apply() -> Outcome:
        permissions.authorise(user, "enrol", person)
        _not_future(data.enrolled_on, "Ngày đăng ký", "the enrolment date")
        if not existed and _stale(user, item, person.pk, person.sync_version):
            refusal = eligibility_refusal(person, data.enrolled_on)
            if refusal is not None:
                return Outcome(CONFLICT, refusal, **where)
        enrol(person, start_month=start, income=data.income, mode=data.mode, actor=user,
              enrolled_on=data.enrolled_on, advance_years=data.advance_years,
              client_uuid=item.client_uuid)
        return Outcome(ALREADY if existed else RECORDED, **where)

    return _refusing(apply, where)


# refusals of a receipt that no change on the server explains: never a conflict
NOT_CONFLICTS = (permissions.NotPermitted, scoping.OutOfTerritory, UuidReused,
                 NumberNotReserved)


def _receipt(user: User, device: Device | None, item: Item) -> Outcome:
    """Outside a transaction: `record_receipts` commits on its own."""
    data = item.data
    part = (Participation.objects.filter(uuid=data.participation)
            .values("id", "person_id", "village_id", "office_id", "person__sync_version")
            .first())
    if part is None:
        return _no_such("Không có người tham gia này", "no such participation")
    where: dict[str, Any] = {
        "person_id": part["person_id"], "village_id": part["village_id"],
        "office_id": part["office_id"], "prior_version": part["person__sync_version"]}
    months = tuple(date.fromisoformat(m[:7] + "-01") for m in data.months)
    result = record_receipts([ReceiptRequest(
        participation_id=part["id"], months=months, amount=data.amount, paid_on=data.paid_on,
        channel=data.channel, client_uuid=item.client_uuid, note=data.note,
        number=data.number, device_id=device.pk if device is not None else None,
    )], actor=user).results[0]
    if result.status in (RECORDED, ALREADY):
        return Outcome(result.status, number=result.number, **where)
    refusal = result.reason or Refused("Không ghi được", "not recorded")
    if (not isinstance(refusal, NOT_CONFLICTS)
            and _stale(user, item, part["person_id"], _version(part["person_id"]))):
        return Outcome(CONFLICT, refusal, **where)
    return Outcome(REFUSED, refusal, **where)


def _version(person_id: int) -> int:
    return int(Person.objects.filter(pk=person_id).values_list("sync_version", flat=True)
               .first() or 0)


KINDS: dict[str, Callable[[User, Item], Outcome]] = {
    "person": _person, "contact": _contact, "follow_up": _follow_up, "enrol": _enrol,
}
