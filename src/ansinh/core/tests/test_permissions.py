"""Roles are declared, not scattered: one map (`core.permissions.PERMISSIONS`) that views,
templates and actions read. A template's `can.<name>` that is not in the map would silently
hide a link (templates swallow the error), and a role compared by hand in a view or a template
is a rule the map no longer states: both fail here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from ansinh.core import permissions, scoping
from ansinh.core.models import Office, Role, User

PACKAGE = Path(__file__).resolve().parents[2]  # src/ansinh

CAN = re.compile(r"\bcan\.(\w+)")
# a role compared in a template: user.role, request.user.role … (get_role_display is a label)
TEMPLATE_ROLE = re.compile(r"\.role\b|\brole\s*(==|!=)|is_superuser")
# a role compared in a view: user.role == …, .role in (…), Role.X as a condition …
VIEW_ROLE = re.compile(r"\.role\s*(==|!=|in\b|not\s+in\b)|\bis_superuser\b|\bis_manager\b")

# (file relative to src/ansinh, the line's text) -> why this comparison of a role may stay.
# Keep it short: each entry is a rule the permission map does not state.
ALLOWED_ROLE_COMPARISONS: dict[tuple[str, str], str] = {}


def _templates() -> list[Path]:
    return sorted(PACKAGE.glob("**/templates/**/*.html"))


def _view_modules() -> list[Path]:
    """Modules that answer requests: views, their helpers named *_views, template tags."""
    found = [*PACKAGE.glob("*/views.py"), *PACKAGE.glob("*/*_views.py"),
             *PACKAGE.glob("*/templatetags/*.py")]
    return sorted(path for path in found if "tests" not in path.parts)


def _lines(path: Path) -> list[tuple[int, str]]:
    return list(enumerate(path.read_text().splitlines(), start=1))


def test_every_can_in_a_template_names_a_permission() -> None:
    unknown = [
        f"{path.relative_to(PACKAGE)}:{number}: can.{name}"
        for path in _templates() for number, line in _lines(path)
        for name in CAN.findall(line) if name not in permissions.PERMISSIONS
    ]
    assert not unknown, "not in core.permissions.PERMISSIONS:\n" + "\n".join(unknown)


def test_the_scan_finds_the_templates_and_their_permissions() -> None:
    """The scan above would pass on nothing: it reads the navigation and the app templates."""
    names = {name for path in _templates() for name in CAN.findall(path.read_text())}
    assert (PACKAGE / "templates" / "base.html") in _templates()
    assert {"field_work", "record_receipts", "handle_outbox", "hand_over"} <= names


def _role_comparisons(paths: list[Path], pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in paths:
        name = str(path.relative_to(PACKAGE))
        for number, line in _lines(path):
            text = line.strip()
            if pattern.search(text) and (name, text) not in ALLOWED_ROLE_COMPARISONS:
                found.append(f"{name}:{number}: {text}")
    return found


def test_no_template_compares_roles() -> None:
    found = _role_comparisons(_templates(), TEMPLATE_ROLE)
    assert not found, "use {% if can.<permission> %}:\n" + "\n".join(found)


def test_no_view_compares_roles() -> None:
    found = _role_comparisons(_view_modules(), VIEW_ROLE)
    assert not found, ("declare it: @role_required(\"…\"), permissions.may(user, \"…\"), or "
                       "scoping.whole_office / is_admin for what to read:\n" + "\n".join(found))


def test_the_access_helpers_are_gone() -> None:
    assert not (PACKAGE / "core" / "access.py").exists()
    users = [path for path in PACKAGE.rglob("*.py")
             if re.search(r"core\.access\b", path.read_text())
             and path.name != "test_permissions.py"]
    assert not users


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
