"""Office overrides: an administrator's dated value changes results from its date on, is validated
like a parameter file, is never edited or deleted, and is audited."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from ansinh.core.models import AuditEntry, Office, Role, User
from ansinh.core.permissions import NotPermitted
from ansinh.core.scoping import OutOfTerritory
from ansinh.policy import contribution_quote
from ansinh.rules import actions
from ansinh.rules.models import ParameterOverride, parse_value
from ansinh.rules.tree import current_tree

pytestmark = pytest.mark.django_db

EFFECTIVE = date(2027, 1, 1)
OFFICIAL_YIELD = Decimal("0.0035")


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_user("quantri", password="x", role=Role.ADMIN, is_staff=True,
                                    is_superuser=True)


def _yield_override(actor: User | None, **extra: Any) -> ParameterOverride:
    values: dict[str, Any] = {
        "name": "contribution.fund_yield", "start": EFFECTIVE, "value": "0,35%",
        "reference_document": "CV 999/BHXH-ĐTQ", "reference_article": "toàn văn",
        "confidence": "confirmed",
    }
    values.update(extra)
    return actions.add_override(ParameterOverride(**values), actor=actor)


def _advance_total(on: date, tree: Any = None, fund_yield: Decimal | None = None) -> int:
    return contribution_quote(on, 3_000_000, ("ethnic_minority",), mode="advance", years=5,
                              fund_yield=fund_yield, tree=tree).total


def test_fund_yield_override_changes_the_advance_total_from_its_date_only(
    admin_user: User,
) -> None:
    day_before, day_of = date(2026, 12, 31), EFFECTIVE
    before = {d: _advance_total(d, current_tree()) for d in (day_before, day_of)}
    _yield_override(admin_user)
    tree = current_tree()

    assert _advance_total(day_before, tree) == before[day_before] == _advance_total(day_before)
    assert _advance_total(day_of, tree) != before[day_of]
    assert _advance_total(day_of, tree) == _advance_total(day_of, fund_yield=OFFICIAL_YIELD)
    used = contribution_quote(day_of, 3_000_000, ("other",), "advance", 2, tree=tree).parameters
    fy = next(p for p in used if p.name == "contribution.fund_yield")
    assert (fy.value, fy.start, fy.reference.document) == (
        OFFICIAL_YIELD, EFFECTIVE, "CV 999/BHXH-ĐTQ")
    assert not fy.provisional  # entered as confirmed


def _calc(*argv: str) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    call_command("calc", *argv, stdout=out, stderr=err)
    assert err.getvalue() == ""
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def test_the_calc_command_uses_the_override(admin_user: User) -> None:
    args = ["--income", "3000000", "--category", "ethnic_minority", "--mode", "advance",
            "--years", "5", "--json"]
    before = _calc("contribution", "--on", "2027-01-01", *args)["total"]
    _yield_override(admin_user)
    assert _calc("contribution", "--on", "2027-01-01", *args)["total"] == _advance_total(
        EFFECTIVE, fund_yield=OFFICIAL_YIELD) != before
    assert _calc("contribution", "--on", "2026-12-31", *args)["total"] == _advance_total(
        date(2026, 12, 31))


def test_the_calc_command_refuses_invalid_input_with_exit_2() -> None:
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("calc", "contribution", "--on", "2026-11-28", "--income", "200",
                     stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 2
    line = err.getvalue().strip()
    assert "\n" not in line and "1.500.000" in line and "outside the range" in line


def test_a_bad_value_is_refused_with_the_engines_message(admin_user: User) -> None:
    with pytest.raises(ValidationError) as exc:
        _yield_override(admin_user, value="nhiều")
    message = " ".join(exc.value.message_dict["value"])
    assert "không hợp lệ" in message and "invalid" in message
    with pytest.raises(ValidationError):  # a whole-number unit refuses a fraction
        _yield_override(admin_user, name="general.reference_level", value="2530000.5")
    with pytest.raises(ValidationError):  # a float in a JSON table is never accepted silently
        _yield_override(admin_user, name="subsidy.support_rate", value='{"poor": "x"}')
    assert not ParameterOverride.objects.exists()
    assert not AuditEntry.objects.filter(model="rules.ParameterOverride").exists()


def test_values_are_read_the_vietnamese_way() -> None:
    assert parse_value("currency-VND", "2.530.000") == "2530000"
    assert parse_value("/1", "0,31%") == Decimal("0.0031")
    assert parse_value("/1", '{"poor": 0.5}') == {"poor": Decimal("0.5")}
    assert parse_value("boolean", "true") is True


def test_deactivating_keeps_history_and_audits(admin_user: User) -> None:
    first = _yield_override(admin_user, value="0.0040")
    with pytest.raises(ValidationError):  # the same parameter and date twice: deactivate first
        _yield_override(admin_user)
    actions.deactivate_override(first, actor=admin_user, reason="nhập nhầm")
    assert _advance_total(EFFECTIVE, current_tree()) == _advance_total(EFFECTIVE)
    second = _yield_override(admin_user)
    assert _advance_total(EFFECTIVE, current_tree()) == _advance_total(
        EFFECTIVE, fund_yield=OFFICIAL_YIELD)

    rows = list(ParameterOverride.objects.order_by("id"))
    assert [(r.pk, r.active) for r in rows] == [(first.pk, False), (second.pk, True)]
    assert rows[0].deactivated_by == admin_user and rows[0].deactivated_at is not None
    audit = list(AuditEntry.objects.filter(model="rules.ParameterOverride").order_by("id"))
    assert [(a.action, a.object_id) for a in audit] == [
        ("parameter_override.add", str(first.pk)),
        ("parameter_override.deactivate", str(first.pk)),
        ("parameter_override.add", str(second.pk)),
    ]
    assert audit[0].actor == admin_user and audit[0].changes["value"] == [None, "0.0040"]
    with pytest.raises(ValueError, match="never edited"):
        actions.add_override(second, actor=admin_user)


def test_an_office_value_applies_to_that_office_only(admin_user: User) -> None:
    hue = Office.objects.create(code="HUE", name="BHXH Huế")
    other = Office.objects.create(code="X", name="Khác")
    _yield_override(admin_user, office=hue)
    assert _advance_total(EFFECTIVE, current_tree(hue)) == _advance_total(
        EFFECTIVE, fund_yield=OFFICIAL_YIELD)
    assert _advance_total(EFFECTIVE, current_tree(other)) == _advance_total(EFFECTIVE)
    assert _advance_total(EFFECTIVE, current_tree()) == _advance_total(EFFECTIVE)


def test_the_admin_adds_with_the_signed_in_user_and_never_deletes(
    admin_user: User, client: Any
) -> None:
    client.force_login(admin_user)
    response = client.post("/admin/rules/parameteroverride/add/", {
        "name": "contribution.fund_yield", "start": "2027-01-01", "value": "0.0035",
        "reference_document": "CV 999/BHXH-ĐTQ", "reference_article": "toàn văn",
        "reference_link": "", "confidence": "confirmed", "office": "", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ParameterOverride.objects.get()
    assert row.created_by == admin_user and row.active
    assert AuditEntry.objects.filter(action="parameter_override.add", actor=admin_user).exists()

    bad = client.post("/admin/rules/parameteroverride/add/", {
        "name": "contribution.fund_yield", "start": "2028-01-01", "value": "abc",
        "reference_document": "CV", "reference_article": "x", "confidence": "confirmed",
    })
    assert bad.status_code == 200 and "invalid" in bad.content.decode()
    assert client.get(f"/admin/rules/parameteroverride/{row.pk}/delete/").status_code == 403

    response = client.post("/admin/rules/parameteroverride/", {
        "action": "deactivate", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert not row.active and row.deactivated_by == admin_user
    assert ParameterOverride.objects.count() == 1


def _director_of(office: Office, **extra: Any) -> User:
    return User.objects.create_user(f"giamdoc-{office.code}", password="x", role=Role.DIRECTOR,
                                    office=office, **extra)


def test_a_director_changes_the_values_of_their_own_office_only(admin_user: User) -> None:
    hue, other = Office.objects.create(code="HUE", name="BHXH Huế"), Office.objects.create(
        code="X", name="Khác")
    director = _director_of(hue)
    staff = User.objects.create_user("canbo-hue", role=Role.STAFF, office=hue)
    everywhere = _yield_override(admin_user)
    with pytest.raises(NotPermitted):
        _yield_override(staff, office=hue, start=date(2028, 1, 1))
    for office in (None, other):  # every office's value, another office's: the admin's
        with pytest.raises(OutOfTerritory):
            _yield_override(director, office=office, start=date(2028, 1, 1))
    with pytest.raises(OutOfTerritory):
        actions.deactivate_override(everywhere, actor=director)
    assert list(ParameterOverride.objects.values_list("pk", "active")) == [(everywhere.pk, True)]
    own = _yield_override(director, office=hue, start=date(2028, 1, 1))
    actions.deactivate_override(own, actor=director)
    own.refresh_from_db()
    assert not own.active and own.deactivated_by == director


def test_in_the_admin_a_director_adds_for_their_office_only(admin_user: User,
                                                            client: Any) -> None:
    from django.contrib.auth.models import Permission

    hue = Office.objects.create(code="HUE", name="BHXH Huế")
    director = _director_of(hue, is_staff=True)
    director.user_permissions.set(Permission.objects.filter(
        content_type__app_label="rules", content_type__model="parameteroverride"))
    everywhere = _yield_override(admin_user)
    client.force_login(director)
    values = {"name": "contribution.fund_yield", "start": "2028-01-01", "value": "0.0035",
              "reference_document": "CV 999/BHXH-ĐTQ", "reference_article": "toàn văn",
              "reference_link": "", "confidence": "confirmed", "note": ""}
    url = "/admin/rules/parameteroverride/add/"
    assert client.post(url, {**values, "office": ""}).status_code == 200  # required for them
    assert ParameterOverride.objects.count() == 1
    assert client.post(url, {**values, "office": hue.pk}).status_code == 302
    assert ParameterOverride.objects.get(office=hue).created_by == director
    client.post("/admin/rules/parameteroverride/", {"action": "deactivate",
                                                    "_selected_action": [everywhere.pk]})
    everywhere.refresh_from_db()
    assert everywhere.active
