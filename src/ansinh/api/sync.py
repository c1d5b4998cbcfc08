"""`POST /api/sync`: the phone's outbox, item by item; `/api/receipt-numbers`: numbers reserved
ahead. The schemas here are the contract's exact form (docs/field-sync.md); `outbox` applies
the items through the actions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import BeforeValidator, Strict

from ansinh.collection.models import Channel as PaymentChannel
from ansinh.core import permissions
from ansinh.core.errors import Refused
from ansinh.core.permissions import refusal_status, signed_in
from ansinh.field.numbers import MAX_RESERVE, release_numbers, reserve_numbers
from ansinh.outreach.models import Channel as ContactChannel
from ansinh.outreach.models import Objection, Outcome
from ansinh.participation.models import PaymentMode

from . import outbox
from .errors import Invalid, Refusal

router = Router(tags=["sync"])

MAX_ITEMS = outbox.MAX_ITEMS
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])(-01)?$",
                             examples=["2026-01"])]
Number = Annotated[str, Field(min_length=3, max_length=30, pattern=r"^[^\x00]*$")]


def _json_string(value: Any) -> Any:
    """Dates and uuids come as JSON strings (pydantic would also take a number of seconds)."""
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _json_number(value: Any) -> Any:
    """Numbers come as JSON numbers: "12" is not 12, true is not 1 (12.0 is 12)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    return value


Day = Annotated[date, BeforeValidator(_json_string)]  # the outbox refuses years out of range
Uuid = Annotated[UUID, BeforeValidator(_json_string)]
Int = Annotated[int, Field(ge=-(2**63), le=2**63 - 1), BeforeValidator(_json_number)]  # a BIGINT
# bounds before the validator, so that the schema shows them as minimum and maximum
Income = Annotated[int, Field(ge=0, le=1_000_000_000), BeforeValidator(_json_number)]
Years = Annotated[int, Field(ge=1, le=10), BeforeValidator(_json_number)]
Amount = Annotated[int, Field(ge=0, le=100_000_000_000), BeforeValidator(_json_number)]
Version = Annotated[int, Field(ge=0, le=2**63 - 1), BeforeValidator(_json_number)]  # a BIGINT
Count = Annotated[int, Field(ge=1, le=100), BeforeValidator(_json_number)]
Bool = Annotated[bool, Strict()]


def text(max_length: int) -> Any:
    """Free text: no NUL (PostgreSQL stores none)."""
    return Field("", max_length=max_length, pattern=r"^[^\x00]*$")


class PersonData(Schema):
    village: Int
    full_name: str = Field(min_length=1, max_length=150, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")
    birth_date: Day
    birth_year_only: Bool = False
    sex: Literal["M", "F"]
    ethnicity: str = Field("01", pattern=r"^\d{2}$")
    phone: str = text(15)
    national_id: str = Field("", pattern=r"^(\d{12})?$")
    household: Int | None = None


class ContactData(Schema):
    person: Uuid
    on: Day
    channel: ContactChannel
    outcome: Outcome
    objection: Objection | Literal[""] = ""
    note: str = text(300)
    next_follow_up_on: Day | None = None


class FollowUpData(Schema):
    """Done (`next_on` is then ignored), or moved to `next_on`."""

    contact: Uuid
    done: Bool
    next_on: Day | None = None
    note: str = text(300)



class EnrolData(Schema):
    person: Uuid
    start_month: Month
    income: Income
    mode: PaymentMode
    advance_years: Years | None = None
    enrolled_on: Day


class ReceiptData(Schema):
    participation: Uuid
    months: list[Month] = Field(min_length=1, max_length=120)
    amount: Amount
    paid_on: Day
    channel: PaymentChannel
    number: Number | None = None
    note: str = text(200)


class ItemBase(Schema):
    client_uuid: Uuid
    base_version: Version | None = None
    hash: str | None = Field(None, max_length=64,
                             description="the phone's sha256 of the data (informative: the "
                                         "server keeps its own)")


class PersonItem(ItemBase):
    kind: Literal["person"]
    data: PersonData


class ContactItem(ItemBase):
    kind: Literal["contact"]
    data: ContactData


class FollowUpItem(ItemBase):
    kind: Literal["follow_up"]
    data: FollowUpData


class EnrolItem(ItemBase):
    kind: Literal["enrol"]
    data: EnrolData


class ReceiptItem(ItemBase):
    kind: Literal["receipt"]
    data: ReceiptData


Item = Annotated[PersonItem | ContactItem | FollowUpItem | EnrolItem | ReceiptItem,
                 Field(discriminator="kind")]


class SyncIn(Schema):
    items: list[Item] = Field(max_length=MAX_ITEMS)
    release: list[Number] = Field(default_factory=list, max_length=MAX_RESERVE * 5)


class ItemAnswer(Schema):
    client_uuid: UUID
    status: Literal["recorded", "already", "refused", "conflict"]
    reason: str
    number: str
    version: int | None


class SyncOut(Schema):
    results: list[ItemAnswer]
    released: list[str]


@router.post("/sync", response={200: SyncOut, 400: Refusal, 403: Refusal, 422: Invalid},
             summary="Apply the phone's outbox, item by item (docs/field-sync.md)")
def sync(request: HttpRequest, payload: SyncIn) -> SyncOut:
    user = signed_in(request)
    permissions.require(user, "field_work")
    device = getattr(request, "device", None)
    answers = outbox.apply_items(user, device, list(payload.items))
    released = (outbox.retrying(lambda: release_numbers(device, actor=user,
                                                        numbers=list(payload.release)))
                if payload.release and device is not None else [])
    return SyncOut(results=[ItemAnswer(**answer.as_dict()) for answer in answers],
                   released=released)


class ReserveIn(Schema):
    count: Count


class NumbersOut(Schema):
    numbers: list[str]


class ReleaseIn(Schema):
    numbers: list[Number] = Field(max_length=MAX_RESERVE * 5)


class ReleasedOut(Schema):
    released: list[str]


@router.post("/receipt-numbers", response={200: NumbersOut, 400: Refusal, 403: Refusal,
                                           409: Refusal,
                                           422: Invalid},
             summary="Reserve the next numbers of the agent's open book to this device")
def receipt_numbers(request: HttpRequest, payload: ReserveIn) -> Any:
    try:
        numbers = reserve_numbers(getattr(request, "device", None), actor=signed_in(request),
                                  count=payload.count)
    except Refused as exc:
        return _refused(exc)
    return NumbersOut(numbers=numbers)


def _refused(exc: Refused) -> Status[Refusal]:
    """403 for who may do what; 409 for the state of things (no book, no numbers left, not
    a registered device): a valid request the server cannot satisfy now."""
    status = refusal_status(exc)
    return Status(403 if status == 403 else 409, Refusal(detail=exc.message))


@router.post("/receipt-numbers/release",
             response={200: ReleasedOut, 400: Refusal, 403: Refusal, 409: Refusal,
                       422: Invalid},
             summary="Give back this device's unused reserved numbers")
def receipt_numbers_release(request: HttpRequest, payload: ReleaseIn) -> Any:
    try:
        released = release_numbers(getattr(request, "device", None), actor=signed_in(request),
                                   numbers=list(payload.numbers))
    except Refused as exc:
        return _refused(exc)
    return ReleasedOut(released=released)
