"""Hostile and careless import files: each is refused whole with a message naming the problem,
or read row by row with row errors; an export imported again is an exact round trip."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ansinh.core.spreadsheet import csv_writer
from ansinh.core.text import fold
from ansinh.registry.exporting import export_persons, template_headers
from ansinh.registry.importing import UnusableFile, import_persons
from ansinh.registry.models import Person, Village
from ansinh.registry.reading import Limits, read_table

from .test_import import GOOD, _snapshot, _windows_1258

ROW = ["Hồ Thị Hoa", "12/05/1990", "Nữ", "", "", "Kinh", "0912345678", "", "A Ka", "A Lưới 1",
       "", ""]
KEYS = ["full_name", "birth_date", "sex", "national_id", "si_number", "ethnicity", "phone",
        "household_code", "village", "commune", "poverty_status", "si_status"]


def _row(**changes: str) -> list[str]:
    row = list(ROW)
    for key, value in changes.items():
        row[KEYS.index(key)] = value
    return row


def _csv(rows: list[list[str]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(template_headers())
    writer.writerows(rows)
    return buffer.getvalue()


def _import(path: Path, **options: Any) -> Any:
    return import_persons(path, territory=Village.objects.all(), **options)


HOSTILE_NAMES = ['=HYPERLINK("http://x.example","a")', "+Hoa", "-", "@Hoa", "'=Hoa",
                 "''", 'Nguyễn "Tí" Văn', "Lê, Văn; Tám"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_hostile_values_make_an_exact_round_trip(world: dict[str, Any], tmp_path: Path,
                                                 suffix: str) -> None:
    persons = Person.objects.exclude(national_id=None).order_by("id")[:len(HOSTILE_NAMES)]
    for person, name in zip(list(persons), HOSTILE_NAMES, strict=True):
        Person.objects.filter(pk=person.pk).update(full_name=name, name_folded=fold(name),
                                                   phone="+84912345678")
    path = tmp_path / f"register{suffix}"
    export_persons(path, Person.objects.all())
    before = _snapshot()
    result = _import(path)
    assert result.invalid == 0, result.errors[:3]
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
    assert _snapshot() == before
    names = set(Person.objects.values_list("full_name", flat=True))
    assert set(HOSTILE_NAMES) <= names


@pytest.mark.parametrize("url", ["/so-doi-tuong/xuat.csv", "/so-doi-tuong/xuat.xlsx"])
def test_the_page_downloads_are_neutralised_and_import_back_exactly(
        client: Any, director: Any, tmp_path: Path, url: str) -> None:
    person = Person.objects.exclude(national_id=None).order_by("id").first()
    assert person is not None
    name = '=HYPERLINK("http://x.example","a")'
    Person.objects.filter(pk=person.pk).update(full_name=name, name_folded=fold(name))
    client.force_login(director)
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if url.endswith(".xlsx"):
        from openpyxl import load_workbook

        cells = [cell for row in load_workbook(io.BytesIO(content)).active.iter_rows()
                 for cell in row]
        assert all(cell.data_type != "f" for cell in cells)
        assert "'" + name in [cell.value for cell in cells]
    else:
        assert ("'" + name.replace('"', '""')).encode() in content
    path = tmp_path / f"download{Path(url).suffix}"
    path.write_bytes(content)
    before = _snapshot()
    result = _import(path)
    assert result.invalid == 0 and result.unchanged == len(before)
    assert _snapshot() == before


def test_a_quoted_name_is_one_person_with_that_name(world: dict[str, Any],
                                                    tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text(_csv([_row(full_name='Nguyễn "Tí" Văn', national_id="046190001111")]),
                    encoding="utf-8")
    count = Person.objects.count()
    assert _import(path).created == 1
    assert _import(path).unchanged == 1  # the second time it is the same person
    assert Person.objects.count() == count + 1
    assert Person.objects.get(national_id="046190001111").full_name == 'Nguyễn "Tí" Văn'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32"])
def test_unicode_encodings_read_the_same(world: dict[str, Any], tmp_path: Path,
                                         encoding: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(_csv([GOOD]).encode(encoding))
    result = _import(path, dry_run=True)
    assert (result.invalid, result.created) == (0, 1), result.errors


def test_mac_line_endings_and_semicolons(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(_csv([GOOD]).replace(",", ";").replace("\r\n", "\r").encode("utf-8"))
    result = _import(path, dry_run=True)
    assert (result.invalid, result.created) == (0, 1), result.errors


def test_a_byte_undefined_in_windows_1258_is_a_row_error(world: dict[str, Any],
                                                         tmp_path: Path) -> None:
    text = _windows_1258(_csv([_row(full_name="Hoa"), _row(full_name="Lan")]))
    path = tmp_path / "f.csv"
    path.write_bytes(text.replace(b"Lan", b"L\xecn\x8d"))  # 0x8D: undefined in cp1258
    before = _snapshot()
    result = _import(path)
    assert [(error.row, error.column) for error in result.errors] == [(3, "full_name")]
    assert "Windows-1258" in result.errors[0].reason
    assert not result.imported and _snapshot() == before


@pytest.mark.parametrize(("column", "value"), [
    ("full_name", "Ă" * 32_000), ("full_name", "A" * 1_000_000), ("full_name", "Hồ\x00Hoa"),
    ("full_name", "Hồ\x01Hoa"), ("full_name", "A" * 151), ("phone", "0" * 40),
    ("household_code", "H" * 31), ("village", "A Ka\x00"), ("national_id", "0" * 300),
])
def test_a_cell_the_database_cannot_hold_is_a_row_error(world: dict[str, Any], tmp_path: Path,
                                                        column: str, value: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(_csv([_row(full_name="Hoa Một"), _row(**{column: value})]),
                    encoding="utf-8")
    before = _snapshot()
    result = _import(path)
    assert [(error.row, error.column) for error in result.errors] == [(3, column)]
    assert not result.imported and _snapshot() == before
    skipped = _import(path, skip_invalid=True)
    assert (skipped.created, skipped.invalid) == (1, 1)


def _refused(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(UnusableFile) as refused:
        read_table(path, limits)
    return str(refused.value)


def test_random_bytes_are_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(bytes(range(256)) * 40)
    assert "not a CSV or XLSX" in _refused(path)
    path = tmp_path / "f.xlsx"
    path.write_bytes(os.urandom(5000))
    assert "damaged or not an .xlsx" in _refused(path)
    path = tmp_path / "old.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(500))
    assert ".xls" in _refused(path)


def test_a_sheet_reaching_xfd1048576_is_refused_before_it_is_read(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(template_headers())
    workbook.active["XFD1048576"] = "x"
    path = tmp_path / "huge.xlsx"
    workbook.save(path)
    assert "XFD1048576" in _refused(path)  # calamine would allocate 512 GiB and abort


def test_a_declared_dimension_beyond_the_limits_is_refused(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(template_headers())
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    _rewrite_sheet(path, lambda xml: xml.replace(b'ref="A1:L1"', b'ref="A1:ZZ900000"'))
    assert "ZZ900000" in _refused(path)


def _rewrite_sheet(path: Path, change: Any) -> None:
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(data) if "worksheets/sheet" in info.filename else data)


def test_cells_without_references_are_counted_too(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(template_headers())
    workbook.active.append(["x"] * 100)
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    _rewrite_sheet(path, lambda xml: xml.replace(b' r="', b' data-r="'))
    assert "64" in _refused(path)


def test_a_huge_sheet_behind_a_repeated_relation_id_is_refused(tmp_path: Path) -> None:
    """Two relations with the first sheet's Id, the second to a huge sheet: calamine may keep
    either, so both are inspected."""
    workbook = Workbook()
    workbook.active.append(template_headers())
    workbook.create_sheet("b")["XFD1048576"] = "x"
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in parts:
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b'Id="rId2"', b'Id="rId1"')
                assert data.count(b'Id="rId1"') == 2
            target.writestr(info, data)
    assert "XFD1048576" in _refused(path)


def test_a_huge_shared_string_count_is_refused(tmp_path: Path) -> None:
    """calamine reserved 24 bytes per declared string: 96 GB here, then aborted."""
    workbook = Workbook()
    workbook.active.append(template_headers())
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/'
                         'spreadsheetml/2006/main" count="1" uniqueCount="4000000000">'
                         "<si><t>a</t></si></sst>")
    assert "declares 4.000.000.000 strings" in _refused(path)


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(template_headers())
    path = tmp_path / "bomb.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 20_000_000)
    assert "zip bomb" in _refused(path)


def test_a_truncated_xlsx_is_refused(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    export_persons(path, Person.objects.filter(pk__in=Person.objects.values("pk")[:50]))
    path.write_bytes(path.read_bytes()[:-200])
    assert "damaged" in _refused(path)


def test_an_xlsx_of_a_zip_version_python_cannot_read_is_refused(tmp_path: Path) -> None:
    """The fuzzer's find: "version needed to extract" 6.4 in the central directory made the
    zip reader raise NotImplementedError, a crash instead of a refusal."""
    workbook = Workbook()
    workbook.active.append(template_headers())
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")
    data[entry + 6:entry + 8] = (64).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    assert "damaged or not an .xlsx" in _refused(path)


def test_size_rows_and_columns_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(_csv([ROW] * 5), encoding="utf-8")
    assert "Too many rows (5, at most 4)" in _refused(path, Limits(max_bytes=10**6, max_rows=4))
    assert "too large" in _refused(path, Limits(max_bytes=100, max_rows=10))
    path.write_text(_csv([[*ROW, *(["x"] * 70)]]), encoding="utf-8")
    assert "at most 64" in _refused(path)
    workbook = Workbook()
    for _line in range(6):
        workbook.active.append(ROW)
    workbook.save(tmp_path / "f.xlsx")
    assert "at most 4 rows" in _refused(tmp_path / "f.xlsx", Limits(max_bytes=10**6, max_rows=4))


def test_the_csv_writer_and_reader_agree_on_every_hostile_text(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(template_headers())
        for name in HOSTILE_NAMES:
            writer.writerow([name, *ROW[1:]])
    _header, rows = read_table(path)
    assert [row[0] for row in rows] == HOSTILE_NAMES
