"""Is the person met in the field already in the register? Checked on the spot, before a new
person is added to an attendance list.

Block: the same village and a birth year within one year (people often know their year only
roughly); within it, folded names compared with rapidfuzz (token order ignored, so "Hồ Thị Hoa"
matches "Hoa Hồ Thị"). A national ID already in the register is always a match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from ansinh.core.text import fold
from ansinh.registry.models import Person, Village

THRESHOLD = 85  # token_sort_ratio: 85 keeps one-letter typos and drops other given names


@dataclass(frozen=True)
class Candidate:
    person: Person
    score: float
    why: str


def candidates(village: Village, full_name: str, birth_year: int,
               national_id: str = "") -> list[Candidate]:
    found: dict[int, Candidate] = {}
    if national_id:
        for person in Person.objects.filter(national_id=national_id).select_related("village"):
            found[person.pk] = Candidate(person, 100.0, "national_id")
    name = fold(full_name)
    block = Person.objects.filter(
        village=village,
        birth_date__gte=date(birth_year - 1, 1, 1), birth_date__lte=date(birth_year + 1, 12, 31),
    ).select_related("village")
    for person in block:
        score = fuzz.token_sort_ratio(name, person.name_folded)
        if score >= THRESHOLD and person.pk not in found:
            found[person.pk] = Candidate(person, score, "name")
    return sorted(found.values(), key=lambda c: -c.score)
