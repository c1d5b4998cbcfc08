"""Import and export of the register: round trip, refusal with a row report, skip-invalid,
idempotence, encodings, exit codes."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from ansinh.core.models import AuditEntry
from ansinh.registry.exporting import export_persons, template_headers
from ansinh.registry.importing import UnusableFile, import_persons
from ansinh.registry.models import Household, HouseholdPoverty, Person, Village


def _snapshot() -> list[tuple[Any, ...]]:
    return list(Person.objects.order_by("id").values_list(
        "id", "full_name", "birth_date", "birth_year_only", "sex", "ethnicity", "local_group",
        "national_id", "si_number", "phone", "household_id", "village_id", "si_status"))


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _windows_1258(text: str) -> bytes:
    """How old Vietnamese Excel wrote text: precomposed vowels plus a combining tone mark."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = "".join(mark for mark in parts if mark in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in TONE_MARKS))
            out += (base + tone).encode("cp1258")
    return bytes(out)


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(template_headers())
    writer.writerows(rows)
    text = buffer.getvalue()
    path.write_bytes(_windows_1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


GOOD = ["Hồ Thị Hoa", "12/05/1990", "Nữ", "046190001111", "", "Tà Ôi", "0912345678",
        "NEW-H1", "A Ka", "A Lưới 1", "Hộ nghèo", "Chưa tham gia"]
GOOD_2 = ["Kăn Văn Rinh Thử", "1985", "Nam", "", "", "Pa Kô", "", "NEW-H1", "A Ka", "A Lưới 1",
          "Hộ nghèo", "Chưa tham gia"]
BAD_ROWS = [
    ["Lê Văn Sai", "01/01/1980", "Nam", "04608000123", "", "Kinh", "", "", "A Ka", "A Lưới 1",
     "", ""],                                                        # bad ID (11 digits)
    ["Hồ Văn Tương Lai", "01/01/2099", "Nam", "", "", "Kinh", "", "", "A Ka", "A Lưới 1", "", ""],
    ["Hồ Thị Lạc", "01/01/1980", "Nữ", "", "", "Kinh", "", "", "Không Có", "A Lưới 1", "", ""],
    ["", "01/01/1980", "Nữ", "", "", "Kinh", "", "", "A Ka", "A Lưới 1", "", ""],
    ["Hồ Văn Nam", "01/01/1980", "Nam", "046180002222", "", "Kinh", "", "", "A Ka", "A Lưới 1",
     "", ""],                                                        # ID says woman
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_changes_nothing(world: dict[str, Any], tmp_path: Path,
                                            suffix: str) -> None:
    path = tmp_path / f"register{suffix}"
    assert export_persons(path, Person.objects.all()) == Person.objects.count()
    before, audits = _snapshot(), AuditEntry.objects.count()
    result = import_persons(path, territory=Village.objects.all())
    assert result.invalid == 0, result.errors[:3]
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
    assert _snapshot() == before
    assert AuditEntry.objects.count() == audits


def test_a_bad_file_is_refused_with_a_row_report_and_changes_nothing(
        world: dict[str, Any], tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "bad.csv", [GOOD, *BAD_ROWS])
    before = _snapshot()
    result = import_persons(path, territory=Village.objects.all())
    assert not result.imported
    assert result.invalid == 5
    by_row = {(error.row, error.column) for error in result.errors}
    assert {(3, "national_id"), (4, "birth_date"), (5, "village"), (6, "full_name"),
            (7, "national_id")} <= by_row
    assert all(" / " in error.reason for error in result.errors)  # Vietnamese / English
    assert _snapshot() == before
    assert not Household.objects.filter(code="NEW-H1").exists()


def test_skip_invalid_writes_only_the_good_rows_and_a_rerun_creates_nothing(
        world: dict[str, Any], tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "mixed.csv", [GOOD, GOOD_2, *BAD_ROWS])
    count = Person.objects.count()
    result = import_persons(path, territory=Village.objects.all(), skip_invalid=True)
    assert result.imported and (result.created, result.invalid) == (2, 5)
    assert Person.objects.count() == count + 2
    hoa = Person.objects.get(national_id="046190001111")
    assert hoa.full_name == "Hồ Thị Hoa" and hoa.name_folded == "ho thi hoa"
    assert hoa.household is not None and hoa.household.code == "NEW-H1"
    assert HouseholdPoverty.objects.get(household=hoa.household).status == "poor"
    rin = Person.objects.get(name_folded="kan van rinh thu")
    assert rin.birth_year_only and rin.ethnicity == "31" and rin.local_group == "Pa Kô"
    again = import_persons(path, territory=Village.objects.all(), skip_invalid=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Person.objects.count() == count + 2


def test_an_update_is_recorded_with_old_and_new(world: dict[str, Any], tmp_path: Path) -> None:
    import_persons(_write_csv(tmp_path / "a.csv", [GOOD]), territory=Village.objects.all())
    changed = [*GOOD]
    changed[6] = "0987654321"
    result = import_persons(_write_csv(tmp_path / "b.csv", [changed]),
                            territory=Village.objects.all())
    assert result.updated == 1
    person = Person.objects.get(national_id="046190001111")
    entry = AuditEntry.objects.get(action="import.update", object_id=str(person.pk))
    assert entry.changes == {"phone": ["0912345678", "0987654321"]}


def test_windows_1258_and_bom_files_read_the_same(world: dict[str, Any], tmp_path: Path) -> None:
    for encoding in ("cp1258", "utf-8-sig"):
        result = import_persons(_write_csv(tmp_path / f"{encoding}.csv", [GOOD], encoding),
                                territory=Village.objects.all(), dry_run=True)
        assert result.invalid == 0, (encoding, result.errors)
        assert result.created == 1


def test_xlsx_with_numeric_ids_and_english_headers(world: dict[str, Any], tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Full name", "Birth date", "Sex", "National ID", "Village", "Commune"])
    sheet.append(["Hồ Thị Hoa", "12/05/1990", "Nữ", 46190001111, "A Ka", "A Lưới 1"])
    path = tmp_path / "numbers.xlsx"
    workbook.save(path)
    result = import_persons(path, territory=Village.objects.all())
    assert result.imported and result.created == 1
    assert Person.objects.filter(national_id="046190001111").exists()


def test_an_interrupted_import_leaves_nothing(world: dict[str, Any], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from ansinh.registry import importing

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(importing, "update_rows", boom)  # fails after persons were inserted
    before = _snapshot()
    with pytest.raises(RuntimeError):
        import_persons(_write_csv(tmp_path / "x.csv", [GOOD]), territory=Village.objects.all())
    assert _snapshot() == before
    assert not Household.objects.filter(code="NEW-H1").exists()


def test_an_unusable_file_raises(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(UnusableFile):
        import_persons(path, territory=Village.objects.all())


def test_cli_exit_codes_and_json(world: dict[str, Any], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write_csv(tmp_path / "bad.csv", [GOOD, *BAD_ROWS])
    with pytest.raises(SystemExit) as refused:
        call_command("import", "persons", str(bad), "--json")
    assert refused.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"read", "created", "updated", "unchanged", "invalid", "error_report"}
    assert report["invalid"] == 5 and report["read"] == 6
    errors = Path(report["error_report"]).read_text(encoding="utf-8-sig")
    assert "Row" in errors.splitlines()[0] and "Ngày sinh" in errors

    with pytest.raises(SystemExit) as skipped:
        call_command("import", "persons", str(bad), "--json", "--skip-invalid")
    assert skipped.value.code == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1

    unusable = tmp_path / "x.pdf"
    unusable.write_bytes(b"%PDF-1.4")
    with pytest.raises(SystemExit) as broken:
        call_command("import", "persons", str(unusable), "--json")
    assert broken.value.code == 2


def test_cli_export_xlsx_keeps_ids_as_text(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    call_command("export", "persons", str(path), "--commune", "AL2")
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0]) == template_headers()
    assert {row[9] for row in rows[1:]} == {"A Lưới 2"}
    ids = [row[3] for row in rows[1:] if row[3]]
    assert ids and all(isinstance(value, str) and len(value) == 12 for value in ids)
