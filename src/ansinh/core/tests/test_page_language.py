"""Every page in one language (issue 11): each GET page of the URL conf, rendered as each role
(and anonymously) in Vietnamese, shows no English sentence of our catalogue; in English, no
Vietnamese sentence of our catalogue left untranslated. The PDFs a villager takes home, in
Vietnamese, carry no English.

"Sentence" means a fragment of three words or more of a catalogue entry (an entry is cut at its
placeholders and tags): the English msgstr on a Vietnamese page, the Vietnamese msgid on an
English page. A fragment that is also a piece of data of the world (a name, an event's title
typed in Vietnamese) is not a finding: data is shown as typed.

The pages run in the write matrix's world (matrix_world: one office with records of every kind,
a second office), built once for the module; the URL table below gives each page with path
arguments its record, and `test_every_get_page_is_visited` fails when a new page has none.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from .catalogue import our_entries
from .matrix import Persona, Where, url_names
from .matrix_world import NOW, Place, World, build_world
from .test_write_matrix import _held_row, _pair

# ---------------------------------------------------------------------------------------------
# The pages

Kwargs = Callable[[Place], dict[str, Any]]

# Pages with path arguments: the record of the persona's own commune each one shows.
KWARGS: dict[str, Kwargs] = {
    "registry:person_detail": lambda p: {"pk": p.prospect.pk},
    "registry:person_edit": lambda p: {"pk": p.prospect.pk},
    "registry:household_detail": lambda p: {"pk": p.household.pk},
    "registry:duplicate_compare": lambda p: _pair(p),
    "registry:incoming_compare": lambda p: _held_row(p),
    "participation:detail": lambda p: {"pk": p.participation.pk},
    "participation:change_terms": lambda p: {"pk": p.participation.pk},
    "participation:pause": lambda p: {"pk": p.participation.pk},
    "participation:resume": lambda p: {"pk": p.paused.pk},
    "participation:stop": lambda p: {"pk": p.participation.pk},
    "participation:declaration_pdf": lambda p: {"pk": p.participation.pk},
    "participation:enrol": lambda p: {"person_id": p.prospect.pk},
    "collection:receipt_detail": lambda p: {"pk": p.receipt.pk},
    "collection:receipt_print": lambda p: {"pk": p.receipt.pk},
    "collection:receipt_reverse": lambda p: {"pk": p.receipt.pk},
    "collection:book_return": lambda p: {"pk": p.book.pk},
    "collection:remittance_confirm": lambda p: {"pk": p.remittance.pk},
    "outreach:event_detail": lambda p: {"pk": p.event.pk},
    "outreach:event_edit": lambda p: {"pk": p.event.pk},
    "outreach:event_search": lambda p: {"pk": p.event.pk},
    "outreach:event_add": lambda p: {"pk": p.event.pk},
    "outreach:event_new_person": lambda p: {"pk": p.event.pk},
    "outreach:attendance_outcome": lambda p: {"pk": p.attendance.pk},
    "outreach:contact_new": lambda p: {"person_pk": p.prospect.pk},
    "outreach:follow_up_done": lambda p: {"pk": p.follow_up.pk},
    "retention:case_detail": lambda p: {"pk": p.case.pk},
    "retention:case_sheet": lambda p: {"pk": p.case.pk},
    "retention:si_history": lambda p: {"pk": p.prospect.pk},
    "network:allocate": lambda p: {"pk": p.office_target.pk, "kind": "commune"},
    "network:history": lambda p: {"pk": p.office_target.pk},
}

# A second visit with a query, where the page shows more once asked (a result, a report).
CASH_OUT = {"sex": "F", "birth": "1980", "category": "poor", "paid_years": "8",
            "paid_months": "3", "past_income": "2000000", "last_paid": "2025-10",
            "ground": "twelve_months_out", "future_income": "1500000"}
REPORT = {"as_of": "2026-03-16", "period": "2026"}
Query = Callable[[Place], dict[str, str]]
QUERIES: dict[str, tuple[Query, ...]] = {
    "calculator:pay": (lambda p: {"income": "3000000", "mode": "advance", "years": "3"},),
    "calculator:benefits": (lambda p: {
        "sex": "M", "birth": "03/1985", "category": "ethnic_minority", "paid_years": "5",
        "paid_months": "0", "past_income": "1500000", "future_income": "2.000.000"},),
    "calculator:cash_out": (lambda p: CASH_OUT,),
    "calculator:sheet": (lambda p: CASH_OUT,),
    "reports:dashboard": (lambda p: REPORT,),
    "reports:progress": (lambda p: REPORT, lambda p: {**REPORT, "export": "pdf"}),
    "reports:ranking": (lambda p: REPORT, lambda p: {**REPORT, "export": "pdf"}),
    "reports:people": (lambda p: {**REPORT, "unit": f"commune:{p.commune.pk}"},),
    "collection:receipt_new": (lambda p: {"participation": str(p.participation.pk)},),
    # the list a village head takes round the village
    "reminders:village_list": (lambda p: {"village": str(p.village.pk), "month": "2026-03"},),
}

# Not pages a person reads.
SKIPPED = {
    "logout": "signs out",
    "set_language": "a POST that sets the cookie",
    "service_worker": "a script",
    "api:api-root": "the API (JSON, api/tests)",
    "api:me": "the API (JSON, api/tests)",
    "api:sync": "the API (JSON, api/tests)",
    "api:receipt_numbers": "the API (JSON, api/tests)",
    "api:receipt_numbers_release": "the API (JSON, api/tests)",
    "api:openapi-json": "the API's schema",
    "api:openapi-view": "django-ninja's documentation page of the API",
    "sync_conflicts:resolve": "a POST (its page is sync_conflicts:list)",
    "registry:import_status": "an import job's progress; the world has no import job",
    "registry:import_errors": "an import job's error report (xlsx); the world has no import job",
    "registry:export_start": "a POST (the export offer's button)",
    "registry:export_status": "an export job's progress (registry/tests/test_export_jobs.py)",
    "registry:export_download": "an export job's file (registry/tests/test_export_jobs.py)",
    "registry:person_data": "a person's own data as JSON (core/tests/test_personal_data.py)",
    "device_revoke": "a POST (the device page's Revoke button)",
    "registry:duplicate_scan": "a POST (the duplicate queue's button)",
    "registry:merge_undo": "a POST (the duplicate queue's Undo button)",
    "registry:merge_reviewed": "a POST (the duplicate queue's Reviewed button)",
}
# The REST API answers JSON to phones (its messages are the actions' own, in both languages).
SKIPPED_PREFIXES = ("admin:", "api:")
ROLES: tuple[Persona | None, ...] = (*Persona, None)  # None: not signed in


def role_name(role: Persona | None) -> str:
    return "anonymous" if role is None else str(role)


def pages(place: Place) -> Iterator[tuple[str, str]]:
    """(URL name, path) of every GET page, with its query variant where it has one."""
    for name in url_names():
        if name.startswith(SKIPPED_PREFIXES) or name in SKIPPED:
            continue
        kwargs = KWARGS[name](place) if name in KWARGS else {}
        path = reverse(name, kwargs=kwargs)
        yield name, path
        for variant in QUERIES.get(name, ()):
            query = "&".join(f"{key}={value}" for key, value in variant(place).items())
            yield name, f"{path}?{query}"


# ---------------------------------------------------------------------------------------------
# What a person sees


class _Visible(HTMLParser):
    """The text of a page a person reads: text nodes outside scripts and styles, and the
    placeholders of inputs."""

    HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        for key, value in attrs:
            if key == "placeholder" and value:
                self.parts.append(value)
        if tag in ("br", "p", "div", "li", "td", "th", "tr", "option", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def visible_text(response: Any) -> str | None:
    """The page's visible text, a PDF's text; None for other downloads."""
    kind = response.get("Content-Type", "")
    if kind.startswith("text/html"):
        parser = _Visible()
        parser.feed(response.content.decode())
        return normalise(" ".join(parser.parts))
    if kind.startswith("application/pdf"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(response.content)
            handle.flush()
            return normalise(subprocess.run(["pdftotext", handle.name, "-"], check=True,
                                            capture_output=True, text=True).stdout)
    return None


# ---------------------------------------------------------------------------------------------
# The catalogue's sentences

_CUT = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\{[^}]*\}\}|<[^>]+>|\n|[:;·()|\"“”]")


def fragments(text: str) -> list[str]:
    """The pieces of a catalogue string with three words or more, cut at placeholders, tags
    and punctuation that need not sit next to the words on a page."""
    found = []
    for piece in _CUT.split(text):
        piece = normalise(piece).strip(" ,.?!—–-")
        if len([w for w in piece.split() if any(c.isalpha() for c in w)]) >= 3:
            found.append(piece)
    return found


@cache
def english_sentences() -> frozenset[str]:
    """English on a Vietnamese page: the msgstr fragments that are not also in the msgid."""
    found: set[str] = set()
    for entry in our_entries():
        for msgstr in entry.msgstrs:
            if msgstr and msgstr != entry.msgid:
                found.update(f for f in fragments(msgstr) if f not in entry.msgid)
    return frozenset(found)


@cache
def vietnamese_sentences() -> frozenset[str]:
    """Vietnamese on an English page: the msgid fragments not also in the English."""
    found: set[str] = set()
    for entry in our_entries():
        english = " ".join(entry.msgstrs)
        for msgid in filter(None, (entry.msgid, entry.plural)):
            found.update(f for f in fragments(msgid) if f not in english)
    return frozenset(found)


def _first_words(text: str) -> tuple[str, ...]:
    return tuple(text.split()[:3])


def findings(text: str, sentences: frozenset[str], data: str) -> list[str]:
    """The sentences that occur in ``text`` and are not data (a person's typed words)."""
    words = text.split()
    starts = {tuple(words[i:i + 3]) for i in range(len(words) - 2)}
    return sorted(s for s in sentences
                  if _first_words(s) in starts and s in text and s not in data)


# Words only Vietnamese spells: a letter with a Vietnamese diacritic or đ.
_VIETNAMESE_LETTER = re.compile(
    "[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE)
# English words no Vietnamese sentence has (short, frequent: a page in English shows some).
# and the words of an English legal reference.
_ENGLISH_WORD = re.compile(
    r"\b(the|of|and|with|for|not|is|are|was|were|this|that|from|Law|Decree|Circular)\b"
    r"|\bArt\.")
_PUNCTUATION = ",.;:()[]?!'\"“”…/—–-"


def vietnamese_words(text: str, data_words: frozenset[str]) -> list[str]:
    """Words of an English page spelt the Vietnamese way that are not data (names, places,
    ethnic groups) nor legal numbers (59/2015/QĐ-TTg, Art. 102(1)(đ))."""
    found = []
    for raw in text.split():
        word = raw.strip(_PUNCTUATION)
        if (_VIETNAMESE_LETTER.search(word) and not any(c.isdigit() for c in word)
                and word not in data_words and word.lower() not in data_words):
            found.append(word)
    return sorted(set(found))


def english_words(text: str) -> str:
    """The English words on a Vietnamese page and where the first one stands; "" if none."""
    matches = list(_ENGLISH_WORD.finditer(text))
    if not matches:
        return ""
    first = matches[0]
    return (f"{sorted({m.group() for m in matches})} in "
            f"{text[max(0, first.start() - 40):first.end() + 40]!r}")


@cache
def stored_codes() -> frozenset[str]:
    """The codes the database stores for people to read as words: every choice value of our
    models (statuses, modes, channels, reasons…) and the reasons the actions write on a status
    change ("enrol", "paid"). Short ones ("M", "F", "vi") are left out: they are letters."""
    from ansinh.participation.models import STATUS_REASONS

    codes = set(STATUS_REASONS)
    for model in apps.get_models():
        if not model._meta.app_config.name.startswith("ansinh."):
            continue
        for field in model._meta.concrete_fields:
            for value, _label in field.flatchoices or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{3,}", value):
                    codes.add(value)
    return frozenset(codes)


def raw_codes(text: str, language: str) -> list[str]:
    """Codes shown as they are stored: any code with an underscore; on a Vietnamese page, any
    code at all (an English word there is a code that escaped its label)."""
    words = {w.strip(_PUNCTUATION) for w in text.split()}
    return sorted(code for code in stored_codes() & words
                  if "_" in code or language == "vi")


def world_data() -> str:
    """Every text value in the database, one per line: names, titles, notes as typed."""
    values: set[str] = set()
    for model in apps.get_models():
        if not model._meta.app_label.startswith(("registry", "network", "outreach", "core",
                                                 "participation", "collection", "retention",
                                                 "reminders", "rules")):
            continue
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField)]
        if fields:
            for row in model._default_manager.values_list(*fields):
                values.update(normalise(v) for v in row if isinstance(v, str) and v)
    return "\n".join(sorted(values))


# ---------------------------------------------------------------------------------------------
# The world, once for the module


@dataclass
class Site:
    world: World
    data: str

    @property
    def data_words(self) -> frozenset[str]:
        from ansinh.registry.reference import ETHNIC_GROUPS

        names = " ".join(name for _code, name in ETHNIC_GROUPS)
        words = f"{self.data} {names}".split()
        return frozenset(w.strip(_PUNCTUATION) for w in words) | frozenset(
            w.strip(_PUNCTUATION).lower() for w in words)


@pytest.fixture(scope="module")
def site(django_db_setup: None, django_db_blocker: Any) -> Iterator[Site]:
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # type: ignore[attr-defined]  # actions' durable blocks run in it
        outer.__enter__()
        try:
            world = build_world()
            yield Site(world, world_data())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def client_for(site: Site, role: Persona | None, language: str) -> Client:
    client = Client(raise_request_exception=False)
    if role is not None:
        client.force_login(site.world.users[role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# PDFs cost a quarter of a second each: one role per PDF is enough (their words do not
# depend on the role); anonymous for the public calculator's sheet.
PDF_ROLES = (Persona.DIRECTOR, None)

# Pages whose other-language words are the point, with the reason.
EXCUSED = {
    ("outreach:leaflet_templates", "en"): "shows the text of the Vietnamese leaflet the office "
                                          "edits and prints",
}


def visit(site: Site, role: Persona | None, language: str) -> tuple[list[str], int]:
    """The findings on every page the role can open in ``language``, and the pages read."""
    client = client_for(site, role, language)
    place = site.world.places[Where.OWN]
    sentences = english_sentences() if language == "vi" else vietnamese_sentences()
    other = "English" if language == "vi" else "untranslated Vietnamese"
    problems: list[str] = []
    read = 0
    data_words = site.data_words
    for name, path in pages(place):
        pdf = path.endswith(".pdf") or ".pdf?" in path or "export=pdf" in path
        if pdf and (language != "vi" or role not in PDF_ROLES):
            continue
        if (name, language) in EXCUSED:
            continue
        response = client.get(path)
        if response.status_code >= 500 or response.status_code == 405:
            continue  # a crash is another test's business; 405: a POST-only URL
        text = visible_text(response)
        if not text:
            continue
        read += 1
        where = f"{name} ({path}) as {role_name(role)} in {language}"
        for sentence in findings(text, sentences, site.data):
            problems.append(f"{where}: {other} {sentence!r}")
        codes = raw_codes(text, language)
        if codes:
            problems.append(f"{where}: codes as stored {codes}")
        if language == "vi":
            if english := english_words(text):
                problems.append(f"{where}: English words {english}")
        else:
            found = vietnamese_words(text, data_words)
            if found:
                problems.append(f"{where}: Vietnamese words {found}")
    return problems, read


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("role", ROLES, ids=role_name)
def test_every_page_is_in_one_language(site: Site, db: None, role: Persona | None,
                                       language: str) -> None:
    problems, read = visit(site, role, language)
    assert read >= (2 if role is None else 20), f"only {read} pages read: is the world broken?"
    assert not problems, f"{len(problems)} strings in the wrong language:\n" + "\n".join(
        problems)


def test_every_get_page_is_visited() -> None:
    """A new page with path arguments needs its record here (or a reason to be skipped)."""
    from django.urls import get_resolver

    missing = []
    for name in url_names():
        if name.startswith(SKIPPED_PREFIXES) or name in SKIPPED or name in KWARGS:
            continue
        try:
            reverse(name)
        except Exception:
            missing.append(name)
    assert get_resolver() is not None
    assert not missing, "give these pages their record in KWARGS: " + ", ".join(missing)


def test_the_checks_see_what_they_look_for() -> None:
    """The matching itself: an English sentence on a Vietnamese page is found, data is not."""
    text = "Căn cứ pháp lý: Law on Social Insurance 41/2024/QH15, Art. 5(6) · Hồ Văn Đức"
    english = frozenset({"Law on Social Insurance", "Legal references used"})
    assert findings(text, english, data="") == ["Law on Social Insurance"]
    assert findings(text, english, data="Law on Social Insurance 41/2024/QH15") == []
    assert english_words(text).startswith("['Art.', 'Law'] in ")
    assert raw_codes("Đăng ký (enrol) · Trả nợ", "vi") == ["enrol"]
    assert raw_codes("Lump sum: wants_lump_sum", "en") == ["wants_lump_sum"]
    assert vietnamese_words("Paid 3 năm · Hồ Văn Đức · 59/2015/QĐ-TTg",
                            frozenset({"Hồ", "Văn", "Đức"})) == ["năm"]
    assert fragments("Đã đủ %(years)d năm để hưởng lương hưu") == ["năm để hưởng lương hưu"]
    assert Path(tempfile.gettempdir()).exists()
