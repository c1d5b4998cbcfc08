"""A table as the pages show it, and the same table as an xlsx workbook or an A4 PDF.

Reports and the network pages build a `Table` once; the HTML page, the xlsx export (openpyxl
write_only) and the PDF (WeasyPrint, Noto Sans named explicitly so diacritics render) all read
it, so the exported numbers are the page's numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import Office
from .pdf import pdf_response
from .spreadsheet import add_sheet, cell, workbook
from .templatetags.money import decimal_text, format_count, format_vnd, percent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Column:
    title: str
    kind: str = "text"  # text | int | money | ratio | decimal | date | bar


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    subtitle: str = ""
    notes: list[str] = field(default_factory=list)
    footer: list[Any] | None = None
    office: Office | None = None  # whose heading and signatures the PDF carries

    def display_rows(self) -> list[list[tuple[str, str]]]:
        """(css class, text) per cell, formatted the page's way."""
        return [[(column.kind, display(value, column.kind))
                 for column, value in zip(self.columns, row, strict=True)]
                for row in self.all_rows()]

    def all_rows(self) -> list[list[Any]]:
        return self.rows + ([self.footer] if self.footer else [])


def display(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if value == "":
        return ""
    if kind == "money":
        return format_vnd(int(value))
    if kind == "ratio":
        return percent(value)
    if kind == "int" or kind == "bar":
        return format_count(int(value))
    if kind == "decimal":
        return decimal_text(format(Decimal(value), "f"))
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# Numbers are written as numbers with a format, so that Excel sorts and sums them; the
# format shows them as the page does (Excel puts the reader's own separators in).
NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0", "ratio": "0.0%", "decimal": "0.0#",
                  "date": "DD/MM/YYYY"}


def xlsx_columns(table: Table) -> list[int]:
    """The columns an xlsx holds: all but the bars, which are a drawing of the ratio beside
    them, not a figure."""
    return [index for index, column in enumerate(table.columns) if column.kind != "bar"]


def bold_cells(sheet: Any, titles: Iterable[object]) -> list[Any]:
    """A row of bold cells for a write-only sheet: a table's title, its column headers."""
    from openpyxl.styles import Font

    cells = []
    for title in titles:
        bold = cell(sheet, title)
        bold.font = Font(bold=True)
        cells.append(bold)
    return cells


def xlsx_bytes(table: Table) -> bytes:
    book = workbook()
    sheet = add_sheet(book, _sheet_name(table.title))
    kept = xlsx_columns(table)
    sheet.append(bold_cells(sheet, [table.title]))
    if table.subtitle:
        sheet.append([table.subtitle])
    sheet.append([])
    sheet.append(bold_cells(sheet, (table.columns[index].title for index in kept)))
    for row in table.all_rows():
        cells = []
        for index in kept:
            kind = table.columns[index].kind
            value = cell(sheet, _excel_value(row[index], kind))
            if kind in NUMBER_FORMATS:
                value.number_format = NUMBER_FORMATS[kind]
            cells.append(value)
        sheet.append(cells)
    for note in table.notes:
        sheet.append([note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _excel_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind in ("int", "money"):
        return int(value)
    if kind in ("ratio", "decimal"):
        return float(value)
    if kind == "text" and not isinstance(value, str):
        return str(value)
    return value


def _sheet_name(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31] or "Bang"


def table_context(table: Table, extra: dict[str, Any] | None = None,
                  request: HttpRequest | None = None) -> dict[str, Any]:
    """What the printable table template needs: the table, and for the shared report heading
    and signatures (`core/_report_head.html`, `core/_report_signatures.html`) the office, the
    day and who printed it."""
    user = getattr(request, "user", None)
    signed_in = user if user is not None and user.is_authenticated else None
    return {"table": table, "printed_on": timezone.localdate(),
            "office": table.office or (signed_in.office if signed_in else None),
            "printed_by": signed_in.display_name if signed_in else "", **(extra or {})}


def export_response(table: Table, export: str, filename: str,
                    request: HttpRequest | None = None) -> HttpResponse:
    """The table as an xlsx or PDF download (`export` is "xlsx" or "pdf")."""
    if export == "xlsx":
        response = HttpResponse(xlsx_bytes(table), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    return pdf_response(request, "core/table_pdf.html",
                        table_context(table, request=request), filename)
