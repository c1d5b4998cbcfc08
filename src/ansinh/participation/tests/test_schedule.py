"""The schedule: compact (bulk) and full agree on everything that is due."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ansinh.participation.schedule import TermsRow, schedule
from ansinh.policy.money import add_months

START = date(2023, 1, 1)
modes = st.sampled_from(["monthly", "quarterly", "half_yearly", "yearly"])


@settings(max_examples=200, deadline=None)
@given(mode=modes, paid_upto=st.integers(0, 48), holes=st.sets(st.integers(0, 48), max_size=5),
       as_of_offset=st.integers(0, 1400))
def test_compact_and_full_schedules_agree(mode: str, paid_upto: int, holes: set[int],
                                          as_of_offset: int) -> None:
    terms = [TermsRow(START, 2_000_000, mode)]
    paid = [add_months(START, i) for i in range(paid_upto) if i not in holes]
    as_of = date.fromordinal(START.toordinal() + as_of_offset)
    full = schedule(terms, paid, as_of)
    compact = schedule(terms, paid, as_of, compact=True)
    assert compact.overdue_months == full.overdue_months
    assert compact.due_months == full.due_months
    assert compact.first_missed_deadline == full.first_missed_deadline
    assert compact.next_deadline == full.next_deadline
    assert compact.next_period == full.next_period
    assert [p.start for p in compact.payable] == [p.start for p in full.payable]


def test_deadlines_follow_the_law() -> None:
    as_of = date(2026, 1, 1)
    deadlines = {mode: schedule([TermsRow(date(2026, 1, 1), 2_000_000, mode)], [], as_of)
                 .periods[0].deadline
                 for mode in ("monthly", "quarterly", "half_yearly", "yearly")}
    assert deadlines == {"monthly": date(2026, 1, 31), "quarterly": date(2026, 3, 31),
                         "half_yearly": date(2026, 4, 30), "yearly": date(2026, 7, 31)}
