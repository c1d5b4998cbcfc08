"""The hand-over step of receipt books: a leaving agent's unreturned books go to the
substitute's agent record (registered from `apps.CollectionConfig.ready`)."""

from __future__ import annotations

from datetime import date

from ansinh.core import audit
from ansinh.core.models import User
from ansinh.network.handover import leaving_agent, substitute_agent

from .models import ReceiptBook


def hand_over_receipt_books(leaving: User, substitute: User, on: date,
                            actor: User | None) -> dict[str, int]:
    agent = leaving_agent(leaving)
    if agent is None:
        return {}
    ids = list(ReceiptBook.objects.filter(agent=agent, returned_on__isnull=True)
               .values_list("pk", flat=True))
    if not ids:
        return {}
    target = substitute_agent(substitute)
    ReceiptBook.objects.filter(pk__in=ids).update(agent=target)
    audit.record_many((
        audit.Change("receiptbook.handover", "collection.ReceiptBook", pk,
                     {"agent": [agent.pk, target.pk]}, office_id=leaving.office_id)
        for pk in ids
    ), actor=actor)
    return {"receipt_books": len(ids)}
