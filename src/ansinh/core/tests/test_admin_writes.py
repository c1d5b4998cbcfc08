"""Django's admin: every write leaves the audit row the pages' actions leave (and moves the
phones' change number where they hold the record); money, participations, the audit trail and
the outbox are read-only, superusers included; nothing with history is deleted; every page of
every registered model renders."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse

from ansinh.collection import actions as money
from ansinh.collection import commissions
from ansinh.collection.models import (
    CommissionRate,
    PeriodClose,
    Receipt,
    ReceiptBook,
    Remittance,
)
from ansinh.core.adminaudit import ADMIN_ADD, ADMIN_CHANGE, ADMIN_DELETE, ADMIN_PASSWORD
from ansinh.core.models import AuditEntry, Office, User
from ansinh.network.models import Agent, Assignment, CollectionOrganisation
from ansinh.participation.models import LapseSettings, Participation
from ansinh.policy import household_hi
from ansinh.registry.models import (
    Commune,
    Household,
    HouseholdPoverty,
    Person,
    Province,
    Village,
)
from ansinh.reminders.models import OutboxMessage, ReminderTemplate
from ansinh.rules import actions as rules_actions
from ansinh.rules.models import ParameterOverride

DAY = date(2026, 1, 20)

# What a change through the admin edits, per model: (field, new value).
EDITS: dict[type[models.Model], tuple[str, Any]] = {
    Office: ("phone", "0234 3999 999"),
    User: ("first_name", "Đã đổi"),
    CollectionOrganisation: ("name", "Bưu điện xã (đổi tên)"),
    Agent: ("code", "THU-DOI"),
    Assignment: ("ends_on", date(2026, 12, 31)),
    LapseSettings: ("pause_after_months", 5),
    Province: ("name", "Thành phố Huế (đổi)"),
    Commune: ("name", "A Lưới 3 (đổi)"),
    Village: ("name", "Thôn đổi tên"),
    Household: ("head_name", "Hồ Văn Mới"),
    Person: ("phone", "0912345678"),
    ReminderTemplate: ("body", "Kính gửi {name}: đến hạn đóng."),
    Group: ("name", "Cán bộ thu (đổi)"),
}
DERIVED = {"name": {"name_folded"}}  # fields a save computes from the one changed
# Listed and viewed only, superusers included.
READ_ONLY = (Receipt, ReceiptBook, Remittance, PeriodClose, CommissionRate, AuditEntry,
             Participation, OutboxMessage)
# Added through their action; an existing row is never edited (every field read-only).
ADDED_ONLY = (ParameterOverride,)


@pytest.fixture
def root(world: Any) -> User:
    return User.objects.create_superuser("root", "root@example.org", "x")


@pytest.fixture
def everything(world: Any, participation_al3: Any, agent_al3: Any, director: Any,
               receipt_book_al3: Any, root: User) -> dict[type[models.Model], models.Model]:
    """One record of every registered model."""
    office = world["office"]
    household = participation_al3.person.household
    members = list(household.members.order_by("birth_date", "id"))
    hi = money.record_hi_receipt(
        household, person=members[0], members=members, months=12, first_month=date(2026, 2, 1),
        amount=household_hi(DAY, len(members), 12).total, paid_on=DAY, channel="cash",
        client_uuid=uuid.uuid4(), actor=agent_al3).receipt
    money.remit(agent_al3.agent.organisation, receipts=[hi], number="NT-1", remitted_on=DAY,
                actor=director)
    money.close_period(office, month=date(2025, 12, 1), actor=director, today=DAY)
    commissions.add_rate(office, product="household_hi", participant_kind="first_time", mode="",
                         rate=Decimal("0.05"), valid_from=date(2026, 1, 1), reference="QĐ 1",
                         actor=director)
    LapseSettings.objects.get_or_create(office=office)
    ReminderTemplate.objects.get_or_create(office=office, code="due", language="vi",
                                           channel="", defaults={"body": "Đến hạn {name}"})
    OutboxMessage.objects.create(office=office, recipient_kind="participant", template_code="due",
                                 person=participation_al3.person,
                                 channel="sms", phone="0912000000", body="x", dedupe_key="k1",
                                 as_of=DAY)
    rules_actions.add_override(ParameterOverride(
        name="contribution.fund_yield", start=date(2026, 1, 1), value="0,35%",
        reference_document="CV 1", reference_article="1", confidence="confirmed"), actor=root)
    HouseholdPoverty.objects.get_or_create(household=household, year=2025,
                                           defaults={"status": "poor", "source": "QĐ 2025"})
    Group.objects.create(name="Cán bộ thu").permissions.add(
        *Permission.objects.filter(codename="view_person"))
    found: dict[type[models.Model], models.Model] = {}
    for model in registered():
        row = model._default_manager.order_by("pk").first()
        if model is Person:
            row = participation_al3.person
        elif model is Household:
            row = household
        assert row is not None, f"no {model.__name__} to try"
        found[model] = row
    return found


def registered() -> list[type[models.Model]]:
    """The admin's models: the application's and the auth groups (another package's admin,
    e.g. a login throttle's records, is that package's own)."""
    return [model for model in admin.site._registry
            if model.__module__.startswith("ansinh.") or model is Group]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(obj: models.Model, view: str) -> str:
    meta = obj._meta
    args = [] if view in ("add", "changelist") else [obj.pk]
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def _form_data(response: Any) -> dict[str, Any]:
    """What the change page's forms would post back unchanged (the form and its inlines)."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value()
                     for name in management.fields})
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            data.update(_posted(form.add_prefix(name), field, form[name].value()))
    return data


def _posted(key: str, field: Any, value: Any) -> dict[str, Any]:
    widget = field.widget
    if isinstance(widget, MultiWidget):  # split date and time
        parts = widget.decompress(value) or [None] * len(widget.widgets)
        return {f"{key}_{i}": sub.format_value(part) or ""
                for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True))}
    if isinstance(value, bool):
        return {key: "on"} if value else {}
    if isinstance(value, list | tuple):
        return {key: [str(v) for v in value]}
    if value is None:
        return {key: ""}
    formatted = widget.format_value(value)
    if isinstance(formatted, list):  # a select: the chosen values
        return {key: formatted if widget.allow_multiple_selected else
                (formatted[0] if formatted else "")}
    return {key: "" if formatted is None else str(formatted)}


def test_every_admin_page_renders(everything: dict[type[models.Model], models.Model],
                                  root: User) -> None:
    client = _client(root)
    for model, obj in everything.items():
        assert client.get(_url(obj, "changelist")).status_code == 200, model
        assert client.get(_url(obj, "change")).status_code == 200, model
    assert set(everything) == set(EDITS) | set(READ_ONLY) | set(ADDED_ONLY), (
        "a registered model has no rule in this test")
    receipt = everything[Receipt]
    assert isinstance(receipt, Receipt) and receipt.product == "household_hi"
    page = client.get(_url(receipt, "change")).content.decode()
    assert all(row.person.full_name in page for row in receipt.insured.all())


@pytest.mark.parametrize("model", list(EDITS), ids=lambda m: m.__name__)
def test_a_change_through_the_admin_is_audited(
        everything: dict[type[models.Model], models.Model], root: User,
        model: type[models.Model]) -> None:
    client = _client(root)
    obj = everything[model]
    field, value = EDITS[model]
    page = client.get(_url(obj, "change"))
    data = _form_data(page)
    form = page.context["adminform"].form
    data.update(_posted(form.add_prefix(field), form.fields[field], value))
    before = AuditEntry.objects.count()
    response = client.post(_url(obj, "change"), data)
    assert response.status_code == 302, (model, response.context and [
        (f.errors, getattr(f, "non_form_errors", lambda: None)())
        for f in [response.context["adminform"].form]])
    obj.refresh_from_db()
    assert getattr(obj, field) == value
    rows = list(AuditEntry.objects.order_by("id")[before:])
    assert len(rows) == 1, rows
    row = rows[0]
    assert (row.model, row.object_id, row.actor) == (obj._meta.label, str(obj.pk), root)
    assert row.action in (ADMIN_CHANGE, "person.update")
    assert row.changes[field][1] == (value.isoformat() if isinstance(value, date) else value)
    assert set(row.changes) - DERIVED.get(field, set()) == {field}  # only what changed


def test_a_persons_change_goes_through_the_action_and_moves_the_change_number(
        everything: dict[type[models.Model], models.Model], root: User) -> None:
    person = everything[Person]
    assert isinstance(person, Person)
    client = _client(root)
    version, old_phone = person.sync_version, person.phone
    data = _form_data(client.get(_url(person, "change"))) | {"phone": "0988000111"}
    assert client.post(_url(person, "change"), data).status_code == 302
    person.refresh_from_db()
    assert person.sync_version > version
    entry = AuditEntry.objects.get(model="registry.Person", object_id=str(person.pk), actor=root)
    assert entry.action == "person.update" and entry.office_id == person.office_id
    assert entry.changes == {"phone": [old_phone, "0988000111"]}


def test_a_household_change_and_its_poverty_status_reach_the_phones(
        everything: dict[type[models.Model], models.Model], root: User) -> None:
    household = everything[Household]
    assert isinstance(household, Household)
    members = list(household.members.values_list("id", "sync_version"))
    client = _client(root)
    page = client.get(_url(household, "change"))
    data = _form_data(page) | {"head_name": "Chủ hộ mới"}
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data[f"{prefix}-0-status"] = "near_poor"  # the 2025 status, certified again
    assert client.post(_url(household, "change"), data).status_code == 302
    assert HouseholdPoverty.objects.get(household=household, year=2025).status == "near_poor"
    actions = set(AuditEntry.objects.filter(model="registry.Household",
                                            object_id=str(household.pk))
                  .values_list("action", flat=True))
    assert actions == {ADMIN_CHANGE, "household.poverty"}
    after = dict(household.members.values_list("id", "sync_version"))
    assert all(after[pid] > version for pid, version in members)


def test_a_person_added_in_the_admin_is_audited_and_numbered(
        everything: dict[type[models.Model], models.Model], root: User) -> None:
    village = everything[Village]
    client = _client(root)
    page = client.get(reverse("admin:registry_person_add"))
    data = _form_data(page) | {"full_name": "Người Mới Thêm", "birth_date": "",
                               "sex": "F", "village": str(village.pk), "household": ""}
    form = page.context["adminform"].form
    data.update(_posted("birth_date", form.fields["birth_date"], date(1990, 3, 4)))
    assert client.post(reverse("admin:registry_person_add"), data).status_code == 302
    person = Person.objects.get(full_name="Người Mới Thêm")
    assert person.sync_version > 0 and person.created_by == root
    entry = AuditEntry.objects.get(model="registry.Person", object_id=str(person.pk))
    assert entry.action == ADMIN_ADD and entry.changes["full_name"] == [None, "Người Mới Thêm"]


def test_a_password_change_is_audited_without_the_hash(
        everything: dict[type[models.Model], models.Model], root: User,
        agent_al3: User) -> None:
    client = _client(root)
    url = reverse("admin:auth_user_password_change", args=[agent_al3.pk])
    response = client.post(url, {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026",
                                 "usable_password": "true"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="core.User", object_id=str(agent_al3.pk))
    assert entry.action == ADMIN_PASSWORD and "pbkdf2" not in str(entry.changes)
    # a role change (the way to more rights) is audited too
    page = client.get(_url(agent_al3, "change"))
    data = _form_data(page) | {"role": "director"}
    assert client.post(_url(agent_al3, "change"), data).status_code == 302
    change = AuditEntry.objects.filter(model="core.User", action=ADMIN_CHANGE).get()
    assert change.changes == {"role": ["agent", "director"]}


def test_a_person_outside_the_staff_members_territory_is_refused(
        everything: dict[type[models.Model], models.Model], root: User, staff_al2: User) -> None:
    """A staff member given the admin and the permission still meets the territory rule."""
    person = everything[Person]  # of A Lưới 3
    assert isinstance(person, Person)
    staff_al2.is_staff = True
    staff_al2.save()
    staff_al2.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_person", "change_person"]))
    client = _client(staff_al2)
    data = _form_data(_client(root).get(_url(person, "change"))) | {"phone": "0900000000"}
    response = client.post(_url(person, "change"), data)
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.phone != "0900000000"
    assert not AuditEntry.objects.filter(actor=staff_al2).exists()


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_read_only_records_refuse_every_write_even_a_superusers(
        everything: dict[type[models.Model], models.Model], root: User,
        model: type[models.Model]) -> None:
    client = _client(root)
    obj = everything[model]
    before = (model._default_manager.count(), AuditEntry.objects.count())
    page = client.get(_url(obj, "change"))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # no save button
    for view in ("add", "change", "delete"):
        response = client.post(_url(obj, view), {"post": "yes"})
        assert response.status_code == 403, (model, view, response.status_code)
    client.post(_url(obj, "changelist"), {"action": "delete_selected",
                                          "_selected_action": [obj.pk], "post": "yes"})
    assert model._default_manager.filter(pk=obj.pk).exists()
    assert (model._default_manager.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("model", [m for m in EDITS if m not in (LapseSettings, Group)],
                         ids=lambda m: m.__name__)
def test_records_with_history_are_not_deleted(
        everything: dict[type[models.Model], models.Model], root: User,
        model: type[models.Model]) -> None:
    client = _client(root)
    obj = everything[model]
    assert client.post(_url(obj, "delete"), {"post": "yes"}).status_code == 403
    client.post(_url(obj, "changelist"), {"action": "delete_selected",
                                          "_selected_action": [obj.pk], "post": "yes"})
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_a_deletion_allowed_is_audited_with_what_was_deleted(
        everything: dict[type[models.Model], models.Model], root: User) -> None:
    settings_row = everything[LapseSettings]
    assert isinstance(settings_row, LapseSettings)
    client = _client(root)
    assert client.post(_url(settings_row, "delete"), {"post": "yes"}).status_code == 302
    assert not LapseSettings.objects.filter(pk=settings_row.pk).exists()
    entry = AuditEntry.objects.get(model="participation.LapseSettings", action=ADMIN_DELETE)
    assert entry.changes["pause_after_months"] == [settings_row.pause_after_months, None]
    assert entry.office_id == settings_row.office_id


def test_an_override_is_added_through_its_action(
        everything: dict[type[models.Model], models.Model], root: User) -> None:
    client = _client(root)
    url = reverse("admin:rules_parameteroverride_add")
    page = client.get(url)
    data = _form_data(page) | {"name": "contribution.fund_yield", "value": "0,40%",
                               "reference_document": "CV 2", "reference_article": "2",
                               "confidence": "confirmed", "office": ""}
    form = page.context["adminform"].form
    data.update(_posted("start", form.fields["start"], date(2026, 7, 1)))
    assert client.post(url, data).status_code == 302
    added = ParameterOverride.objects.get(reference_document="CV 2")
    assert AuditEntry.objects.filter(model="rules.ParameterOverride",
                                     object_id=str(added.pk), actor=root).exists()
    # an existing value is never edited: a change posts nothing new
    old = everything[ParameterOverride]
    assert isinstance(old, ParameterOverride)
    change = client.post(_url(old, "change"), data | {"value": "9%"})
    assert change.status_code in (302, 403)
    old.refresh_from_db()
    assert old.value == "0,35%"


def test_a_user_added_in_the_admin_is_audited_without_the_hash(root: User) -> None:
    client = _client(root)
    response = client.post(reverse("admin:core_user_add"), {
        "username": "thu_moi", "usable_password": "true", "password1": "Mat-khau-moi-2026",
        "password2": "Mat-khau-moi-2026"})
    assert response.status_code == 302
    user = User.objects.get(username="thu_moi")
    entry = AuditEntry.objects.get(model="core.User", object_id=str(user.pk))
    assert (entry.action, entry.actor) == (ADMIN_ADD, root)
    assert entry.changes["username"] == [None, "thu_moi"]
    assert entry.changes["password"] == [None, "***"] and user.password not in str(entry.changes)
