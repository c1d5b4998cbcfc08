"""Record many receipts at once: a phone's offline queue, a bank or post-office statement.

The same rules as `actions.record_receipt`, checked set-wise: a retried client UUID returns the
receipt already recorded; the months must be whole payable periods not yet paid; the amount
must equal the engine's on the payment date; a closed period takes nothing; cash takes the next
numbers of the agent's book. Valid entries are written in one transaction through the bulk
path (no ORM per row); invalid ones are returned with their reason and nothing of them is
written. Late participants who paid become active at the next lapse run.
"""

from __future__ import annotations

import uuid as uuid_module
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from ansinh.calculator.rules import current_tree
from ansinh.core import audit
from ansinh.core.bulk import db_datetime, db_uuid, insert_rows
from ansinh.core.errors import Refused
from ansinh.core.models import Office, User
from ansinh.participation.dues import TermsRow, schedule
from ansinh.participation.models import Participation, Status, Terms
from ansinh.participation.subsidy import facts_for_people
from ansinh.policy import PolicyError
from ansinh.policy.money import first_of_month

from .actions import AmountMismatch, months_refusal
from .models import Channel, PaidMonth, PeriodClose, Receipt, ReceiptBook
from .pricing import price_months

CHANNELS = frozenset(Channel.values)


@dataclass(frozen=True)
class Entry:
    participation_id: int
    months: tuple[date, ...]
    amount: int
    paid_on: date
    channel: str
    client_uuid: uuid_module.UUID
    agent_id: int | None = None
    note: str = ""


@dataclass
class BatchResult:
    created: list[int] = field(default_factory=list)  # receipt ids, in entry order
    existing: list[int] = field(default_factory=list)  # receipts of retried client UUIDs
    refused: list[tuple[int, Refused]] = field(default_factory=list)  # (entry index, reason)

    def as_dict(self) -> dict[str, Any]:
        return {"created": len(self.created), "existing": len(self.existing),
                "refused": [{"entry": i, "vi": r.vi, "en": r.en} for i, r in self.refused]}


def _chunks(values: Sequence[Any], size: int = 5000) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing_receipts(uuids: list[uuid_module.UUID]) -> dict[uuid_module.UUID, int]:
    found: dict[uuid_module.UUID, int] = {}
    for chunk in _chunks(uuids):
        found.update(Receipt.objects.filter(uuid__in=chunk).values_list("uuid", "id"))
    return found


def _load(office: Office, ids: list[int]) -> tuple[dict[int, dict[str, Any]],
                                                  dict[int, list[TermsRow]],
                                                  dict[int, list[date]]]:
    """Participations, terms and paid months of `ids`, in chunks: the cost follows the batch,
    not the size of the office."""
    participations: dict[int, dict[str, Any]] = {}
    terms: dict[int, list[TermsRow]] = defaultdict(list)
    paid: dict[int, list[date]] = defaultdict(list)
    for group in _chunks(ids):
        for row in Participation.objects.filter(office=office, id__in=group).values(
                "id", "village_id", "person_id", "status", "first_time", "agent_id",
                "agent__organisation_id"):
            participations[row["id"]] = dict(row)
        for pid, from_month, income, mode, years, paused in Terms.objects.filter(
            participation_id__in=group
        ).order_by("participation_id", "from_month").values_list(
                "participation_id", "from_month", "income", "mode", "advance_years", "paused"):
            terms[pid].append(TermsRow(from_month, income, mode, years, paused))
        for pid, month in PaidMonth.objects.filter(
                participation_id__in=group, released_by__isnull=True).values_list(
                "participation_id", "month"):
            paid[pid].append(month)
    return participations, terms, paid


def _new_ids(model: type[Any], count: int) -> list[int]:
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


@transaction.atomic
def record_batch(office: Office, entries: Sequence[Entry], *, actor: User) -> BatchResult:
    """Record `entries` for participations of `office`; see the module docstring."""
    result = BatchResult()
    tree = current_tree(office)
    now = timezone.now()
    known = _existing_receipts([e.client_uuid for e in entries])
    todo = [(i, e) for i, e in enumerate(entries) if e.client_uuid not in known]
    result.existing = [known[e.client_uuid] for e in entries if e.client_uuid in known]
    participations, terms, paid = _load(office, sorted({e.participation_id for _i, e in todo}))
    closed = set(PeriodClose.objects.filter(office=office).values_list("month", flat=True))
    person_ids = {p["person_id"] for p in participations.values()}
    facts = {}
    for group in _chunks(sorted(person_ids)):
        facts.update(facts_for_people(group))
    supported = _supported_counts(office, person_ids)
    first_paid = _has_receipts(office, list(participations))
    seen_uuids: set[uuid_module.UUID] = set()
    accepted: list[tuple[int, Entry, dict[str, Any], Any]] = []
    for index, entry in todo:
        refusal = _validate(entry, participations, closed, seen_uuids)
        if refusal is None:
            part = participations[entry.participation_id]
            months = tuple(sorted(first_of_month(m) for m in entry.months))
            current = schedule(terms[entry.participation_id], paid[entry.participation_id],
                               entry.paid_on, tree)
            refusal = months_refusal(current, months)
        if refusal is None:
            try:
                pricing = price_months(months, entry.paid_on, terms=terms[entry.participation_id],
                                       facts=facts[part["person_id"]],
                                       supported_before=supported[part["person_id"]], tree=tree)
            except (PolicyError, ValueError) as exc:
                refusal = (Refused(exc.vi, exc.en) if isinstance(exc, PolicyError)
                           else Refused("Có tháng không thuộc thời gian phải đóng",
                                        "a month is outside the payment schedule"))
            else:
                if pricing.amount != entry.amount:
                    refusal = AmountMismatch(pricing.amount, entry.amount)
        if refusal is not None:
            result.refused.append((index, refusal))
            continue
        seen_uuids.add(entry.client_uuid)
        paid[entry.participation_id].extend(months)
        supported[part["person_id"]] += pricing.supported_months
        accepted.append((index, entry, part, pricing))
    _write(office, accepted, actor, now, first_paid, result)
    if accepted:
        audit.record(actor=actor, office=office, action="receipt.batch", obj=office,
                     changes={"receipts": [None, len(accepted)],
                              "amount": [None, sum(p.amount for *_x, p in accepted)]})
    return result


def _validate(entry: Entry, participations: dict[int, dict[str, Any]], closed: set[date],
              seen: set[uuid_module.UUID]) -> Refused | None:
    part = participations.get(entry.participation_id)
    if part is None:
        return Refused("Không có người tham gia này", "no such participation")
    if part["status"] in (Status.STOPPED, Status.PAUSED):
        return Refused("Người tham gia đã dừng hoặc tạm dừng",
                       "the participation is stopped or paused")
    if entry.channel not in CHANNELS:
        return Refused("Hình thức nộp không hợp lệ", "unknown payment channel")
    if first_of_month(entry.paid_on) in closed:
        return Refused(f"Kỳ {entry.paid_on:%m/%Y} đã khóa sổ",
                       f"the period {entry.paid_on:%m/%Y} is closed")
    if entry.client_uuid in seen:
        return Refused("Mã giao dịch lặp trong lô", "the transaction id repeats in the batch")
    if entry.channel == Channel.CASH and not (entry.agent_id or part["agent_id"]):
        return Refused("Thu tiền mặt cần nhân viên thu", "a cash receipt needs an agent")
    return None


def _supported_counts(office: Office, person_ids: set[int]) -> dict[int, int]:
    """Months of state support each person has had (the 120-month cap), over all their
    participations: their participations first, then those participations' months (both
    through indexes, never a join over every paid month)."""
    counts: dict[int, int] = defaultdict(int)
    for group in _chunks(sorted(person_ids)):
        person_of: dict[int, int] = {}
        for pid, person, prior in Participation.objects.filter(person_id__in=group).values_list(
                "id", "person_id", "prior_supported_months"):
            person_of[pid] = person
            counts[person] += prior
        for pid, n in PaidMonth.objects.filter(
                participation_id__in=list(person_of), released_by__isnull=True, support__gt=0
        ).values_list("participation_id").annotate(n=Count("id")):
            counts[person_of[pid]] += n
    return counts


def _has_receipts(office: Office, participation_ids: list[int]) -> set[int]:
    """Participations with a standing (not reversed) receipt already.

    A reversal carries its original's participation, so each chunk is read from the
    (participation, paid_on) index alone, without joining receipts to their reversals.
    """
    found: set[int] = set()
    for group in _chunks(participation_ids):
        rows = list(Receipt.objects.filter(participation_id__in=group).values_list(
            "participation_id", "id", "reverses_id"))
        reversed_ids = {reverses for _pid, _id, reverses in rows if reverses}
        found.update(pid for pid, receipt_id, reverses in rows
                     if reverses is None and receipt_id not in reversed_ids)
    return found


def _book_numbers(needs: dict[int, int], office: Office) -> dict[int, list[tuple[int, str]]]:
    """{agent id: [(book id, number), ...]} taken from the agents' open books, oldest first."""
    taken: dict[int, list[tuple[int, str]]] = defaultdict(list)
    books = (ReceiptBook.objects.select_for_update()
             .filter(agent_id__in=list(needs), returned_on__isnull=True,
                     next_number__lte=F("last_number"))
             .order_by("agent_id", "issued_on", "id"))
    updates: list[tuple[int, int]] = []
    for book in books:
        want = needs[book.agent_id] - len(taken[book.agent_id])
        if want <= 0:
            continue
        count = min(want, book.remaining)
        taken[book.agent_id] += [(book.pk, f"{book.series}-{n:07d}")
                                 for n in range(book.next_number, book.next_number + count)]
        updates.append((book.pk, book.next_number + count))
    for book_id, next_number in updates:
        ReceiptBook.objects.filter(pk=book_id).update(next_number=next_number)
    short = [agent for agent, n in needs.items() if len(taken[agent]) < n]
    if short:
        raise Refused("Nhân viên thu không đủ số biên lai trong quyển",
                      "an agent's receipt books have too few numbers left")
    return taken


RECEIPT_COLUMNS = (
    "id", "office_id", "village_id", "uuid", "product", "participation_id", "person_id",
    "book_id", "number", "agent_id", "organisation_id", "channel", "mode", "participant_kind",
    "paid_on", "period", "months", "first_month", "amount", "support", "gross", "note",
    "pricing", "recorded_by_id", "recorded_at",
)
PAID_MONTH_COLUMNS = ("id", "receipt_id", "participation_id", "month", "income", "category",
                      "gross", "support", "net")


def receipt_rows(office: Office, accepted: list[tuple[int, Entry, dict[str, Any], Any]],
                 ids: list[int], numbers: dict[int, list[tuple[int, str]]],
                 first_paid: set[int], actor: User,
                 now: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The database rows of the accepted entries (receipts, paid months)."""
    import json

    receipts: list[tuple[Any, ...]] = []
    months: list[tuple[Any, ...]] = []
    recorded_at = db_datetime(now)
    cursor = {agent: 0 for agent in numbers}
    month_ids = iter(_new_ids(PaidMonth, sum(len(p.lines) for *_x, p in accepted)))
    agent_org = dict(_agents_orgs({e.agent_id for _i, e, _p, _q in accepted if e.agent_id}))
    for rid, (_index, entry, part, pricing) in zip(ids, accepted, strict=True):
        agent_id = entry.agent_id or part["agent_id"]
        org_id = agent_org.get(agent_id, part["agent__organisation_id"]) if agent_id else None
        if entry.channel == Channel.CASH:
            book_id, number = numbers[agent_id][cursor[agent_id]]
            cursor[agent_id] += 1
        else:
            book_id = None
            number = (f"{entry.channel[:2].upper()}{entry.paid_on:%y%m%d}-"
                      f"{entry.client_uuid.hex[:8].upper()}")
        first = part["first_time"] and entry.participation_id not in first_paid
        first_paid.add(entry.participation_id)
        receipts.append((
            rid, office.id, part["village_id"], db_uuid(entry.client_uuid), "voluntary_si",
            entry.participation_id, part["person_id"], book_id, number, agent_id, org_id,
            entry.channel, pricing.mode, "first_time" if first else "continuing",
            entry.paid_on, first_of_month(entry.paid_on), len(pricing.lines),
            pricing.lines[0].month, pricing.amount, pricing.support, pricing.gross,
            entry.note[:200], json.dumps(pricing.to_dict(), ensure_ascii=False), actor.pk,
            recorded_at,
        ))
        for line in pricing.lines:
            months.append((next(month_ids), rid, entry.participation_id, line.month, line.income,
                           line.category, line.gross, line.support, line.net))
    return receipts, months


def _agents_orgs(agent_ids: set[int]) -> list[tuple[int, int]]:
    from ansinh.network.models import Agent

    return list(Agent.objects.filter(id__in=agent_ids).values_list("id", "organisation_id"))


def _write(office: Office, accepted: list[tuple[int, Entry, dict[str, Any], Any]], actor: User,
           now: Any, first_paid: set[int], result: BatchResult) -> None:
    if not accepted:
        return
    needs: dict[int, int] = defaultdict(int)
    for _index, entry, part, _pricing in accepted:
        if entry.channel == Channel.CASH:
            needs[entry.agent_id or part["agent_id"]] += 1
    numbers = _book_numbers(needs, office)
    ids = _new_ids(Receipt, len(accepted))
    receipts, months = receipt_rows(office, accepted, ids, numbers, first_paid, actor, now)
    insert_rows(Receipt._meta.db_table, RECEIPT_COLUMNS, receipts)
    insert_rows(PaidMonth._meta.db_table, PAID_MONTH_COLUMNS, months)
    result.created = ids
