"""The sync endpoint's work: apply a phone's offline queue, each item at most once.

Items carry the client UUID the phone made when the form was filled in, so a queue sent twice
(the answer was lost, the agent pressed the button again) records nothing twice. Receipts go
through `collection.batch.record_batch` (the same rules as the receipt page), enrolments
through `participation.actions.enrol`. Every item is scoped to what the user may see.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from ansinh.collection.batch import Entry, record_batch
from ansinh.collection.models import Receipt
from ansinh.core.errors import Refused
from ansinh.core.models import Role, User
from ansinh.network.models import Agent
from ansinh.network.scoping import scoped
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
    if user.role == Role.VIEWER:
        return [ItemResult(str(item.get("client_uuid", "")), "refused",
                           Refused("Tài khoản chỉ xem", "read-only account").message)
                for item in items]
    results: dict[int, ItemResult] = {}
    receipts: list[tuple[int, Entry]] = []
    for index, item in enumerate(items[:MAX_ITEMS]):
        kind = item.get("kind")
        try:
            if kind == "receipt":
                receipts.append((index, _receipt_entry(user, item)))
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


def _receipt_entry(user: User, item: dict[str, Any]) -> Entry:
    participation_id = int(item["participation"])
    if not scoped(user, Participation.objects.filter(pk=participation_id)).exists():
        raise Refused("Không có người tham gia này trong địa bàn của bạn",
                      "no such participant in your territory")
    agent_id = None
    if user.role == Role.AGENT:
        agent_id = Agent.objects.filter(user=user).values_list("id", flat=True).first()
    return Entry(
        participation_id=participation_id,
        months=_months(item),
        amount=_amount(item["amount"]),
        paid_on=date.fromisoformat(str(item["paid_on"])),
        channel=str(item.get("channel", "cash")),
        client_uuid=_uuid(item),
        agent_id=agent_id,
        note=str(item.get("note", ""))[:200],
    )


def _receipts(user: User, receipts: list[tuple[int, Entry]]) -> dict[int, ItemResult]:
    assert user.office is not None
    batch = record_batch(user.office, [entry for _i, entry in receipts], actor=user)
    refused = dict(batch.refused)
    numbers = dict(Receipt.objects.filter(
        uuid__in=[entry.client_uuid for _i, entry in receipts]).values_list("uuid", "number"))
    answer: dict[int, ItemResult] = {}
    before = set(batch.existing)
    existing_uuids = set(Receipt.objects.filter(id__in=before).values_list("uuid", flat=True))
    for position, (index, entry) in enumerate(receipts):
        key = str(entry.client_uuid)
        if position in refused:
            answer[index] = ItemResult(key, "refused", refused[position].message)
        elif entry.client_uuid in existing_uuids:
            answer[index] = ItemResult(key, "already", number=numbers.get(entry.client_uuid, ""))
        else:
            answer[index] = ItemResult(key, "recorded", number=numbers.get(entry.client_uuid, ""))
    return answer


def _enrol(user: User, item: dict[str, Any]) -> ItemResult:
    key = _uuid(item)
    existing = Participation.objects.filter(uuid=key).first()
    if existing is not None:
        return ItemResult(str(key), "already")
    person = scoped(user, Person.objects.filter(pk=int(item["person"]))).first()
    if person is None:
        raise Refused("Không có người này trong địa bàn của bạn",
                      "no such person in your territory")
    years = item.get("advance_years")
    enrol(person, start_month=_month(item["start_month"]), income=int(item["income"]),
          mode=str(item["mode"]), actor=user,
          enrolled_on=date.fromisoformat(str(item["enrolled_on"])),
          advance_years=int(years) if years else None, client_uuid=key)
    return ItemResult(str(key), "recorded")
