"""Is the person met in the field already in the register? Checked on the spot, before a new
person is added to an attendance list.

The register's one duplicate rule (registry.dedup) with what the field knows: a name, a birth
year (people often know it only roughly) and perhaps a national ID, in the commune of the event
(a person registered in another village of the commune is found too). A national ID already in
the register is always a match. The threshold is lower than the duplicate queue's: here a
person looks at the candidates and picks one, or adds a new person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ansinh.registry import dedup
from ansinh.registry.models import Person, Village

# name alike and the birth year within one: shown to the agent, who decides
THRESHOLD = 45


@dataclass(frozen=True)
class Candidate:
    person: Person
    score: float
    why: str


def candidates(village: Village, full_name: str, birth_year: int,
               national_id: str = "") -> list[Candidate]:
    register = Person.objects.filter(
        village__commune_id=village.commune_id,
        birth_date__gte=date(birth_year - 1, 1, 1), birth_date__lte=date(birth_year + 1, 12, 31))
    records = list(dedup.register_records(register))
    if national_id:
        records += dedup.register_records(Person.objects.filter(national_id=national_id))
    met = dedup.Record(
        id=-1, commune_id=village.commune_id, village_id=village.pk, household_id=None,
        full_name=full_name, birth_date=date(birth_year, 1, 1), birth_year_only=True, sex="",
        national_id=national_id, si_number="", phone="")
    index = dedup.Index({record.id: record for record in records}.values(),
                        dedup.spellings_for(village.commune.office_id))
    matches = index.matches(met, THRESHOLD)
    persons = Person.objects.select_related("village").in_bulk(
        [match.b for match in matches])
    return [Candidate(persons[match.b], float(match.score),
                      "national_id" if "same_national_id" in match.reasons else "name")
            for match in matches]
