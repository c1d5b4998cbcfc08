"""The machinery of the write matrix (test_write_matrix.py): the vocabulary of roles and
targets, the walk over the URL conf, the database fingerprint and the description of a response.

Nothing here knows who may do what: that is the specification table in the test, written
independently of the application's permission code so that the test checks the code against
it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Model
from django.http import HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver

if TYPE_CHECKING:
    from .matrix_world import Place, World


class Persona(StrEnum):
    """The five roles of ARCHITECTURE.md, each played by one seeded user (matrix_world)."""

    ADMIN = "admin"
    DIRECTOR = "director"
    STAFF = "staff"
    AGENT = "agent"
    VIEWER = "viewer"


class Where(StrEnum):
    """Where the record a request acts on lies, seen from the persona."""

    OWN = "own"  # the persona's own commune (for director and admin: a commune of the office)
    OTHER_COMMUNE = "other_commune"  # the same office, outside the persona's territory
    OTHER_OFFICE = "other_office"  # a second office
    # Two more for the agent's wider territory (for staff they are just another commune, so
    # only the agent tries them, with the director as a witness that the payload works):
    # a commune of a colleague whose assignment names the agent as substitute, and a
    # participant living in another commune whose Participation.agent is the agent.
    SUBSTITUTE = "substitute"
    ASSIGNED = "assigned"


class Scope(StrEnum):
    """The territory column of the specification."""

    # The record (person, participation, receipt, event, agent, …) must lie in the writer's
    # territory: staff their villages; agents their villages, their participants and those of
    # the colleagues they substitute for; the director their office; admin anywhere.
    TERRITORY = "territory"
    # Office-wide records (templates, rates, targets, period close, jobs): the director of the
    # office and admin only.
    OFFICE = "office"


AGENT_TERRITORY = frozenset({Where.OWN, Where.SUBSTITUTE, Where.ASSIGNED})


@dataclass(frozen=True)
class Rule:
    """One row of the specification: the roles allowed to write, and the territory rule.

    `agent_on` narrows an agent's territory for one page (remittances: only the agent's own
    receipts, not those of a colleague they substitute for); `staff_on` widens a staff
    member's (devices: a manager revokes any device of their office)."""

    roles: frozenset[Persona]
    scope: Scope
    agent_on: frozenset[Where] = AGENT_TERRITORY
    staff_on: frozenset[Where] = frozenset({Where.OWN})

    def allows(self, persona: Persona, where: Where) -> bool:
        """The specification's answer, from the persona and the target's place alone."""
        if persona not in self.roles:
            return False
        if persona is Persona.ADMIN:
            return True  # everything, every office
        if persona is Persona.DIRECTOR:
            return where is not Where.OTHER_OFFICE  # the whole of their office
        if self.scope is not Scope.TERRITORY:
            return False  # office-wide rules never list staff or agents; be explicit anyway
        if persona is Persona.AGENT:
            return where in self.agent_on
        return where in self.staff_on  # staff: the villages of their communes


def rule(scope: Scope, *roles: Persona, agent_on: tuple[Where, ...] | None = None,
         staff_on: tuple[Where, ...] = (Where.OWN,)) -> Rule:
    return Rule(frozenset(roles), scope,
                AGENT_TERRITORY if agent_on is None else frozenset(agent_on),
                frozenset(staff_on))


@dataclass(frozen=True)
class Attempt:
    """What a payload builder is given: who tries, and the place of the record they act on."""

    world: World
    persona: Persona
    place: Place


Payload = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """How to try one URL: its path arguments and a POST that would succeed if allowed.

    - `writes`: the tables an allowed attempt must change (the proof it did the job);
    - `targets`: the places the request can be aimed at. A page that acts on the user's own
      office names no target (OWN only). With `admin_names_office`, only the admin can aim the
      page at another office (`?office=CODE`): other roles always act on their own office, so
      an "other office" attempt of theirs means nothing and is not generated;
    - `follows_participant`: the record is a participation (or belongs to one), so the agent
      is also tried on a participant of another commune assigned to them;
    - `variant`: a second case for the same URL (the sync endpoint takes two kinds of item).
    """

    url: str
    data: Callable[[Attempt], Payload]
    writes: tuple[str, ...]
    kwargs: Callable[[Place], dict[str, Any]] = lambda place: {}
    query: Callable[[Place], str] = lambda place: ""
    targets: tuple[Where, ...] = (Where.OWN, Where.OTHER_COMMUNE, Where.OTHER_OFFICE)
    admin_names_office: bool = False
    follows_participant: bool = False
    json: bool = False
    variant: str = ""

    @property
    def key(self) -> str:
        return f"{self.url}[{self.variant}]" if self.variant else self.url


def combinations(case: Case, spec: Rule) -> Iterator[tuple[Persona, Where]]:
    """Every (persona, target) the matrix tries for a case."""
    for persona in Persona:
        for where in case.targets:
            if (case.admin_names_office and where is Where.OTHER_OFFICE
                    and persona is not Persona.ADMIN):
                continue
            yield persona, where
    if Persona.AGENT in spec.roles and spec.scope is Scope.TERRITORY:
        extra = (Where.SUBSTITUTE, Where.ASSIGNED) if case.follows_participant else (
            Where.SUBSTITUTE,)
        for where in extra:
            yield Persona.AGENT, where
            # the director may write there too: their attempt shows the payload works on
            # that place, so an agent's refusal there is the application's doing
            yield Persona.DIRECTOR, where


# ---------------------------------------------------------------------------------------------
# The URL conf


def url_names() -> list[str]:
    """Every URL pattern of the project as namespace:name (unnamed ones as namespace:<route>)."""
    found: list[str] = []

    def walk(patterns: Sequence[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = pattern.namespace
                walk(pattern.url_patterns, f"{prefix}{namespace}:" if namespace else prefix)
            else:
                found.append(f"{prefix}{pattern.name or f'<{pattern.pattern}>'}")

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


# ---------------------------------------------------------------------------------------------
# Fingerprints

# Tables that change on any request, allowed or not: the session a login writes, django-q's
# task rows (tasks run inline in tests), and the import's job table, which records every upload
# with its outcome (a refused import is a job row that says "refused"; the register is what
# must not change), and the export's, which records each large export asked for.
EXCLUDED_TABLES = frozenset({
    "django_session", "django_q_task", "django_q_ormq", "django_q_schedule",
    "registry_importjob", "registry_exportjob",
})
# Columns every request may touch: signing in sets last_login.
EXCLUDED_COLUMNS = {"core_user": frozenset({"last_login"})}


def fingerprinted_models() -> list[type[Model]]:
    """Every model of the ansinh apps and of auth (with their many-to-many tables)."""
    models = [
        model for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name.startswith("ansinh.")
        or model._meta.app_label == "auth"
    ]
    return sorted((m for m in models if m._meta.db_table not in EXCLUDED_TABLES),
                  key=lambda model: model._meta.db_table)


@dataclass(frozen=True)
class TableState:
    rows: int
    digest: str


@functools.cache
def _queries() -> tuple[tuple[str, str], ...]:
    """(table, SELECT of its columns ordered by primary key), once per run."""
    quote = connection.ops.quote_name
    queries = []
    for model in fingerprinted_models():
        table = model._meta.db_table
        skipped = EXCLUDED_COLUMNS.get(table, frozenset())
        names = [field.column for field in model._meta.concrete_fields]
        columns = ", ".join(quote(name) for name in names if name and name not in skipped)
        key = model._meta.pk.column if model._meta.pk is not None else None
        assert key is not None, table
        queries.append((table, f"SELECT {columns} FROM {quote(table)} ORDER BY {quote(key)}"))
    return tuple(queries)


def fingerprint() -> dict[str, TableState]:
    """Each table's row count and a hash of all its rows, ordered by primary key.

    Plain SQL, one query a table: it runs twice per request of the matrix."""
    state: dict[str, TableState] = {}
    with connection.cursor() as cursor:
        for table, query in _queries():
            cursor.execute(query)
            rows = cursor.fetchall()
            digest = hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()
            state[table] = TableState(len(rows), digest)
    return state


def changes(before: dict[str, TableState], after: dict[str, TableState]) -> list[str]:
    """The tables that differ, as "table (+n rows)" or "table (rows changed)"."""
    written = []
    for table, old in before.items():
        new = after[table]
        if new == old:
            continue
        delta = new.rows - old.rows
        written.append(f"{table} ({delta:+d} rows)" if delta else f"{table} (rows changed)")
    return written


def table_of(change: str) -> str:
    return change.split(" ", 1)[0]


# ---------------------------------------------------------------------------------------------
# Describing a response, for the failure messages


def explain(response: HttpResponseBase) -> str:
    """Status, redirect, exception, form errors and messages: why a request did what it did."""
    parts = [f"HTTP {response.status_code}"]
    if location := response.get("Location"):
        parts.append(f"→ {location}")
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        parts.append(f"raised {exc_info[0].__name__}: {exc_info[1]}")
    context = getattr(response, "context", None)
    if context is not None:
        seen: set[int] = set()
        for key in ("form", "terms_form", "pause_form", "resume_form", "stop_form", "new_form",
                    "reverse_form"):
            form = _context_value(context, key)
            if form is not None and id(form) not in seen and getattr(form, "errors", None):
                seen.add(id(form))
                errors = {field: [error["message"] for error in found]
                          for field, found in form.errors.get_json_data().items()}
                parts.append(f"{key} errors: {json.dumps(errors, ensure_ascii=False)}"[:400])
        for key in ("refusal", "quote_error", "policy_error"):
            value = _context_value(context, key)
            if value:
                parts.append(f"{key}: {value}"[:300])
        groups = _context_value(context, "groups")
        if isinstance(groups, list):
            refusals = [group.get("errors") for group in groups if group.get("errors")]
            if refusals:
                parts.append(f"errors: {refusals}"[:300])
    request = getattr(response, "wsgi_request", None)
    if request is not None and hasattr(request, "_messages"):
        notes = [str(message) for message in get_messages(request)]
        if notes:
            parts.append(f"messages: {notes}"[:300])
    if isinstance(response, HttpResponse) and response.get("Content-Type", "").startswith(
            "application/json"):
        parts.append(json.dumps(json.loads(response.content), ensure_ascii=False)[:400])
    return "; ".join(parts)


def _context_value(context: Any, key: str) -> Any:
    try:
        return context[key]
    except (KeyError, TypeError):
        return None
