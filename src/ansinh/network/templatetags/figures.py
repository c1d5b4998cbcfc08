"""Counts the Vietnamese way: 3229 -> "3.229"."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def num(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return "—"
    return f"{value:,}".replace(",", ".")
