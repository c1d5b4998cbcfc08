"""What each role may do: the one map that views, the navigation and actions read.

- Views state it with a decorator: `@role_required("record_receipts")` (signed in, and a role
  that may; 403 otherwise).
- Templates ask `can`: `{% if can.record_receipts %}` (the `permissions` context processor).
- Actions call `authorise(actor, "record_receipts", record)`, so the offline sync, the API,
  imports and batches meet the same rule as the page.
- A POST branch of a page that others may read checks `may(user, "…")` and refuses with 403.

Territory — may this user change *this* record? — is `core.scoping`'s question, asked beside
this one. A superuser counts as an administrator.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from . import scoping
from .errors import Refused
from .models import Role, User

EVERYONE = frozenset(Role.values)
WRITERS = frozenset({Role.AGENT, Role.STAFF, Role.DIRECTOR, Role.ADMIN})  # all but viewers
MANAGERS = frozenset({Role.STAFF, Role.DIRECTOR, Role.ADMIN})  # run a territory
OFFICE = frozenset({Role.DIRECTOR, Role.ADMIN})  # office-wide settings and jobs

PERMISSIONS: dict[str, frozenset[str]] = {
    # the register
    "edit_persons": WRITERS,
    "import_register": MANAGERS,
    "merge_persons": MANAGERS,  # the duplicate queue: merge, undo, "not the same person"
    "read_office_imports": OFFICE,  # any import job of the office and its error report
    # participations
    "enrol": WRITERS,
    "manage_participations": MANAGERS,  # new terms, pause, resume, stop
    "assign_agents": MANAGERS,  # choose who answers for a participant (an agent: themselves)
    # money
    "record_receipts": WRITERS,
    "backdate_receipts": MANAGERS,  # the receipt page's payment date (the phone's is its own)
    "reverse_receipts": MANAGERS,
    "manage_books": MANAGERS,  # issue and return receipt books (in their territory)
    "remit": WRITERS,
    "confirm_remittances": MANAGERS,  # (every receipt of it in their territory)
    "close_periods": OFFICE,
    "see_commissions": WRITERS,  # a closed period's commission statement (viewers: none)
    "see_all_commissions": MANAGERS,  # an agent sees their own statement only
    "see_commission_rates": MANAGERS,  # the rate table, read-only for staff
    "set_commission_rates": OFFICE,
    # office-wide jobs, settings and texts
    "run_office_jobs": OFFICE,  # the lapse run
    "edit_templates": OFFICE,  # reminder and leaflet templates
    "edit_office": OFFICE,  # the office's phone, address and report heading
    "edit_parameters": OFFICE,  # overrides of the legal parameters (one for every office: admin)
    "handle_outbox": MANAGERS,  # the outbox; reminder templates to read
    # outreach and retention
    "record_outreach": WRITERS,
    "counsel": WRITERS,
    "supervise_agents": MANAGERS,  # open an agent's worklist (agents of their territory)
    # targets and the network
    "see_targets": MANAGERS,
    "manage_targets": OFFICE,  # targets, allocation, rewards
    "hand_over": OFFICE,
    # pages that only those who act on them need
    "field_work": WRITERS,  # the worklist, the money pages, the offline queue, own devices
    "manage_devices": MANAGERS,  # revoke a device of someone of their office (a lost phone)
    "resolve_sync_conflicts": MANAGERS,  # phone items that met a changed record
    # personal data (Decree 13/2023/NĐ-CP; docs/personal-data.md): who sees what in full.
    # The others see `core.personal`'s masks: ••••••••1234, •••••••789, the birth year.
    "see_national_ids": MANAGERS,  # full national IDs and SI numbers in lists, exports, search
    "see_national_ids_to_act": WRITERS,  # in full on the pages of one person they act on
    "see_phones": WRITERS,  # agents call the people of their territory
    "see_birth_dates": WRITERS,  # viewers: the birth year only
    "export_person_data": MANAGERS,  # a person's own data, on their request
    "read_access_log": OFFICE,  # who viewed or exported whose data
    # beyond one office
    "see_provinces": frozenset({Role.ADMIN}),  # every office of a province side by side
}


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Role.ADMIN if user.is_superuser else user.role


def may(user: Any, permission: str) -> bool:
    """Whether the user's role may do `permission` (KeyError for a name not in the map)."""
    allowed = PERMISSIONS[permission]
    return role_of(user) in allowed


class NotPermitted(Refused):
    def __init__(self) -> None:
        super().__init__("Vai trò của bạn không được làm việc này",
                         "your role may not do this")


def refusal_status(refused: Refused) -> int:
    """The HTTP status a page answers a refusal with: 403 when the role or the territory does
    not allow it, 400 for any other reason (the rules of the action itself)."""
    return 403 if isinstance(refused, NotPermitted | scoping.OutOfTerritory) else 400


def require(user: Any, permission: str) -> None:
    """Refuse (nothing written) unless the user's role may do `permission`."""
    if not may(user, permission):
        raise NotPermitted


def authorise(actor: User | None, permission: str, record: Model | None = None) -> None:
    """The check at the top of an action: the actor's role may do `permission` and, when a
    record is given, it lies in what they may change. No actor means the system itself (the
    worker's daily job, a command run by the operator): allowed."""
    if actor is None:
        return
    require(actor, permission)
    if record is not None:
        scoping.require_writable(actor, record)


class Can:
    """`can.<permission>` in templates: {% if can.record_receipts %}."""

    def __init__(self, user: Any) -> None:
        self._user = user

    def __getattr__(self, permission: str) -> bool:
        if permission.startswith("_") or permission not in PERMISSIONS:
            raise AttributeError(permission)
        return may(self._user, permission)


def context(request: HttpRequest) -> dict[str, Any]:
    """The `can` of templates (a context processor)."""
    return {"can": Can(getattr(request, "user", None))}


def signed_in(request: HttpRequest) -> User:
    """The signed-in user (views are behind login_required or role_required)."""
    user = request.user
    assert isinstance(user, User)
    return user


V = TypeVar("V", bound=Callable[..., HttpResponse])


def role_required(permission: str) -> Callable[[V], V]:
    """A view for signed-in users whose role may do `permission`; 403 for the others."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    def decorate(view: V) -> V:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not may(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked)  # type: ignore[return-value]

    return decorate
