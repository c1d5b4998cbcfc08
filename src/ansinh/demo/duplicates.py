"""Demo duplicates: the same person in the register twice, as the office meets them.

About one person in two hundred (at least five) is registered a second time, as another list
would have them: the name without diacritics, "Thị" or "Văn" dropped, the day and month of the
birth date swapped, in the same village or another village of the commune, with no national
ID and the SI status unknown. Then the register is scanned (registry.dedup) and the pairs found
go to the duplicate queue, as staff would find them. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import date

from ansinh.core.models import Office
from ansinh.core.text import fold
from ansinh.registry import dedup, merging
from ansinh.registry.models import Commune, Person, Village

SHARE = 200  # one duplicate per this many persons
SOURCE = "Danh sách tham dự hội nghị"  # where the second record came from (its status source)


def count(persons: int) -> int:
    """How many duplicates the demo adds to a register of `persons`."""
    return min(persons, max(5, persons // SHARE))


def _misspelt(name: str, rng: random.Random) -> str:
    words = name.split()
    middle = [i for i, word in enumerate(words[1:-1], start=1) if word in ("Thị", "Văn")]
    kind = rng.choice(("folded", "middle", "both"))
    if kind in ("middle", "both") and middle:
        del words[middle[0]]
    text = " ".join(words)
    return fold(text).title() if kind in ("folded", "both") else text


def _swapped(born: date) -> date:
    if born.day <= 12 and born.day != born.month:
        return date(born.year, born.day, born.month)
    return born


def seed_demo(office: Office, as_of: date, seed: int) -> None:
    rng = random.Random(seed + 15)
    persons = list(Person.objects.filter(office=office, birth_year_only=False)
                   .order_by("id").values_list("id", flat=True))
    if not persons:
        return
    total = Person.objects.filter(office=office).count()
    chosen = rng.sample(persons, min(len(persons), count(total)))
    villages: dict[int, list[int]] = {}
    for village_id, commune_id in Village.objects.filter(commune__office=office).values_list(
            "id", "commune_id"):
        villages.setdefault(commune_id, []).append(village_id)
    for person in Person.objects.filter(pk__in=chosen).select_related("village").order_by("id"):
        elsewhere = rng.random() < 0.3
        Person.objects.create(
            office=office, full_name=_misspelt(person.full_name, rng),
            village_id=(rng.choice(villages[person.village.commune_id]) if elsewhere
                        else person.village_id),
            birth_date=_swapped(person.birth_date) if rng.random() < 0.4 else person.birth_date,
            sex=person.sex, ethnicity=person.ethnicity, local_group=person.local_group,
            # the other list does not know the person's SI status: a duplicate counts as one
            # more person to reach, as duplicates inflate the target population
            phone=person.phone if rng.random() < 0.5 else "", si_status_source=SOURCE)
    for commune in Commune.objects.filter(office=office).order_by("code"):
        merging.enqueue(office, dedup.scan(office, commune=commune))
