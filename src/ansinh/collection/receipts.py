"""The one write path of voluntary-SI receipts.

The receipt page, the phone's offline queue, a bank or post-office statement (the batch), the
REST API and the demo all call `record_receipts`; the page's single receipt is a batch of one.
Every receipt meets the same rules, checked set-wise:

- the actor's role may record receipts (`core.permissions`) and the participation lies in what
  they may change (`core.scoping`);
- a client UUID seen before with the same content answers "already" with the first receipt;
  with different content it is refused with the reason (never dropped, never overwritten);
- the participation is open (not paused or stopped), the channel known, the payment date not
  in the future and its month not closed;
- the months make whole periods payable on the payment date and are not paid already; the
  amount equals the engine's price on that date (D159 Art. 5(5)); a cash receipt takes the next
  number of its agent's oldest open book, or prints a number reserved ahead to the phone that
  sends it (reserved to that device and unused: `provide_number_claim`).

What a recorded receipt leaves is the same on every channel: the receipt row, one `PaidMonth`
per month with its own price and support, one audit row per receipt, and a late participant
whose overdue months are now paid becomes active at once. The rows go through the bulk path
(no ORM per row). Participations are locked in id order, so two channels paying the same month
at once land one receipt; a clash the locks cannot prevent (the same client UUID on two
participations at once) is retried.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from ansinh.core import audit, keepers, permissions, scoping
from ansinh.core.bulk import db_datetime, db_uuid, insert_rows
from ansinh.core.errors import Refused, vnd_text
from ansinh.core.keepers import kept_current
from ansinh.core.models import Office, Role, User
from ansinh.network.models import Agent
from ansinh.participation.actions import mark_active
from ansinh.participation.models import Participation, Status
from ansinh.participation.schedule import schedule
from ansinh.participation.subsidy import Facts, facts_for_people
from ansinh.policy import ParameterTree, PolicyError
from ansinh.policy.money import first_of_month
from ansinh.registry.changes import touch_many
from ansinh.rules.tree import current_tree

from .dues import chunks, months_refusal, supported_counts, terms_and_paid
from .models import Channel, PaidMonth, PeriodClose, Product, Receipt, ReceiptBook
from .pricing import Pricing, price_months

RECORDED, ALREADY, REFUSED = "recorded", "already", "refused"
ATTEMPTS = 3  # a clash the row locks cannot prevent is retried this many times in all


class AmountMismatch(Refused):
    def __init__(self, expected: int, given: int) -> None:
        self.expected = expected
        self.given = given
        self.difference = given - expected
        super().__init__(
            f"Số tiền {vnd_text(given)} khác số phải nộp {vnd_text(expected)} "
            f"(chênh lệch {vnd_text(given - expected)})",
            f"amount {given:,} VND differs from the {expected:,} VND due "
            f"(difference {given - expected:+,} VND)",
        )


class UuidReused(Refused):
    def __init__(self, number: str) -> None:
        super().__init__(
            f"Mã giao dịch đã dùng cho biên lai {number} với nội dung khác",
            f"this transaction id was used for receipt {number} with other content",
        )


@dataclass(frozen=True)
class ReceiptRequest:
    """What a channel asks to record: one receipt for some months of one participation."""

    participation_id: int
    months: tuple[date, ...]
    amount: int
    paid_on: date
    channel: str
    client_uuid: uuid_module.UUID
    agent_id: int | None = None  # who took the cash; by default the actor's or the participant's
    note: str = ""
    number: str | None = None  # a number reserved ahead to `device_id` (a receipt made offline)
    device_id: int | None = None

    def content(self) -> tuple[Any, ...]:
        """What must match for a retried client UUID to be the same submission."""
        return (self.participation_id, tuple(sorted({first_of_month(m) for m in self.months})),
                self.amount, self.paid_on, self.channel, self.note[:200])


@dataclass(frozen=True)
class ReceiptResult:
    status: str  # recorded, already, refused
    receipt_id: int | None = None
    number: str = ""
    reason: Refused | None = None


@dataclass
class BatchResult:
    results: list[ReceiptResult] = field(default_factory=list)  # one per request, in order

    @property
    def created(self) -> list[int]:
        return [r.receipt_id for r in self.results if r.status == RECORDED and r.receipt_id]

    @property
    def existing(self) -> list[int]:
        return [r.receipt_id for r in self.results if r.status == ALREADY and r.receipt_id]

    @property
    def refused(self) -> list[tuple[int, Refused]]:
        return [(i, r.reason) for i, r in enumerate(self.results)
                if r.status == REFUSED and r.reason is not None]

    def as_dict(self) -> dict[str, Any]:
        return {"created": len(self.created), "existing": len(self.existing),
                "refused": [{"entry": i, "vi": r.vi, "en": r.en} for i, r in self.refused]}


# Receipt numbers reserved ahead to a phone are the field app's (above this one); it provides
# the claim when it loads: (device id, number as printed) → the book id, marking the number
# used, or None when it is not reserved to that device or was used already.
NumberClaim = Callable[[int, str], "int | None"]
_claims: list[NumberClaim] = []


def provide_number_claim(claim: NumberClaim) -> None:
    _claims[:] = [claim]


class NumberNotReserved(Refused):
    def __init__(self, number: str) -> None:
        super().__init__(
            f"Số biên lai {number} không được giữ cho thiết bị này hoặc đã dùng",
            f"receipt number {number} is not reserved to this device or was used already",
        )


def record_receipts(requests: Sequence[ReceiptRequest], *, actor: User,
                    today: date | None = None) -> BatchResult:
    """Record `requests` (see the module docstring); one result per request, in order.

    Each call is one transaction: the recorded receipts land together, the refused ones leave
    nothing. `today` is the date a payment may not be later than (the demo's as-of date).
    """
    today = today or timezone.localdate()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic(durable=True):
                return _Batch(requests, actor, today).run()
        except (IntegrityError, DatabaseError) as exc:
            if attempt == ATTEMPTS or not _retryable(exc):
                raise
    raise AssertionError("unreachable")


def _retryable(exc: DatabaseError) -> bool:
    """A unique violation (another request won the race), a deadlock or a serialisation
    failure: running the batch again gives the right answer (e.g. "already")."""
    if isinstance(exc, IntegrityError):
        return True
    sqlstate = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
    return sqlstate in ("40001", "40P01")


class _Batch:
    """One run of `record_receipts` inside its transaction."""

    def __init__(self, requests: Sequence[ReceiptRequest], actor: User, today: date) -> None:
        self.requests = list(requests)
        self.actor = actor
        self.today = today
        self.results: list[ReceiptResult | None] = [None] * len(self.requests)
        self.repeats: dict[int, int] = {}  # a UUID repeated in the batch: index → first index

    def run(self) -> BatchResult:
        if not permissions.may(self.actor, "record_receipts"):
            refusal = permissions.NotPermitted()
            return BatchResult([ReceiptResult(REFUSED, reason=refusal) for _r in self.requests])
        # lock first, then look for retried UUIDs: a retry that waited on the lock finds the
        # receipt its first attempt wrote
        self._lock(sorted({r.participation_id for r in self.requests}))
        todo = self._first_submissions()
        self._load()
        normalised = {index: self._normalised(self.requests[index]) for index in todo}
        # the cash agents' books, locked in agent order (after the participations, as every
        # batch does), so two batches never wait on each other in a circle
        self.numbers.lock(sorted({r.agent_id for r in normalised.values()
                                  if r.channel == Channel.CASH and r.agent_id}))
        accepted: list[tuple[int, ReceiptRequest, dict[str, Any], Pricing, int | None]] = []
        for index in todo:
            request = normalised[index]
            outcome = self._check(request)
            if isinstance(outcome, Refused):
                self.results[index] = ReceiptResult(REFUSED, reason=outcome)
            else:
                accepted.append((index, request, *outcome))
        if accepted:
            self._write(accepted)
        self._answer_repeats()
        return BatchResult([r for r in self.results if r is not None])

    # -- retries -------------------------------------------------------------------------------

    def _first_submissions(self) -> list[int]:
        """Indexes to record: not seen before, and the first of any UUID repeated in the batch.
        A UUID recorded before answers now: the same content "already", other content refused."""
        uuids = [r.client_uuid for r in self.requests]
        known: dict[uuid_module.UUID, tuple[int, str, tuple[Any, ...]]] = {}
        for group in chunks(uuids):
            rows = list(Receipt.objects.filter(uuid__in=group).values_list(
                "uuid", "id", "number", "participation_id", "amount", "paid_on", "channel",
                "note"))
            months: dict[int, list[date]] = defaultdict(list)
            for receipt_id, month in PaidMonth.objects.filter(
                    receipt_id__in=[row[1] for row in rows]).values_list("receipt_id", "month"):
                months[receipt_id].append(month)
            for key, rid, number, pid, amount, paid_on, channel, note in rows:
                content = (pid, tuple(sorted(months[rid])), amount, paid_on, channel, note)
                known[key] = (rid, number, content)
        todo: list[int] = []
        first_of: dict[uuid_module.UUID, int] = {}
        for index, request in enumerate(self.requests):
            if request.client_uuid in known:
                rid, number, content = known[request.client_uuid]
                self.results[index] = (ReceiptResult(ALREADY, rid, number)
                                       if content == request.content()
                                       else ReceiptResult(REFUSED, reason=UuidReused(number)))
            elif request.client_uuid not in first_of:
                first_of[request.client_uuid] = index
                todo.append(index)
        self.repeats = {i: first_of[r.client_uuid] for i, r in enumerate(self.requests)
                        if self.results[i] is None and first_of.get(r.client_uuid) != i}
        return todo

    def _answer_repeats(self) -> None:
        """A UUID twice in one batch: the same content is the same submission."""
        for index, first in self.repeats.items():
            answer = self.results[first]
            same = self.requests[index].content() == self.requests[first].content()
            if answer is not None and answer.status == RECORDED and same:
                self.results[index] = ReceiptResult(ALREADY, answer.receipt_id, answer.number)
            elif answer is not None and answer.status == RECORDED:
                self.results[index] = ReceiptResult(REFUSED, reason=UuidReused(answer.number))
            else:
                self.results[index] = ReceiptResult(REFUSED, reason=Refused(
                    "Mã giao dịch lặp trong lô", "the transaction id repeats in the batch"))

    # -- loading -------------------------------------------------------------------------------

    def _lock(self, ids: list[int]) -> None:
        """The batch's participations, locked in id order (two batches never wait on each
        other in a circle)."""
        self.participations: dict[int, dict[str, Any]] = {}
        for group in chunks(ids):
            for row in (Participation.objects.select_for_update(of=("self",))
                        .filter(id__in=group).order_by("id")
                        .values("id", "office_id", "village_id", "person_id", "status",
                                "first_time", "agent_id", "agent__organisation_id")):
                self.participations[row["id"]] = dict(row)

    def _load(self) -> None:
        """What the participations owe and have paid, the facts and support counts of their
        persons, their offices' closed months and parameter trees, the actor's territory."""
        self.writable: set[int] = set()
        for group in chunks(list(self.participations)):
            self.writable.update(scoping.writable(
                self.actor, Participation.objects.filter(id__in=group)
            ).values_list("id", flat=True))
        self.terms, self.paid = terms_and_paid(list(self.participations))
        persons = {row["person_id"] for row in self.participations.values()}
        self.facts: dict[int, Facts] = {}
        for group in chunks(sorted(persons)):
            self.facts.update(facts_for_people(group))
        self.supported = supported_counts(persons)
        self.first_paid = _with_standing_receipts(list(self.participations))
        offices = {row["office_id"] for row in self.participations.values()}
        self.closed = set(PeriodClose.objects.filter(office_id__in=offices)
                          .values_list("office_id", "month"))
        self.offices = Office.objects.in_bulk(offices)
        self.trees: dict[int, ParameterTree] = {}
        self.actor_agent = (Agent.objects.filter(user=self.actor).values_list("id", flat=True)
                            .first() if self.actor.role == Role.AGENT else None)
        self.numbers = _Numbers()

    # -- checking ------------------------------------------------------------------------------

    def _normalised(self, request: ReceiptRequest) -> ReceiptRequest:
        agent_id = request.agent_id or self.actor_agent
        part = self.participations.get(request.participation_id)
        if agent_id is None and request.channel == Channel.CASH and part is not None:
            agent_id = part["agent_id"]
        return replace(request, months=tuple(sorted(first_of_month(m) for m in request.months)),
                       agent_id=agent_id, note=request.note[:200])

    def _check(self, request: ReceiptRequest
               ) -> Refused | tuple[dict[str, Any], Pricing, int | None]:
        """Why `request` cannot be recorded, or (participation, price, book id)."""
        part = self.participations.get(request.participation_id)
        if part is None:
            return Refused("Không có người tham gia này", "no such participation")
        if part["id"] not in self.writable:
            return scoping.OutOfTerritory()
        if part["status"] in (Status.STOPPED, Status.PAUSED):
            return Refused("Người tham gia đã dừng hoặc tạm dừng: cần đóng tiếp trước khi thu",
                           "the participation is stopped or paused: resume it before collecting")
        if request.channel not in Channel.values:
            return Refused("Hình thức nộp không hợp lệ", "unknown payment channel")
        if request.paid_on > self.today:
            return Refused(f"Ngày nộp {request.paid_on:%d/%m/%Y} chưa đến",
                           f"the payment date {request.paid_on:%d/%m/%Y} is in the future")
        if (part["office_id"], first_of_month(request.paid_on)) in self.closed:
            return Refused(f"Kỳ {request.paid_on:%m/%Y} đã khóa sổ",
                           f"the period {request.paid_on:%m/%Y} is closed")
        if request.channel == Channel.CASH and request.agent_id is None:
            return Refused("Thu tiền mặt cần nhân viên thu", "a cash receipt needs an agent")
        pid = request.participation_id
        tree = self._tree(part["office_id"])
        # a compact schedule (fully paid old periods left out) offers the same payable periods
        current = schedule(self.terms[pid], self.paid[pid], request.paid_on, tree, compact=True)
        refusal = months_refusal(current, request.months, self.paid[pid])
        if refusal is not None:
            return refusal
        try:
            pricing = price_months(request.months, request.paid_on, terms=self.terms[pid],
                                   facts=self.facts[part["person_id"]],
                                   supported_before=self.supported[part["person_id"]],
                                   tree=tree)
        except PolicyError as exc:
            return Refused(exc.vi, exc.en)
        except ValueError:
            return Refused("Có tháng không thuộc thời gian phải đóng",
                           "a month is outside the participation's payment schedule")
        if pricing.amount != request.amount:
            return AmountMismatch(pricing.amount, request.amount)
        book: int | None = None
        if request.number is not None:
            claimed = self._claim(request)
            if isinstance(claimed, Refused):
                return claimed
            book = claimed
        elif request.channel == Channel.CASH:
            assert request.agent_id is not None
            taken = self.numbers.take(request.agent_id)
            if taken is None:
                return Refused("Nhân viên thu chưa có quyển biên lai còn số",
                               "the agent has no receipt book with numbers left")
            book = taken
        # what later requests of the batch see
        self.paid[pid].extend(request.months)
        self.supported[part["person_id"]] += pricing.supported_months
        return part, pricing, book

    def _claim(self, request: ReceiptRequest) -> int | Refused:
        """The book of the request's number reserved ahead (now used), or why not."""
        assert request.number is not None
        if request.channel != Channel.CASH:
            return Refused("Số biên lai in sẵn chỉ dùng khi thu tiền mặt",
                           "a pre-printed receipt number is for cash receipts only")
        book = (_claims[0](request.device_id, request.number)
                if request.device_id is not None and _claims else None)
        return NumberNotReserved(request.number) if book is None else book

    def _tree(self, office_id: int) -> ParameterTree:
        if office_id not in self.trees:
            self.trees[office_id] = current_tree(self.offices[office_id])
        return self.trees[office_id]

    # -- writing -------------------------------------------------------------------------------

    def _write(self, accepted: list[tuple[int, ReceiptRequest, dict[str, Any], Pricing,
                                          int | None]]) -> None:
        numbers = self.numbers.assign()
        agent_org = dict(Agent.objects.filter(
            id__in={r.agent_id for _i, r, *_x in accepted if r.agent_id}
        ).values_list("id", "organisation_id"))
        receipt_ids = new_ids(Receipt, len(accepted))
        month_ids = iter(new_ids(PaidMonth, sum(len(p.lines) for *_x, p, _b in accepted)))
        recorded_at = timezone.now()
        receipts: list[tuple[Any, ...]] = []
        months: list[tuple[Any, ...]] = []
        changes: list[audit.Change] = []
        last_paid_on: dict[int, date] = {}
        for rid, (index, request, part, pricing, book) in zip(receipt_ids, accepted,
                                                               strict=True):
            number = (request.number if request.number is not None
                      else numbers[book].pop(0) if book is not None
                      else f"{request.channel[:2].upper()}{request.paid_on:%y%m%d}-"
                           f"{request.client_uuid.hex[:8].upper()}")
            first = part["first_time"] and part["id"] not in self.first_paid
            self.first_paid.add(part["id"])
            receipts.append(receipt_row(
                rid, part, request, pricing, book, number, agent_org, first, self.actor,
                recorded_at))
            months.extend(
                (next(month_ids), rid, part["id"], line.month, line.income, line.category,
                 line.gross, line.support, line.net)
                for line in pricing.lines)
            changes.append(audit.Change(
                "receipt.record", "collection.Receipt", rid,
                {"amount": [None, pricing.amount], "months": [None, len(pricing.lines)]},
                note=number, office_id=part["office_id"]))
            self.results[index] = ReceiptResult(RECORDED, rid, number)
            last_paid_on[part["id"]] = max(request.paid_on,
                                           last_paid_on.get(part["id"], request.paid_on))
        with kept_current(part["person_id"] for _i, _r, part, *_x in accepted):
            insert_rows(Receipt._meta.db_table, RECEIPT_COLUMNS, receipts)
            insert_rows(PaidMonth._meta.db_table, PAID_MONTH_COLUMNS, months)
            audit.record_many(changes, actor=self.actor)
            self._catch_up(last_paid_on)
        touch_many((part["office_id"], part["person_id"]) for _i, _r, part, *_x in accepted)
        keepers.changed(part["person_id"] for _i, _r, part, *_x in accepted)

    def _catch_up(self, last_paid_on: dict[int, date]) -> None:
        """A participation awaiting its first payment is active from its first receipt; late
        participants whose overdue months are now paid are active again, as of their payment
        (the lapse run would find the same the next morning)."""
        waiting = (Status.LATE, Status.AWAITING)
        late = [pid for pid in last_paid_on if self.participations[pid]["status"] in waiting]
        for participation in Participation.objects.filter(id__in=late).order_by("id"):
            pid = participation.pk
            after = schedule(self.terms[pid], self.paid[pid], last_paid_on[pid],
                             self._tree(participation.office_id), compact=True)
            if participation.status == Status.AWAITING or not after.overdue:
                mark_active(participation, on=last_paid_on[pid], actor=self.actor,
                            reason="paid")


class _Numbers:
    """Receipt numbers of the agents' open books, oldest book first, taken as requests pass
    the checks (the books are locked until the transaction ends)."""

    def __init__(self) -> None:
        self.books: dict[int, list[list[Any]]] = {}  # agent: [[book id, series, next, last]]
        self.taken: dict[int, list[int]] = defaultdict(list)  # book id: numbers

    def lock(self, agent_ids: Sequence[int]) -> None:
        """Lock and read the open books of `agent_ids` (in that order)."""
        for agent_id in agent_ids:
            if agent_id not in self.books:
                self.books[agent_id] = [
                    [book_id, series, next_number, last]
                    for book_id, series, next_number, last in ReceiptBook.objects
                    .select_for_update().filter(agent_id=agent_id, returned_on__isnull=True,
                                                next_number__lte=F("last_number"))
                    .order_by("issued_on", "id")
                    .values_list("id", "series", "next_number", "last_number")]

    def take(self, agent_id: int) -> int | None:
        """The book the next number of `agent_id` comes from, or None when none is left."""
        self.lock([agent_id])
        for book in self.books[agent_id]:
            if book[2] <= book[3]:
                self.taken[book[0]].append(book[2])
                book[2] += 1
                return int(book[0])
        return None

    def assign(self) -> dict[int, list[str]]:
        """Move the books' next numbers on; {book id: the numbers taken, as printed}."""
        series = {book[0]: book[1] for books in self.books.values() for book in books}
        for book_id, taken in self.taken.items():
            ReceiptBook.objects.filter(pk=book_id).update(next_number=max(taken) + 1)
        return {book_id: [f"{series[book_id]}-{n:07d}" for n in taken]
                for book_id, taken in self.taken.items()}


def take_number(agent: Agent) -> tuple[int, str]:
    """(book id, number) of the agent's next receipt number, for a receipt recorded alone
    (household HI); the same books and order as the batch."""
    numbers = _Numbers()
    book = numbers.take(agent.pk)
    if book is None:
        raise Refused("Nhân viên thu chưa có quyển biên lai còn số",
                      "the agent has no receipt book with numbers left")
    return book, numbers.assign()[book][0]


def _with_standing_receipts(participation_ids: list[int]) -> set[int]:
    """Participations with a standing (not reversed) receipt already.

    A reversal carries its original's participation, so each chunk is read from the
    (participation, paid_on) index alone, without joining receipts to their reversals.
    """
    found: set[int] = set()
    for group in chunks(participation_ids):
        rows = list(Receipt.objects.filter(participation_id__in=group).values_list(
            "participation_id", "id", "reverses_id"))
        reversed_ids = {reverses for _pid, _id, reverses in rows if reverses}
        found.update(pid for pid, receipt_id, reverses in rows
                     if reverses is None and receipt_id not in reversed_ids)
    return found


def new_ids(model: type[Any], count: int) -> list[int]:
    """Ids for `count` new rows: the sequence on PostgreSQL, max + 1 on SQLite (the IMMEDIATE
    transaction holds the write lock, so no one else can take them meanwhile)."""
    if not count:
        return []
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [table, count])
            return [row[0] for row in cursor.fetchall()]
    start = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    return list(range(start, start + count))


RECEIPT_COLUMNS = (
    "id", "office_id", "village_id", "uuid", "product", "participation_id", "person_id",
    "book_id", "number", "agent_id", "organisation_id", "channel", "mode", "participant_kind",
    "paid_on", "period", "months", "first_month", "amount", "support", "gross", "note",
    "pricing", "recorded_by_id", "recorded_at",
)
PAID_MONTH_COLUMNS = ("id", "receipt_id", "participation_id", "month", "income", "category",
                      "gross", "support", "net")


def receipt_row(rid: int, part: dict[str, Any], request: ReceiptRequest, pricing: Pricing,
                book: int | None, number: str, agent_org: dict[int, int], first: bool,
                actor: User, recorded_at: Any) -> tuple[Any, ...]:
    """The receipt's row in `RECEIPT_COLUMNS` order."""
    agent_id = request.agent_id
    organisation = (agent_org.get(agent_id, part["agent__organisation_id"])
                    if agent_id else None)
    return (
        rid, part["office_id"], part["village_id"], db_uuid(request.client_uuid),
        Product.VOLUNTARY_SI.value, part["id"], part["person_id"], book, number, agent_id,
        organisation, request.channel, pricing.mode,
        "first_time" if first else "continuing", request.paid_on,
        first_of_month(request.paid_on), len(pricing.lines), pricing.lines[0].month,
        pricing.amount, pricing.support, pricing.gross, request.note,
        json.dumps(pricing.to_dict(), ensure_ascii=False), actor.pk,
        db_datetime(recorded_at),
    )


# ---------------------------------------------------------------------------------------------
# One receipt (the page)


@dataclass(frozen=True)
class Recorded:
    receipt: Receipt
    created: bool


def record_receipt(
    participation: Participation,
    *,
    months: Sequence[date],
    amount: int,
    paid_on: date,
    channel: str,
    client_uuid: uuid_module.UUID,
    actor: User,
    agent: Agent | None = None,
    note: str = "",
) -> Recorded:
    """A batch of one: the receipt (created, or the first one for a retried client UUID), or
    the refusal raised (nothing written)."""
    result = record_receipts([ReceiptRequest(
        participation_id=participation.pk, months=tuple(months), amount=amount,
        paid_on=paid_on, channel=channel, client_uuid=client_uuid,
        agent_id=agent.pk if agent else None, note=note,
    )], actor=actor).results[0]
    if result.status == REFUSED:
        assert result.reason is not None
        raise result.reason
    assert result.receipt_id is not None
    return Recorded(Receipt.objects.get(pk=result.receipt_id), result.status == RECORDED)
