"""Where each role lands after signing in and on `/`: where its work is.

One map, like `permissions.PERMISSIONS`: the URL names are those of the apps above (core
imports none of them; `reverse` finds them by name).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Role
from .permissions import role_of

# role -> (URL name, query): the director the office's dashboard, staff the dashboard of their
# territory (the same page, scoped to them), an agent today's worklist, a commune official the
# progress of their commune's villages
LANDING: dict[str, tuple[str, str]] = {
    Role.ADMIN: ("reports:dashboard", ""),
    Role.DIRECTOR: ("reports:dashboard", ""),
    Role.STAFF: ("reports:dashboard", ""),
    Role.AGENT: ("outreach:worklist", ""),
    Role.VIEWER: ("reports:progress", "by=village"),
}


def landing_url(user: Any, next_url: str | None = None, *, host: str | None = None,
                secure: bool = False) -> str:
    """The page a user starts on: an explicit `next` of this site wins; then their role's."""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={host} if host
                                                    else set(), require_https=secure):
        return next_url
    role = role_of(user)
    if role is None:
        return reverse("login")
    name, query = LANDING.get(role, ("registry:person_list", ""))
    return reverse(name) + (f"?{query}" if query else "")
