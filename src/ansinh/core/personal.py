"""Personal data under Decree 13/2023/NĐ-CP (docs/personal-data.md): what a role sees of a
person's national ID, phone and birth date, the access log, and a person's own data.

- `Shown.to(user)` is the one masking rule: templates (the `personal` tags), every export
  and the search read it. Who sees what in full is `core.permissions`' map ("see_national_ids",
  "see_national_ids_to_act", "see_phones", "see_birth_dates"); the others see
  `••••••••1234`, `•••••••789` and the birth year.
- `log_access` writes one access-log row (one INSERT) per page of one person's data and per
  download carrying persons' data.
- `register_section` lets each app name what it holds about a person; `person_data` gathers
  every section, the audit rows about those records and the access log about the person: the
  file a person receives when they ask for their data.
"""

from __future__ import annotations

import io
import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import AccessEntry, AccessKind, AuditEntry, User
from .permissions import may

MASK = "•"
ID_SHOWN = 4  # the last digits of a masked national ID or SI number
PHONE_SHOWN = 3  # the last digits of a masked phone number


def mask_id(value: str | None) -> str:
    """`••••••••1234`: the last four characters, the others as dots (empty stays empty)."""
    if not value:
        return ""
    return MASK * max(len(value) - ID_SHOWN, 0) + value[-ID_SHOWN:]


def mask_phone(value: str | None) -> str:
    """`•••••••789`: the last three digits, enough to tell two numbers apart."""
    if not value:
        return ""
    return MASK * max(len(value) - PHONE_SHOWN, 0) + value[-PHONE_SHOWN:]


@dataclass(frozen=True)
class Shown:
    """What one user sees in full: national IDs (and SI numbers), phones, birth dates.

    `acting`: a page of one person the user acts on (the person's page, the enrolment, the
    participant's page, the TK1-TS form); lists and exports are not. A search by ID is open to
    whoever sees IDs when acting (`digits_match`): an agent finds only persons whose page
    shows them the ID anyway."""

    ids: bool
    phones: bool
    birth_dates: bool

    @classmethod
    def to(cls, user: Any, *, acting: bool = False) -> Shown:
        return cls(
            ids=may(user, "see_national_ids")
            or (acting and may(user, "see_national_ids_to_act")),
            phones=may(user, "see_phones"),
            birth_dates=may(user, "see_birth_dates"))

    def national_id(self, value: str | None) -> str:
        return (value or "") if self.ids else mask_id(value)

    def phone(self, value: str | None) -> str:
        return (value or "") if self.phones else mask_phone(value)

    def birth(self, born: date, year_only: bool) -> str:
        """dd/mm/yyyy, or the year alone (when only the year is known, or not shown)."""
        if year_only or not self.birth_dates:
            return str(born.year)
        return born.strftime("%d/%m/%Y")

    def birth_value(self, born: date, year_only: bool) -> date | int:
        """For spreadsheets: the date, or the year as a number."""
        return born if self.birth_dates and not year_only else born.year


FULL = Shown(ids=True, phones=True, birth_dates=True)  # the operator's CLI, the person's own file


def digits_match(user: Any, digits: str, *, ids: tuple[str, ...] = (),
                 phones: tuple[str, ...] = ()) -> Q:
    """A search by digits over the ID fields (prefix) and phone fields (contained) the user
    may see in full on the persons they find; matching nothing when they may see none, so a
    viewer cannot find a person by a national ID they are not shown."""
    shown = Shown.to(user, acting=True)
    match = Q(pk__in=[])
    if shown.ids:
        for field in ids:
            match |= Q(**{f"{field}__startswith": digits})
    if shown.phones:
        for field in phones:
            match |= Q(**{f"{field}__contains": digits})
    return match


# ---------------------------------------------------------------------------------------------
# The access log


def _ip(request: HttpRequest | None) -> str | None:
    """The reader's address, or None when the server gives none that is an IP address (a
    Unix socket's peer): the log must never fail a page."""
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def log_access(request: HttpRequest | None, kind: AccessKind, *, actor: User | None = None,
               office_id: int | None = None, person_id: int | None = None,
               object_id: object = "", description: str = "",
               rows: int | None = None) -> None:
    """One row of the access log: one INSERT, outside any transaction of the page. The
    office is the record's (one person's page) or, for a list, the reader's."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if isinstance(user, User) and user.is_authenticated else None
    if office_id is None and actor is not None:
        office_id = actor.office_id
    AccessEntry.objects.create(
        office_id=office_id, actor=actor, at=timezone.now(), kind=kind, person_id=person_id,
        object_id=str(object_id)[:40], description=description[:300], rows=rows,
        ip=_ip(request))


def describe_query(request: HttpRequest, *, skip: tuple[str, ...] = ("page",)) -> str:
    """The filters of an export, as the access log keeps them (`q=…&commune=AL3`)."""
    params = request.GET.copy()
    for name in skip:
        params.pop(name, None)
    return params.urlencode()[:300]


def retention_days() -> int:
    """How long access-log rows are kept: `ANSINH_ACCESS_LOG_DAYS` (default two years)."""
    return settings.ANSINH_ACCESS_LOG_DAYS


def prune_access_log(now: datetime | None = None, days: int | None = None) -> int:
    """Delete the access-log rows older than the retention; how many."""
    cutoff = (now or timezone.now()) - timedelta(days=days or retention_days())
    deleted, _by_model = AccessEntry.objects.filter(at__lt=cutoff).delete()
    return deleted


# ---------------------------------------------------------------------------------------------
# A person's own data


@dataclass(frozen=True)
class Section:
    name: str
    rows: Callable[[Any], QuerySet[Any]]  # the records of this kind about the person


SECTIONS: list[Section] = []


def register_section(name: str, rows: Callable[[Any], QuerySet[Any]]) -> None:
    """An app names what it holds about a person (at the bottom of its models module, as
    with `scoping.register`); `person_data` reads every section."""
    if any(section.name == name for section in SECTIONS):
        raise ValueError(f"section {name} registered twice")
    SECTIONS.append(Section(name, rows))


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)  # UUIDs, decimals


def _records(queryset: QuerySet[Any]) -> list[dict[str, Any]]:
    return [{key: _plain(value) for key, value in row.items()}
            for row in queryset.order_by("pk").values()]


def person_data(person: Model) -> dict[str, Any]:
    """Everything the system holds about `person`: one list of records per section (every
    column), the audit rows about those records and the access log about the person."""
    sections: dict[str, list[dict[str, Any]]] = {}
    audited = Q(pk__in=[])
    for section in SECTIONS:
        queryset = section.rows(person)
        records = _records(queryset)
        sections[section.name] = records
        if records:
            audited |= Q(model=queryset.model._meta.label,
                         object_id__in=[str(record["id"]) for record in records])
    audit = AuditEntry.objects.filter(audited).order_by("at", "id").values(
        "at", "actor__username", "action", "model", "object_id", "changes", "note")
    access = AccessEntry.objects.filter(person_id=person.pk).order_by("at", "id").values(
        "at", "actor__username", "kind", "object_id", "description")
    return {
        "person_id": person.pk,
        "sections": sections,
        "audit": [{key: _plain(value) for key, value in row.items()} for row in audit],
        "access_log": [{key: _plain(value) for key, value in row.items()} for row in access],
    }


def person_data_xlsx(data: dict[str, Any]) -> bytes:
    """`person_data` as a workbook a person can read: one sheet per section that holds
    anything, then the audit rows and the access log; a header row of column names, every
    value a text cell, neutralised as every export is (`core.spreadsheet`)."""
    from .spreadsheet import add_sheet, workbook

    book = workbook()
    tables = [(name, rows) for name, rows in data["sections"].items() if rows]
    tables += [("audit", data["audit"]), ("access_log", data["access_log"])]
    for name, rows in tables:
        sheet = add_sheet(book, name[:31])
        columns = list(rows[0]) if rows else ["-"]
        sheet.append(columns)
        for row in rows:
            sheet.append([_text(row.get(column)) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
