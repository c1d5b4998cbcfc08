"""Roles are declared, not scattered: one map (`core.permissions.PERMISSIONS`) that views,
templates and actions read."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from ansinh.core import permissions, scoping
from ansinh.core.models import Office, Role, User

# ---------------------------------------------------------------------------------------------
# The map itself


def _user(role: str, **extra: Any) -> User:
    return User(username=f"u-{role}", role=role, **extra)


def test_a_superuser_counts_as_an_administrator() -> None:
    boss = _user(Role.VIEWER, is_superuser=True)
    assert all(permissions.may(boss, name) for name in permissions.PERMISSIONS)


def test_viewers_may_change_nothing() -> None:
    viewer = _user(Role.VIEWER)
    assert [name for name in permissions.PERMISSIONS if permissions.may(viewer, name)] == []
    assert not permissions.may(AnonymousUser(), "record_receipts")


def test_office_wide_settings_are_the_directors() -> None:
    for name in ("close_periods", "set_commission_rates", "run_office_jobs", "edit_templates",
                 "edit_parameters", "manage_targets", "hand_over"):
        assert permissions.PERMISSIONS[name] == {Role.DIRECTOR, Role.ADMIN}, name


def test_an_unknown_name_is_an_error_not_a_silent_no() -> None:
    with pytest.raises(KeyError):
        permissions.may(_user(Role.DIRECTOR), "record_reciepts")
    with pytest.raises(KeyError):
        permissions.role_required("record_reciepts")
    with pytest.raises(AttributeError):
        _ = permissions.Can(_user(Role.DIRECTOR)).record_reciepts


@pytest.mark.django_db
def test_own_office_for_office_wide_changes() -> None:
    here, there = Office.objects.create(code="AL", name="A Lưới"), Office.objects.create(
        code="ND", name="Nam Đông")
    director = _user(Role.DIRECTOR, office=here)
    scoping.require_own_office(director, here.pk)
    scoping.require_own_office(None, there.pk)  # the system itself
    scoping.require_own_office(_user(Role.ADMIN), there.pk)
    scoping.require_own_office(_user(Role.ADMIN), None)  # a value for every office
    for office_id in (there.pk, None):
        with pytest.raises(scoping.OutOfTerritory):
            scoping.require_own_office(director, office_id)


def test_refusals_answer_403_for_who_may_and_400_for_the_rest() -> None:
    from ansinh.core.errors import Refused

    assert permissions.refusal_status(permissions.NotPermitted()) == 403
    assert permissions.refusal_status(scoping.OutOfTerritory()) == 403
    assert permissions.refusal_status(Refused("Kỳ đã khóa sổ", "the period is closed")) == 400
