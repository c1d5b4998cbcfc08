"""The demo is plausible on any as-of date and shows the article's figures on it
(issue 11, item 4): 1,805 active of a 3,229 target at full size, in proportion when smaller."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import pairwise

import pytest
from django.core.management import call_command

from ansinh.collection.models import Receipt
from ansinh.collection.payment_state import payment_states
from ansinh.core.models import Office
from ansinh.core.periods import Period
from ansinh.demo.seeding import DEFAULT_PERSONS, VOLUNTARY_AT_DEFAULT
from ansinh.demo.targets import ACTIVE_TARGET_2026
from ansinh.participation.models import Participation, Status, StatusChange
from ansinh.registry.models import Person, SIStatus
from ansinh.reports.progress import progress_rows

PERSONS = 2000


def _years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [date(2026, 3, 31), date(2026, 12, 2)])
def test_the_demo_is_plausible_and_shows_the_article_figures(as_of: date) -> None:
    call_command("seed-demo", persons=PERSONS, seed=11, as_of=as_of, verbosity=0)
    office = Office.objects.get(code="AL")
    period = Period("year", date(as_of.year, 1, 1))
    row = progress_rows(office, period, "active", "office", as_of)[0]
    assert (row.achieved, row.target) == (
        round(VOLUNTARY_AT_DEFAULT * PERSONS / DEFAULT_PERSONS), ACTIVE_TARGET_2026)
    # the dashboard's count is the payment states' count on the date
    states = payment_states(None, as_of, office_id=office.id)
    assert sum(state.counted for state in states.values()) == row.achieved
    # people enrol every year, so last year's new participants are not zero
    new_last_year = progress_rows(office, period, "new", "office", as_of)[0].last_year
    assert new_last_year > 0
    # nothing recorded after the as-of date; no stop, pause or withdrawal on it
    assert not StatusChange.objects.filter(on__gt=as_of).exists()
    assert not StatusChange.objects.filter(
        on=as_of, new_status__in=(Status.PAUSED, Status.STOPPED)).exists()
    assert not Receipt.objects.filter(paid_on__gt=as_of).exists()
    assert not Participation.objects.filter(enrolled_on__gt=as_of).exists()
    gone = Person.objects.filter(si_status__in=(
        SIStatus.LUMP_SUM, SIStatus.COMPULSORY, SIStatus.MOVED, SIStatus.DECEASED))
    assert not gone.filter(si_status_as_of__gte=as_of).exists()
    # withdrawals are spread over time, not piled on one day
    dates = list(gone.filter(si_status=SIStatus.LUMP_SUM).values_list(
        "si_status_as_of", flat=True))
    assert len(set(dates)) > len(dates) // 2
    stops = Counter(StatusChange.objects.filter(new_status=Status.STOPPED).values_list(
        "on", flat=True))
    assert max(stops.values()) <= 2, stops.most_common(3)
    # old enough for what happened to them
    for born, withdrawn in Person.objects.filter(si_status=SIStatus.LUMP_SUM).values_list(
            "birth_date", "si_status_as_of"):
        assert withdrawn is not None and _years(born, withdrawn) >= 18
    for born in Person.objects.filter(si_status=SIStatus.COMPULSORY).values_list(
            "birth_date", flat=True):
        assert _years(born, as_of) >= 18
    for born, enrolled in Participation.objects.values_list("person__birth_date",
                                                            "enrolled_on"):
        assert _years(born, enrolled) >= 15
    # everyone counted has paid: active from their first receipt, after enrolment
    for participation in Participation.objects.filter(
            status__in=(Status.ACTIVE, Status.LATE)).prefetch_related("status_changes"):
        pairs = [(c.old_status, c.new_status) for c in participation.status_changes.all()]
        assert pairs[:2] == [("", Status.AWAITING), (Status.AWAITING, Status.ACTIVE)]
        assert participation.receipts.exists()
    # the history is in order: each change starts from the state the previous one left
    for participation in Participation.objects.prefetch_related("status_changes"):
        changes = list(participation.status_changes.all())
        for before, after in pairwise(changes):
            assert before.on <= after.on and after.old_status == before.new_status
        assert changes[-1].new_status == participation.status


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [date(2026, 3, 31), date(2026, 12, 2)])
def test_the_default_demo_shows_1805_of_3229_on_its_date(as_of: date) -> None:
    """At the size `make demo` seeds, the dashboard reads the article's own figures, 1,805
    participants of a 3,229 target, whatever date the demo is seeded as of."""
    call_command("seed-demo", persons=DEFAULT_PERSONS, seed=11, as_of=as_of, verbosity=0)
    office = Office.objects.get(code="AL")
    row = progress_rows(office, Period("year", date(as_of.year, 1, 1)), "active", "office",
                        as_of)[0]
    assert (row.achieved, row.target) == (1805, 3229)
    states = payment_states(None, as_of, office_id=office.id)
    assert sum(state.counted for state in states.values()) == 1805
