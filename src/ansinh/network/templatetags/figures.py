"""Counts in the page's language: 3229 -> "3.229" (vi), "3,229" (en)."""

from __future__ import annotations

from django import template

from ansinh.core.templatetags.money import group

register = template.Library()


@register.filter
def num(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return "—"
    return group(value)
