from __future__ import annotations

import unicodedata

import pytest

from ansinh.core.text import fold, normalize_name


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Hồ Thị Hoa", "ho thi hoa"),
        ("A Lưới", "a luoi"),
        ("Đông Sơn", "dong son"),
        ("  Kăn   Thị  Mai ", "kan thi mai"),
        ("Zơ Râm Ploong", "zo ram ploong"),
    ],
)
def test_fold_drops_marks_and_d_bar(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_decomposed_input_is_stored_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Hồ Thị Hoa")
    assert normalize_name(decomposed) == "Hồ Thị Hoa"
    assert fold(decomposed) == "ho thi hoa"
