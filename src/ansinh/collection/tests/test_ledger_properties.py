"""After any sequence of receipts, reversals and remittances the books agree to the đồng."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansinh.collection import actions, dues, receipts
from ansinh.collection.ledger import cash_in_hand, office_total, participant_ledger
from ansinh.collection.models import PaidMonth, Receipt, Remittance
from ansinh.core.tests.isolation import rolled_back

PAID_ON = date(2026, 6, 20)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.sampled_from(["cash", "cash", "bank_transfer", "online"])),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("remit"), st.integers(min_value=1, max_value=4)),
    ),
    min_size=1, max_size=14,
)


def _apply(ops: list[tuple[str, Any]], participation: Any, agent: Any, director: Any) -> None:
    remittances = 0
    for op, arg in ops:
        if op == "pay":
            payable = dues.dues(participation, PAID_ON).payable
            if not payable:
                continue
            months = list(payable[0].unpaid)
            quote = dues.quote_months(participation, months, PAID_ON)
            receipts.record_receipt(participation, months=months, amount=quote.amount,
                                   paid_on=PAID_ON, channel=arg, client_uuid=uuid.uuid4(),
                                   actor=agent)
        elif op == "reverse":
            candidates = list(Receipt.objects.filter(reverses__isnull=True,
                                                     reversal__isnull=True).order_by("id"))
            if candidates:
                actions.reverse_receipt(candidates[arg % len(candidates)], on=PAID_ON,
                                        reason="property test", actor=director)
        else:
            pending = list(Receipt.objects.filter(channel="cash", remittance_line__isnull=True)
                           .order_by("id")[:arg])
            if pending:
                remittances += 1
                actions.remit(agent.agent.organisation, receipts=pending,
                              number=f"NT-{remittances}", remitted_on=PAID_ON, actor=director)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_ledgers_cash_in_hand_and_office_totals_agree(
    ops: list[tuple[str, Any]], participation_al3: Any, agent_al3: Any, director: Any
) -> None:
    with rolled_back():
        _apply(ops, participation_al3, agent_al3, director)
        receipts = Receipt.objects.all()
        total = office_total(participation_al3.office)
        # the participant's ledger is the sum of the months still paid
        ledger = participant_ledger(participation_al3)
        months_net = PaidMonth.objects.filter(released_by__isnull=True).aggregate(
            s=Sum("net"))["s"] or 0
        assert ledger.paid == months_net == total
        # every reversal cancels its receipt exactly
        for reversal in receipts.filter(reverses__isnull=False).select_related("reverses"):
            assert reversal.reverses is not None
            assert reversal.amount == -reversal.reverses.amount
        # the money is either handed over, in the agent's hands, or paid straight to VSS
        remitted = Remittance.objects.aggregate(s=Sum("amount"))["s"] or 0
        direct = receipts.exclude(channel="cash").aggregate(s=Sum("amount"))["s"] or 0
        assert remitted + cash_in_hand(agent_al3.agent) + direct == total
        # no month is paid twice
        months = list(PaidMonth.objects.filter(released_by__isnull=True)
                      .values_list("month", flat=True))
        assert len(months) == len(set(months))
