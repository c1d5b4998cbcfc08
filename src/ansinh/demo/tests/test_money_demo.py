"""The demo's household-HI receipts name the members they insure, as the receipt page's do."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from ansinh.collection.models import HICoveredMonth, HIMember, Receipt

AS_OF = date(2026, 3, 31)


def test_demo_household_hi_receipts_name_their_members(world: Any) -> None:
    from ansinh.demo.money import seed_demo as seed_money

    seed_money(world["office"], AS_OF, 7)
    receipts = list(Receipt.objects.filter(product="household_hi", reverses__isnull=True)
                    .select_related("household"))
    assert receipts, "the demo sells some household HI"
    named = Counter(HIMember.objects.values_list("receipt_id", flat=True))
    for receipt in receipts:
        assert receipt.hi_members is not None and receipt.hi_members >= 1
        assert named[receipt.pk] == receipt.hi_members
        assert set(HIMember.objects.filter(receipt=receipt).values_list(
            "person__household_id", flat=True)) == {receipt.household_id}
    # each receipt covers its household and each member for its 12 months, none twice
    assert HICoveredMonth.objects.count() == sum(12 * ((r.hi_members or 0) + 1)
                                                   for r in receipts)
