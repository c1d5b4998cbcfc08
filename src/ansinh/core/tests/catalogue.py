"""Our English catalogue read as data, and the Vietnamese catalogues of Django and of every
installed app: what the language tests (test_msgid_collisions, test_page_language) compare.

A small reader of the .po format (no polib dependency): msgctxt, msgid, msgid_plural,
msgstr / msgstr[n], continued strings, and the usual escapes."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings

EN_PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


@dataclass(frozen=True)
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    msgstrs: tuple[str, ...]
    obsolete: bool = False

    @property
    def msgstr(self) -> str:
        return self.msgstrs[0] if self.msgstrs else ""


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


def read_po(path: Path = EN_PO) -> list[Entry]:
    """Every entry of a .po file (the header excluded), in file order."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    current: str | None = None
    obsolete = False

    def flush() -> None:
        nonlocal fields, current, obsolete
        if fields.get("msgid"):
            strs = tuple(value for key, value in sorted(fields.items())
                         if key.startswith("msgstr"))
            entries.append(Entry(fields.get("msgctxt"), fields["msgid"],
                                 fields.get("msgid_plural"), strs, obsolete))
        fields, current, obsolete = {}, None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            line, obsolete = line[2:].strip(), True
        if not line or line.startswith("#"):
            if current is not None and current.startswith("msgstr") and not line.startswith("#~"):
                flush()
            continue
        match = _KEYWORD.match(line)
        if match:
            key, text = match.groups()
            if key in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
                flush()
            current = key
            fields[key] = ast.literal_eval(text)
        elif line.startswith('"') and current is not None:
            fields[current] += ast.literal_eval(line)
    flush()
    return entries


@cache
def our_entries() -> tuple[Entry, ...]:
    return tuple(entry for entry in read_po() if not entry.obsolete)


def vietnamese_catalogues() -> list[Path]:
    """The compiled Vietnamese catalogues of Django itself and of every installed app other
    than ours (contrib apps, third-party apps): the ones that translate an English-looking
    msgid of ours behind our back."""
    import django

    found = sorted((Path(django.__file__).parent / "conf" / "locale" / "vi" / "LC_MESSAGES")
                   .glob("*.mo"))
    for config in apps.get_app_configs():
        if config.name.startswith("ansinh"):
            continue
        found += sorted((Path(config.path) / "locale" / "vi" / "LC_MESSAGES").glob("*.mo"))
    return found


@cache
def foreign_vietnamese() -> dict[str, Path]:
    """msgid (without context; a plural msgid under its singular) → the catalogue
    translating it."""
    translated: dict[str, Path] = {}
    for path in vietnamese_catalogues():
        with path.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)
        for key, value in catalogue._catalog.items():  # type: ignore[attr-defined]
            msgid = key[0] if isinstance(key, tuple) else key
            if not msgid or "\x04" in msgid or not value:
                continue  # the header, a msgid with a context, an empty translation
            translated.setdefault(msgid, path)
    return translated
