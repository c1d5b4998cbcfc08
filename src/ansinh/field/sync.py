"""The sync endpoint's work: apply a phone's offline queue, each item at most once.

Items carry the client UUID the phone made when the form was filled in, so a queue sent twice
(the answer was lost, the agent pressed the button again) records nothing twice. Receipts go
through `collection.receipts.record_receipts`, the receipt page's own write path; enrolments
through `participation.actions.enrol`. Those actions check the role and the territory; this
module only reads the items.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from ansinh.collection.receipts import ReceiptRequest, record_receipts
from ansinh.core.errors import Refused
from ansinh.core.models import User
from ansinh.core.scoping import scoped
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation
from ansinh.registry.models import Person

MAX_ITEMS = 500


@dataclass(frozen=True)
class ItemResult:
    client_uuid: str
    status: str  # "recorded", "already", "refused"
    reason: str = ""
    number: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"client_uuid": self.client_uuid, "status": self.status, "reason": self.reason,
                "number": self.number}


class BadItem(ValueError):
    pass


def _month(value: Any) -> date:
    text = str(value)
    if len(text) == 7:
        text += "-01"
    return date.fromisoformat(text).replace(day=1)


def _uuid(item: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(item["client_uuid"]))
    except (KeyError, ValueError) as exc:
        raise BadItem("client_uuid") from exc


def apply_queue(user: User, items: list[dict[str, Any]]) -> list[ItemResult]:
    """Apply the items in order; the answer has one result per item, in the same order."""
    results: dict[int, ItemResult] = {}
    receipts: list[tuple[int, ReceiptRequest]] = []
    for index, item in enumerate(items[:MAX_ITEMS]):
        kind = item.get("kind")
        try:
            if kind == "receipt":
                receipts.append((index, _receipt_request(item)))
            elif kind == "enrol":
                results[index] = _enrol(user, item)
            else:
                raise BadItem("kind")
        except (BadItem, KeyError, ValueError, TypeError) as exc:
            results[index] = ItemResult(str(item.get("client_uuid", "")), "refused",
                                        Refused("Dữ liệu không hợp lệ", "invalid data").message
                                        + f" ({exc})")
        except Refused as exc:
            results[index] = ItemResult(str(item.get("client_uuid", "")), "refused", exc.message)
    if receipts:
        results.update(_receipts(user, receipts))
    return [results[i] for i in sorted(results)]


def _months(item: dict[str, Any]) -> tuple[date, ...]:
    """`months` (["2026-01", ...]) or the receipt page's `period` boxes ("2026-01-01,...")."""
    raw = item.get("months")
    if raw is None:
        boxes = item.get("period", [])
        boxes = [boxes] if isinstance(boxes, str) else boxes
        raw = [month for box in boxes for month in str(box).split(",") if month]
    return tuple(_month(m) for m in raw)


def _amount(value: Any) -> int:
    """1.234.000, "1 234 000" or 1234000 → 1234000 (the page shows Vietnamese grouping)."""
    digits = re.sub(r"[^0-9-]", "", str(value))
    if not digits or digits == "-":
        raise BadItem("amount")
    return int(digits)


def _receipt_request(item: dict[str, Any]) -> ReceiptRequest:
    return ReceiptRequest(
        participation_id=int(item["participation"]),
        months=_months(item),
        amount=_amount(item["amount"]),
        paid_on=date.fromisoformat(str(item["paid_on"])),
        channel=str(item.get("channel", "cash")),
        client_uuid=_uuid(item),
        note=str(item.get("note", ""))[:200],
    )


def _receipts(user: User, receipts: list[tuple[int, ReceiptRequest]]
              ) -> dict[int, ItemResult]:
    batch = record_receipts([request for _i, request in receipts], actor=user)
    answer: dict[int, ItemResult] = {}
    for (index, request), result in zip(receipts, batch.results, strict=True):
        key = str(request.client_uuid)
        if result.reason is not None:
            answer[index] = ItemResult(key, result.status, result.reason.message)
        else:
            answer[index] = ItemResult(key, result.status, number=result.number)
    return answer


def _enrol(user: User, item: dict[str, Any]) -> ItemResult:
    key = _uuid(item)
    person = scoped(user, Person.objects.filter(pk=int(item["person"]))).first()
    if person is None:
        raise Refused("Không có người này trong địa bàn của bạn",
                      "no such person in your territory")
    years = item.get("advance_years")
    existed = Participation.objects.filter(uuid=key).exists()
    enrol(person, start_month=_month(item["start_month"]), income=int(item["income"]),
          mode=str(item["mode"]), actor=user,
          enrolled_on=date.fromisoformat(str(item["enrolled_on"])),
          advance_years=int(years) if years else None, client_uuid=key)
    return ItemResult(str(key), "already" if existed else "recorded")
