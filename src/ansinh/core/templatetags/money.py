"""Money and rates in the page's language: ``1.234.568 ₫``, ``4,5 %`` in Vietnamese;
``1,234,568 ₫``, ``4.5 %`` in English (one decimal separator per page)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ansinh.core.text import in_english
from ansinh.core.words import amount_in_words

register = template.Library()

NBSP = "\u00a0"  # keeps the amount and its ₫ on one line on a narrow phone


def group(value: int) -> str:
    """An integer with its thousands grouped the page's way: 3.229 (vi), 3,229 (en)."""
    text = f"{value:,}"
    return text if in_english() else text.replace(",", ".")


def decimal_text(text: str) -> str:
    """A number written with a decimal point, with the page's decimal separator."""
    return text if in_english() else text.replace(".", ",")


def format_vnd(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}{group(abs(value))}{NBSP}₫"


def format_count(value: object) -> str:
    """A count the page's way: 50000 -> "50.000" (vi), "50,000" (en); anything else -> "—".
    Django's own grouping cannot do it: its Vietnamese locale has no NUMBER_GROUPING, so
    ``{{ n }}`` and ``intcomma`` print "50000"."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}{group(abs(value))}"


@register.filter
def num(value: object) -> str:
    """A count: 50000 -> "50.000" (see `format_count`)."""
    return format_count(value)


@register.filter
def vnd(value: object) -> str:
    """An integer amount of đồng: 1234568 -> "1.234.568 ₫"; anything else -> "—"."""
    return format_vnd(value)


@register.filter
def in_words(value: object) -> str:
    """An integer amount of đồng in words, in the page's language: 1500000 -> "Một triệu năm
    trăm nghìn đồng" (core.words); anything else -> ""."""
    if isinstance(value, bool) or not isinstance(value, int):
        return ""
    return amount_in_words(value, "en" if in_english() else "vi")


@register.filter
def percent(value: object) -> str:
    """A rate as a percentage with a decimal comma: Decimal("0.045") -> "4,5 %"."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return "—"
    number = (Decimal(value) * 100).normalize()
    text = format(number.quantize(Decimal(1)) if number == number.to_integral() else number, "f")
    return decimal_text(text) + f"{NBSP}%"


@register.filter
def years(value: object) -> str:
    """Benefit years with a decimal comma: Decimal("15.5") -> "15,5"."""
    if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        return "—"
    number = Decimal(value).normalize()
    text = format(number.quantize(Decimal(1)) if number == number.to_integral() else number, "f")
    return decimal_text(text)
