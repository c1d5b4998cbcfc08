"""Money actions: issue and return books, household-HI receipts, reversals, remittances and
their confirmation, period close. Voluntary-SI receipts have their own module (`receipts`).

Each action checks the actor's role (`core.permissions`) and territory (`core.scoping`, and
`network.territory.agent_within` for an agent's books), runs in one durable transaction and
writes its audit row, whichever channel called it. Receipts are never edited or deleted: a
mistake is corrected by `reverse_receipt`.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ansinh.core import audit, keepers, permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.keepers import kept_current
from ansinh.core.models import Office, Role, User
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.network.territory import agent_within
from ansinh.policy import PolicyError, household_hi
from ansinh.policy.money import add_months, first_of_month
from ansinh.registry.changes import touch
from ansinh.registry.models import Household, Person
from ansinh.rules.tree import current_tree

from .ledger import period_totals
from .models import (
    Channel,
    HICoveredMonth,
    HIMember,
    PaidMonth,
    ParticipantKind,
    PeriodClose,
    Product,
    Receipt,
    ReceiptBook,
    Remittance,
    RemittanceLine,
    RemittanceStatus,
)
from .receipts import ATTEMPTS, AmountMismatch, Recorded, UuidReused, take_number

MAX_HI_MONTHS = 12  # household HI is bought for 3, 6 or 12 months at a time

# ---------------------------------------------------------------------------------------------
# Receipt books


@transaction.atomic(durable=True)
def issue_book(agent: Agent, *, series: str, first_number: int, last_number: int,
               issued_on: date, actor: User) -> ReceiptBook:
    """Cấp quyển biên lai: a number range no other book of the series overlaps, to an agent
    whose villages all lie in the actor's territory."""
    permissions.require(actor, "manage_books")
    if not agent_within(actor, agent, issued_on):
        raise scoping.OutOfTerritory
    series = series.strip().upper()
    if not series or first_number < 1 or last_number < first_number:
        raise Refused("Ký hiệu và dãy số biên lai không hợp lệ",
                      "invalid receipt series or number range")
    overlapping = ReceiptBook.objects.filter(series=series, first_number__lte=last_number,
                                             last_number__gte=first_number)
    if overlapping.exists():
        raise Refused(f"Dãy số trùng với quyển {overlapping.first()}",
                      f"the range overlaps book {overlapping.first()}")
    book = ReceiptBook.objects.create(
        office=agent.organisation.office, agent=agent, series=series, first_number=first_number,
        last_number=last_number, next_number=first_number, issued_on=issued_on, issued_by=actor,
    )
    audit.record(actor=actor, office=book.office, action="receipt_book.issue", obj=book,
                 changes={"agent": [None, agent.code], "range": [None, str(book)]})
    return book


@transaction.atomic(durable=True)
def return_book(book: ReceiptBook, *, on: date, actor: User) -> None:
    """Thu hồi: the unused numbers of the book can no longer be used."""
    permissions.require(actor, "manage_books")
    locked = ReceiptBook.objects.select_for_update().select_related("agent__organisation",
                                                                    "agent__user").get(pk=book.pk)
    if not agent_within(actor, locked.agent, on):
        raise scoping.OutOfTerritory
    if locked.returned_on is None:
        locked.returned_on = on
        locked.save(update_fields=["returned_on"])
        audit.record(actor=actor, office=locked.office, action="receipt_book.return", obj=locked,
                     changes={"returned_on": [None, on.isoformat()]})


# ---------------------------------------------------------------------------------------------
# Periods


def open_period(office: Office, on: date) -> date:
    """The accounting month `on` counts in: its own month, or the first open one after it."""
    month = first_of_month(on)
    closed = set(PeriodClose.objects.filter(office=office, month__gte=month)
                 .values_list("month", flat=True))
    while month in closed:
        month = add_months(month, 1)
    return month


def is_closed(office: Office, month: date) -> bool:
    return PeriodClose.objects.filter(office=office, month=first_of_month(month)).exists()


# ---------------------------------------------------------------------------------------------
# Receipts


class CoverageOverlap(Refused):
    """Some of the months are covered already, for the household or one of the members."""

    def __init__(self, overlaps: Sequence[tuple[str, str, list[date], str]]) -> None:
        # overlaps: (who in Vietnamese, who in English, months, receipt number)
        self.overlaps = list(overlaps)
        vi = "; ".join(f"{who} đã có BHYT hộ gia đình tháng {_span(months)} (biên lai {number})"
                       for who, _en, months, number in overlaps)
        en = "; ".join(f"{who} is already insured for {_span(months)} (receipt {number})"
                       for _vi, who, months, number in overlaps)
        super().__init__(f"Trùng thời hạn BHYT: {vi}", f"overlapping health insurance: {en}")


def _span(months: Sequence[date]) -> str:
    first, last = min(months), max(months)
    return f"{first:%m/%Y}" if first == last else f"{first:%m/%Y}–{last:%m/%Y}"


def record_hi_receipt(
    household: Household,
    *,
    person: Person,
    members: Sequence[Person],
    months: int,
    first_month: date,
    amount: int,
    paid_on: date,
    channel: str,
    client_uuid: uuid_module.UUID,
    actor: User,
    agent: Agent | None = None,
    note: str = "",
) -> Recorded:
    """Household health insurance through the same receipts (the ladder from the engine).

    The receipt names the `members` it insures, in the ladder's order (the 1st pays 100 %, the
    2nd 70 %...): each a member of the household, none insured already for any of the months
    by another standing receipt, and the household not covered already for any of them (the
    database holds both rules, `HICoveredMonth`, so two requests at once cannot both pass).
    A retried client UUID with the same household, payer, members and amount returns the first
    receipt; with other content it is refused."""
    permissions.require(actor, "record_receipts")
    scoping.require_writable(actor, household)
    insured = [member.pk for member in members]
    existing = Receipt.objects.filter(uuid=client_uuid).first()
    if existing is not None:
        return _same_hi(existing, household, person, amount, insured)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic(durable=True):
                receipt, created = _record_hi(
                    household, person=person, insured=insured, months=months,
                    first_month=first_month, amount=amount, paid_on=paid_on, channel=channel,
                    client_uuid=client_uuid, actor=actor, agent=agent, note=note)
            if not created:
                return _same_hi(receipt, household, person, amount, insured)
            return Recorded(receipt, True)
        except IntegrityError:
            # another request won the race: the same submission, or months it covered first
            # (the next attempt names them)
            existing = Receipt.objects.filter(uuid=client_uuid).first()
            if existing is not None:
                return _same_hi(existing, household, person, amount, insured)
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _same_hi(existing: Receipt, household: Household, person: Person, amount: int,
             insured: list[int]) -> Recorded:
    named = list(existing.insured.order_by("position").values_list("person_id", flat=True))
    if (existing.household_id, existing.person_id, existing.amount, named) != (
            household.pk, person.pk, amount, insured):
        raise UuidReused(existing.number)
    return Recorded(existing, False)


def _insured_rows(household: Household, insured: list[int]) -> dict[int, str]:
    """{person id: name} of the members to insure, in order, or why not."""
    if not insured:
        raise Refused("Chưa chọn người tham gia BHYT nào", "no member to insure is selected")
    if len(set(insured)) != len(insured):
        raise Refused("Một người được chọn hai lần", "a member is selected twice")
    rows = {pid: (household_id, name) for pid, household_id, name in Person.objects.filter(
        pk__in=insured).values_list("id", "household_id", "full_name")}
    outside = [rows[pid][1] if pid in rows else str(pid) for pid in insured
               if pid not in rows or rows[pid][0] != household.pk]
    if outside:
        listed = ", ".join(outside)
        raise Refused(f"Không thuộc hộ {household.code}: {listed}",
                      f"not in household {household.code}: {listed}")
    return {pid: rows[pid][1] for pid in insured}


def _overlaps(household: Household, names: dict[int, str],
              covered: list[date]) -> list[tuple[str, str, list[date], str]]:
    """The standing coverage of the household or the members among `covered`, per receipt."""
    found: dict[tuple[int | None, int], list[date]] = {}
    numbers: dict[int, str] = {}
    person_id: int | None
    for person_id, receipt_id, number, month in (
            HICoveredMonth.objects.filter(released_by__isnull=True, month__in=covered)
            .filter(Q(household=household, person__isnull=True) | Q(person_id__in=list(names)))
            .order_by("month").values_list("person_id", "receipt_id", "receipt__number",
                                           "month")):
        found.setdefault((person_id, receipt_id), []).append(month)
        numbers[receipt_id] = number
    overlaps = []
    for (who, rid), months in sorted(found.items(), key=lambda item: (item[0][0] or 0,
                                                                      item[0][1])):
        if who is None:  # the household's own row
            overlaps.append((f"Hộ {household.code}", f"household {household.code}", months,
                             numbers[rid]))
        else:
            name = names.get(who, str(who))
            overlaps.append((name, name, months, numbers[rid]))
    return overlaps


def _record_hi(household: Household, *, person: Person, insured: list[int], months: int,
               first_month: date, amount: int, paid_on: date, channel: str,
               client_uuid: uuid_module.UUID, actor: User, agent: Agent | None,
               note: str) -> tuple[Receipt, bool]:
    """(the receipt, True), or (the first receipt, False) for a client UUID recorded while
    this request waited on the household."""
    # the household's receipts one at a time: the checks below see the one before
    # the household's row only: its office and village rows are read, not locked (a writer
    # takes the office's row last, for its change number: registry.changes)
    household = Household.objects.select_for_update(of=("self",)).select_related(
        "office", "village").get(pk=household.pk)
    existing = Receipt.objects.filter(uuid=client_uuid).first()
    if existing is not None:
        return existing, False
    if person.household_id != household.pk:
        raise Refused("Người nộp không thuộc hộ này", "the payer is not in this household")
    names = _insured_rows(household, insured)
    if is_closed(household.office, paid_on):
        raise Refused(f"Kỳ {paid_on:%m/%Y} đã khóa sổ", f"the period {paid_on:%m/%Y} is closed")
    if not 1 <= months <= MAX_HI_MONTHS:
        raise Refused(f"Số tháng phải từ 1 đến {MAX_HI_MONTHS}",
                      f"months must be from 1 to {MAX_HI_MONTHS}")
    try:
        quote = household_hi(paid_on, len(insured), months, tree=current_tree(household.office))
    except PolicyError as exc:
        raise Refused(exc.vi, exc.en) from exc
    if quote.total != amount:
        raise AmountMismatch(quote.total, amount)
    if channel not in Channel.values:
        raise Refused("Hình thức nộp không hợp lệ", "unknown payment channel")
    start = first_of_month(first_month)
    covered = [add_months(start, i) for i in range(months)]
    overlaps = _overlaps(household, names, covered)
    if overlaps:
        raise CoverageOverlap(overlaps)
    if agent is None and actor.role == Role.AGENT:
        agent = Agent.objects.filter(user=actor).select_related("organisation").first()
    book: int | None = None
    if channel == Channel.CASH:
        if agent is None:
            raise Refused("Thu tiền mặt cần nhân viên thu", "a cash receipt needs an agent")
        book, number = take_number(agent)
    else:
        number = f"{channel[:2].upper()}{paid_on:%y%m%d}-{client_uuid.hex[:8].upper()}"
    earlier = Receipt.objects.filter(household=household, product=Product.HOUSEHOLD_HI).exists()
    with kept_current([person.pk]):
        receipt = _create_hi_receipt(
            household, person, client_uuid=client_uuid, book=book, number=number, agent=agent,
            channel=channel, earlier=earlier, paid_on=paid_on, months=months, insured=insured,
            start=start, amount=amount, note=note, quote=quote, actor=actor, covered=covered)
    audit.record(actor=actor, office=household.office, action="receipt.record_hi", obj=receipt,
                 changes={"amount": [None, amount], "members": [None, len(insured)],
                          "insured": [None, insured],
                          "months": [None, f"{_span(covered)}"]}, note=number)
    return receipt, True


def _create_hi_receipt(household: Household, person: Person, *, client_uuid: uuid_module.UUID,
                       book: int | None, number: str, agent: Agent | None, channel: str,
                       earlier: bool, paid_on: date, months: int, insured: list[int],
                       start: date, amount: int, note: str, quote: Any, actor: User,
                       covered: list[date]) -> Receipt:
    receipt = Receipt.objects.create(
        office=household.office, village=household.village, uuid=client_uuid,
        product=Product.HOUSEHOLD_HI, household=household, person=person, book_id=book,
        number=number, agent=agent, organisation=agent.organisation if agent else None,
        channel=channel,
        participant_kind=ParticipantKind.CONTINUING if earlier else ParticipantKind.FIRST_TIME,
        paid_on=paid_on, period=first_of_month(paid_on), months=months,
        hi_members=len(insured), first_month=start, amount=amount, support=0, gross=amount,
        note=note[:200],
        pricing={"paid_on": paid_on.isoformat(),
                 "parameters": [f"{p.name}@{p.start.isoformat()}" for p in quote.parameters],
                 "provisional": quote.provisional_values()},
        recorded_by=actor, recorded_at=timezone.now(),
    )
    HIMember.objects.bulk_create(
        HIMember(receipt=receipt, person_id=pid, position=position)
        for position, pid in enumerate(insured, start=1))
    HICoveredMonth.objects.bulk_create(
        HICoveredMonth(receipt=receipt, household=household, person_id=pid, month=month)
        for pid in (None, *insured) for month in covered)
    return receipt


@transaction.atomic(durable=True)
def reverse_receipt(receipt: Receipt, *, on: date, reason: str, actor: User) -> Receipt:
    """Hủy biên lai: a reversal with the negative amounts, in the open period; the months it
    paid become payable again."""
    permissions.require(actor, "reverse_receipts")
    scoping.require_writable(actor, receipt)
    original = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if original.reverses_id is not None:
        raise Refused("Không thể hủy một bút toán hủy", "a reversal cannot be reversed")
    if Receipt.objects.filter(reverses=original).exists():
        raise Refused("Biên lai đã bị hủy trước đó", "this receipt is already reversed")
    if not reason.strip():
        raise Refused("Cần ghi lý do hủy", "a reason is required")
    with kept_current([original.person_id]):
        reversal = _create_reversal(original, on=on, reason=reason, actor=actor)
    audit.record(actor=actor, office=original.office, action="receipt.reverse", obj=original,
                 changes={"reversed_by": [None, reversal.pk]}, note=reason)
    if original.participation_id is not None and original.person_id is not None:
        touch(original.office_id, [original.person_id])  # the months are payable again
    keepers.changed([original.person_id])
    return reversal


def _create_reversal(original: Receipt, *, on: date, reason: str, actor: User) -> Receipt:
    """The negative receipt, and the months and household-HI coverage it releases."""
    reversal = Receipt.objects.create(
        office=original.office, village=original.village, uuid=uuid_module.uuid4(),
        product=original.product, participation=original.participation,
        household=original.household, person=original.person, book=None,
        number=f"{original.number}/H", agent=original.agent,
        organisation=original.organisation, channel=original.channel, mode=original.mode,
        participant_kind=original.participant_kind, paid_on=on,
        period=open_period(original.office, on), months=-original.months,
        hi_members=original.hi_members, first_month=original.first_month,
        amount=-original.amount, support=-original.support, gross=-original.gross,
        reverses=original, note=reason[:200], pricing=original.pricing, recorded_by=actor,
        recorded_at=timezone.now(),
    )
    PaidMonth.objects.filter(receipt=original, released_by__isnull=True).update(
        released_by=reversal)
    HICoveredMonth.objects.filter(receipt=original, released_by__isnull=True).update(
        released_by=reversal)  # household HI: the months can be covered again
    return reversal


# ---------------------------------------------------------------------------------------------
# Remittances and period close


@transaction.atomic(durable=True)
def remit(organisation: CollectionOrganisation, *, receipts: Sequence[Receipt], number: str,
          remitted_on: date, actor: User,
          client_uuid: uuid_module.UUID | None = None) -> Remittance:
    """Nộp tiền: the organisation hands over the cash of these receipts (each once). An agent
    remits for their own organisation; every receipt must lie in the actor's territory."""
    permissions.require(actor, "remit")
    scoping.require_own_office(actor, organisation.office_id)
    if actor.role == Role.AGENT and not Agent.objects.filter(
            user=actor, organisation=organisation).exists():
        raise scoping.OutOfTerritory
    if client_uuid is not None:
        existing = Remittance.objects.filter(uuid=client_uuid).first()
        if existing is not None:
            return existing
    ids = [r.pk for r in receipts]
    if not ids:
        raise Refused("Chưa chọn biên lai nào", "no receipt selected")
    rows = list(Receipt.objects.select_for_update().filter(pk__in=ids))
    if len(rows) != len(set(ids)):
        raise Refused("Có biên lai không tồn tại", "a receipt does not exist")
    for row in rows:
        if row.organisation_id != organisation.pk or row.channel != Channel.CASH:
            raise Refused(f"Biên lai {row.number} không phải tiền mặt của tổ chức này",
                          f"receipt {row.number} is not cash of this organisation")
    mine = set(scoping.writable(actor, Receipt.objects.filter(pk__in=ids))
               .values_list("pk", flat=True))
    if len(mine) != len(set(ids)):
        raise scoping.OutOfTerritory
    if RemittanceLine.objects.filter(receipt_id__in=ids).exists():
        raise Refused("Có biên lai đã nộp tiền trước đó", "a receipt was already remitted")
    remittance = Remittance.objects.create(
        office=organisation.office, organisation=organisation,
        uuid=client_uuid or uuid_module.uuid4(), number=number.strip(), remitted_on=remitted_on,
        amount=sum(r.amount for r in rows), created_by=actor, created_at=timezone.now(),
    )
    RemittanceLine.objects.bulk_create([
        RemittanceLine(remittance=remittance, receipt=row, amount=row.amount) for row in rows
    ])
    audit.record(actor=actor, office=organisation.office, action="remittance.create",
                 obj=remittance, changes={"amount": [None, remittance.amount],
                                          "receipts": [None, len(rows)]})
    return remittance


@transaction.atomic(durable=True)
def confirm_remittance(remittance: Remittance, *, actor: User) -> None:
    """The office confirms it received the money (the money is then reconciled): the director
    for the office, a staff member only when every receipt of it lies in their territory."""
    permissions.require(actor, "confirm_remittances")
    scoping.require_own_office(actor, remittance.office_id)
    receipts = Receipt.objects.filter(remittance_line__remittance=remittance)
    if scoping.writable(actor, receipts).count() != receipts.count():
        raise scoping.OutOfTerritory
    locked = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if locked.status == RemittanceStatus.CONFIRMED:
        return
    locked.status = RemittanceStatus.CONFIRMED
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit.record(actor=actor, office=locked.office, action="remittance.confirm", obj=locked,
                 changes={"status": [RemittanceStatus.SUBMITTED, RemittanceStatus.CONFIRMED]})


@transaction.atomic(durable=True)
def close_period(office: Office, *, month: date, actor: User, today: date) -> PeriodClose:
    """Khóa sổ a past month: its receipts are locked; later reversals go to the open period."""
    permissions.require(actor, "close_periods")
    scoping.require_own_office(actor, office.pk)
    month = first_of_month(month)
    if month >= first_of_month(today):
        raise Refused("Chỉ khóa sổ tháng đã qua", "only a past month can be closed")
    if PeriodClose.objects.filter(office=office, month=month).exists():
        raise Refused(f"Kỳ {month:%m/%Y} đã khóa sổ", f"the period {month:%m/%Y} is closed")
    close = PeriodClose.objects.create(office=office, month=month, closed_by=actor,
                                       closed_at=timezone.now(),
                                       totals=period_totals(office, month))
    audit.record(actor=actor, office=office, action="period.close", obj=close,
                 changes={"month": [None, month.isoformat()]})
    return close
