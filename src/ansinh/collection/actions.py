"""Money actions: issue books, record and reverse receipts, remit, confirm, close periods.

Each action runs in one transaction and writes its audit row. Receipts are never edited or
deleted: a mistake is corrected by `reverse_receipt`.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from ansinh.calculator.rules import current_tree
from ansinh.core import audit
from ansinh.core.errors import Refused, vnd_text
from ansinh.core.models import Office, Role, User
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.participation import actions as participation_actions
from ansinh.participation.dues import Dues, schedule, terms_rows
from ansinh.participation.models import Participation, Status
from ansinh.participation.subsidy import facts_for
from ansinh.policy import PolicyError, household_hi
from ansinh.policy.money import add_months, first_of_month
from ansinh.registry.models import Household, Person

from .models import (
    Channel,
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
from .pricing import Pricing, price_months


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


class MonthAlreadyPaid(Refused):
    def __init__(self, months: Sequence[date]) -> None:
        self.months = tuple(months)
        listed = ", ".join(f"{m:%m/%Y}" for m in months)
        super().__init__(f"Tháng đã được đóng: {listed}", f"month already paid: {listed}")


# ---------------------------------------------------------------------------------------------
# Receipt books


@transaction.atomic
def issue_book(agent: Agent, *, series: str, first_number: int, last_number: int,
               issued_on: date, actor: User) -> ReceiptBook:
    """Cấp quyển biên lai: a number range no other book of the series overlaps."""
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


@transaction.atomic
def return_book(book: ReceiptBook, *, on: date, actor: User) -> None:
    """Thu hồi: the unused numbers of the book can no longer be used."""
    locked = ReceiptBook.objects.select_for_update().get(pk=book.pk)
    if locked.returned_on is None:
        locked.returned_on = on
        locked.save(update_fields=["returned_on"])
        audit.record(actor=actor, office=locked.office, action="receipt_book.return", obj=locked,
                     changes={"returned_on": [None, on.isoformat()]})


def _take_number(agent: Agent) -> tuple[ReceiptBook, str]:
    """The next number of the agent's oldest open book (locked until the transaction ends)."""
    book = (ReceiptBook.objects.select_for_update()
            .filter(agent=agent, returned_on__isnull=True, next_number__lte=F("last_number"))
            .order_by("issued_on", "id").first())
    if book is None:
        raise Refused("Nhân viên thu chưa có quyển biên lai còn số",
                      "the agent has no receipt book with numbers left")
    number = f"{book.series}-{book.next_number:07d}"
    ReceiptBook.objects.filter(pk=book.pk).update(next_number=F("next_number") + 1)
    return book, number


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


@dataclass(frozen=True)
class Recorded:
    receipt: Receipt
    created: bool


def supported_before(person: Person, exclude_participation: int | None = None) -> int:
    """Months of state support the person has had (120-month cap, D159 Art. 5(2))."""
    prior = Participation.objects.filter(person=person).aggregate(
        s=Sum("prior_supported_months"))["s"] or 0
    paid = PaidMonth.objects.filter(participation__person=person, released_by__isnull=True,
                                    support__gt=0).count()
    return int(prior) + paid


def quote_months(participation: Participation, months: Sequence[date],
                 paid_on: date) -> Pricing:
    """The engine's price of `months` for this participation on `paid_on` (for forms, too)."""
    try:
        return price_months(
            [first_of_month(m) for m in months], paid_on, terms=terms_rows(participation),
            facts=facts_for(participation.person),
            supported_before=supported_before(participation.person),
            tree=current_tree(participation.office),
        )
    except PolicyError as exc:
        raise Refused(exc.vi, exc.en) from exc
    except ValueError as exc:
        raise Refused("Có tháng không thuộc thời gian phải đóng",
                      "a month is outside the participation's payment schedule") from exc


def months_refusal(current: Dues, months: Sequence[date]) -> Refused | None:
    """Why `months` cannot be paid under `current` dues, or None: they must make whole
    periods that are payable now (overdue, due or the next one) and not be paid already.
    The receipt page and the batch path share this rule."""
    if not months:
        return Refused("Chưa chọn tháng nào", "no month selected")
    if len(set(months)) != len(months):
        return Refused("Một tháng được chọn hai lần", "a month is selected twice")
    ahead = (current.next_period,) if current.next_period else ()
    already = sorted(set(months) & {m for p in (*current.periods, *ahead) for m in p.paid})
    if already:
        return MonthAlreadyPaid(already)
    chosen = set(months)
    for period in current.payable:
        part = chosen & set(period.unpaid)
        if part and part != set(period.unpaid):
            return Refused(
                f"Phải đóng đủ cả kỳ {period.start:%m/%Y} ({len(period.unpaid)} tháng)",
                f"the whole period from {period.start:%m/%Y} must be paid "
                f"({len(period.unpaid)} months)",
            )
        chosen -= part
    if chosen:
        listed = ", ".join(f"{m:%m/%Y}" for m in sorted(chosen))
        return Refused(f"Chưa đến hạn hoặc không phải đóng: {listed}",
                       f"not payable now: {listed}")
    return None


def _check_months(participation: Participation, months: Sequence[date], paid_on: date) -> None:
    current = schedule(terms_rows(participation),
                       participation.paid_months.filter(released_by__isnull=True)
                       .values_list("month", flat=True), paid_on)
    refusal = months_refusal(current, months)
    if refusal is not None:
        raise refusal


def _existing(client_uuid: uuid_module.UUID) -> Receipt | None:
    return Receipt.objects.filter(uuid=client_uuid).first()


def _cash_agent(actor: User, agent: Agent | None) -> Agent | None:
    if agent is None and actor.role == Role.AGENT:
        return Agent.objects.filter(user=actor).select_related("organisation").first()
    return agent


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
    """Record a voluntary-SI receipt for `months`; a retried `client_uuid` returns the first.

    Refused (nothing written) when the amount differs from the engine's, a month is already
    paid, the months do not make whole payable periods, the period is closed, or a cash
    receipt has no book number.
    """
    existing = _existing(client_uuid)
    if existing is not None:
        return _same_or_refuse(existing, participation.pk)
    try:
        with transaction.atomic():
            return _record_si(participation, months=months, amount=amount, paid_on=paid_on,
                              channel=channel, client_uuid=client_uuid, actor=actor,
                              agent=agent, note=note)
    except IntegrityError:
        # a concurrent attempt won: the same submission (same uuid) or the same month
        existing = _existing(client_uuid)
        if existing is not None:
            return _same_or_refuse(existing, participation.pk)
        raise MonthAlreadyPaid(sorted(first_of_month(m) for m in months)) from None


def _same_or_refuse(existing: Receipt, participation_id: int | None) -> Recorded:
    if existing.participation_id != participation_id:
        raise Refused("Mã giao dịch đã dùng cho một biên lai khác",
                      "this transaction id was used for another receipt")
    return Recorded(existing, False)


def _record_si(participation: Participation, *, months: Sequence[date], amount: int,
               paid_on: date, channel: str, client_uuid: uuid_module.UUID, actor: User,
               agent: Agent | None, note: str) -> Recorded:
    locked = Participation.objects.select_for_update().select_related("person").get(
        pk=participation.pk)
    existing = _existing(client_uuid)  # the same submission may have won the lock first
    if existing is not None:
        return _same_or_refuse(existing, participation.pk)
    if locked.status in (Status.STOPPED, Status.PAUSED):
        raise Refused("Người tham gia đã dừng hoặc tạm dừng: cần đóng tiếp trước khi thu",
                      "the participation is stopped or paused: resume it before collecting")
    if channel not in Channel.values:
        raise Refused("Hình thức nộp không hợp lệ", "unknown payment channel")
    months = sorted(first_of_month(m) for m in months)
    _check_months(locked, months, paid_on)
    if is_closed(locked.office, paid_on):
        raise Refused(f"Kỳ {paid_on:%m/%Y} đã khóa sổ", f"the period {paid_on:%m/%Y} is closed")
    pricing = quote_months(locked, months, paid_on)
    if pricing.amount != amount:
        raise AmountMismatch(pricing.amount, amount)
    agent = _cash_agent(actor, agent) or (locked.agent if channel == Channel.CASH else None)
    book: ReceiptBook | None = None
    if channel == Channel.CASH:
        if agent is None:
            raise Refused("Thu tiền mặt cần nhân viên thu", "a cash receipt needs an agent")
        book, number = _take_number(agent)
    else:
        number = f"{channel[:2].upper()}{paid_on:%y%m%d}-{client_uuid.hex[:8].upper()}"
    first = locked.first_time and not Receipt.objects.filter(
        participation=locked, reverses__isnull=True, reversal__isnull=True).exists()
    receipt = Receipt.objects.create(
        office=locked.office, village=locked.village, uuid=client_uuid,
        product=Product.VOLUNTARY_SI, participation=locked, person=locked.person, book=book,
        number=number, agent=agent, organisation=agent.organisation if agent else None,
        channel=channel, mode=pricing.mode,
        participant_kind=ParticipantKind.FIRST_TIME if first else ParticipantKind.CONTINUING,
        paid_on=paid_on, period=first_of_month(paid_on), months=len(months),
        first_month=months[0], amount=pricing.amount, support=pricing.support,
        gross=pricing.gross, note=note[:200], pricing=pricing.to_dict(), recorded_by=actor,
        recorded_at=timezone.now(),
    )
    PaidMonth.objects.bulk_create([
        PaidMonth(receipt=receipt, participation=locked, month=line.month, income=line.income,
                  category=line.category, gross=line.gross, support=line.support, net=line.net)
        for line in pricing.lines
    ])
    audit.record(actor=actor, office=locked.office, action="receipt.record", obj=receipt,
                 changes={"amount": [None, receipt.amount], "months": [None, len(months)]},
                 note=number)
    if locked.status == Status.LATE:
        after = schedule(terms_rows(locked), locked.paid_months.filter(
            released_by__isnull=True).values_list("month", flat=True), paid_on)
        if not after.overdue:
            participation_actions.mark_active(locked, on=paid_on, actor=actor, reason="paid")
    return Recorded(receipt, True)


def record_hi_receipt(
    household: Household,
    *,
    person: Person,
    members: int,
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
    """Household health insurance through the same receipts (the ladder from the engine)."""
    existing = _existing(client_uuid)
    if existing is not None:
        if existing.household_id != household.pk:
            raise Refused("Mã giao dịch đã dùng cho một biên lai khác",
                          "this transaction id was used for another receipt")
        return Recorded(existing, False)
    try:
        with transaction.atomic():
            receipt = _record_hi(household, person=person, members=members, months=months,
                                 first_month=first_month, amount=amount, paid_on=paid_on,
                                 channel=channel, client_uuid=client_uuid, actor=actor,
                                 agent=agent, note=note)
    except IntegrityError:
        existing = _existing(client_uuid)
        if existing is None:
            raise
        return Recorded(existing, False)
    return Recorded(receipt, True)


def _record_hi(household: Household, *, person: Person, members: int, months: int,
               first_month: date, amount: int, paid_on: date, channel: str,
               client_uuid: uuid_module.UUID, actor: User, agent: Agent | None,
               note: str) -> Receipt:
    if person.household_id != household.pk:
        raise Refused("Người nộp không thuộc hộ này", "the payer is not in this household")
    if is_closed(household.office, paid_on):
        raise Refused(f"Kỳ {paid_on:%m/%Y} đã khóa sổ", f"the period {paid_on:%m/%Y} is closed")
    try:
        quote = household_hi(paid_on, members, months, tree=current_tree(household.office))
    except PolicyError as exc:
        raise Refused(exc.vi, exc.en) from exc
    if quote.total != amount:
        raise AmountMismatch(quote.total, amount)
    agent = _cash_agent(actor, agent)
    book: ReceiptBook | None = None
    if channel == Channel.CASH:
        if agent is None:
            raise Refused("Thu tiền mặt cần nhân viên thu", "a cash receipt needs an agent")
        book, number = _take_number(agent)
    else:
        number = f"{channel[:2].upper()}{paid_on:%y%m%d}-{client_uuid.hex[:8].upper()}"
    earlier = Receipt.objects.filter(household=household, product=Product.HOUSEHOLD_HI).exists()
    receipt = Receipt.objects.create(
        office=household.office, village=household.village, uuid=client_uuid,
        product=Product.HOUSEHOLD_HI, household=household, person=person, book=book,
        number=number, agent=agent, organisation=agent.organisation if agent else None,
        channel=channel,
        participant_kind=ParticipantKind.CONTINUING if earlier else ParticipantKind.FIRST_TIME,
        paid_on=paid_on, period=first_of_month(paid_on), months=months, hi_members=members,
        first_month=first_of_month(first_month), amount=amount, support=0, gross=amount,
        note=note[:200],
        pricing={"paid_on": paid_on.isoformat(),
                 "parameters": [f"{p.name}@{p.start.isoformat()}" for p in quote.parameters],
                 "provisional": quote.provisional_values()},
        recorded_by=actor, recorded_at=timezone.now(),
    )
    audit.record(actor=actor, office=household.office, action="receipt.record_hi", obj=receipt,
                 changes={"amount": [None, amount], "members": [None, members]}, note=number)
    return receipt


@transaction.atomic
def reverse_receipt(receipt: Receipt, *, on: date, reason: str, actor: User) -> Receipt:
    """Hủy biên lai: a reversal with the negative amounts, in the open period; the months it
    paid become payable again."""
    original = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if original.reverses_id is not None:
        raise Refused("Không thể hủy một bút toán hủy", "a reversal cannot be reversed")
    if Receipt.objects.filter(reverses=original).exists():
        raise Refused("Biên lai đã bị hủy trước đó", "this receipt is already reversed")
    if not reason.strip():
        raise Refused("Cần ghi lý do hủy", "a reason is required")
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
    audit.record(actor=actor, office=original.office, action="receipt.reverse", obj=original,
                 changes={"reversed_by": [None, reversal.pk]}, note=reason)
    return reversal


# ---------------------------------------------------------------------------------------------
# Remittances and period close


@transaction.atomic
def remit(organisation: CollectionOrganisation, *, receipts: Sequence[Receipt], number: str,
          remitted_on: date, actor: User,
          client_uuid: uuid_module.UUID | None = None) -> Remittance:
    """Nộp tiền: the organisation hands over the cash of these receipts (each once)."""
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


@transaction.atomic
def confirm_remittance(remittance: Remittance, *, actor: User) -> None:
    """The office confirms it received the money (the money is then reconciled)."""
    locked = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if locked.status == RemittanceStatus.CONFIRMED:
        return
    locked.status = RemittanceStatus.CONFIRMED
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit.record(actor=actor, office=locked.office, action="remittance.confirm", obj=locked,
                 changes={"status": [RemittanceStatus.SUBMITTED, RemittanceStatus.CONFIRMED]})


@transaction.atomic
def close_period(office: Office, *, month: date, actor: User, today: date) -> PeriodClose:
    """Khóa sổ a past month: its receipts are locked; later reversals go to the open period."""
    from .ledger import period_totals

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
