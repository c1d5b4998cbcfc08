"""Every table export as Excel reads it back: numbers are number cells with a number format
(so Excel sorts and sums them), and every column has a header."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.core.models import User
from ansinh.core.tables import NUMBER_FORMATS, Table, xlsx_columns
from ansinh.network.models import Target

Q = {"as_of": "2026-03-31", "period": "2026"}


def check_xlsx(content: bytes, table: Table) -> int:
    """The workbook holds the table's columns, each with a header, numbers as numbers; returns
    how many data rows it checked."""
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows())
    kept = [table.columns[index] for index in xlsx_columns(table)]
    titles = [column.title for column in kept]
    start = next(i for i, row in enumerate(rows) if [c.value for c in row[:len(titles)]]
                 == titles)
    assert all(str(title).strip() for title in titles), titles
    data = rows[start + 1:start + 1 + len(table.all_rows())]
    for row in data:
        for column, cell in zip(kept, row, strict=False):
            if column.kind in NUMBER_FORMATS and cell.value is not None:
                assert cell.data_type in ("n", "d"), (column.title, cell.value)
                assert cell.number_format == NUMBER_FORMATS[column.kind], column.title
    return len(data)


@pytest.mark.parametrize(("path", "extra"), [
    ("/bao-cao/tien-do/", {"by": "commune"}),
    ("/bao-cao/tien-do/", {"by": "commune", "metric": "money"}),
    ("/bao-cao/tien-do/", {"by": "agent", "metric": "retained"}),
    ("/bao-cao/xep-hang/", {"by": "commune"}),
    ("/bao-cao/danh-sach/", {"unit": "office"}),
    ("/bao-cao/danh-sach/", {"unit": "office", "metric": "money"}),
])
def test_report_xlsx_has_headers_and_number_cells(client: Client, director: User,
                                                  targets: Target, path: str,
                                                  extra: dict[str, str]) -> None:
    client.force_login(director)
    page = client.get(path, {**Q, **extra})
    assert page.status_code == 200
    table: Table = page.context["table"]
    assert all(str(column.title).strip() for column in table.columns)
    xlsx = client.get(path, {**Q, **extra, "export": "xlsx"})
    assert xlsx.status_code == 200
    if path != "/bao-cao/danh-sach/":
        assert check_xlsx(xlsx.content, table) > 0
    else:
        check_xlsx(xlsx.content, table)


def test_the_ranking_scores_are_numbers(client: Client, director: User,
                                        targets: Target) -> None:
    client.force_login(director)
    xlsx = client.get("/bao-cao/xep-hang/", {**Q, "by": "commune", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Hạng công bằng")
    scores = [row[-1] for row in rows[header + 1:header + 6]]
    assert all(isinstance(score, int | float) for score in scores), scores
    assert all(isinstance(row[-2], int | float) for row in rows[header + 1:header + 6])


SHOTS = Path("/work/shots/exports")


def pdf_text(content: bytes, tmp_path: Path, name: str) -> str:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(content)
    if SHOTS.is_dir():  # to look at: pdftoppm -png -r 60
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(SHOTS / name)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return " ".join(text.replace("\u00a0", " ").split())


def assert_report_heading(text: str, title: str) -> None:
    today = timezone.localdate()
    assert "BẢO HIỂM XÃ HỘI THÀNH PHỐ HUẾ" in text and "BHXH CƠ SỞ A LƯỚI" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert title.upper() in text
    assert f"A Lưới, ngày {today:%d} tháng {today:%m} năm {today:%Y}" in text
    assert "Người lập biểu" in text and "Giám đốc" in text


@pytest.mark.parametrize(("name", "path", "extra", "title"), [
    ("tien-do", "/bao-cao/tien-do/", {"by": "commune"}, "Tiến độ người đang tham gia"),
    ("danh-sach", "/bao-cao/danh-sach/", {"unit": "office"}, "Danh sách: người đang tham gia"),
    ("xep-hang", "/bao-cao/xep-hang/", {"by": "commune"}, "Xếp hạng theo xã"),
    ("chi-tieu", "/chi-tieu/", {}, "Chỉ tiêu người đang tham gia"),
    ("khen-thuong", "/chi-tieu/khen-thuong/", {}, "Sổ khen thưởng"),
])
def test_every_report_pdf_has_the_office_heading_and_signatures(
    client: Client, director: User, targets: Target, tmp_path: Path, name: str, path: str,
    extra: dict[str, str], title: str
) -> None:
    client.force_login(director)
    response = client.get(path, {**Q, **extra, "export": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path, name)
    assert_report_heading(text, title)
    assert director.display_name in text  # who prepared it
