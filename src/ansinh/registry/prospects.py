"""Who is a voluntary-SI prospect on a date (Law Art. 2(4)), as a Python test and as SQL.

A prospect is aged at least 15, below retirement age (from the policy engine's roadmap), and not
in compulsory SI, not a pensioner, not already a voluntary participant, not moved away or dead.
The SQL form turns "below retirement age" into a birth-date cut-off per sex: the retirement date
rises with the birth date, so the people who have reached it are exactly those born on or
before one date, found by bisection over the engine's own function.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from django.db.models import Q

from ansinh.policy import InvalidInput, retirement_age

from .models import NOT_PROSPECT_STATUSES, Person, Sex

MIN_AGE = 15  # Law on SI 2024 Art. 2(4): Vietnamese citizens aged 15 and over


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def retirement_date(sex: str, birth: date) -> date:
    """The day the person reaches the retirement age the roadmap gives them."""
    age = retirement_age(sex, birth)
    return _add_months(birth, age.years * 12 + age.months)


def fifteenth_birthday_cutoff(on: date) -> date:
    """People born on or before this date are at least 15 on `on`."""
    return _add_months(on, -12 * MIN_AGE)


@lru_cache(maxsize=256)
def retirement_cutoff(sex: str, on: date) -> date:
    """The latest birth date whose holder has reached retirement age on `on`."""
    low, high = on - timedelta(days=80 * 366), on - timedelta(days=40 * 365)
    # invariant: retirement_date(low) <= on < retirement_date(high)
    while (high - low).days > 1:
        middle = low + (high - low) / 2
        if _retired_by(sex, middle, on):
            low = middle
        else:
            high = middle
    return low


def _retired_by(sex: str, birth: date, on: date) -> bool:
    """Whether a person born on `birth` has reached retirement age on `on`. Someone the
    roadmap cannot place (80 before its first dated value: a report asked about 1900) retired
    long before it, as far as the register is concerned."""
    try:
        return retirement_date(sex, birth) <= on
    except InvalidInput:
        return True


def prospect_q(on: date) -> Q:
    """A filter on Person for prospects on `on`."""
    young_enough = Q(sex=Sex.MALE, birth_date__gt=retirement_cutoff(Sex.MALE, on)) | Q(
        sex=Sex.FEMALE, birth_date__gt=retirement_cutoff(Sex.FEMALE, on)
    )
    return (
        Q(birth_date__lte=fifteenth_birthday_cutoff(on))
        & young_enough
        & ~Q(si_status__in=NOT_PROSPECT_STATUSES)
    )


def is_prospect(person: Person, on: date) -> bool:
    if person.si_status in NOT_PROSPECT_STATUSES:
        return False
    if person.birth_date > fifteenth_birthday_cutoff(on):
        return False
    return on < retirement_date(person.sex, person.birth_date)
