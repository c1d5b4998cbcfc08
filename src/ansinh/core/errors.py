"""Refusals raised by actions: the reason in Vietnamese and English, shown as-is to the user."""

from __future__ import annotations

from .text import in_english


class Refused(Exception):
    """An action refused to act; nothing was written."""

    def __init__(self, vi: str, en: str) -> None:
        self.vi = vi
        self.en = en
        super().__init__(f"{vi} / {en}")

    @property
    def message(self) -> str:
        """The reason in the active language."""
        return self.en if in_english() else self.vi


def vnd_text(amount: int) -> str:
    """1.234.568 đ — for messages built outside templates."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " đ"
