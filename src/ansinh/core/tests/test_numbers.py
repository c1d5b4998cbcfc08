"""Numbers in the page's language (issue 11): a year or an ID is never grouped ("2,008"), and
an English page writes every number the English way, a Vietnamese page the Vietnamese way."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

PAGE = Template("{% load money figures %}{{ year }} · {{ amount|vnd }} · {{ rate|percent }} · "
                "{{ count|num }} · {{ ratio|years }}")
VALUES = {"year": 2008, "amount": 1_234_568, "rate": Decimal("0.045"), "count": 3229,
          "ratio": Decimal("5.06")}


def test_a_vietnamese_page_writes_numbers_the_vietnamese_way() -> None:
    with translation.override("vi"):
        assert PAGE.render(Context(VALUES)) == "2008 · 1.234.568\u00a0₫ · 4,5\u00a0% · 3.229 · 5,06"


def test_an_english_page_writes_numbers_the_english_way_and_years_ungrouped() -> None:
    with translation.override("en"):
        assert PAGE.render(Context(VALUES)) == "2008 · 1,234,568\u00a0₫ · 4.5\u00a0% · 3,229 · 5.06"
