"""Export the register in the import template, and write import error reports."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from ansinh.core.personal import FULL, Shown
from ansinh.core.spreadsheet import add_sheet, cell, csv_writer, workbook
from ansinh.core.tables import bold_cells

from .columns import COLUMNS
from .importing import RowError
from .models import HouseholdPoverty, Person, PovertyStatus, SIStatus
from .reference import ETHNIC_GROUPS

_ETHNIC_NAMES = dict(ETHNIC_GROUPS)
_POVERTY_LABELS = {
    PovertyStatus.POOR: "Hộ nghèo",
    PovertyStatus.NEAR_POOR: "Hộ cận nghèo",
    PovertyStatus.NONE: "",
}
# File values are Vietnamese whatever the interface language, so files round-trip.
_SI_LABELS: dict[str, str] = {
    SIStatus.NONE: "Chưa tham gia", SIStatus.COMPULSORY: "BHXH bắt buộc",
    SIStatus.VOLUNTARY: "BHXH tự nguyện", SIStatus.PENSIONER: "Đang hưởng lương hưu",
    SIStatus.LUMP_SUM: "Đã hưởng BHXH một lần", SIStatus.MOVED: "Chuyển đi",
    SIStatus.DECEASED: "Đã mất",
}


def template_headers() -> list[str]:
    return [column.header for column in COLUMNS]


def person_rows(persons: QuerySet[Person], shown: Shown = FULL) -> Iterator[list[str]]:
    """One list of cell texts per person, in template column order (one query, streamed);
    national IDs, SI numbers, phones and birth dates as `shown` lets the reader see them."""
    latest = HouseholdPoverty.objects.filter(household=OuterRef("household_id")).order_by("-year")
    rows = (
        persons.order_by("village__commune__code", "village__code", "name_folded", "id")
        .annotate(poverty=Subquery(latest.values("status")[:1]))
        .values_list(
            "full_name", "birth_date", "birth_year_only", "sex", "national_id", "si_number",
            "ethnicity", "local_group", "phone", "household__code", "village__name",
            "village__commune__name", "poverty", "si_status",
        )
    )
    for (name, born, year_only, sex, national_id, si_number, ethnicity, local_group, phone,
         household, village, commune, poverty, si_status) in rows.iterator(chunk_size=10_000):
        yield [
            name,
            shown.birth(born, year_only),
            "Nam" if sex == "M" else "Nữ",
            shown.national_id(national_id),
            shown.national_id(si_number),
            local_group or _ETHNIC_NAMES[ethnicity],
            shown.phone(phone),
            household or "",
            village,
            commune,
            _POVERTY_LABELS[poverty or PovertyStatus.NONE],
            _SI_LABELS[si_status],
        ]


def _xlsx_book(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[Any, int]:
    book = workbook()
    sheet = add_sheet(book, "Danh sach")
    for letter, title in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", header, strict=False):
        sheet.column_dimensions[letter].width = max(12, min(30, len(title) + 4))
    sheet.append(bold_cells(sheet, header))
    count = 0
    for row in rows:
        cells = []
        for value in row:
            text = cell(sheet, str(value) if value is not None else "")
            text.number_format = "@"
            cells.append(text)
        sheet.append(cells)
        count += 1
    return book, count


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    """The table as an xlsx workbook (write_only) and its row count. Every cell is a text cell
    (format "@"), so Excel keeps the leading 0 of national IDs and phones, also when a user
    edits a cell and the file comes back as an import. Text that a spreadsheet would run as a
    formula is neutralised (core.spreadsheet); the import restores it."""
    book, count = _xlsx_book(header, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """XLSX (text cells, as `xlsx_bytes`; saved straight to the file, so a large export never
    sits in memory) or CSV (UTF-8 with BOM, so Excel shows diacritics) by the file's suffix.
    CSV is for other programs: Excel opening it drops the leading 0 of IDs."""
    if path.suffix.lower() == ".xlsx":
        book, count = _xlsx_book(header, rows)
        book.save(path)
        return count
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def export_persons(path: Path, persons: QuerySet[Person]) -> int:
    return write_table(path, template_headers(), person_rows(persons))


def write_error_report(path: Path, errors: Iterable[RowError]) -> int:
    header = [_("Dòng / Row"), _("Cột / Column"), _("Lý do / Reason")]
    titles = {column.key: column.header for column in COLUMNS}
    return write_table(
        path, header,
        ([error.row, titles.get(error.column, error.column), error.reason] for error in errors),
    )
