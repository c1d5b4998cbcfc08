"""Message texts: pick the template for an office, code and channel, and fill its placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.db.models import Q

from ansinh.core.models import Office

from .models import PLACEHOLDERS, ReminderTemplate

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders_in(body: str) -> set[str]:
    return set(PLACEHOLDER.findall(body))


def unknown_placeholders(body: str) -> list[str]:
    return sorted(placeholders_in(body) - set(PLACEHOLDERS))


def render(body: str, values: Mapping[str, str]) -> str:
    """Fill {name} placeholders; a known placeholder without a value prints "—"."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return str(values[name])
        return "—" if name in PLACEHOLDERS else match.group(0)

    return PLACEHOLDER.sub(fill, body)


class Templates:
    """The active templates an office uses, loaded once per run (one query)."""

    def __init__(self, office: Office | None, rows: Iterable[ReminderTemplate] | None = None):
        if rows is None:
            rows = ReminderTemplate.objects.filter(active=True).filter(
                Q(office__isnull=True) | Q(office=office))
        self._rows = {(r.office_id, r.code, r.language, r.channel): r for r in rows}
        self._office_id = office.pk if office else None

    def get(self, code: str, channel: str, language: str = "vi") -> ReminderTemplate | None:
        """The office's own text for the channel, its any-channel text, then the defaults."""
        for owner in (self._office_id, None):
            for ch in (channel, ""):
                found = self._rows.get((owner, code, language, ch))
                if found is not None:
                    return found
        return None
