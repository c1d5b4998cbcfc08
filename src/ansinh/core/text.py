"""Vietnamese text: store names as typed (NFC) and a folded form for diacritic-free search.

Folding: drop every diacritic, đ → d, lower case, collapse spaces. No GPL transliteration
library is needed for Vietnamese: every letter decomposes to ASCII plus marks, except đ/Đ.
The import folds several cells per row, so fold() is a C-speed str.translate over a table built
once from Unicode's own decompositions, with the general NFD path only for leftovers.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.utils.translation import get_language

_SPACES = re.compile(r"\s+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _build_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for start, end in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):
        for code in range(start, end + 1):
            base = _strip_marks(chr(code))
            if base != chr(code) and base.isascii():
                table[code] = base
    return table


_TABLE = _build_table()


def normalize_name(value: str) -> str:
    """The text as typed, in NFC, with runs of whitespace collapsed to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """'Hồ Thị Hoa' → 'ho thi hoa'; 'A Lưới' → 'a luoi'; 'Đông Sơn' → 'dong son'."""
    folded = unicodedata.normalize("NFC", value).translate(_TABLE)
    if not folded.isascii():
        folded = _strip_marks(folded).replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", folded.lower()).strip()


fold_cached = lru_cache(maxsize=8192)(fold)
"""fold() for cells from a small vocabulary (sex, commune, village, status) in bulk paths."""


def in_english() -> bool:
    """Whether the active language is English: the page's, in a request (Vietnamese is the
    site's language and the default)."""
    return (get_language() or "vi").startswith("en")
