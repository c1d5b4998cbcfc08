"""The dedup benchmark's data: a seeded register of Vietnamese persons with known duplicates,
and the measurement `make bench` prints (ansinh.bench, part "dedup").

What `generate(size, seed)` makes (all in memory, as dedup Records; no database):
- **Places.** Communes of about 8,000 registered persons in 20 villages each (A Lưới's new
  communes are of that order), households of 1–6 persons of working age.
- **Persons.** Per commune an ethnic mix like A Lưới's: Tà Ôi / Pa Kô 45 %, Kinh 35 %, Cơ Tu
  15 %, Pa Hy 5 %, names from the demo's pools (ansinh.demo.names) plus a few Kinh given names
  whose tone mark sits on "oa", "uy" (Hòa, Thủy, Thúy, Toàn), so that tone-placement errors
  can occur. With names="wide" (the default) 60 % of given names come from WIDE_GIVEN, common
  given names of every group; names="demo" keeps the demo's dozen per group, which gives an
  8,000-person commune about a dozen women of each full name: a harder set than a register.
  A household is one or two parents (born 1966–1990) and children born
  1991–2010 with their father's family and middle name: siblings are everywhere. 70 % have a
  national ID, 25 % an SI number; 70 % of households have a phone, which 80 % of their
  members give.
- **Hard true non-duplicates**, besides the siblings: twins (2 % of children: same birth
  date, household and phone, another given name of the pool, either sex), and namesakes (2 % of
  persons: the full name of someone else of the same commune, another birth date within two
  years, in another household, often another village). Namesakes born by chance a digit or a
  day/month swap away from their namesake are indistinguishable from a duplicate by name and
  date: they count as false positives, as they would in the office.
- **Duplicates.** 6 % of persons get a second record, 1 % of those a third. Each has one to
  three of the issue's errors (50 % one, 35 % two, 15 % three): diacritics dropped, a tone mark
  moved (hoà / hòa, thuý / thúy), one digit of the birth date wrong (still a valid date), day
  and month swapped (when the day is 12 or less), Thị / Văn dropped, another middle name
  dropped, the given name put first, a minority spelling for minority persons (k/c, y/i, â/ơ,
  bh/b, oo/o, a cluster written with "ơ", a name of two words written joined), only the birth
  year known (a year off in a third of those), a different village of the same commune. A
  duplicate keeps the national ID 30 % of the time (the list it came from had none), the
  household 50 %, the phone 40 %.

Truth: a pair is a duplicate when both records were made from one person. Everything else
the detection reports is a false positive, namesakes born by chance a digit apart included.

Names are generated as their parts (family name, possibly of two words such as Ra Pát; middle
name; given name), so an error drops or moves a whole part as a clerk would, never half of
"A Viết".
"""

from __future__ import annotations

import calendar
import random
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process

from ansinh.core.text import fold
from ansinh.demo.names import CO_TU, KINH, PA_HY, TA_OI
from ansinh.registry.dedup import PREFILTER, THRESHOLD, Record, Spellings, find_pairs

COMMUNE_SIZE = 8_000
VILLAGES_PER_COMMUNE = 20
GROUPS: tuple[tuple[dict[str, tuple[str, ...]], float], ...] = (
    (TA_OI, 0.45), (KINH, 0.35), (CO_TU, 0.15), (PA_HY, 0.05))
EXTRA_KINH = {"given_M": ("Hòa", "Khoa", "Toàn", "Thụy"),
              "given_F": ("Hòa", "Thủy", "Thúy", "Xoan")}
# names="wide": the given names a real commune's register shows besides the demo's dozen per
# group (common Kinh given names; many Tà Ôi, Pa Kô and Cơ Tu people born since the 1970s bear
# them too). With the demo's pools alone an 8,000-person commune holds a dozen women of each
# full name, far more namesakes than a real register.
WIDE_GIVEN = {
    "M": ("An", "Bảo", "Cường", "Chiến", "Công", "Duy", "Đạt", "Định", "Đông", "Giang", "Hiếu",
          "Hoàng", "Huy", "Hưng", "Khang", "Khánh", "Kiên", "Lâm", "Lực", "Minh", "Nghĩa",
          "Nhân", "Phong", "Phước", "Quân", "Quang", "Sang", "Tài", "Tâm", "Thành", "Thiện",
          "Thịnh", "Tiến", "Trí", "Trung", "Tú", "Việt", "Vinh", "Vũ", "Hạnh", "Mỏ", "Ai"),
    "F": ("Anh", "Ánh", "Bích", "Châu", "Chi", "Diệp", "Duyên", "Giang", "Hằng", "Hồng", "Huệ",
          "Hường", "Linh", "Ly", "My", "Ngân", "Nhung", "Oanh", "Phương", "Phượng", "Quyên",
          "Sương", "Thanh", "Thu", "Trâm", "Tuyết", "Vân", "Vy", "Hà", "Diễm", "Hoài", "Kiều"),
}
ERRORS = ("no_diacritics", "tone_mark", "date_digit", "day_month", "drop_thi_van",
          "drop_middle", "swap", "spelling", "year_only", "other_village")


@dataclass
class Generated:
    records: list[Record]
    person_of: dict[int, int]  # record id -> the person it was made from

    def true_pairs(self) -> set[tuple[int, int]]:
        by_person: dict[int, list[int]] = defaultdict(list)
        for record_id, person in self.person_of.items():
            by_person[person].append(record_id)
        pairs: set[tuple[int, int]] = set()
        for ids in by_person.values():
            ids.sort()
            for i, first in enumerate(ids):
                for second in ids[i + 1:]:
                    pairs.add((first, second))
        return pairs


def _national_id(person: int) -> str:
    """046 is Thừa Thiên Huế's province code in the 12-digit ID."""
    return f"046{person:09d}"


def _pool(group: dict[str, tuple[str, ...]], key: str) -> tuple[str, ...]:
    extra = EXTRA_KINH.get(key, ()) if group is KINH else ()
    return group[key] + extra


def _name(rng: random.Random, group: dict[str, tuple[str, ...]], sex: str, wide: bool,
          surname: str | None = None, middle: str | None = None) -> tuple[str, str, str]:
    surname = surname if surname is not None else rng.choice(group["surnames"])
    middle = middle if middle is not None else rng.choice(group[f"middle_{sex}"])
    if wide and rng.random() < 0.6:
        given = rng.choice(WIDE_GIVEN[sex])
    else:
        given = rng.choice(_pool(group, f"given_{sex}"))
    return surname, middle, given


def _join(parts: tuple[str, ...] | list[str]) -> str:
    return " ".join(p for p in parts if p)


def _birth(rng: random.Random, first: int, last: int) -> date:
    year = rng.randint(first, last)
    month = rng.randint(1, 12)
    return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def generate(size: int, seed: int = 15, names: str = "wide") -> Generated:
    """`size` records in all (persons and their duplicates); names "demo" (the demo's pools
    only) or "wide" (WIDE_GIVEN besides)."""
    rng = random.Random(seed)
    wide = names == "wide"
    persons_wanted = round(size / 1.0707)  # 6 % get a second record, 1 % of those a third
    records: list[Record] = []
    person_of: dict[int, int] = {}
    communes = max(1, round(persons_wanted / COMMUNE_SIZE))
    next_id = 1
    household_id = 1

    parts_of: dict[int, tuple[str, str, str]] = {}
    minority: set[int] = set()

    def add(record: Record, person: int) -> None:
        records.append(record)
        person_of[record.id] = person

    per_commune = persons_wanted // communes
    for commune in range(1, communes + 1):
        commune_records: list[Record] = []
        while len(commune_records) < per_commune:
            group = rng.choices([g for g, _w in GROUPS], [w for _g, w in GROUPS])[0]
            village = (commune - 1) * VILLAGES_PER_COMMUNE + rng.randint(1, VILLAGES_PER_COMMUNE)
            phone = f"09{rng.randint(0, 10**8 - 1):08d}" if rng.random() < 0.7 else ""
            father = _name(rng, group, "M", wide)
            members: list[tuple[tuple[str, str, str], str, date]] = [
                (father, "M", _birth(rng, 1966, 1990))]
            if rng.random() < 0.8:
                members.append((_name(rng, group, "F", wide), "F", _birth(rng, 1966, 1990)))
            for _child in range(rng.choice((0, 1, 1, 2, 2, 3))):
                sex = rng.choice("MF")
                middle = rng.choice(group[f"middle_{sex}"])
                born = _birth(rng, 1991, 2010)
                name = _name(rng, group, sex, wide, surname=father[0], middle=middle)
                members.append((name, sex, born))
                if rng.random() < 0.02:  # twins: same day, another given name
                    twin_sex = rng.choice("MF")
                    twin = _name(rng, group, twin_sex, wide, surname=father[0])
                    while twin[2] == name[2]:
                        twin = _name(rng, group, twin_sex, wide, surname=father[0])
                    members.append((twin, twin_sex, born))
            for parts, sex, born in members:
                record = Record(
                    next_id, commune, village, household_id, _join(parts), born, False, sex,
                    _national_id(next_id) if rng.random() < 0.7 else "",
                    f"{rng.randint(0, 10**10 - 1):010d}" if rng.random() < 0.25 else "",
                    phone if rng.random() < 0.8 else "")
                commune_records.append(record)
                parts_of[record.id] = parts
                if group is not KINH:
                    minority.add(record.id)
                next_id += 1
            household_id += 1
        # namesakes: someone else's full name, another date, another household
        bases = list(commune_records)
        for _n in range(round(0.02 * len(bases))):
            model = rng.choice(bases)
            born = model.birth_date
            while born == model.birth_date:
                year = born.year + rng.randint(-2, 2)
                born = _birth(rng, year, year)
            village = (commune - 1) * VILLAGES_PER_COMMUNE + rng.randint(1, VILLAGES_PER_COMMUNE)
            record = Record(next_id, commune, village, household_id, model.full_name, born,
                            False, model.sex,
                            _national_id(next_id) if rng.random() < 0.7 else "", "", "")
            parts_of[record.id] = parts_of[model.id]
            if model.id in minority:
                minority.add(record.id)
            household_id += 1
            next_id += 1
            commune_records.append(record)
        for record in commune_records:
            add(record, record.id)
    persons = len(records)
    # duplicates
    for person in rng.sample(records[:persons], k=round(0.06 * persons)):
        copies = 2 if rng.random() < 0.01 else 1
        for _copy in range(copies):
            add(_duplicate(rng, person, next_id, parts_of[person.id], person.id in minority),
                person.id)
            next_id += 1
    rng.shuffle(records)  # the register's order says nothing
    return Generated(records, person_of)


def _duplicate(rng: random.Random, person: Record, record_id: int,
               parts: tuple[str, str, str], is_minority: bool) -> Record:
    wanted = rng.choices((1, 2, 3), (50, 35, 15))[0]
    name = _Name(*parts)
    born, year_only, village = person.birth_date, False, person.village_id
    applied: list[str] = []
    tries = 0
    while len(applied) < wanted and tries < 30:
        tries += 1
        error = rng.choice(ERRORS)
        if error in applied or (error in ("date_digit", "day_month", "year_only")
                                and {"date_digit", "day_month", "year_only"} & set(applied)):
            continue
        if error == "spelling" and not is_minority:
            continue  # k/c, â/ơ, clusters: the minority names' ambiguities
        changed = _apply(rng, error, name, born, village)
        if changed is None:
            continue
        name, born, year_only_now, village = changed
        year_only = year_only or year_only_now
        applied.append(error)
    return replace(
        person, id=record_id, full_name=name.text(), birth_date=born,
        birth_year_only=year_only, village_id=village,
        household_id=person.household_id if rng.random() < 0.5 else None,
        national_id=person.national_id if rng.random() < 0.3 else "",
        si_number=person.si_number if rng.random() < 0.5 else "",
        phone=person.phone if rng.random() < 0.4 else "")


@dataclass(frozen=True)
class _Name:
    """A name as its parts: family name, middle name, given name (each possibly of several
    words or empty), and whether the given name is written first."""

    surname: str
    middle: str
    given: str
    given_first: bool = False

    def text(self) -> str:
        order = ((self.given, self.surname, self.middle) if self.given_first
                 else (self.surname, self.middle, self.given))
        return _join(order)

    def parts(self) -> list[str]:
        return [self.surname, self.middle, self.given]

    def with_parts(self, parts: list[str]) -> _Name:
        return replace(self, surname=parts[0], middle=parts[1], given=parts[2])


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _move_tone(word: str) -> str | None:
    """Hòa ↔ Hoà, Thúy ↔ Thuý: the tone mark on the other vowel of oa / oe / uy at the end."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = next((c for c in decomposed if c in _TONE_MARKS), "")
    plain = "".join(c for c in decomposed if c != tone)
    lower = plain.lower()
    for pair in ("oa", "oe", "uy"):
        if tone and lower.endswith(pair):
            at = len(plain) - 2
            first = plain[:at + 1] + tone + plain[at + 1:]
            second = plain + tone
            now = unicodedata.normalize("NFC", word)
            for option in (first, second):
                if unicodedata.normalize("NFC", option) != now:
                    return unicodedata.normalize("NFC", option)
    return None


_SPELLING_SWAPS = (("K", "C"), ("C", "K"), ("y", "i"), ("Bh", "B"), ("â", "ơ"), ("ấ", "ớ"),
                   ("ầ", "ờ"), ("oo", "o"))


def _spelling(rng: random.Random, name: _Name) -> _Name | None:
    parts = name.parts()
    options: list[_Name] = []
    for at, part in enumerate(parts):
        for old, new in _SPELLING_SWAPS:
            if old in part and not (old == "C" and "Ch" in part) and not (
                    old == "K" and "Kh" in part):
                options.append(name.with_parts(
                    [*parts[:at], part.replace(old, new, 1), *parts[at + 1:]]))
        words = part.split()
        for i, word in enumerate(words):
            # a cluster written with "ơ": Blúp → Bờ Lúp, Plôm → Pơ Lôm
            if len(word) > 2 and word[0] in "BPCK" and word[1] in "lr":
                split = f"{word[0]}ơ {word[1].upper()}{word[2:]}"
                changed = _join([*words[:i], split, *words[i + 1:]])
                options.append(name.with_parts([*parts[:at], changed, *parts[at + 1:]]))
        # a name of two words written joined: A Viết → Aviết, Ra Pát → Rapát
        if len(words) == 2 and words[0] in ("A", "Ra", "Pi", "Zơ"):
            joined = words[0] + words[1].lower()
            options.append(name.with_parts([*parts[:at], joined, *parts[at + 1:]]))
    return rng.choice(options) if options else None


def _apply(rng: random.Random, error: str, name: _Name, born: date,
           village: int) -> tuple[_Name, date, bool, int] | None:
    parts = name.parts()
    if error == "no_diacritics":
        plain = name.with_parts([fold(p).title() for p in parts])
        return (plain, born, False, village) if plain != name else None
    if error == "tone_mark":
        for at, part in enumerate(parts):
            words = part.split()
            for i, word in enumerate(words):
                moved = _move_tone(word)
                if moved:
                    changed = _join([*words[:i], moved, *words[i + 1:]])
                    return (name.with_parts([*parts[:at], changed, *parts[at + 1:]]), born,
                            False, village)
        return None
    if error == "date_digit":
        digits = list(f"{born.day:02d}{born.month:02d}{born.year:04d}")
        for _try in range(20):
            at = rng.randrange(8)
            changed_digits = digits.copy()
            changed_digits[at] = rng.choice([d for d in "0123456789" if d != digits[at]])
            text = "".join(changed_digits)
            try:
                typo = date(int(text[4:]), int(text[2:4]), int(text[:2]))
            except ValueError:
                continue
            if 1940 <= typo.year <= 2012:
                return name, typo, False, village
        return None
    if error == "day_month":
        if born.day > 12 or born.day == born.month:
            return None
        return name, date(born.year, born.day, born.month), False, village
    if error == "drop_thi_van":
        if fold(name.middle) in ("thi", "van") and name.surname and name.given:
            return replace(name, middle=""), born, False, village
        return None
    if error == "drop_middle":
        if name.middle and fold(name.middle) not in ("thi", "van"):
            return replace(name, middle=""), born, False, village
        return None
    if error == "swap":
        return (replace(name, given_first=True), born, False, village) if not (
            name.given_first) else None
    if error == "spelling":
        spelt = _spelling(rng, name)
        return (spelt, born, False, village) if spelt and spelt != name else None
    if error == "year_only":
        year = born.year + (rng.choice((-1, 1)) if rng.random() < 1 / 3 else 0)
        return name, date(year, 1, 1), True, village
    if error == "other_village":
        commune_first = (village - 1) // VILLAGES_PER_COMMUNE * VILLAGES_PER_COMMUNE + 1
        other = rng.choice([v for v in range(commune_first, commune_first + VILLAGES_PER_COMMUNE)
                            if v != village])
        return name, born, False, other
    raise ValueError(error)


def rapidfuzz_pass(records: list[Record]) -> float:
    """The reference: one blocked rapidfuzz pass over the same blocks (commune × birth years
    one apart; commune × day and month), folded names only, same scorer and cut-off. Seconds."""
    started = time.perf_counter()
    by_year: dict[tuple[int, int], list[str]] = defaultdict(list)
    by_day: dict[tuple[int, int, int], list[tuple[int, str]]] = defaultdict(list)
    for record in records:
        folded = fold(record.full_name)
        by_year[(record.commune_id, record.birth_date.year)].append(folded)
        if not record.birth_year_only:
            by_day[(record.commune_id, record.birth_date.month, record.birth_date.day)].append(
                (record.birth_date.year, folded))
    survivors = 0
    for (commune, year), names in by_year.items():
        choices = names + by_year.get((commune, year + 1), [])
        for i, name in enumerate(names):
            survivors += len(process.extract(name, choices[i + 1:], scorer=fuzz.ratio,
                                             score_cutoff=PREFILTER, limit=None))
    for group in by_day.values():
        for i, (year, name) in enumerate(group):
            for other_year, other in group[i + 1:]:
                if abs(other_year - year) > 1:
                    survivors += fuzz.ratio(name, other, score_cutoff=PREFILTER) > 0
    return time.perf_counter() - started


def measure(size: int, seed: int = 15, threshold: int = THRESHOLD,
            names: str = "wide") -> dict[str, Any]:
    generated = generate(size, seed, names)
    spellings = Spellings.shipped()
    records = generated.records
    started = time.perf_counter()
    found = list(find_pairs(records, spellings, threshold))
    dedup_s = time.perf_counter() - started
    raw_s = rapidfuzz_pass(records)
    truth = generated.true_pairs()
    got = {(m.a, m.b) for m in found}
    hits = len(got & truth)
    return {
        "records": len(records), "true_pairs": len(truth), "found": len(got),
        "dedup_s": dedup_s, "rapidfuzz_pass_s": raw_s, "ratio": dedup_s / raw_s,
        "precision": hits / len(got) if got else 1.0,
        "recall": hits / len(truth) if truth else 1.0,
        "threshold": threshold, "names": names,
    }


def misses(size: int, seed: int = 15, threshold: int = THRESHOLD,
           limit: int = 20) -> dict[str, list[Any]]:
    """For tuning: some false positives and missed pairs with their reasons."""
    from ansinh.registry.dedup import compare

    generated = generate(size, seed)
    spellings = Spellings.shipped()
    by_id = {r.id: r for r in generated.records}
    found = {(m.a, m.b): m for m in find_pairs(generated.records, spellings, threshold)}
    truth = generated.true_pairs()
    false = [(found[p], by_id[p[0]].full_name, by_id[p[0]].birth_date, by_id[p[1]].full_name,
              by_id[p[1]].birth_date) for p in list(set(found) - truth)[:limit]]
    missed = []
    for a, b in list(truth - set(found))[:limit]:
        missed.append((compare(by_id[a], by_id[b], spellings), by_id[a].full_name,
                       by_id[a].birth_date, by_id[a].birth_year_only, by_id[b].full_name,
                       by_id[b].birth_date, by_id[b].birth_year_only))
    return {"false_positives": false, "missed": missed}
