"""Read-only money views: a participant's ledger, cash in hand, reconciliation, period totals.

All are aggregate queries over receipts (which carry office, village, agent, period), so a
page costs the same few queries whatever the number of receipts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ansinh.core.models import Office
from ansinh.network.models import Agent
from ansinh.participation.models import Participation

from .models import Channel, Receipt, RemittanceStatus


def _sum(qs: QuerySet[Receipt], field: str = "amount") -> int:
    return int(qs.aggregate(s=Coalesce(Sum(field), 0))["s"])


@dataclass(frozen=True)
class ParticipantLedger:
    paid: int  # the participant's own payments, net of reversals
    support: int
    gross: int
    months: int
    receipts: int
    reversals: int


def participant_ledger(participation: Participation) -> ParticipantLedger:
    row = Receipt.objects.filter(participation=participation).aggregate(
        paid=Coalesce(Sum("amount"), 0), support=Coalesce(Sum("support"), 0),
        gross=Coalesce(Sum("gross"), 0), months=Coalesce(Sum("months"), 0),
        receipts=Count("id", filter=Q(reverses__isnull=True)),
        reversals=Count("id", filter=Q(reverses__isnull=False)),
    )
    return ParticipantLedger(**{k: int(v) for k, v in row.items()})


def cash_in_hand(agent: Agent) -> int:
    """Cash the agent collected (net of reversals) that no remittance has handed over yet."""
    return _sum(Receipt.objects.filter(agent=agent, channel=Channel.CASH,
                                       remittance_line__isnull=True))


def unremitted(queryset: QuerySet[Receipt]) -> QuerySet[Receipt]:
    return queryset.filter(channel=Channel.CASH, remittance_line__isnull=True)


def reconciliation(receipts: QuerySet[Receipt], date_from: date,
                   date_to: date) -> list[dict[str, Any]]:
    """Collected, remitted, confirmed and outstanding cash by agent and day, in one query."""
    rows = (
        receipts.filter(paid_on__gte=date_from, paid_on__lte=date_to)
        .values("agent_id", "agent__code", "agent__organisation__code", "paid_on")
        .annotate(
            collected=Coalesce(Sum("amount"), 0),
            cash=Coalesce(Sum("amount", filter=Q(channel=Channel.CASH)), 0),
            remitted=Coalesce(Sum("amount", filter=Q(remittance_line__isnull=False)), 0),
            confirmed=Coalesce(Sum("amount", filter=Q(
                remittance_line__remittance__status=RemittanceStatus.CONFIRMED)), 0),
            receipts=Count("id"),
        )
        .order_by("paid_on", "agent__code")
    )
    result: list[dict[str, Any]] = []
    for row in rows:
        line: dict[str, Any] = dict(row)
        line["outstanding"] = line["cash"] - line["remitted"]
        result.append(line)
    return result


def period_totals(office: Office, month: date) -> dict[str, int]:
    """Totals of an accounting month, kept on the period close."""
    qs = Receipt.objects.filter(office=office, period=month)
    row = qs.aggregate(
        collected=Coalesce(Sum("amount"), 0), support=Coalesce(Sum("support"), 0),
        cash=Coalesce(Sum("amount", filter=Q(channel=Channel.CASH)), 0),
        remitted=Coalesce(Sum("amount", filter=Q(remittance_line__isnull=False)), 0),
        receipts=Count("id"),
    )
    totals = {k: int(v) for k, v in row.items()}
    totals["outstanding"] = totals["cash"] - totals["remitted"]
    return totals


def office_total(office: Office) -> int:
    return _sum(Receipt.objects.filter(office=office))
