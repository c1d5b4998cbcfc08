"""The participation panel shown on the register's person page."""

from __future__ import annotations

from typing import Any

from django import template

from ansinh.core.permissions import may
from ansinh.rules.presenting import CATEGORY_CHOICES

from ..models import Participation, Status

register = template.Library()


@register.inclusion_tag("participation/_person_panel.html", takes_context=True)
def participation_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    """The person's participations and, when they have no open one and the user may write,
    the link to enrol them."""
    user = context["user"]
    rows = list(Participation.objects.filter(person=person).order_by("-enrolled_on", "-id"))
    has_open = any(row.status != Status.STOPPED for row in rows)
    return {"person": person, "participations": rows,
            "can_enrol": not has_open and may(user, "enrol")}


@register.filter
def category_label(code: str) -> str:
    """A subsidy category code (poor, near_poor, ethnic_minority, island, other) in words."""
    return str(dict(CATEGORY_CHOICES).get(code, code))
