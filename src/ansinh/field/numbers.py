"""Receipt numbers reserved ahead: a phone prints them on the receipts it makes offline.

`reserve_numbers` takes the agent's released numbers first, then the next numbers of their open
books (oldest book first), moving each book's next number past them so a receipt recorded
online never takes one. `record_receipts` accepts a receipt with such a number only when it is
reserved to the device that sends it and unused (`claim_number`, provided to the collection app
when this app loads); `release_numbers` gives unused ones back. A number is never issued twice:
the reservation row is unique per book and number, and a receipt's number per book.

Locks: the books first, then the reservation rows (the same order as `record_receipts`, which
locks the cash agents' books before it claims a number).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ansinh.collection.models import ReceiptBook
from ansinh.core import audit, permissions
from ansinh.core.errors import Refused
from ansinh.core.models import User
from ansinh.network.models import Agent

from .models import Device, ReservedNumber

MAX_RESERVE = 100
NUMBER = re.compile(r"^(?P<series>.+)-(?P<n>\d{1,9})$")


def printed(series: str, number: int) -> str:
    """The number as the receipt shows it (as `record_receipts` prints a book's numbers)."""
    return f"{series}-{number:07d}"


def parse(number: str) -> tuple[str, int] | None:
    match = NUMBER.match(number.strip())
    return (match["series"], int(match["n"])) if match else None


def _own_device(device: Device | None, actor: User) -> Device:
    if device is None:
        raise Refused("Cần gọi từ một thiết bị đã đăng ký", "call from a registered device")
    if device.user_id != actor.pk or device.revoked_at is not None:
        raise permissions.NotPermitted()
    return device


@transaction.atomic
def reserve_numbers(device: Device | None, *, actor: User, count: int) -> list[str]:
    """Reserve `count` numbers (1–100) of the actor's open books to `device`."""
    permissions.authorise(actor, "record_receipts")
    device = _own_device(device, actor)
    if not 1 <= count <= MAX_RESERVE:
        raise Refused(f"Số lượng từ 1 đến {MAX_RESERVE}", f"count from 1 to {MAX_RESERVE}")
    agent = Agent.objects.filter(user=actor).first()
    if agent is None:
        raise Refused("Bạn không phải nhân viên thu nên không có quyển biên lai",
                      "you are not a collection agent, so you hold no receipt book")
    books = list(ReceiptBook.objects.select_for_update().filter(
        agent=agent, returned_on__isnull=True).order_by("issued_on", "id"))
    series = {book.pk: book.series for book in books}
    now = timezone.now()
    taken: list[tuple[int, int]] = []
    returned = list(ReservedNumber.objects.select_for_update(of=("self",)).filter(
        book__in=books, device__isnull=True, used_at__isnull=True,
    ).order_by("book__issued_on", "book_id", "number")[:count])
    if returned:
        ReservedNumber.objects.filter(pk__in=[r.pk for r in returned]).update(
            device=device, reserved_at=now)
        taken.extend((r.book_id, r.number) for r in returned)
    fresh: list[ReservedNumber] = []
    for book in books:
        want = count - len(taken) - len(fresh)
        if want <= 0:
            break
        end = min(book.last_number, book.next_number + want - 1)
        if end < book.next_number:
            continue
        fresh.extend(ReservedNumber(book=book, number=n, device=device, reserved_at=now)
                     for n in range(book.next_number, end + 1))
        ReceiptBook.objects.filter(pk=book.pk).update(next_number=F("next_number")
                                                      + (end + 1 - book.next_number))
    ReservedNumber.objects.bulk_create(fresh)
    taken.extend((r.book_id, r.number) for r in fresh)
    if not taken:
        raise Refused("Nhân viên thu chưa có quyển biên lai còn số",
                      "the agent has no receipt book with numbers left")
    labels = [printed(series[book_id], n) for book_id, n in taken]
    audit.record(actor=actor, office=actor.office, action="receipt_numbers.reserve", obj=device,
                 changes={"numbers": [None, labels]})
    return labels


@transaction.atomic
def release_numbers(device: Device | None, *, actor: User, numbers: list[str]) -> list[str]:
    """Give back the device's unused numbers among `numbers`; returns those released (others
    — used, another device's, unknown — are left as they are)."""
    device = _own_device(device, actor)
    wanted = {parsed for parsed in map(parse, numbers) if parsed is not None}
    if not wanted:
        return []
    rows = list(ReservedNumber.objects.select_for_update(of=("self",)).filter(
        device=device, used_at__isnull=True, number__in={n for _s, n in wanted},
    ).select_related("book").order_by("id"))
    released = [row for row in rows if (row.book.series, row.number) in wanted]
    if not released:
        return []
    ReservedNumber.objects.filter(pk__in=[r.pk for r in released]).update(device=None)
    labels = [printed(r.book.series, r.number) for r in released]
    audit.record(actor=actor, office=actor.office, action="receipt_numbers.release",
                 obj=device, changes={"numbers": [labels, None]})
    return labels


def claim_number(device_id: int, number: str) -> int | None:
    """Inside `record_receipts`' transaction: the book of `number` if it is reserved to the
    device and unused, now marked used; None otherwise."""
    parsed = parse(number)
    if parsed is None:
        return None
    series, n = parsed
    row = (ReservedNumber.objects.select_for_update(of=("self",))
           .filter(device_id=device_id, device__revoked_at__isnull=True, book__series=series,
                   number=n, used_at__isnull=True).first())
    if row is None:
        return None
    ReservedNumber.objects.filter(pk=row.pk).update(used_at=timezone.now())
    return row.book_id
