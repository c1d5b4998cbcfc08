"""Counts are written the page's way (50.000 in Vietnamese, 50,000 in English) on pages, in PDFs
and in messages, as money is. Django's own grouping prints "50000" in Vietnamese (its locale has
no NUMBER_GROUPING), so `intcomma` and a bare ``{{ n }}`` are not used for counts."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

from ansinh.core.templatetags.money import format_count

SRC = Path(__file__).resolve().parents[2]


def test_a_count_has_dots_between_thousands() -> None:
    assert format_count(50000) == "50.000"
    assert format_count(3229) == "3.229"
    assert format_count(-1234567) == "-1.234.567"
    assert format_count(999) == "999"
    assert format_count(None) == "—"


def test_a_list_page_writes_its_count_the_page_language_way(world: object) -> None:
    for language, written in (("vi", "50.000"), ("en", "50,000")):
        with translation.override(language):
            text = render_to_string("registry/_person_results.html", {
                "page": _Page(50000), "query_string": ""})
        assert f"<strong>{written}</strong>" in text, language


class _Page(list[object]):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.paginator = SimpleNamespace(count=count, num_pages=1)
        self.number = 1

    def has_other_pages(self) -> bool:
        return False


def test_no_template_formats_a_count_with_djangos_grouping() -> None:
    """`intcomma` prints 50000 in Vietnamese; counts go through `num` (or `vnd` for money)."""
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("templates/**/*.html")
                 if re.search(r"\|\s*intcomma", path.read_text(encoding="utf-8"))]
    assert offenders == []


# a count shown as text: a tally (`x.counts.y`), a length, a total — not inside an attribute
_BARE_COUNT = re.compile(r'(?<!=")\{\{\s*([\w.]+\.counts\.\w+|[\w.]+\|length|[\w.]*total)\s*\}\}')


def test_no_template_shows_a_tally_or_a_length_without_num() -> None:
    """The worklist's "Chưa ai đến thăm: 4762" and the like: tallies, lengths and totals shown
    as text go through `num` (a `|length` in an attribute such as colspan is not text)."""
    offenders = [f"{path.relative_to(SRC)}: {match.group(0)}"
                 for path in SRC.rglob("templates/**/*.html")
                 for match in _BARE_COUNT.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []
