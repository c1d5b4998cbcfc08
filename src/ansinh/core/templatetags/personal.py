"""A person's national ID, phone and birth date as the signed-in user may see them
(`core.personal.Shown`): `{% load personal %}`, then

- `{% national_id p.national_id %}` in lists; `{% national_id person.national_id acting=True %}`
  on a page of one person the user acts on (their page, enrolment, receipt);
- `{% phone person.phone %}` (text) or `{% phone_link person.phone %}` (a call link when shown);
- `{% birth person %}`: dd/mm/yyyy, or the year.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ansinh.core.personal import Shown

register = template.Library()


def _shown(context: template.Context, acting: bool = False) -> Shown:
    user = context.get("user")
    if user is None and (request := context.get("request")) is not None:
        user = getattr(request, "user", None)
    return Shown.to(user, acting=acting)


@register.simple_tag(takes_context=True)
def national_id(context: template.Context, value: str | None, acting: bool = False) -> str:
    return _shown(context, acting).national_id(value)


@register.simple_tag(takes_context=True)
def phone(context: template.Context, value: str | None) -> str:
    return _shown(context).phone(value)


@register.simple_tag(takes_context=True)
def phone_link(context: template.Context, value: str | None) -> SafeString | str:
    """A `tel:` link for those who see the number, the masked number for the others."""
    shown = _shown(context)
    if not value:
        return ""
    if shown.phones:
        return format_html('<a href="tel:{}">{}</a>', value, value)
    return shown.phone(value)


@register.simple_tag(takes_context=True)
def birth(context: template.Context, person: Any) -> str:
    return _shown(context).birth(person.birth_date, person.birth_year_only)
