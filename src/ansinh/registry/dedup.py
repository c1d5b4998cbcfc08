"""Duplicate detection in the register: which two records are probably one person, how sure,
and why.

One rule for every caller: the register scan (`ansinh dedup persons`, the duplicate queue),
an import row checked against the register (`Index.best`) and the on-the-spot check of a new
attendee (outreach.duplicates) all score pairs with `compare`.

**Exact matches.** The same national ID is the same person (score 100); the same SI number
almost surely is (97).

**Fuzzy matches.** Names are compared as canonical tokens: folded (no diacritics, đ → d), with
the minority-name spellings of `Spellings` applied (letters such as k/c, y/i, ph/f, â/ơ;
clusters written with an "ơ" between, Blúp / Bờ Lúp; whole names such as A Viết / Aviết). The
name then matches in one of these ways, each a reason: the same, other diacritics (none at
all, a tone mark on the other vowel — hoà / hòa), a minority spelling, swapped parts, a dropped
Thị / Văn or other middle name, or a one-letter typo. Birth dates match the same, with day and
month swapped, with one digit wrong, a year apart, or by year when one record knows only the
year. Points for the name and the date add up with the evidence: for — same household, same
phone, same village; against — different sex, two different national IDs (both known), two
different SI numbers, a different given name, a birth date none of the above explains. The
score is that sum bounded to 0–100; THRESHOLD is where the duplicate queue starts.

**Blocking.** A pair is compared only when it shares a block:
1. the commune and birth years at most one apart. The commune, not the village: the same
   person is often registered in two villages of one commune (moved house, listed by the old
   village head), and a village block would never see that pair. A commune block holds every
   village block, so one pass does both instead of two; it costs more comparisons than the
   village block (`make bench` reports the time beside one bare rapidfuzz pass over the same
   blocks), and rapidfuzz's C loop keeps that affordable at 1M persons;
2. the commune and the day and month of birth, for birth years further apart: a wrong digit in
   the year (1965 for 1985) leaves the day and month;
3. the same national ID or SI number, anywhere in the scanned set.
Within blocks 1 and 2, rapidfuzz's `process.extract` (C, with a score cut-off, PREFILTER)
compares the sorted name tokens without Thị / Văn, read folded; pairs whose first and last name
tokens are the same also go on (a dropped middle name takes a short name below the cut-off:
Lê Hà / Lê Ngọc Hà). Only those survivors get the detailed `compare`, and when the threshold
is above what a pair with unrelated birth dates can score, only survivors whose dates agree by
one of the variants. An import checks its rows together (`Index.check`): one `cdist` per block
scores many rows at once, with the same result as one row at a time.

**One person, one match.** In a scan, a fuzzy match well below another match of one of its
records is dropped when the third record does not match the other (`Index.pairs`): a record
with only a birth year matches every namesake born that year, and the one with the same
village and phone is the duplicate.

**Frequency.** A name borne by many records of the commune (Hồ Thị Hoa) agrees by chance more
often: when the birth dates agree only through a variant, the match loses points by the name's
count in the commune (`common_name`), as record linkage weighs agreement on a common value
(Fellegi–Sunter). `compare` alone does not know the counts; `Index` does.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy
import yaml
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ansinh.core.models import Office
from ansinh.core.text import fold

from .models import Commune, DuplicatePair, NameSpelling, PairStatus, Person

THRESHOLD = 64
"""The default score from which a pair goes to the duplicate queue (make bench: precision and
recall on the seeded set)."""

# what a pair with a common name loses when its dates differ (a variant), its villages differ,
# and no household or phone ties the two records
UNTIED = 2

# a fuzzy match this far below the best match of one of its records is left out (Index.pairs)
MARGIN = 4

# the prefilter: rapidfuzz ratio of the sorted folded name tokens (Thị / Văn left out)
PREFILTER = 80
# the prefilter's scores computed at once (one byte each), and the records checked together
# (Index.check): enough to keep the C loop busy, little enough for a worker's memory
PREFILTER_CELLS = 4_000_000
CHECK_CHUNK = 20_000

_T = TypeVar("_T")

SPELLINGS_FILE = Path(__file__).parent / "data" / "name_spellings.yaml"

REASONS: dict[str, Promise] = {
    "same_national_id": _("Cùng số định danh"),
    "same_si_number": _("Cùng mã số BHXH"),
    "same_name": _("Cùng họ tên"),
    "no_diacritics": _("Tên viết không dấu"),
    "tone_mark_placement": _("Khác vị trí dấu thanh"),
    "other_diacritics": _("Khác dấu"),
    "minority_spelling": _("Cách viết tên dân tộc thiểu số"),
    "swapped_name_parts": _("Đảo thứ tự tên"),
    "missing_thi_van": _("Thiếu tên đệm Thị/Văn"),
    "missing_middle_name": _("Thiếu tên đệm"),
    "name_typo": _("Sai một chữ cái trong tên"),
    "other_given_name": _("Khác tên"),
    "same_birth_date": _("Cùng ngày sinh"),
    "day_month_swapped": _("Ngày và tháng sinh bị đảo"),
    "birth_date_digit": _("Sai một chữ số ngày sinh"),
    "birth_year_off_by_one": _("Năm sinh lệch một năm"),
    "same_birth_year": _("Cùng năm sinh"),
    "other_birth_date": _("Khác ngày sinh"),
    "common_name": _("Họ tên phổ biến trong xã"),
    "same_household": _("Cùng hộ gia đình"),
    "same_phone": _("Cùng số điện thoại"),
    "same_village": _("Cùng thôn"),
    "other_village": _("Khác thôn, cùng xã"),
    "other_commune": _("Khác xã"),
    "different_sex": _("Khác giới tính"),
    "different_national_id": _("Hai số định danh khác nhau"),
    "different_si_number": _("Hai mã số BHXH khác nhau"),
}

# Points per reason. A name or date reason gives its points; the score is their sum with the
# evidence, bounded to 0–100. The name's points are the structural kind's (same, swapped,
# dropped middle name, typo, other given name) plus the diacritics' and spelling's (negative).
POINTS: dict[str, int] = {
    "same_name": 50,
    "swapped_name_parts": 44,
    "missing_thi_van": 44,
    "missing_middle_name": 38,
    "name_typo": 30,
    "other_given_name": -10,
    "no_diacritics": -2,
    "tone_mark_placement": -1,
    "minority_spelling": -4,
    "other_diacritics": -10,  # Hương / Hường are two names; a careless hand writes either
    "same_birth_date": 40,
    "day_month_swapped": 32,
    "birth_date_digit": 30,
    "birth_year_off_by_one": 26,
    "same_birth_year": 28,
    "other_birth_date": -15,
    "same_household": 8,
    "same_phone": 10,
    "same_village": 6,
    "other_village": -4,
    "other_commune": -8,
    "different_sex": -40,
    "different_national_id": -100,
    "different_si_number": -40,
}
# a year-only date a year off is weaker than a full date a year off
YEAR_ONLY_OFF_BY_ONE = 22
# at most this many points off for a name many records of the commune bear
COMMON_NAME_CAP = 12
# a birth date none of the variants explains leaves at most this much (name + evidence): above
# it, a pair with unrelated dates is not worth the detailed compare
_BEST_WITHOUT_DATE = (POINTS["same_name"] + POINTS["same_household"] + POINTS["same_phone"]
                      + POINTS["same_village"] + POINTS["other_birth_date"])

FILLERS = frozenset({"thi", "van"})
_STRUCTURAL = frozenset({"same_name", "swapped_name_parts", "missing_thi_van",
                         "missing_middle_name", "name_typo", "other_given_name"})
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# a syllable of one consonant and "ơ" (any tone) before l or r: the cluster's written vowel
# (not th, ph, kh: Thơ, Phơ are Kinh names; a swapped "Thơ Rapát" must stay two words)
_CLUSTER_WORD = re.compile(r"^(b|c|g|k|p|t|z)[ơờớởỡợ]$")
_CLUSTER_IN_WORD = re.compile(r"(^|[^aăâeêioôơuưyh])(b|c|g|k|p|t|z|bh)ơ(?=[lr])")
_CLUSTER_FOLDED = re.compile(r"^(b|c|g|k|p|t|z)o$")
_CLUSTER_IN_FOLDED = re.compile(r"(^|[^aeiouyh])(b|c|g|k|p|t|z|bh)o(?=[lr])")


@dataclass(frozen=True, slots=True)
class Record:
    """What dedup knows of a person (of the register, or an import row with a negative id)."""

    id: int
    commune_id: int
    village_id: int
    household_id: int | None
    full_name: str
    birth_date: date
    birth_year_only: bool
    sex: str
    national_id: str
    si_number: str
    phone: str


@dataclass(frozen=True)
class Match:
    a: int
    b: int
    score: int
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": self.score, "reasons": list(self.reasons)}


def _toneless(text: str) -> str:
    """Lower case NFC without the five tone marks (vowel marks such as â, ơ, ư stay)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


def _tone(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if c in _TONES)


_Tokens = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # canonical, folded, typed
# a name prepared for comparison: tokens, plain tokens, typed in ASCII, block name, ends
_Prepared = tuple[_Tokens, _Tokens, bool, str, tuple[str, str]]


class Spellings:
    """Minority-name spellings taken as one: letter rewrites (k → c) and whole names, possibly
    of several words (A Viết = Aviết), from the shipped list and an office's own additions."""

    def __init__(self, letters: dict[str, str] | None = None,
                 pairs: Iterable[tuple[str, str]] = (), folded: bool = False) -> None:
        self.letters = dict(letters or {})
        self.folded = folded
        self.pairs: list[tuple[str, str]] = []
        self.names: dict[str, str] = {}  # key form -> the group's key form
        self._plain_cache: dict[str, str] = {}
        self._prepared: dict[str, _Prepared] = {}
        self._plain_twin: Spellings | None = None
        keep = ["kh", "ch", "th", "nh", "gh"]  # their h stays (k → c must not make kh → ch)
        alternatives = sorted(set(self.letters) | set(keep), key=lambda a: (-len(a), a))
        self._pattern = re.compile("|".join(re.escape(a) for a in alternatives))
        for written, same_as in pairs:
            self.add(written, same_as)

    @classmethod
    def shipped(cls) -> Spellings:
        return _shipped().copy()

    def copy(self) -> Spellings:
        return Spellings(self.letters, self.pairs, self.folded)

    @classmethod
    def load(cls, path: Path) -> Spellings:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        letters = {_toneless(rule["written"]): _toneless(rule["same_as"])
                   for rule in data.get("letters", [])}
        pairs = [(entry["same"][0], other) for entry in data.get("names", [])
                 for other in entry["same"][1:]]
        return cls(letters, pairs)

    def add(self, written: str, same_as: str) -> None:
        """One more pair of spellings of one name (a NameSpelling row)."""
        self.pairs.append((written, same_as))
        self._plain_twin = None
        self._prepared.clear()
        a, b = self._plain(written), self._plain(same_as)
        root_a, root_b = self.names.get(a, a), self.names.get(b, b)
        if root_a != root_b:
            for key, root in list(self.names.items()):
                if root == root_b:
                    self.names[key] = root_a
            self.names[root_b] = root_a
        # both listed even when their key forms agree: a name of several words is looked up
        self.names[a] = root_a
        self.names[b] = root_a

    def without_vowel_rules(self) -> Spellings:
        """The same list read on folded names, without the rules a name typed without
        diacritics cannot show (â/ơ; a cluster's "ơ" is then an "o"): for comparing names of
        which one, or both, were typed without diacritics."""
        if self._plain_twin is None:
            self._plain_twin = Spellings(
                {k: v for k, v in self.letters.items() if k.isascii()}, self.pairs,
                folded=True)
        return self._plain_twin

    def _syllable(self, toneless: str) -> str:
        rewritten = self._pattern.sub(lambda m: self.letters.get(m.group(0), m.group(0)),
                                      toneless)
        return fold(rewritten)

    def _words(self, text: str) -> list[str]:
        """The words as this list reads them: toneless, or folded."""
        return (fold(text) if self.folded else _toneless(text)).split()

    def _plain(self, text: str) -> str:
        """The key form of a name: toneless, clusters joined, letters rewritten, folded, no
        spaces."""
        plain = self._plain_cache.get(text)
        if plain is None:
            words = self._words(text)
            joined = "".join("".join(words[i] for i in group)
                             for group in _clusters(words, self.folded))
            inside = _CLUSTER_IN_FOLDED if self.folded else _CLUSTER_IN_WORD
            plain = self._syllable(inside.sub(r"\1\2", joined))
            if len(self._plain_cache) < 100_000:
                self._plain_cache[text] = plain
        return plain

    def prepared(self, full_name: str) -> _Prepared:
        """The name read for comparison, kept: a register repeats its names (Hồ Thị Hoa)."""
        found = self._prepared.get(full_name)
        if found is None:
            found = _prepare(full_name, self)
            if len(self._prepared) < 500_000:
                self._prepared[full_name] = found
        return found

    def canonical(self, full_name: str) -> _Tokens:
        """The name's canonical tokens, and beside each the folded and the lower-case NFC
        text it was made from (without spaces, when several words make one name)."""
        typed_words = unicodedata.normalize("NFC", full_name).lower().split()
        groups = _clusters(self._words(full_name), self.folded)
        words = ["".join(typed_words[i] for i in group) for group in groups]
        canon: list[str] = []
        folded: list[str] = []
        typed: list[str] = []
        i = 0
        while i < len(words):
            taken = 1
            key = ""
            for width in (3, 2):  # a name of several words from the list (A Viết)
                if i + width <= len(words):
                    joined = self._plain(" ".join(words[i:i + width]))
                    if joined in self.names:
                        taken, key = width, self.names[joined]
                        break
            if not key:
                key = self._plain(words[i])
                key = self.names.get(key, key)
            canon.append(key)
            folded.append(fold("".join(words[i:i + taken])))
            typed.append("".join(words[i:i + taken]))
            i += taken
        return tuple(canon), tuple(folded), tuple(typed)


def _clusters(words: list[str], folded: bool) -> list[list[int]]:
    """Which words make one: Bờ Lúp → blúp, Pơ Loong → ploong: a consonant-and-ơ word before
    l or r is the cluster's written vowel (a Vietnamese syllable never ends in l or r, and no
    Kinh word is a lone consonant with ơ before one). Read on folded words the "ơ" is an "o":
    Tô Lâm is then one word too, on both sides of the comparison alike."""
    pattern = _CLUSTER_FOLDED if folded else _CLUSTER_WORD
    groups: list[list[int]] = []
    i = 0
    while i < len(words):
        if (pattern.match(words[i]) and i + 1 < len(words)
                and words[i + 1][:1] in ("l", "r")):
            groups.append([i, i + 1])
            i += 2
            continue
        groups.append([i])
        i += 1
    return groups


@lru_cache(maxsize=1)
def _shipped() -> Spellings:
    return Spellings.load(SPELLINGS_FILE)


def spellings_for(office_id: int | None) -> Spellings:
    """The shipped list plus the office's own NameSpelling rows."""
    spellings = Spellings.shipped()
    if office_id is not None:
        for written, same_as in NameSpelling.objects.filter(office_id=office_id).values_list(
                "written", "same_as"):
            spellings.add(written, same_as)
    return spellings


@dataclass(frozen=True, slots=True)
class _Key:
    """A record prepared for comparison."""

    record: Record
    tokens: _Tokens
    # the tokens without the vowel rules (â/ơ), to compare with a name typed without diacritics
    plain_tokens: _Tokens
    ascii: bool
    block_name: str  # sorted plain tokens without Thị / Văn: the prefilter's string
    ends: tuple[str, str]  # first and last plain token without Thị / Văn, sorted
    digits: str  # ddmmyyyy


def _key(record: Record, spellings: Spellings) -> _Key:
    name = spellings.prepared(record.full_name)
    born = record.birth_date
    return _Key(record, *name, f"{born.day:02d}{born.month:02d}{born.year:04d}")


def _prepare(full_name: str, spellings: Spellings) -> _Prepared:
    tokens = spellings.canonical(full_name)
    plain_tokens = spellings.without_vowel_rules().canonical(full_name)
    # the blocks use the folded reading: a name typed without diacritics must land near the
    # same name typed with them
    canon = plain_tokens[0]
    core = [t for t, typed in zip(canon, plain_tokens[2], strict=True)
            if not _is_filler(t, typed)] or list(canon)
    first, last = (canon[0], canon[-1]) if canon else ("", "")
    return (tokens, plain_tokens, full_name.isascii(), " ".join(sorted(core)),
            (first, last) if first <= last else (last, first))


def _is_filler(token: str, typed: str) -> bool:
    """Thị or Văn (not Vân, which folds to the same "van")."""
    return token in FILLERS and (typed.isascii() or _toneless(typed) in ("thi", "văn"))


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    it = iter(long)
    return all(token in it for token in short)


def _name(a: _Key, b: _Key) -> list[str] | None:
    """The name's reasons, or None when the names are unrelated."""
    # a name typed without diacritics is read folded, and so is the other then
    ta, tb = (a.plain_tokens, b.plain_tokens) if a.ascii or b.ascii else (a.tokens, b.tokens)
    ca, cb = ta[0], tb[0]
    reasons: list[str] = []
    if ca == cb:
        reasons.append("same_name")
    elif sorted(ca) == sorted(cb):
        reasons.append("swapped_name_parts")
    else:
        count_a, count_b = Counter(ca), Counter(cb)
        (short, _), (long, long_typed) = sorted(((ca, ta[2]), (cb, tb[2])),
                                                key=lambda side: len(side[0]))
        if len(short) != len(long) and not Counter(short) - Counter(long):
            dropped = Counter(long) - Counter(short)
            fillers = all(_is_filler(token, long_typed[long.index(token)]) for token in dropped)
            reasons.append("missing_thi_van" if fillers else "missing_middle_name")
            if not _is_subsequence(short, long):
                reasons.append("swapped_name_parts")
        else:
            only_a, only_b = count_a - count_b, count_b - count_a
            if sum(only_a.values()) != 1 or sum(only_b.values()) != 1:
                return None
            word_a, word_b = next(iter(only_a)), next(iter(only_b))
            if _one_letter(ta, word_a, tb, word_b):
                reasons.append("name_typo")
            else:
                reasons.append("other_given_name")
    reasons.extend(_writing(ta, a.ascii, tb, b.ascii))
    return reasons


def _one_letter(ta: _Tokens, word_a: str, tb: _Tokens, word_b: str) -> bool:
    """A typo rather than another name: one letter apart as typed (Hùng / Dũng are two letters
    apart: another name), at least three letters long."""
    if (max(len(word_a), len(word_b)) < 3
            or Levenshtein.distance(word_a, word_b, score_cutoff=1) > 1):
        return False
    typed_a, typed_b = ta[2][ta[0].index(word_a)], tb[2][tb[0].index(word_b)]
    if typed_a.isascii() or typed_b.isascii():
        return True
    return Levenshtein.distance(typed_a, typed_b, score_cutoff=1) <= 1


def _name_points(reasons: list[str]) -> int:
    """The structural kind's points (the best of them, less 6 for each other one: a name both
    shortened and reordered is less sure than either) plus the writing's."""
    structural = sorted((POINTS[code] for code in reasons if code in _STRUCTURAL), reverse=True)
    writing = sum(POINTS[code] for code in reasons if code not in _STRUCTURAL)
    return structural[0] - 6 * (len(structural) - 1) + writing


def _writing(ta: _Tokens, a_ascii: bool, tb: _Tokens, b_ascii: bool) -> list[str]:
    """How the shared name parts are written: spelling, no diacritics, tone mark placement,
    other diacritics."""
    found: set[str] = set()
    b_by_canon = dict(zip(tb[0], zip(tb[1], tb[2], strict=True), strict=True))
    for canon, folded, typed in zip(*ta, strict=True):
        other = b_by_canon.get(canon)
        if other is None or other[1] == typed:
            continue
        other_folded, other_typed = other
        if other_folded != folded:
            found.add("minority_spelling")
        elif a_ascii or b_ascii:
            found.add("no_diacritics")  # a list typed without any diacritics
        elif _toneless(typed) == _toneless(other_typed) and _tone(typed) == _tone(other_typed):
            found.add("tone_mark_placement")
        else:
            found.add("other_diacritics")
    return [code for code in ("minority_spelling", "no_diacritics", "tone_mark_placement",
                              "other_diacritics") if code in found]


def _date(a: _Key, b: _Key) -> tuple[str, int]:
    ra, rb = a.record, b.record
    if ra.birth_year_only or rb.birth_year_only:
        gap = abs(ra.birth_date.year - rb.birth_date.year)
        if gap == 0:
            return "same_birth_year", POINTS["same_birth_year"]
        if gap == 1:
            return "birth_year_off_by_one", YEAR_ONLY_OFF_BY_ONE
        return "other_birth_date", POINTS["other_birth_date"]
    if a.digits == b.digits:
        return "same_birth_date", POINTS["same_birth_date"]
    da, db = ra.birth_date, rb.birth_date
    # one wrong digit leaves either the year (and the digit is in the day or month) or the day
    # and month (and it is in the year): most pairs a block brings differ in both, and stop
    # here (this runs for every pair the prefilter passes)
    if da.year == db.year:
        if da.day == db.month and da.month == db.day:
            return "day_month_swapped", POINTS["day_month_swapped"]
        if _one_digit(a.digits[:4], b.digits[:4]):
            return "birth_date_digit", POINTS["birth_date_digit"]
    elif (da.month, da.day) == (db.month, db.day):
        if _one_digit(a.digits[4:], b.digits[4:]):
            return "birth_date_digit", POINTS["birth_date_digit"]
        if abs(da.year - db.year) == 1:
            return "birth_year_off_by_one", POINTS["birth_year_off_by_one"]
    return "other_birth_date", POINTS["other_birth_date"]


def _one_digit(a: str, b: str) -> bool:
    """Whether the two strings of digits (of one length) differ in exactly one place."""
    return sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _dates_may_match(a: _Key, b: _Key) -> bool:
    return _date(a, b)[0] != "other_birth_date"


def _commonness(common: int) -> int:
    """Points off a same-name match when `common` records of the commune bear the name: by
    chance one of them is born a digit or a year away (Fellegi–Sunter's frequency weight)."""
    if common < 3:
        return 0
    return min(COMMON_NAME_CAP, round(4 * math.log2(common / 2)))


def _compare(a: _Key, b: _Key, common: int = 0) -> Match | None:
    ra, rb = a.record, b.record
    reasons: list[str] = []
    exact = 0
    if ra.national_id and ra.national_id == rb.national_id:
        reasons.append("same_national_id")
        exact = 100
    if ra.si_number and ra.si_number == rb.si_number:
        reasons.append("same_si_number")
        exact = max(exact, 97)
    name = _name(a, b)
    if name is None and not exact:
        return None
    points = 0
    if name is not None:
        reasons.extend(name)
        points += _name_points(name)
    date_reason, date_points = _date(a, b)
    reasons.append(date_reason)
    points += date_points
    if name is not None and date_reason != "same_birth_date" and _commonness(common):
        reasons.append("common_name")
        points -= _commonness(common)
    evidence: list[str] = []
    if ra.household_id is not None and ra.household_id == rb.household_id:
        evidence.append("same_household")
    if ra.phone and ra.phone == rb.phone:
        evidence.append("same_phone")
    if ra.village_id == rb.village_id:
        evidence.append("same_village")
    elif ra.commune_id == rb.commune_id:
        evidence.append("other_village")
    else:
        evidence.append("other_commune")
    if ra.sex and rb.sex and ra.sex != rb.sex:
        evidence.append("different_sex")
    if ra.national_id and rb.national_id and ra.national_id != rb.national_id:
        evidence.append("different_national_id")
    if ra.si_number and rb.si_number and ra.si_number != rb.si_number:
        evidence.append("different_si_number")
    reasons.extend(evidence)
    points += sum(POINTS[code] for code in evidence)
    if ("common_name" in reasons and "same_village" not in evidence
            and "same_household" not in evidence and "same_phone" not in evidence):
        # a common name, birth dates that differ and two villages, with nothing that ties the
        # records: namesakes more often than one person listed twice (make bench)
        points -= UNTIED
    score = exact or max(0, min(100, points))
    first, second = (ra.id, rb.id) if ra.id < rb.id else (rb.id, ra.id)
    return Match(first, second, score, tuple(reasons))


def compare(a: Record, b: Record, spellings: Spellings) -> Match | None:
    """The two records' score and every reason that applied; None when nothing links them (no
    shared identifier and unrelated names)."""
    return _compare(_key(a, spellings), _key(b, spellings))


@dataclass
class _Block:
    """Records of one block, with the columns the prefilter reads (kept as they are added:
    an import checks its rows against the same blocks chunk after chunk)."""

    keys: list[_Key] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)  # the first and last tokens, numbered
    years: list[int] = field(default_factory=list)

    def append(self, key: _Key, ends: int) -> None:
        self.keys.append(key)
        self.names.append(key.block_name)
        self.ends.append(ends)
        self.years.append(key.record.birth_date.year)


class Index:
    """Records prepared and blocked for matching: `best` finds the register's record an import
    row probably is, `pairs` every likely pair among the records themselves."""

    def __init__(self, records: Iterable[Record] = (), spellings: Spellings | None = None) -> None:
        self.spellings = spellings if spellings is not None else Spellings.shipped()
        self._by_year: dict[tuple[int, int], _Block] = defaultdict(_Block)
        self._by_day: dict[tuple[int, int, int], _Block] = defaultdict(_Block)
        self._ends: dict[tuple[str, str], int] = {}  # first and last tokens -> their number
        self._by_ends: dict[tuple[int, str, str], list[_Key]] = defaultdict(list)
        self._by_id: dict[tuple[str, str], list[_Key]] = defaultdict(list)
        self._names: Counter[tuple[int, str]] = Counter()
        for record in records:
            self.add(record)

    def __len__(self) -> int:
        return sum(len(block.keys) for block in self._by_year.values())

    def add(self, record: Record) -> None:
        self._add(_key(record, self.spellings))

    def _add(self, key: _Key) -> None:
        record = key.record
        ends = self._ends.setdefault(key.ends, len(self._ends))
        self._by_year[(record.commune_id, record.birth_date.year)].append(key, ends)
        if not record.birth_year_only:
            born = record.birth_date
            self._by_day[(record.commune_id, born.month, born.day)].append(key, ends)
        self._by_ends[(record.commune_id, *key.ends)].append(key)
        self._names[(record.commune_id, key.block_name)] += 1
        if record.national_id:
            self._by_id[("national_id", record.national_id)].append(key)
        if record.si_number:
            self._by_id[("si_number", record.si_number)].append(key)

    # -- records against the index (an import's rows, a new attendee) ----------------------

    def matches(self, record: Record, threshold: int = THRESHOLD) -> list[Match]:
        """Every indexed record matching `record` with at least `threshold`, best first."""
        key = _key(record, self.spellings)
        indexed, _earlier = self._near([key])[0]
        return self._matches(key, indexed, threshold)

    def best(self, record: Record, threshold: int = THRESHOLD) -> Match | None:
        """The indexed record `record` most probably is, if any scores `threshold` or more."""
        found = self.matches(record, threshold)
        return found[0] if found else None

    def check(self, records: Iterable[Record], threshold: int = THRESHOLD,
              chunk: int = CHECK_CHUNK) -> Iterator[tuple[Record, Match | None]]:
        """Each record with its `best` match among the indexed records and the records before
        it that matched nothing; those are added to the index as they go (an import's rows:
        a later row of the file may be the same person as an earlier one).

        The same result as `best` and `add` one record at a time. The prefilter runs once per
        block for `chunk` records together (rapidfuzz's `cdist`), instead of once per record
        over blocks that grow with the file."""
        pending = iter(records)
        while batch := [_key(record, self.spellings)
                        for record in itertools.islice(pending, chunk)]:
            added = [False] * len(batch)
            for i, (key, (indexed, earlier)) in enumerate(zip(batch, self._near(batch),
                                                              strict=True)):
                match = next(iter(self._matches(
                    key, [*indexed, *(batch[j] for j in earlier if added[j])], threshold)),
                    None)
                if match is None:
                    self._add(key)
                    added[i] = True
                yield key.record, match

    def _matches(self, key: _Key, near: Iterable[_Key], threshold: int) -> list[Match]:
        """`key`'s matches among the records `_near` found and those with its national ID or
        SI number, best first."""
        record = key.record
        found = {other.record.id: other for other in near}
        for kind, value in (("national_id", record.national_id),
                            ("si_number", record.si_number)):
            if value:
                for other in self._by_id.get((kind, value), ()):
                    found[other.record.id] = other
        found.pop(record.id, None)
        date_filter = threshold > _BEST_WITHOUT_DATE
        matched = [m for other in found.values()
                   if (not date_filter or _dates_may_match(key, other))
                   and (m := _compare(key, other, self._common(key, other, 1))) is not None
                   and m.score >= threshold]
        return sorted(matched, key=lambda m: (-m.score, m.a, m.b))

    def _near(self, keys: list[_Key]) -> list[tuple[list[_Key], list[int]]]:
        """For each of `keys` (records not in the index), the indexed records and the
        positions of the earlier keys it shares a block with and that its name may match:
        born at most a year apart, or on the same day and month further apart (a wrong year
        digit), with a name the prefilter passes or the same first and last token."""
        near: list[tuple[list[_Key], list[int]]] = [([], []) for _ in keys]
        years: dict[tuple[int, int], list[int]] = defaultdict(list)
        days: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            record = key.record
            years[(record.commune_id, record.birth_date.year)].append(i)
            if not record.birth_year_only:
                born = record.birth_date
                days[(record.commune_id, born.month, born.day)].append(i)
        for (commune, year), rows in years.items():
            around = (year - 1, year, year + 1)
            blocks = [block for near_year in around
                      if (block := self._by_year.get((commune, near_year))) is not None]
            earlier = sorted(j for near_year in around
                             for j in years.get((commune, near_year), ()))
            self._prefilter(keys, rows, blocks, earlier, near, apart=False)
        for day, rows in days.items():
            blocks = [block] if (block := self._by_day.get(day)) is not None else []
            self._prefilter(keys, rows, blocks, rows, near, apart=True)
        return near

    def _prefilter(self, keys: list[_Key], rows: list[int], blocks: list[_Block],
                   earlier: list[int], near: list[tuple[list[_Key], list[int]]], *,
                   apart: bool) -> None:
        """Add to `near[i]`, for each position i in `rows`, the records of `blocks` and the
        positions in `earlier` before i whose name passes the prefilter or has the same first
        and last token (`apart`: and who are born more than a year apart): one `cdist` for
        many rows, at most PREFILTER_CELLS scores at a time."""
        indexed = _joined(block.keys for block in blocks)
        if not indexed and not earlier:
            return
        names = _joined(block.names for block in blocks) + [keys[j].block_name for j in earlier]
        ends = numpy.array(_joined(block.ends for block in blocks) + [
            self._ends.setdefault(keys[j].ends, len(self._ends)) for j in earlier])
        years = numpy.array(_joined(block.years for block in blocks)
                            + [keys[j].record.birth_date.year for j in earlier])
        # each choice's position among `keys`; -1, before every row, for the indexed records
        # (a later row is not near yet: it is not in the index when this one is checked)
        order = numpy.array([-1] * len(indexed) + earlier)
        step = max(1, PREFILTER_CELLS // len(names))
        for start in range(0, len(rows), step):
            part = rows[start:start + step]
            passes = process.cdist([keys[i].block_name for i in part], names,
                                   scorer=fuzz.ratio, score_cutoff=PREFILTER,
                                   dtype=numpy.uint8) > 0
            passes |= ends[None, :] == numpy.array(
                [self._ends.setdefault(keys[i].ends, len(self._ends)) for i in part])[:, None]
            passes &= order[None, :] < numpy.array(part)[:, None]
            if apart:
                born = numpy.array([keys[i].record.birth_date.year for i in part])
                passes &= numpy.abs(years[None, :] - born[:, None]) > 1
            for row, choice in zip(*(axis.tolist() for axis in numpy.nonzero(passes)),
                                   strict=True):
                found_indexed, found_earlier = near[part[row]]
                if choice < len(indexed):
                    found_indexed.append(indexed[choice])
                else:
                    found_earlier.append(earlier[choice - len(indexed)])

    # -- every pair among the indexed records ------------------------------------------------

    def pairs(self, threshold: int = THRESHOLD, margin: int = MARGIN) -> Iterator[Match]:
        """Each likely pair once (a.id < b.id), block by block.

        A record usually duplicates one person: a fuzzy match that scores `margin` or more
        below another match of one of its records, whose third record does not match the
        other, is a namesake of the better one (a record with only the birth year matches
        every Hồ Thị Hoa born that year; the one in the same village, with the same phone, is
        the duplicate). Such matches are left out; three records of one person all match each
        other and stay; matches by national ID or SI number always stay."""
        found = list(self._all_pairs(threshold))
        linked: dict[int, dict[int, int]] = defaultdict(dict)
        for match in found:
            linked[match.a][match.b] = match.score
            linked[match.b][match.a] = match.score

        def outdone(record: int, other: int, score: int) -> bool:
            # a better match of `record` with someone `other` does not match either
            return any(better >= score + margin and third != other and third not in linked[other]
                       for third, better in linked[record].items())

        for match in found:
            exact = "same_national_id" in match.reasons or "same_si_number" in match.reasons
            if exact or not (outdone(match.a, match.b, match.score)
                             or outdone(match.b, match.a, match.score)):
                yield match

    def _all_pairs(self, threshold: int) -> Iterator[Match]:
        date_filter = threshold > _BEST_WITHOUT_DATE
        by_identifier: set[tuple[int, int]] = set()
        # identifiers first: across communes too
        for group in self._by_id.values():
            for i, first in enumerate(group):
                for second in group[i + 1:]:
                    pair = _ordered(first, second)
                    if pair in by_identifier:
                        continue
                    by_identifier.add(pair)
                    match = _compare(first, second, self._common(first, second))
                    if match is not None and match.score >= threshold:
                        yield match
        days: dict[int, list[list[_Key]]] = defaultdict(list)
        for (commune, _month, _day), day in self._by_day.items():
            days[commune].append(day.keys)
        done: set[tuple[int, int]] = set()  # the pairs compared in this commune
        current = None
        for (commune, year), block in sorted(self._by_year.items()):
            if commune != current:
                current = commune
                done = set()
                yield from self._compare_all(_same_day(days.pop(commune, [])), threshold,
                                             date_filter, done, by_identifier)
            following = self._by_year.get((commune, year + 1))
            keys = block.keys + (following.keys if following else [])
            names = block.names + (following.names if following else [])
            candidates: list[tuple[_Key, _Key]] = []
            for i, key in enumerate(block.keys):
                start = i + 1
                for _choice, _score, j in process.extract(
                        key.block_name, names[start:], scorer=fuzz.ratio,
                        score_cutoff=PREFILTER, limit=None):
                    candidates.append((key, keys[start + j]))
            candidates.extend(self._same_ends(commune, year))
            yield from self._compare_all(candidates, threshold, date_filter, done,
                                         by_identifier)

    def _compare_all(self, candidates: Iterable[tuple[_Key, _Key]], threshold: int,
                     date_filter: bool, done: set[tuple[int, int]],
                     by_identifier: set[tuple[int, int]]) -> Iterator[Match]:
        for first, second in candidates:
            if date_filter and not _dates_may_match(first, second):
                continue
            pair = _ordered(first, second)
            if pair in done or pair in by_identifier:
                continue
            done.add(pair)
            match = _compare(first, second, self._common(first, second))
            if match is not None and match.score >= threshold:
                yield match

    def _common(self, a: _Key, b: _Key, outside: int = 0) -> int:
        """How many records bear the name of the pair's more common record in its commune
        (`outside`: the record compared is not in the index)."""
        return max(self._names[(a.record.commune_id, a.block_name)] + outside,
                   self._names[(b.record.commune_id, b.block_name)])

    def _same_ends(self, commune: int, year: int) -> Iterator[tuple[_Key, _Key]]:
        """Pairs of this year (and the next) with the same first and last name token: their
        block names may be too far apart for the prefilter (Lê Ngọc Hà / Lê Hà)."""
        block = self._by_year[(commune, year)]
        for key in block.keys:
            if len(block.keys) < 2:
                break
            for other in self._by_ends.get((commune, *key.ends), ()):
                born = other.record.birth_date.year
                if (born == year and other.record.id > key.record.id) or born == year + 1:
                    yield key, other


def _joined(columns: Iterable[list[_T]]) -> list[_T]:
    return list(itertools.chain.from_iterable(columns))


def _same_day(groups: list[list[_Key]]) -> Iterator[tuple[_Key, _Key]]:
    """Pairs born on the same day and month more than a year apart (a wrong year digit) whose
    names pass the prefilter or have the same first and last token."""
    for group in groups:
        if len(group) < 2:
            continue
        names = [key.block_name for key in group]
        for i, key in enumerate(group):
            year = key.record.birth_date.year
            near = {j for _choice, _score, j in process.extract(
                key.block_name, names[i + 1:], scorer=fuzz.ratio, score_cutoff=PREFILTER,
                limit=None)}
            for j, other in enumerate(group[i + 1:]):
                if abs(other.record.birth_date.year - year) > 1 and (
                        j in near or other.ends == key.ends):
                    yield key, other


def _ordered(a: _Key, b: _Key) -> tuple[int, int]:
    x, y = a.record.id, b.record.id
    return (x, y) if x < y else (y, x)


def find_pairs(records: Iterable[Record], spellings: Spellings,
               threshold: int = THRESHOLD, margin: int = MARGIN) -> Iterator[Match]:
    """Every likely duplicate pair among `records`, each once with a.id < b.id (see
    Index.pairs for `margin`)."""
    return Index(records, spellings).pairs(threshold, margin)


RECORD_FIELDS = ("id", "village__commune_id", "village_id", "household_id", "full_name",
                 "birth_date", "birth_year_only", "sex", "national_id", "si_number", "phone")


def register_records(queryset: QuerySet[Person], chunk_size: int = 5000) -> Iterator[Record]:
    """The queryset's persons as Records, read in chunks (no model instances)."""
    for row in queryset.values_list(*RECORD_FIELDS).iterator(chunk_size=chunk_size):
        (pk, commune, village, household, name, born, year_only, sex, national_id, si,
         phone) = row
        yield Record(pk, commune, village, household, name, born, year_only, sex,
                     national_id or "", si or "", phone or "")


def decided_pairs(office: Office) -> set[tuple[int, int]]:
    """Pairs of the register staff already decided: not the same person, or merged."""
    rows = DuplicatePair.objects.filter(
        office=office, person_b__isnull=False,
        status__in=(PairStatus.NOT_SAME, PairStatus.MERGED),
    ).values_list("person_a_id", "person_b_id")
    return {(a, b) if a < b else (b, a) for a, b in rows}


def scan(office: Office, commune: Commune | None = None,
         threshold: int = THRESHOLD) -> list[Match]:
    """The office's likely duplicate pairs (or one commune's), best first, without the pairs
    staff already decided."""
    persons = Person.objects.filter(office=office)
    if commune is not None:
        persons = persons.filter(village__commune=commune)
    decided = decided_pairs(office)
    found = [match for match in find_pairs(register_records(persons), spellings_for(office.pk),
                                           threshold)
             if (match.a, match.b) not in decided]
    return sorted(found, key=lambda m: (-m.score, m.a, m.b))
