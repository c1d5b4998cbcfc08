"""Duplicate detection: every variant the issue lists with a real Vietnamese example, the
evidence against, blocking, the office's spellings, the register scan and the remembered
"not the same person", and `ansinh dedup persons`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from ansinh.core.text import fold
from ansinh.registry import dedup
from ansinh.registry.dedup import THRESHOLD, Index, Record, Spellings, compare, find_pairs
from ansinh.registry.models import DuplicatePair, NameSpelling, PairStatus, Person, Village

SPELLINGS = Spellings.shipped()

# Hồ Thị Xuân of village 1, commune 1
XUAN = Record(id=1, commune_id=1, village_id=1, household_id=10, full_name="Hồ Thị Xuân",
              birth_date=date(1985, 3, 12), birth_year_only=False, sex="F", national_id="",
              si_number="", phone="")


def other(**changes: Any) -> Record:
    """Another record of Hồ Thị Xuân (id 2 unless given), from a list without households."""
    return replace(XUAN, **{"id": 2, "household_id": None, **changes})


def match(a: Record, b: Record, spellings: Spellings = SPELLINGS) -> dedup.Match:
    found = compare(a, b, spellings)
    assert found is not None
    return found


def test_the_same_person_typed_twice_is_a_duplicate() -> None:
    found = match(XUAN, other())
    assert found.score >= 90 and (found.a, found.b) == (1, 2)
    assert found.reasons == ("same_name", "same_birth_date", "same_village")


@pytest.mark.parametrize(("name", "born", "reason"), [
    ("HO THI XUAN", date(1985, 3, 12), "no_diacritics"),
    ("Ho Thi Xuan", date(1985, 3, 12), "no_diacritics"),
    ("Hồ Xuân", date(1985, 3, 12), "missing_thi_van"),
    ("Xuân Hồ Thị", date(1985, 3, 12), "swapped_name_parts"),
    ("Hồ Thị Xuân", date(1985, 12, 3), "day_month_swapped"),
    ("Hồ Thị Xuân", date(1985, 3, 13), "birth_date_digit"),
    ("Hồ Thị Xuân", date(1995, 3, 12), "birth_date_digit"),  # the year's tens
    ("Hồ Thị Xuân", date(1986, 3, 12), "birth_date_digit"),
    ("Hồ Thị Xuơn", date(1985, 3, 12), "minority_spelling"),  # â/ơ
])
def test_each_variant_of_the_issue_is_its_own_reason(name: str, born: date,
                                                     reason: str) -> None:
    found = match(XUAN, other(full_name=name, birth_date=born))
    assert reason in found.reasons
    assert found.score >= THRESHOLD


@pytest.mark.parametrize(("first", "second"), [
    ("Trần Văn Hòa", "Trần Văn Hoà"),  # old and new tone placement in "oa"
    ("Lê Thị Thúy", "Lê Thị Thuý"),  # in "uy"
    ("Phan Thị Thủy", "Phan Thị Thuỷ"),
])
def test_a_tone_mark_on_the_other_vowel(first: str, second: str) -> None:
    found = match(replace(XUAN, full_name=first), other(full_name=second))
    assert "tone_mark_placement" in found.reasons
    assert "other_diacritics" not in found.reasons


def test_another_tone_is_another_name_more_often_than_a_slip() -> None:
    same = match(replace(XUAN, full_name="Lê Thị Hương"), other(full_name="Lê Thị Hương"))
    tone = match(replace(XUAN, full_name="Lê Thị Hương"), other(full_name="Lê Thị Hường"))
    assert "other_diacritics" in tone.reasons
    assert tone.score < same.score


def test_another_middle_name_dropped() -> None:
    found = match(replace(XUAN, full_name="Nguyễn Ngọc Lan"), other(full_name="Nguyễn Lan"))
    assert "missing_middle_name" in found.reasons and "missing_thi_van" not in found.reasons
    assert found.score >= THRESHOLD


def test_van_the_middle_name_is_not_van_the_given_name() -> None:
    """Văn and Vân fold alike; dropping Văn is the usual slip, dropping a name Vân is not."""
    dropped_van = match(replace(XUAN, full_name="Hồ Văn Tâm"), other(full_name="Hồ Tâm"))
    dropped_vân = match(replace(XUAN, full_name="Hồ Vân Tâm"), other(full_name="Hồ Tâm"))
    assert "missing_thi_van" in dropped_van.reasons
    assert "missing_middle_name" in dropped_vân.reasons


def test_a_one_letter_typo_in_a_name() -> None:
    found = match(replace(XUAN, full_name="Nguyễn Văn Thắng"),
                  other(full_name="Nguyễn Văn Thăng"))
    assert "other_diacritics" in found.reasons or "name_typo" in found.reasons
    typo = match(replace(XUAN, full_name="Nguyễn Văn Thắng"),
                 other(full_name="Nguyễn Văn Thắg"))
    assert "name_typo" in typo.reasons


@pytest.mark.parametrize(("first", "second"), [
    ("Kăn Văn Rin", "Căn Văn Rin"),  # k/c: a Tà Ôi / Pa Kô family name
    ("Bhling Thị Tôm", "Bling Thị Tôm"),  # bh/b: a Cơ Tu family name
    ("Hồ Văn Blúp", "Hồ Văn Bờ Lúp"),  # a cluster written with "ơ"
    ("Ploong Thị Dung", "Pơ Loong Thị Dung"),
    ("Ploong Thị Dung", "Pơloong Thị Dung"),
    ("A Viết Văn Sơn", "Aviết Văn Sơn"),  # a family name of two words written joined
    ("Ra Pát Thị Liêm", "Rapát Thị Liêm"),
    ("Kray Văn Ky", "Krai Văn Ki"),  # y/i
    ("Zơ Râm Văn Pố", "Zo Ram Van Po"),  # and typed without diacritics
])
def test_minority_names_written_two_ways(first: str, second: str) -> None:
    found = match(replace(XUAN, full_name=first), other(full_name=second))
    assert found.score >= THRESHOLD, found
    assert "same_name" in found.reasons


def test_the_office_adds_its_own_spellings() -> None:
    first = replace(XUAN, full_name="Arất Thị Nhiên")
    second = other(full_name="A Rất Thị Nhiên")
    shipped_only = compare(first, second, SPELLINGS)
    assert shipped_only is None or "same_name" not in shipped_only.reasons
    spellings = Spellings.shipped()
    spellings.add("Arất", "A Rất")
    assert "same_name" in match(first, second, spellings).reasons
    assert spellings.names != SPELLINGS.names  # the shipped list is not changed


def test_the_shipped_list_loads_with_its_notes() -> None:
    assert SPELLINGS.letters["k"] == "c" and SPELLINGS.letters["â"] == "ơ"
    assert SPELLINGS.canonical("A Viết Sơn")[0] == SPELLINGS.canonical("Aviết Sơn")[0]


def test_a_birth_year_only_matches_by_the_year() -> None:
    year = other(birth_date=date(1985, 1, 1), birth_year_only=True)
    assert "same_birth_year" in match(XUAN, year).reasons
    off = other(birth_date=date(1986, 1, 1), birth_year_only=True)
    assert "birth_year_off_by_one" in match(XUAN, off).reasons
    far = other(birth_date=date(1988, 1, 1), birth_year_only=True)
    assert "other_birth_date" in match(XUAN, far).reasons


def test_household_phone_and_village_count_for() -> None:
    weak = other(birth_date=date(1985, 3, 13), village_id=2)
    strong = replace(weak, household_id=10, phone="0912345678")
    first = replace(XUAN, phone="0912345678")
    assert match(first, strong).score > match(first, weak).score
    assert {"same_household", "same_phone"} <= set(match(first, strong).reasons)
    assert "other_village" in match(first, weak).reasons


def test_two_national_ids_are_two_persons() -> None:
    found = match(replace(XUAN, national_id="046185000123"),
                  other(national_id="046185000999"))
    assert "different_national_id" in found.reasons and found.score < THRESHOLD


def test_a_different_sex_is_strong_evidence_against() -> None:
    found = match(XUAN, other(sex="M"))
    assert "different_sex" in found.reasons and found.score < THRESHOLD


def test_twins_of_one_household_are_not_merged() -> None:
    hung = Record(1, 1, 1, 7, "Nguyễn Văn Hùng", date(2001, 5, 4), False, "M", "", "",
                  "0905111222")
    dung = replace(hung, id=2, full_name="Nguyễn Văn Dũng")
    found = match(hung, dung)
    assert "other_given_name" in found.reasons and found.score < THRESHOLD


def test_namesakes_with_other_birth_dates_are_not_merged() -> None:
    found = match(XUAN, other(birth_date=date(1987, 8, 25), village_id=3))
    assert "other_birth_date" in found.reasons and found.score < THRESHOLD


def test_siblings_are_not_merged() -> None:
    found = match(replace(XUAN, full_name="Hồ Thị Mai"),
                  other(full_name="Hồ Thị Hoa", birth_date=date(1988, 6, 1), household_id=10))
    assert found.score < THRESHOLD


def test_the_same_national_id_or_si_number_is_the_same_person() -> None:
    by_id = match(replace(XUAN, national_id="046185000123"),
                  other(full_name="Kăn Thị Lịch", national_id="046185000123"))
    assert by_id.score == 100 and "same_national_id" in by_id.reasons
    by_si = match(replace(XUAN, si_number="4601234567"),
                  other(full_name="Kăn Thị Lịch", si_number="4601234567"))
    assert by_si.score == 97 and "same_si_number" in by_si.reasons


def test_unrelated_names_are_no_match() -> None:
    assert compare(XUAN, other(full_name="Nguyễn Văn Hùng"), SPELLINGS) is None


def test_every_reason_has_a_vietnamese_label() -> None:
    assert set(dedup.POINTS) | {"same_national_id", "same_si_number", "common_name"} == set(
        dedup.REASONS)
    assert str(dedup.REASONS["day_month_swapped"]) == "Ngày và tháng sinh bị đảo"


# -- blocking ------------------------------------------------------------------------------

def test_another_village_of_the_commune_is_searched_but_not_another_commune() -> None:
    records = [XUAN, other(id=2, village_id=2), other(id=3, village_id=9, commune_id=2)]
    pairs = {(m.a, m.b) for m in find_pairs(records, SPELLINGS)}
    assert pairs == {(1, 2)}


def test_a_wrong_year_digit_is_found_beyond_the_year_block() -> None:
    records = [XUAN, other(birth_date=date(1965, 3, 12))]
    assert [(m.a, m.b) for m in find_pairs(records, SPELLINGS)] == [(1, 2)]


def test_a_dropped_middle_name_of_a_short_name_is_found() -> None:
    """ "ha le" is too far from "ha le ngoc" for the prefilter; the same first and last name
    bring the pair to the detailed compare."""
    records = [replace(XUAN, full_name="Lê Ngọc Hà"), other(full_name="Lê Hà")]
    assert [(m.a, m.b) for m in find_pairs(records, SPELLINGS)] == [(1, 2)]


def test_each_pair_once_and_only_above_the_threshold() -> None:
    records = [XUAN, other(id=5), other(id=3, full_name="Ho Thi Xuan"),
               other(id=4, full_name="Hồ Thị Xuân", birth_date=date(1990, 1, 1))]
    found = list(find_pairs(records, SPELLINGS))
    assert sorted((m.a, m.b) for m in found) == [(1, 3), (1, 5), (3, 5)]
    assert all(m.a < m.b and m.score >= THRESHOLD for m in found)
    assert not list(find_pairs(records, SPELLINGS, threshold=101))


def test_a_year_only_record_goes_to_the_namesake_with_more_evidence() -> None:
    """Two Hồ Thị Xuân born in 1985; the record with the year only, the same phone and the
    village of the first is that one's duplicate, not the other's."""
    first = replace(XUAN, phone="0911000111")
    namesake = other(id=2, birth_date=date(1985, 9, 30), village_id=4, household_id=20)
    met = other(id=3, birth_date=date(1985, 1, 1), birth_year_only=True, phone="0911000111")
    pairs = {(m.a, m.b) for m in find_pairs([first, namesake, met], SPELLINGS)}
    assert pairs == {(1, 3)}
    # without the margin both stay, for a person to decide
    assert {(m.a, m.b) for m in find_pairs([first, namesake, met], SPELLINGS, margin=100)} == {
        (1, 3), (2, 3)}


def test_an_import_row_finds_its_register_person() -> None:
    index = Index([XUAN, other(id=2, full_name="Kăn Văn Rin", sex="M")], SPELLINGS)
    row = other(id=-1, full_name="HO XUAN", birth_date=date(1985, 12, 3))
    best = index.best(row)
    assert best is not None and (best.a, best.b) == (-1, 1)
    assert index.best(other(id=-2, full_name="Trần Văn Nam", sex="M")) is None
    index.add(row)
    assert len(index) == 3


# a file's rows: namesakes, typos, swapped parts, dropped middle names, shared IDs, dates a
# digit, a year or a swap apart, year-only dates, two communes
_NAMES = ("Hồ Thị Xuân", "Ho Thi Xuan", "Hồ Xuân", "Xuân Hồ Thị", "Hồ Thị Xuơn", "Hồ Thị Xuấn",
          "Kăn Văn Rin", "Kan Rin", "Lê Ngọc Hà", "Lê Hà", "Blúp Thị Hoa", "Bờ Lúp Thị Hoa",
          "Trần Văn Nam", "Nguyễn Thị Hoa")
_BORN = (date(1962, 3, 12), date(1962, 12, 3), date(1962, 3, 13), date(1963, 3, 12),
         date(1961, 3, 12), date(1972, 3, 12), date(1992, 3, 12), date(1962, 5, 20),
         date(1964, 3, 12))
_rows = st.lists(st.builds(
    lambda name, born, year_only, sex, commune, village, national_id, phone: (
        name, date(born.year, 1, 1) if year_only else born, year_only, sex, commune,
        commune * 10 + village, national_id, phone),
    st.sampled_from(_NAMES), st.sampled_from(_BORN), st.integers(0, 9).map(lambda n: n == 0),
    st.sampled_from(("F", "M")), st.integers(1, 2), st.integers(0, 1),
    st.sampled_from(("", "", "", "046185000001", "046185000002")),
    st.sampled_from(("", "", "0911000111"))), max_size=40)


def _records(rows: list[tuple[Any, ...]], first_id: int) -> list[Record]:
    return [Record(first_id + n, commune, village, None, name, born, year_only, sex,
                   national_id, "", phone)
            for n, (name, born, year_only, sex, commune, village, national_id, phone)
            in enumerate(rows)]


def _near_as_written(row: dedup._Key, other: dedup._Key) -> bool:
    """The blocking rule in its plain words, against which the index's blocks are checked."""
    a, b = row.record, other.record
    if (a.national_id and a.national_id == b.national_id) or (
            a.si_number and a.si_number == b.si_number):
        return True
    if a.commune_id != b.commune_id:
        return False
    name_near = (fuzz.ratio(row.block_name, other.block_name) >= dedup.PREFILTER
                 or row.ends == other.ends)
    gap = abs(a.birth_date.year - b.birth_date.year)
    same_day = not a.birth_year_only and not b.birth_year_only and (
        (a.birth_date.month, a.birth_date.day) == (b.birth_date.month, b.birth_date.day))
    return name_near and (gap <= 1 or same_day)


def _best_as_written(register: list[dedup._Key], row: dedup._Key) -> dedup.Match | None:
    """A row's best match by comparing it with every record the plain rule lets near."""
    names = Counter((key.record.commune_id, key.block_name) for key in register)
    found = [match for other in register
             if _near_as_written(row, other) and dedup._dates_may_match(row, other)
             and (match := dedup._compare(row, other, max(
                 names[(row.record.commune_id, row.block_name)] + 1,
                 names[(other.record.commune_id, other.block_name)]))) is not None
             and match.score >= THRESHOLD]
    return min(found, key=lambda m: (-m.score, m.a, m.b), default=None)


@settings(max_examples=300, deadline=None)
@given(register=_rows, file=_rows, chunk=st.integers(1, 7), cells=st.sampled_from((1, 9, 10**6)))
def test_a_file_is_checked_row_by_row_or_at_once_by_the_blocking_rule(
        register: list[tuple[Any, ...]], file: list[tuple[Any, ...]], chunk: int,
        cells: int) -> None:
    """An import's rows against the register and the earlier rows that matched nothing: row
    by row (`best`, `add`) and at once (`check`: one prefilter per block for many rows, in
    chunks, a few scores at a time) hold the rows comparing each with every record would."""
    rows = _records(file, -1000)
    indexed = [dedup._key(record, SPELLINGS) for record in _records(register, 1)]
    expected = []
    for row in rows:
        key = dedup._key(row, SPELLINGS)
        expected.append(_best_as_written(indexed, key))
        if expected[-1] is None:
            indexed.append(key)
    one_by_one = Index(_records(register, 1), SPELLINGS)
    found = []
    for row in rows:
        found.append(one_by_one.best(row))
        if found[-1] is None:
            one_by_one.add(row)
    assert found == expected
    with mock.patch.object(dedup, "PREFILTER_CELLS", cells):
        together = Index(_records(register, 1), SPELLINGS)
        assert [match for _row, match in together.check(rows, chunk=chunk)] == expected
    assert len(together) == len(one_by_one) == len(indexed)


def _date_as_written(a: Record, b: Record) -> str:
    """The birth-date rule in its plain words, against which the quick one is checked."""
    if a.birth_year_only or b.birth_year_only:
        gap = abs(a.birth_date.year - b.birth_date.year)
        return {0: "same_birth_year", 1: "birth_year_off_by_one"}.get(gap, "other_birth_date")
    da, db = a.birth_date, b.birth_date
    digits_a, digits_b = f"{da:%d%m%Y}", f"{db:%d%m%Y}"
    if digits_a == digits_b:
        return "same_birth_date"
    if da.year == db.year and (da.day, da.month) == (db.month, db.day):
        return "day_month_swapped"
    if sum(x != y for x, y in zip(digits_a, digits_b, strict=True)) == 1:
        return "birth_date_digit"
    if (da.month, da.day) == (db.month, db.day) and abs(da.year - db.year) == 1:
        return "birth_year_off_by_one"
    return "other_birth_date"


_births = st.one_of(st.dates(date(1978, 1, 1), date(1992, 12, 31)),
                    st.sampled_from((date(1985, 3, 12), date(1985, 12, 3), date(1985, 3, 13),
                                     date(1995, 3, 12), date(1986, 3, 12), date(1984, 3, 12),
                                     date(1989, 3, 12), date(1990, 3, 12), date(1985, 1, 12))))


@settings(max_examples=500, deadline=None)
@given(born=_births, other_born=_births, year_only=st.booleans())
def test_the_birth_date_reasons_follow_the_rule_as_written(born: date, other_born: date,
                                                           year_only: bool) -> None:
    a, b = other(id=1, birth_date=born, birth_year_only=year_only), other(birth_date=other_born)
    assert dedup._date(dedup._key(a, SPELLINGS), dedup._key(b, SPELLINGS))[0] == \
        _date_as_written(a, b)


# -- the register ----------------------------------------------------------------------------

def _twin_of(person: Person, **changes: Any) -> Person:
    fields = {"office": person.office, "village": person.village,
              "full_name": person.full_name, "birth_date": person.birth_date,
              "sex": person.sex, "ethnicity": person.ethnicity, **changes}
    return Person.objects.create(**fields)


def test_register_records_read_the_register_without_merged_records(world: Any) -> None:
    persons = Person.objects.filter(village__commune__code="AL3")
    records = list(dedup.register_records(persons, chunk_size=50))
    assert len(records) == persons.count()
    person = persons.select_related("village").order_by("id").first()
    assert person is not None
    record = next(r for r in records if r.id == person.pk)
    assert (record.commune_id, record.full_name, record.birth_date) == (
        person.village.commune_id, person.full_name, person.birth_date)
    assert record.national_id == (person.national_id or "")


def test_the_scan_finds_a_duplicate_and_remembers_not_the_same(world: Any) -> None:
    office = world["office"]
    person = Person.objects.filter(village__commune__code="AL2").order_by("id").first()
    assert person is not None
    other_village = Village.objects.filter(commune=person.village.commune).exclude(
        pk=person.village_id).first()
    copy = _twin_of(person, village=other_village,
                    full_name=fold(person.full_name).upper())
    found = {(m.a, m.b): m for m in dedup.scan(office, person.village.commune)}
    assert (person.pk, copy.pk) in found
    assert "no_diacritics" in found[(person.pk, copy.pk)].reasons

    DuplicatePair.objects.create(office=office, village=person.village, person_a=person,
                                 person_b=copy, score=90, status=PairStatus.NOT_SAME)
    assert (person.pk, copy.pk) not in {(m.a, m.b) for m in dedup.scan(office)}


def test_a_merged_record_is_no_longer_offered(world: Any) -> None:
    office = world["office"]
    person = Person.objects.filter(village__commune__code="AL1").order_by("id").first()
    assert person is not None
    copy = _twin_of(person)
    assert (person.pk, copy.pk) in {(m.a, m.b) for m in dedup.scan(office)}
    Person.with_merged.filter(pk=copy.pk).update(merged_into=person)
    assert copy.pk not in {pk for m in dedup.scan(office) for pk in (m.a, m.b)}


def test_the_offices_spellings_are_used(world: Any) -> None:
    office = world["office"]
    NameSpelling.objects.create(office=office, written="Arất", same_as="A Rất",
                                note="Cơ Tu, viết rời")
    first = replace(XUAN, full_name="Arất Thị Nhiên")
    second = other(full_name="A Rất Thị Nhiên")
    assert "same_name" in match(first, second, dedup.spellings_for(office.pk)).reasons
    shipped_only = compare(first, second, dedup.spellings_for(None))
    assert shipped_only is None or "same_name" not in shipped_only.reasons


# -- the command ------------------------------------------------------------------------------

def test_the_command_lists_pairs_as_json_and_as_a_table(world: Any, capsys: Any) -> None:
    person = Person.objects.filter(village__commune__code="AL3").order_by("id").first()
    assert person is not None
    copy = _twin_of(person, full_name=fold(person.full_name))
    call_command("dedup", "persons", "--commune", "AL3", "--json", verbosity=0)
    pairs = json.loads(capsys.readouterr().out)
    mine = [p for p in pairs if (p["a"], p["b"]) == (person.pk, copy.pk)]
    assert mine and mine[0]["score"] >= THRESHOLD and "no_diacritics" in mine[0]["reasons"]
    assert set(mine[0]) == {"a", "b", "score", "reasons"}

    call_command("dedup", "persons", "--office", "AL", "--threshold", "90")
    out = capsys.readouterr()
    assert person.full_name in out.out and "Tên viết không dấu" in out.out
    assert "cặp / pairs" in out.err


def test_the_command_refuses_unknown_codes(world: Any) -> None:
    with pytest.raises(CommandError, match="No commune with code XX"):
        call_command("dedup", "persons", "--commune", "XX")
    with pytest.raises(CommandError, match="No office with code XX"):
        call_command("dedup", "persons", "--office", "XX")
    with pytest.raises(CommandError, match="must be 0 to 100"):
        call_command("dedup", "persons", "--threshold", "120")
