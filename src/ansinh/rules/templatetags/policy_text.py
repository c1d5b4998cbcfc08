"""The engine's words on pages: ``{{ result.reason|reason }}`` in the page's language."""

from __future__ import annotations

from django import template

from ansinh.rules.presenting import reason_text

register = template.Library()


@register.filter
def reason(value: object) -> str:
    return reason_text(value)  # type: ignore[arg-type]
