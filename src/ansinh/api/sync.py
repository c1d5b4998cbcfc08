"""`POST /api/sync`: the phone's outbox, item by item; `/api/receipt-numbers`: numbers reserved
ahead. The schemas here are the contract's exact form (docs/field-sync.md); `outbox` applies
the items through the actions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import model_validator

from ansinh.collection.models import Channel as PaymentChannel
from ansinh.core import permissions
from ansinh.core.permissions import signed_in
from ansinh.field.numbers import MAX_RESERVE, release_numbers, reserve_numbers
from ansinh.outreach.models import Channel as ContactChannel
from ansinh.outreach.models import Objection, Outcome
from ansinh.participation.models import PaymentMode

from . import outbox

router = Router(tags=["sync"])

MAX_ITEMS = outbox.MAX_ITEMS
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])(-01)?$",
                             examples=["2026-01"])]
Number = Annotated[str, Field(min_length=3, max_length=30)]


class PersonData(Schema):
    village: int
    full_name: str = Field(min_length=1, max_length=150)
    birth_date: date
    birth_year_only: bool = False
    sex: Literal["M", "F"]
    ethnicity: str = Field("01", pattern=r"^\d{2}$")
    phone: str = Field("", max_length=15)
    national_id: str = Field("", pattern=r"^(\d{12})?$")
    household: int | None = None


class ContactData(Schema):
    person: UUID
    on: date
    channel: ContactChannel
    outcome: Outcome
    objection: Objection | Literal[""] = ""
    note: str = Field("", max_length=300)
    next_follow_up_on: date | None = None


class FollowUpData(Schema):
    contact: UUID
    done: bool
    next_on: date | None = None
    note: str = Field("", max_length=300)

    @model_validator(mode="after")
    def done_or_moved(self) -> FollowUpData:
        if self.done == (self.next_on is not None):
            raise ValueError("either done (no next_on) or moved to next_on (done false)")
        return self


class EnrolData(Schema):
    person: UUID
    start_month: Month
    income: int = Field(ge=0, le=1_000_000_000)
    mode: PaymentMode
    advance_years: int | None = Field(None, ge=1, le=10)
    enrolled_on: date


class ReceiptData(Schema):
    participation: UUID
    months: list[Month] = Field(min_length=1, max_length=120)
    amount: int = Field(ge=0, le=100_000_000_000)
    paid_on: date
    channel: PaymentChannel
    number: Number | None = None
    note: str = Field("", max_length=200)


class ItemBase(Schema):
    client_uuid: UUID
    base_version: int | None = Field(None, ge=0)
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


class Refusal(Schema):
    detail: str


class Problem(Schema):
    item: int | None
    loc: list[str | int]
    msg: str


class Invalid(Schema):
    detail: list[Problem]


@router.post("/sync", response={200: SyncOut, 400: Refusal, 403: Refusal, 422: Invalid},
             summary="Apply the phone's outbox, item by item (docs/field-sync.md)")
def sync(request: HttpRequest, payload: SyncIn) -> SyncOut:
    user = signed_in(request)
    permissions.require(user, "field_work")
    device = getattr(request, "device", None)
    answers = outbox.apply_items(user, device, list(payload.items))
    released = (release_numbers(device, actor=user, numbers=list(payload.release))
                if payload.release and device is not None else [])
    return SyncOut(results=[ItemAnswer(**answer.as_dict()) for answer in answers],
                   released=released)


class ReserveIn(Schema):
    count: int = Field(ge=1, le=MAX_RESERVE)


class NumbersOut(Schema):
    numbers: list[str]


class ReleaseIn(Schema):
    numbers: list[Number] = Field(max_length=MAX_RESERVE * 5)


class ReleasedOut(Schema):
    released: list[str]


@router.post("/receipt-numbers", response={200: NumbersOut, 400: Refusal, 403: Refusal,
                                           422: Invalid},
             summary="Reserve the next numbers of the agent's open book to this device")
def receipt_numbers(request: HttpRequest, payload: ReserveIn) -> NumbersOut:
    numbers = reserve_numbers(getattr(request, "device", None), actor=signed_in(request),
                              count=payload.count)
    return NumbersOut(numbers=numbers)


@router.post("/receipt-numbers/release",
             response={200: ReleasedOut, 400: Refusal, 403: Refusal, 422: Invalid},
             summary="Give back this device's unused reserved numbers")
def receipt_numbers_release(request: HttpRequest, payload: ReleaseIn) -> ReleasedOut:
    released = release_numbers(getattr(request, "device", None), actor=signed_in(request),
                               numbers=list(payload.numbers))
    return ReleasedOut(released=released)
