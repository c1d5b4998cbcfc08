"""Small builders shared by the outreach tests."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from ansinh.collection.dues import quote_months
from ansinh.collection.receipts import record_receipt
from ansinh.registry.models import Person, SIStatus


def prospects(commune: str, count: int, *, exclude: tuple[int, ...] = ()) -> list[Person]:
    """``count`` uninsured persons aged 30-45 on 2026-03-31 in ``commune``."""
    return list(Person.objects.filter(
        village__commune__code=commune, si_status=SIStatus.NONE,
        birth_date__lt=date(1996, 1, 1), birth_date__gt=date(1981, 1, 1),
    ).exclude(id__in=exclude).order_by("id")[:count])


def pay(participation: Any, months: list[date], actor: Any, paid_on: date) -> Any:
    quote = quote_months(participation, months, paid_on)
    return record_receipt(participation, months=months, amount=quote.amount,
                                paid_on=paid_on, channel="bank_transfer",
                                client_uuid=uuid.uuid4(), actor=actor).receipt
