"""Vietnamese text: store names as typed (NFC) and a folded form for diacritic-free search.

Folding: NFD, drop combining marks, đ → d, lower case, collapse spaces. No GPL transliteration
library is needed for Vietnamese: every letter decomposes to ASCII plus marks, except đ/Đ.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_name(value: str) -> str:
    """The text as typed, in NFC, with runs of whitespace collapsed to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """'Hồ Thị Hoa' → 'ho thi hoa'; 'A Lưới' → 'a luoi'; 'Đông Sơn' → 'dong son'."""
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped.lower()).strip()
