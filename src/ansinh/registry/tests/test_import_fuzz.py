"""Fuzzing the register import with Hypothesis: generated files of every encoding and type
(CSV in UTF-8, UTF-8 with BOM, UTF-16, Windows-1258; xlsx made by openpyxl, truncated, with a
huge declared or real extent; random bytes), with formula prefixes, NUL bytes, long cells and
quotes, some bytes flipped. Each import must end in a clean refusal (UnusableFile with a
message) or a result whose rows each land in one count, never another exception; a refused or
dry-run import must leave the register exactly as it was (row counts and a checksum)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ansinh.core.models import AuditEntry
from ansinh.registry.exporting import template_headers
from ansinh.registry.importing import UnusableFile, import_persons
from ansinh.registry.models import Household, HouseholdPoverty, Person, Village

from .test_import import _windows_1258

GOOD = ["Hồ Thị Hoa", "12/05/1990", "Nữ", "046190001111", "", "Tà Ôi", "0912345678", "FZ-H1",
        "A Ka", "A Lưới 1", "Hộ nghèo", "Chưa tham gia"]

hostile_text = st.one_of(
    st.sampled_from(['=HYPERLINK("http://x","a")', "+84912345678", "-", "@SUM(A1)", "\t=1",
                     "\r=1", "'=1", 'Nguyễn "Tí" Văn', '"', '""', ",", ";", "\n", "\x00",
                     "Hồ\x00Hoa", "Hồ\x01Hoa", "\ufffd", "\u202e", "A Ka", "A Lưới 1", "Nam",
                     "1990", "31/02/1990", "0001-01-01", "9999-12-31"]),
    st.builds(lambda char, size: char * size, st.sampled_from("AĂ0'=\""),
              st.integers(100, 40_000)),
    st.text(max_size=40),
)
cell = st.one_of(hostile_text, st.integers(-10**20, 10**20), st.floats(allow_nan=False))
row = st.lists(st.tuples(st.integers(0, 13), cell), max_size=4).map(
    lambda changes: _changed(changes))


def _changed(changes: list[tuple[int, Any]]) -> list[Any]:
    values: list[Any] = list(GOOD)
    for position, value in changes:
        if position < len(values):
            values[position] = value
        else:
            values.append(value)
    return values


def _csv_text(rows: list[list[Any]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(template_headers())
    writer.writerows(rows)
    return buffer.getvalue()


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        return _windows_1258(_cp1258_safe(text))
    return text.encode(encoding, errors="surrogatepass")


def _cp1258_safe(text: str) -> str:
    """What Windows-1258 can hold of the text (the rest as '?')."""
    out = []
    for char in text:
        try:
            _windows_1258(char)
            out.append(char)
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def _xlsx(rows: list[list[Any]], corner: str | None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(template_headers())
    for values in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                      for value in values])
    if corner:
        sheet[corner] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_shared_strings(data: bytes, declared: int) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="http://schemas.openxmlformats.org/'
                         f'spreadsheetml/2006/main" count="{declared}" '
                         f'uniqueCount="{declared}"><si><t>a</t></si></sst>')
    return buffer.getvalue()


@st.composite
def import_file(draw: Any) -> tuple[str, bytes]:
    rows = draw(st.lists(row, max_size=6))
    kind = draw(st.sampled_from(["csv", "csv", "csv", "xlsx", "xlsx", "truncated", "huge",
                                 "strings", "random"]))
    if kind == "random":
        return draw(st.sampled_from([".csv", ".xlsx"])), draw(st.binary(max_size=3000))
    if kind == "csv":
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                         "cp1258"]))
        text = _csv_text(rows, draw(st.sampled_from([",", ";", "\t"])))
        try:
            data = _encode(text, encoding)
        except UnicodeEncodeError:  # a lone surrogate: UTF-8 cannot hold it either
            data = text.encode("utf-8", errors="replace")
        suffix = ".csv"
    else:
        corner = draw(st.sampled_from(["XFD1048576", "A1048576", "BM2", "AAA3"])) \
            if kind == "huge" else None
        data = _xlsx(rows, corner)
        suffix = ".xlsx"
        if kind == "strings":  # calamine reserves room for the declared count
            data = _with_shared_strings(data, draw(st.integers(0, 10**10)))
        if kind == "truncated":  # (fractions: an xlsx's length changes with its timestamps)
            data = data[:int(draw(st.floats(0, 0.999)) * len(data))]
    flips = draw(st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 255)), max_size=3))
    if data and flips:
        mutable = bytearray(data)
        for where, value in flips:
            mutable[int(where * len(data))] = value
        data = bytes(mutable)
    return suffix, data


def _fingerprint() -> tuple[Any, ...]:
    digest = hashlib.sha256()
    for values in Person.objects.order_by("id").values_list(
            "id", "full_name", "birth_date", "sex", "national_id", "si_number", "phone",
            "household_id", "village_id", "si_status", "ethnicity", "local_group"):
        digest.update(repr(values).encode())
    return (Person.objects.count(), Household.objects.count(),
            HouseholdPoverty.objects.count(), AuditEntry.objects.count(), digest.hexdigest())


@pytest.mark.django_db(transaction=False)
def test_generated_import_files_never_crash_and_never_half_import(
        world: dict[str, Any], tmp_path: Path) -> None:
    territory = Village.objects.all()
    tried = {"refused": 0, "imported": 0, "not written": 0}

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(file=import_file(), dry_run=st.booleans(), skip_invalid=st.booleans())
    def attempt(file: tuple[str, bytes], dry_run: bool, skip_invalid: bool) -> None:
        suffix, data = file
        path = tmp_path / f"fuzz{suffix}"
        path.write_bytes(data)
        with transaction.atomic():  # each example starts from the same register
            before = _fingerprint()
            refusal = ""
            try:
                result = import_persons(path, territory=territory, dry_run=dry_run,
                                        skip_invalid=skip_invalid)
            except UnusableFile as refused:
                refusal = str(refused)
            if refusal:
                assert " / " in refusal  # Vietnamese / English
                assert _fingerprint() == before
                tried["refused"] += 1
            else:
                assert result.read == (result.created + result.updated + result.unchanged
                                       + result.invalid + result.held), result.as_dict()
                assert all(error.reason for error in result.errors)
                if result.imported:
                    assert not dry_run and (skip_invalid or not result.invalid)
                    tried["imported"] += 1
                else:
                    assert _fingerprint() == before
                    tried["not written"] += 1
            transaction.set_rollback(True)

    attempt()
    print(f"fuzz: {tried}")
    assert tried["refused"] and tried["imported"] and tried["not written"]
