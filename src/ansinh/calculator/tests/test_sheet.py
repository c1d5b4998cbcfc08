"""The counselling sheet: a real A4 PDF, Noto Sans embedded, Vietnamese diacritics intact, the
person's numbers and the legal references."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from ansinh.core.templatetags.money import format_vnd

from .test_views import CASH_OUT, cash_out_expectations

pytestmark = pytest.mark.django_db


def _pdf(client: Any, tmp_path: Path, params: dict[str, str]) -> tuple[Path, str]:
    response = client.get("/tinh/phieu-tu-van.pdf", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "phieu.pdf"
    path.write_bytes(response.content)
    assert response.content.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return path, " ".join(text.replace("\u00a0", " ").split())


def test_the_sheet_is_an_a4_pdf_with_the_numbers_and_diacritics(
    client: Any, tmp_path: Path
) -> None:
    path, text = _pdf(client, tmp_path, CASH_OUT)
    exp = cash_out_expectations()
    for amount in (exp["cash"].amount, exp["cash"].contributions_paid,
                   exp["kept"].monthly_pension, exp["allowance"].monthly_amount):
        assert format_vnd(amount).replace("\u00a0", " ") in text
    for words in ("Phiếu tư vấn BHXH tự nguyện", "Rút BHXH một lần", "Lương hưu",
                  "Hộ nghèo", "Nghỉ đóng đủ 12 tháng", "tạm tính", "Căn cứ pháp lý",
                  "Luật Bảo hiểm xã hội số 41/2024/QH15", "Nghị định 159/2025/NĐ-CP",
                  "thẻ BHYT"):
        assert words in text, words
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info or "(A4)" in info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    assert "Noto-Sans" in fonts


def test_the_sheet_refuses_invalid_input_without_a_500(client: Any) -> None:
    response = client.get("/tinh/phieu-tu-van.pdf", {**CASH_OUT, "birth": "năm ngoái"})
    assert response.status_code == 400
    assert "invalid birth" in response.content.decode()
