"""Read an import file into rows of cells, or refuse it with a message naming the problem.

Nothing here trusts the file: its size, its encoding, the size its sheet declares and the
place of its last cell are checked before a reader allocates anything for them.

- CSV: UTF-8 (with or without BOM), UTF-16 / UTF-32 (BOM, or UTF-16 without BOM recognised by
  its zero bytes), else Windows-1258 (old Vietnamese Excel). A byte that neither UTF-8 nor
  Windows-1258 defines becomes U+FFFD, and the row holding it in a column the import reads
  gets a row error (`BAD_BYTE`) instead of a traceback. A file that is mostly control bytes is
  not a text file and is refused. The delimiter (, ; or tab) is the one the header line uses
  most; quoting is always Excel's (`""` inside a quoted field is one `"`).
- XLSX: calamine (fast, Rust) reads it, but calamine sizes its table from the sheet's first to
  its last cell: one cell at XFD1048576 makes it allocate 16,384 × 1,048,576 cells (512 GiB)
  and abort the process, which no `except` catches. So the zip is inspected first: the unpacked
  size of its members and their compression ratio (a zip bomb), then the first sheet's XML is
  streamed through expat (no tree kept) to find its declared dimension and its real last row
  and column; beyond the limits, the file is refused before calamine opens it.
- Every text cell is passed through `core.spreadsheet.restore`, so a value our export
  neutralised (`'=…`, `'+84…`) comes back as it was.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from ansinh.core.spreadsheet import restore

MIB = 1024 * 1024
BAD_BYTE = "\ufffd"


@dataclass(frozen=True)
class Limits:
    """How big an import file may be. The page's uploads get `upload_limits()`; the operator's
    CLI (and the bench, which imports a million persons) `OPERATOR`."""

    max_bytes: int
    max_rows: int  # data rows, the header not counted
    # A register has 12 columns in the template; offices add a few working columns.
    max_columns: int = 64
    # The area calamine allocates for an xlsx (about 32 bytes a cell in calamine, then a Python
    # object per cell): 4 million cells is 330,000 rows of the template, ~0.5 GB at most.
    max_xlsx_cells: int = 4_000_000
    # What an xlsx may unpack to: an export of 200,000 persons unpacks to ~90 MB.
    max_unpacked_bytes: int = 512 * MIB
    # Unpacked / packed size of one member above 1 MiB: text XML packs 5 to 30 times; a zip
    # bomb packs a thousand times and more.
    max_ratio: int = 200


def upload_limits() -> Limits:
    """The web upload: a district register of 100,000 persons is ~15 MB of CSV or ~8 MB of
    xlsx; a province's, a million rows, ~160 MB of CSV (an xlsx that large is refused by
    `max_xlsx_cells`: save it as CSV). 256 MB and 1,000,000 rows by default; the page runs the
    import as a background job with a progress bar. Settings change them
    (ANSINH_IMPORT_MAX_MB, ANSINH_IMPORT_MAX_ROWS)."""
    return Limits(max_bytes=settings.ANSINH_IMPORT_MAX_MB * MIB,
                  max_rows=settings.ANSINH_IMPORT_MAX_ROWS)


# The operator's command: `make bench` imports a million persons from CSV (~160 MB).
OPERATOR = Limits(max_bytes=2048 * MIB, max_rows=2_000_000)


class UnusableFile(Exception):
    """The file cannot be read as a register at all (exit status 2)."""


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def read_table(path: Path, limits: Limits | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and data rows of the first sheet / the CSV, text cells restored."""
    limits = limits or upload_limits()
    if not path.exists() or not path.is_file():
        raise UnusableFile(_("Không tìm thấy tệp %(path)s / File not found") % {"path": path})
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UnusableFile(
            _("Tệp quá lớn (%(size)s MB, tối đa %(max)s MB) / "
              "The file is too large (%(size)s MB, at most %(max)s MB)")
            % {"size": _count(size // MIB), "max": _count(limits.max_bytes // MIB)})
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnusableFile(_("Đây là tệp Excel cũ (.xls); hãy lưu lại thành .xlsx / "
                             "This is an old Excel file (.xls); save it as .xlsx"))
    if head.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        table = _read_xlsx(path, limits)
    elif suffix in {".csv", ".txt"}:
        table = _read_csv(path.read_bytes(), limits)
    else:
        raise UnusableFile(
            _("Chỉ nhận tệp .csv hoặc .xlsx / Only .csv and .xlsx files are accepted")
        )
    table = [row for row in table if any(str(cell).strip() for cell in row)]
    if not table:
        raise UnusableFile(_("Tệp trống / The file is empty"))
    if len(table) - 1 > limits.max_rows:
        raise UnusableFile(_too_many_rows(len(table) - 1, limits))
    table = [[restore(cell) if isinstance(cell, str) else cell for cell in row]
             for row in table]
    return [str(cell) for cell in table[0]], table[1:]


def _too_many_rows(rows: int, limits: Limits) -> str:
    return (_("Tệp có quá nhiều dòng (%(n)s, tối đa %(max)s); hãy chia nhỏ tệp / "
              "Too many rows (%(n)s, at most %(max)s); split the file")
            % {"n": _count(rows), "max": _count(limits.max_rows)})


def _not_a_table() -> UnusableFile:
    return UnusableFile(_("Đây không phải tệp CSV hoặc XLSX / This is not a CSV or XLSX file"))


# ---------------------------------------------------------------------------------------------
# CSV

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
# C0 control characters other than tab, LF and CR: text files hold (almost) none.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes) -> str:
    """The file's text; undefined bytes become U+FFFD (the rows holding them get an error)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    sample = data[:4096]
    if len(sample) >= 4:
        odd_zeros = sample[1::2].count(0) / len(sample[1::2])
        even_zeros = sample[0::2].count(0) / len(sample[0::2])
        # UTF-16 without BOM: the ASCII of the header leaves a zero in every other byte
        if odd_zeros > 0.4 and even_zeros < 0.05:
            return data.decode("utf-16-le", errors="replace")
        if even_zeros > 0.4 and odd_zeros < 0.05:
            return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    utf8 = data.decode("utf-8", errors="replace")
    bad = utf8.count(BAD_BYTE)
    good = sum(1 for char in utf8 if char > "\x7f" and char != BAD_BYTE)
    if good > bad:
        return utf8  # UTF-8 with a few broken bytes: their rows get an error
    # Old Vietnamese Excel CSVs: Windows-1258 with combining tone marks; NFC fixes them later.
    return data.decode("cp1258", errors="replace")


def _read_csv(data: bytes, limits: Limits) -> list[list[str]]:
    text = decode(data)
    sample = text[:65536]
    if sample and (len(_CONTROL.findall(sample)) + sample.count(BAD_BYTE)) > len(sample) / 20:
        raise _not_a_table()
    first_line = sample.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    if text.count(delimiter) > (limits.max_rows + 1) * limits.max_columns:
        # a file of commas: the reader would make a list of millions of empty cells
        raise UnusableFile(_("Tệp có quá nhiều ô / The file has too many cells"))
    # the reader's own cap on a cell (131,072) would stop the whole file at a long cell;
    # the file's size is bounded above, and a long cell is a row error (importing.py)
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_bytes))
    table: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        for row in reader:
            if len(row) > limits.max_columns:
                if any(cell.strip() for cell in row[limits.max_columns:]):
                    raise UnusableFile(_too_many_columns(len(row), limits, reader.line_num))
                del row[limits.max_columns:]
            table.append(row)
            if len(table) > limits.max_rows + 1:
                raise UnusableFile(_too_many_rows(len(table) - 1, limits))
    except csv.Error as exc:
        raise UnusableFile(
            _("Không đọc được dòng %(line)s của tệp CSV / Line %(line)s of the CSV cannot be "
              "read: %(e)s") % {"line": reader.line_num, "e": exc}) from exc
    return table


def _too_many_columns(columns: int, limits: Limits, line: int | str) -> str:
    return (_("Dòng %(line)s có %(n)s cột, tối đa %(max)s / "
              "Line %(line)s has %(n)s columns, at most %(max)s")
            % {"line": line, "n": _count(columns), "max": limits.max_columns})


# ---------------------------------------------------------------------------------------------
# XLSX

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL = re.compile(r"([A-Za-z]{1,8})(\d{1,12})")


def _read_xlsx(path: Path, limits: Limits) -> list[list[Any]]:
    inspect_xlsx(path, limits)
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        table: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise UnusableFile(
            _("Không đọc được tệp Excel / The Excel file cannot be read: %(e)s") % {"e": exc}
        ) from exc
    return table


def _damaged(detail: object) -> UnusableFile:
    return UnusableFile(_("Tệp Excel bị hỏng hoặc không phải .xlsx / The Excel file is damaged "
                          "or not an .xlsx: %(e)s") % {"e": detail})


def inspect_xlsx(path: Path, limits: Limits) -> None:
    """Refuse an xlsx whose reading would take more memory than the limits allow."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError,
            NotImplementedError) as exc:  # NotImplemented: a zip version Python cannot read
        raise _damaged(exc) from exc
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if len(members) > 10_000 or unpacked > limits.max_unpacked_bytes:
            raise UnusableFile(
                _("Tệp Excel giải nén ra quá lớn (%(size)s MB, tối đa %(max)s MB) / The Excel "
                  "file unpacks to too much (%(size)s MB, at most %(max)s MB)")
                % {"size": _count(unpacked // MIB),
                   "max": _count(limits.max_unpacked_bytes // MIB)})
        for member in members:
            if member.file_size > MIB and member.file_size > limits.max_ratio * max(
                    1, member.compress_size):
                raise UnusableFile(
                    _("Tệp Excel nén bất thường (%(name)s nén %(ratio)s lần); có thể là bom nén / "
                      "The Excel file is compressed abnormally (%(name)s, %(ratio)s times); "
                      "possibly a zip bomb")
                    % {"name": member.filename,
                       "ratio": _count(member.file_size // max(1, member.compress_size))})
        try:
            _check_shared_strings(archive, limits)
            for sheet in _first_sheet(archive):
                _scan_sheet(archive, sheet, limits)
        except UnusableFile:
            raise
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, zlib.error,
                ElementTree.ParseError, expat.ExpatError, RuntimeError,
                NotImplementedError) as exc:  # RuntimeError: encrypted; NotImplemented: method
            raise _damaged(exc) from exc


def _first_sheet(archive: zipfile.ZipFile) -> list[str]:
    """The members calamine may read as sheet 0: the target of the workbook's first <sheet>,
    through its relation; every target when the relation's Id is repeated (calamine keeps one
    of them, not necessarily the first)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise _damaged("xl/workbook.xml")
    workbook = ElementTree.fromstring(_read_small(archive, "xl/workbook.xml"))
    first = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if first is None or not first.get(_REL_ID):
        raise _damaged(_("không có trang tính / no worksheet"))
    rels = ElementTree.fromstring(_read_small(archive, "xl/_rels/workbook.xml.rels"))
    members = []
    for relation in rels.iter(f"{_PACKAGE_RELS}Relationship"):
        if relation.get("Id") == first.get(_REL_ID):
            target = relation.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            if member in names:
                members.append(member)
    if not members:
        raise _damaged(_("không có trang tính / no worksheet"))
    return members


_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*>")
_SST_COUNT = re.compile(rb"""\b(?:count|uniqueCount)\s*=\s*["']\s*(\d+)""")


def _check_shared_strings(archive: zipfile.ZipFile, limits: Limits) -> None:
    """calamine reserves room for the number of shared strings the file declares (24 bytes
    each): uniqueCount="4000000000" made it ask for 96 GB and abort. No more strings than
    cells are needed."""
    for name in archive.namelist():
        if "sharedstrings" not in name.lower():
            continue
        with archive.open(name) as handle:
            head = handle.read(65536)
        root = _SST.search(head)
        for declared in _SST_COUNT.findall(root.group(0) if root else b""):
            if int(declared) > limits.max_xlsx_cells:
                raise UnusableFile(
                    _("Tệp Excel khai báo %(n)s chuỗi (tối đa %(max)s) / The Excel file declares "
                      "%(n)s strings (at most %(max)s)")
                    % {"n": _count(int(declared)), "max": _count(limits.max_xlsx_cells)})


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    """A small part of the package (workbook, relations): 10 MB at most."""
    with archive.open(name) as handle:
        data = handle.read(10 * MIB + 1)
    if len(data) > 10 * MIB:
        raise _damaged(name)
    return data


class _TooLarge(Exception):
    pass


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _scan_sheet(archive: zipfile.ZipFile, member: str, limits: Limits) -> None:
    """Refuse a sheet that declares, or really reaches, beyond the limits."""
    try:
        if not _scan_fast(archive, member, limits):
            _scan_exact(archive, member, limits)
    except _TooLarge as exc:
        raise UnusableFile(
            _("Trang tính quá lớn: có ô tới %(cell)s (tối đa %(rows)s dòng, %(columns)s cột, "
              "%(cells)s ô) / The sheet is too large: it reaches cell %(cell)s (at most %(rows)s "
              "rows, %(columns)s columns, %(cells)s cells)")
            % {"cell": str(exc)[:20], "rows": _count(limits.max_rows),
               "columns": limits.max_columns, "cells": _count(limits.max_xlsx_cells)}) from None


def _check_extent(reference: str, rows: int, columns: int, limits: Limits) -> None:
    if columns > limits.max_columns or rows > limits.max_rows + 1 or (
            rows * columns > limits.max_xlsx_cells):
        raise _TooLarge(reference)


def _chunks_of(archive: zipfile.ZipFile, member: str, limits: Limits) -> Any:
    """The member's bytes in pieces that end at a '>' (no tag is cut in two)."""
    read = 0
    carry = b""
    with archive.open(member) as handle:
        while chunk := handle.read(MIB):
            read += len(chunk)
            if read > limits.max_unpacked_bytes:
                raise UnusableFile(_("Trang tính quá lớn / The sheet is too large"))
            buffer = carry + chunk
            cut = buffer.rfind(b">") + 1
            yield buffer[:cut]
            carry = buffer[cut:]
    yield carry


_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r")
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s>/]")
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")


def _scan_fast(archive: zipfile.ZipFile, member: str, limits: Limits) -> bool:
    """The usual sheet, every cell written `<c r="B7" …>` (Excel, LibreOffice, openpyxl): its
    extent from one regular expression, 0.8 s for 100,000 rows. False when any cell is written
    otherwise (no r, a prefix, other attribute order): the exact scan then decides."""
    rows = columns = 0
    last = ""
    for piece in _chunks_of(archive, member, limits):
        for declared in _DIMENSION.findall(piece):
            _check_dimension(declared.decode("ascii", "replace"), limits)
        if _PREFIXED_CELL.search(piece):
            return False
        references = _FAST_CELL.findall(piece)
        if sum(piece.count(tag) for tag in _CELL_TAGS) != len(references):
            return False
        if references:
            letters = max(references, key=lambda ref: (len(ref[0]), ref[0]))[0]
            columns = max(columns, _column_number(letters.decode()))
            highest = max(int(number) for _letters, number in references)
            if highest > rows:
                rows, last = highest, f"{letters.decode()}{highest}"
            _check_extent(last or letters.decode(), rows, columns, limits)
    return True


def _check_dimension(reference: str, limits: Limits) -> None:
    found = _CELL.fullmatch(reference.rpartition(":")[2])
    if found:
        _check_extent(found.group(0), int(found.group(2)), _column_number(found.group(1)),
                      limits)


def _scan_exact(archive: zipfile.ZipFile, member: str, limits: Limits) -> None:
    """Any sheet, through expat (no tree kept): a cell without r follows the one before it."""
    state = {"row": 0, "column": 0, "rows": 0, "columns": 0}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if local == "c":
            found = _CELL.fullmatch(attributes.get("r", ""))
            if found:
                state["column"] = _column_number(found.group(1))
                state["row"] = max(state["row"], int(found.group(2)))
            else:
                state["column"] += 1
            state["columns"] = max(state["columns"], state["column"])
            state["rows"] = max(state["rows"], state["row"])
            _check_extent(attributes.get("r") or f"R{state['row']}C{state['column']}",
                          state["rows"], state["columns"], limits)
        elif local == "row":
            reference = attributes.get("r", "")
            state["row"] = int(reference) if reference.isdigit() else state["row"] + 1
            state["column"] = 0
        elif local == "dimension":
            _check_dimension(attributes.get("ref", ""), limits)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    for piece in _chunks_of(archive, member, limits):
        parser.Parse(piece, False)
    parser.Parse(b"", True)
