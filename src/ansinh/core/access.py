"""Who may do what on a page, by role. Territory is `network.scoping`'s job; this is the role.

Views call these at the top: they return the signed-in user or raise PermissionDenied (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .models import Role, User

# Roles that run the office's territory: change terms, pause, confirm, close, run jobs.
MANAGERS = frozenset({Role.DIRECTOR, Role.STAFF, Role.ADMIN})


def signed_in(request: HttpRequest) -> User:
    """The signed-in user (views are behind login_required)."""
    user = request.user
    assert isinstance(user, User)
    return user


def writer(request: HttpRequest) -> User:
    """The signed-in user, if they may change things (viewers are read-only)."""
    user = signed_in(request)
    if user.role == Role.VIEWER and not user.is_superuser:
        raise PermissionDenied
    return user


def is_manager(user: User) -> bool:
    return user.is_superuser or user.role in MANAGERS


def manager(request: HttpRequest) -> User:
    """Staff, director or admin."""
    user = signed_in(request)
    if not is_manager(user):
        raise PermissionDenied
    return user
