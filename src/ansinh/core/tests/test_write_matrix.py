"""Who may write what, page by page: every POST of the URL conf tried by every role on a record
of their own commune, of another commune and of another office (and, for the agent, of a
colleague's commune they substitute for and of a participant assigned to them elsewhere).

Three tables, read top to bottom:
- SPEC: the specification (roles allowed, territory rule), written here and not computed from
  the application's permission helpers, so the test checks the code against it;
- CASES: for each URL that takes a POST, its path arguments and a payload that would succeed
  for a user allowed to send it (so a refusal means something);
- SKIPPED_PREFIXES, SKIPPED_PAGES and GET_ONLY: the URLs with nothing to write, with reasons.

A URL in none of them fails `test_every_url_has_a_case_or_a_reason`: a new page cannot be
forgotten. Each (URL × role × target) is its own test on the same world (matrix_world), rolled
back after each test by the `db` fixture; a write is any change of the database fingerprint
(matrix.fingerprint). An allowed attempt must change the case's `writes` tables; a forbidden
one must change nothing, whatever the answer (403, 404, 400, a redirect with a message, 500).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from ansinh.collection.dues import dues, next_change_month, quote_months
from ansinh.field.devices import register_device
from ansinh.field.models import Device
from ansinh.participation.models import Participation
from ansinh.policy import household_hi
from ansinh.registry.columns import COLUMNS
from ansinh.registry.exporting import person_rows, template_headers
from ansinh.registry.models import Person
from ansinh.rules.tree import current_tree

from .matrix import (
    Attempt,
    Case,
    Payload,
    Persona,
    Rule,
    Scope,
    Where,
    changes,
    combinations,
    explain,
    fingerprint,
    rule,
    table_of,
    url_names,
)
from .matrix_world import NOW, TODAY, Place, World, build_world

ADMIN, DIRECTOR, STAFF, AGENT = Persona.ADMIN, Persona.DIRECTOR, Persona.STAFF, Persona.AGENT
TERRITORY, OFFICE = Scope.TERRITORY, Scope.OFFICE
OWN, OTHER_OFFICE = Where.OWN, Where.OTHER_OFFICE

# ---------------------------------------------------------------------------------------------
# The specification: who may write what. Viewers never write, so they appear nowhere.

SPEC: dict[str, Rule] = {
    "registry:person_edit": rule(TERRITORY, STAFF, DIRECTOR, ADMIN, AGENT),
    # rows only for persons and households inside the territory
    "registry:import_start": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    # the duplicate queue: both records in the territory
    "registry:duplicate_scan": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "registry:duplicate_compare": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "registry:incoming_compare": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "registry:merge_undo": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "registry:merge_reviewed": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "participation:enrol": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "participation:change_terms": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "participation:pause": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "participation:resume": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "participation:stop": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "participation:run_lapses": rule(OFFICE, DIRECTOR, ADMIN),  # an office-wide job
    "collection:receipt_new": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "collection:receipt_hi_new": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "collection:receipt_reverse": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    # staff: only agents whose assigned villages all lie in their territory
    "collection:books": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "collection:book_return": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    # agent: their own organisation's, their own receipts; every receipt within territory
    "collection:remittances": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN, agent_on=(OWN,)),
    # staff: only when every receipt of the remittance lies in their territory
    "collection:remittance_confirm": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    "collection:period_close": rule(OFFICE, DIRECTOR, ADMIN),
    "collection:commission_rates": rule(OFFICE, DIRECTOR, ADMIN),
    "office_settings": rule(OFFICE, DIRECTOR, ADMIN),
    "reminders:templates": rule(OFFICE, DIRECTOR, ADMIN),
    "outreach:leaflet_templates": rule(OFFICE, DIRECTOR, ADMIN),
    "outreach:event_create": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "outreach:event_edit": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "outreach:event_add": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "outreach:event_new_person": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "outreach:attendance_outcome": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "outreach:contact_new": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "outreach:follow_up_done": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "retention:case_open": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "retention:case_detail": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "retention:si_history": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    "network:set_office_target": rule(OFFICE, DIRECTOR, ADMIN),
    "network:allocate": rule(OFFICE, DIRECTOR, ADMIN),
    "network:reward_new": rule(OFFICE, DIRECTOR, ADMIN),
    "network:handover": rule(OFFICE, DIRECTOR, ADMIN),
    # each item's participation / person in territory (the API's session path; the device
    # token path meets the same actions: api/tests)
    "api:sync": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN),
    # a phone's item that met a changed record, in the resolver's territory
    "sync_conflicts:resolve": rule(TERRITORY, STAFF, DIRECTOR, ADMIN),
    # the device of the place's agent: the agent their own; a manager any of their office's
    "device_revoke": rule(TERRITORY, AGENT, STAFF, DIRECTOR, ADMIN, agent_on=(OWN,),
                          staff_on=(OWN, Where.OTHER_COMMUNE)),
}

# ---------------------------------------------------------------------------------------------
# URLs with nothing to write

# Out of scope whatever their methods.
SKIPPED_PREFIXES = {
    "admin:": "Django's admin: superusers only, out of scope",
    # django-ninja's routes: their own tests (api/tests) try each role, territory and token
    "api:": "the REST API, checked by api/tests",
}
SKIPPED_PAGES = {
    "login": "signing in writes only the session and django-axes' sign-in records "
             "(core/tests/test_sign_in_lockout.py)",
    "logout": "signing out deletes only the session",
    "set_language": "writes only the language cookie",
    "home": "a redirect to the register",
    "service_worker": "a static script (require_GET)",
    "api:receipt_numbers": "a device token's only (reserves to the device): "
                           "api/tests/test_receipt_numbers.py",
    "api:receipt_numbers_release": "a device token's only: api/tests/test_receipt_numbers.py",
    "registry:export_start": "writes only its export job (the user's own, of the rows the "
                             "user may read): registry/tests/test_export_jobs.py",
}
# Pages that only read: require_GET, or a view that ignores the method and never writes.
GET_ONLY = {
    "api:api-root": "the API's root (django-ninja)",
    "api:me": "who calls the API",
    "api:policy": "the calculator's parameter snapshot",
    "api:openapi-json": "the OpenAPI schema",
    "api:openapi-view": "the API's documentation page",
    "sync_conflicts:list": "the conflicts waiting for staff (resolved by sync_conflicts:resolve)",
    "registry:person_list": "the register list",
    "registry:duplicate_queue": "the duplicate queue (its scan, decisions and undo are their "
                                "own URLs)",
    "reports:province": "the offices of a province side by side (read-only)",
    "registry:person_detail": "a person's page",
    "registry:person_data": "a person's own data as JSON (role_required; writes only the "
                            "access log, core/tests/test_personal_data.py)",
    "access_log": "the access log (require_GET)",
    "registry:household_detail": "a household's page",
    "registry:person_export": "a CSV download",
    "registry:person_export_xlsx": "an xlsx download",
    "registry:import_template": "the blank template download",
    "registry:import_status": "the progress of an import",
    "registry:import_errors": "an import's error report download (require_GET)",
    "registry:export_status": "the progress of an export (the stale check fails a dead job)",
    "registry:export_download": "an export's file (require_GET)",
    "calculator:home": "public calculator (require_GET)",
    "calculator:pay": "public calculator (require_GET)",
    "calculator:benefits": "public calculator (require_GET)",
    "calculator:cash_out": "public calculator (require_GET)",
    "calculator:sheet": "public calculator's PDF (require_GET)",
    "participation:list": "the participation list",
    "participation:detail": "a participation's page (its forms post to change_terms etc.)",
    "participation:declaration_pdf": "the TK1-TS PDF",
    "participation:lapses": "the lapse list (its button posts to run_lapses)",
    "collection:home": "the agent's day / the office's money summary",
    "collection:receipt_list": "the receipt list",
    "collection:receipt_detail": "a receipt (its form posts to receipt_reverse)",
    "collection:receipt_print": "the printable copy of a receipt",
    "collection:reconciliation": "the reconciliation (its form posts to period_close)",
    "collection:export_participants": "an xlsx download",
    "collection:export_collections": "an xlsx download",
    "collection:commission_statement": "commission statements (require_GET)",
    "reminders:outbox": "the outbox has no actions: require_GET",
    "reminders:village_list": "printable village lists (require_GET)",
    "outreach:event_list": "the event list",
    "outreach:event_detail": "an event (its forms post to event_add etc.)",
    "outreach:event_search": "HTMX search of the register",
    "outreach:worklist": "the worklist",
    "outreach:funnel": "the funnel report",
    "outreach:prospect_list": "prospects by stage",
    "outreach:leaflet_pdf": "the leaflet PDF",
    "retention:case_list": "the case list",
    "retention:case_sheet": "the counselling sheet PDF",
    "retention:persistence": "the persistence report",
    "reports:dashboard": "report (require_GET)",
    "reports:progress": "report (require_GET)",
    "reports:people": "report (require_GET)",
    "reports:ranking": "report (require_GET)",
    "network:targets": "the targets page (require_GET; its forms post to set_office_target)",
    "network:history": "a target's history (require_GET)",
    "network:rewards": "the rewards register (require_GET)",
    "field_app": "the offline field app's shell (require_GET; it writes through /api/sync)",
    "field_manifest": "the field app's web manifest (require_GET)",
    "devices": "the device list (require_GET; its buttons post to device_revoke)",
}


def skip_reason(name: str) -> str | None:
    for prefix, reason in SKIPPED_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    return SKIPPED_PAGES.get(name) or GET_ONLY.get(name)


# ---------------------------------------------------------------------------------------------
# Payloads: each would succeed for a user allowed to send it


def _day(day: date) -> str:
    return day.isoformat()


def _vnd(amount: int) -> str:
    """As the amount box shows it (and VNDField reads it back): 2.000.000."""
    return f"{amount:,}".replace(",", ".")


def _first_payable(participation: Participation) -> tuple[list[date], int]:
    """The months of the oldest unpaid period and the engine's price for them today."""
    months = list(dues(participation, TODAY).payable[0].unpaid)
    return months, quote_months(participation, months, TODAY).amount


def person_edit(attempt: Attempt) -> Payload:
    person = attempt.place.prospect
    return {
        "full_name": person.full_name, "birth_date": _day(person.birth_date), "sex": person.sex,
        "ethnicity": person.ethnicity, "local_group": person.local_group,
        "national_id": person.national_id, "si_number": person.si_number,
        "phone": "0912345678", "village": person.village_id,
        "household": person.household.code if person.household else "",
        "relation_to_head": person.relation_to_head,
        "si_status": person.si_status, "si_status_source": person.si_status_source,
        "si_status_as_of": "",
    }


def person_move_in(attempt: Attempt) -> Payload:
    """The target's person moved into a village of the persona's own (the import's old leak,
    through the page)."""
    village = attempt.world.home_village(attempt.persona, attempt.place)
    return {**person_edit(attempt), "village": village.pk, "household": ""}


def _csv_upload(cells: dict[str, str]) -> SimpleUploadedFile:
    """A one-row register file in the template (UTF-8 with BOM, as the export writes it)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(template_headers())
    writer.writerow([cells.get(column.key, "") for column in COLUMNS])
    return SimpleUploadedFile("matrix.csv", ("\ufeff" + text.getvalue()).encode(),
                              content_type="text/csv")


def import_person(attempt: Attempt) -> Payload:
    """One row for the target's prospect, found by national ID, with a new phone number.

    The row places the person in a village the writer would name: staff know only their own
    commune's villages, so a staff member importing a person of another commune moves them
    into their own territory (which must be refused: the person lies outside it)."""
    person = attempt.place.prospect
    cells = dict(zip([column.key for column in COLUMNS],
                     next(person_rows(Person.objects.filter(pk=person.pk))), strict=True))
    village = attempt.world.home_village(attempt.persona, attempt.place)
    cells.update(phone="0912345678", household_code="", poverty_status="",
                 village=village.name, commune=village.commune.name)
    return {"file": _csv_upload(cells)}


def import_household(attempt: Attempt) -> Payload:
    """One row for a new person of a village the writer names, joining the target's household
    (by its code): the household must lie in the writer's territory too."""
    village = attempt.world.home_village(attempt.persona, attempt.place)
    return {"file": _csv_upload({
        "full_name": "Nguyễn Văn Nhập", "birth_date": "15/06/1995", "sex": "Nam",
        "ethnicity": "Kinh", "household_code": attempt.place.household.code,
        "village": village.name, "commune": village.commune.name,
    })}


def enrol(attempt: Attempt) -> Payload:
    return {"start_month": f"{TODAY:%Y-%m}", "income": "2.000.000", "mode": "monthly",
            "advance_years": "", "agent": "", "client_uuid": str(uuid.uuid4())}


def change_terms(attempt: Attempt) -> Payload:
    earliest = next_change_month(attempt.place.participation, TODAY)
    return {"from_month": f"{earliest:%Y-%m}", "income": "2.500.000", "mode": "monthly",
            "advance_years": ""}


def receipt(attempt: Attempt) -> Payload:
    participation = attempt.place.participation
    months, amount = _first_payable(participation)
    return {"participation": participation.pk, "period": ",".join(map(_day, months)),
            "amount": _vnd(amount), "channel": "cash", "paid_on": _day(TODAY), "note": "",
            "client_uuid": str(uuid.uuid4())}


def hi_receipt(attempt: Attempt) -> Payload:
    # Cash needs an agent's book: an agent collects cash, the office records a bank transfer.
    # The world's receipt covers the household 04/2026–03/2027: these are the next months.
    place = attempt.place
    total = household_hi(TODAY, 1, 12, tree=current_tree(place.office)).total
    return {"household": place.household.pk, "payer": place.prospect.pk,
            "members": [place.prospect.pk], "months": 12, "first_month": "2027-04",
            "amount": _vnd(total),
            "channel": "cash" if attempt.persona is Persona.AGENT else "bank_transfer",
            "paid_on": _day(TODAY), "note": "", "client_uuid": str(uuid.uuid4())}


def event_fields(place: Place, title: str) -> Payload:
    return {"kind": "small_group", "held_on": _day(TODAY), "village": place.village.pk,
            "place": "Nhà văn hóa thôn", "title": title, "organisers": [],
            "organisation": "", "partners": ["village_head"], "leaflets": 20, "cost": 0,
            "note": ""}


def sync_receipt(attempt: Attempt) -> Payload:
    """The phone's outbox with one receipt for the target's participant."""
    participation = attempt.place.participation
    months, amount = _first_payable(participation)
    return {"items": [
        {"kind": "receipt", "client_uuid": str(uuid.uuid4()), "data": {
            "participation": str(participation.uuid), "months": [f"{m:%Y-%m}" for m in months],
            "amount": amount, "paid_on": _day(TODAY), "channel": "cash"}},
    ]}


def sync_enrol(attempt: Attempt) -> Payload:
    """The phone's outbox with one enrolment of the target's prospect."""
    return {"items": [
        {"kind": "enrol", "client_uuid": str(uuid.uuid4()), "data": {
            "person": str(attempt.place.prospect.uuid), "start_month": f"{TODAY:%Y-%m}",
            "income": 2_000_000, "mode": "monthly", "enrolled_on": _day(TODAY)}},
    ]}


def _conflict(place: Place) -> dict[str, Any]:
    """A phone's enrolment of the place's prospect that met a change, waiting for staff."""
    from ansinh.field.models import SyncItem

    item = SyncItem.objects.create(
        client_uuid=uuid.uuid4(), user=place.agent.user, office=place.office,
        village=place.prospect.village, person=place.prospect, kind="enrol",
        content_hash="0" * 64, status="conflict", reason_vi="Đã thay đổi",
        reason_en="changed", payload={"person": str(place.prospect.uuid),
                                      "start_month": f"{TODAY:%Y-%m}", "income": 2_000_000,
                                      "mode": "monthly", "enrolled_on": _day(TODAY)})
    return {"pk": item.pk}


def _no_data(attempt: Attempt) -> Payload:
    return {}


def _twin(place: Place) -> Person:
    """The place's prospect registered a second time, without diacritics."""
    from ansinh.core.text import fold

    prospect = place.prospect
    return Person.objects.create(
        office=place.office, village=prospect.village, full_name=fold(prospect.full_name),
        birth_date=prospect.birth_date, sex=prospect.sex, ethnicity=prospect.ethnicity)


def _pair(place: Place) -> dict[str, Any]:
    from ansinh.registry.models import DuplicatePair

    twin = _twin(place)
    pair = DuplicatePair.objects.create(office=place.office, village=place.prospect.village,
                                        person_a=place.prospect, person_b=twin, score=90,
                                        reasons=["diacritics"])
    return {"pk": pair.pk}


def _held_row(place: Place) -> dict[str, Any]:
    """An import row held back as probably the place's prospect (another phone)."""
    from ansinh.registry.models import DuplicatePair

    prospect = place.prospect
    row = {"line": 2, "full_name": prospect.full_name, "name_folded": prospect.name_folded,
           "birth_date": prospect.birth_date.isoformat(), "birth_year_only": False,
           "sex": prospect.sex, "ethnicity": prospect.ethnicity, "local_group": "",
           "national_id": None, "si_number": "", "phone": "0912000111", "household_code": "",
           "village_id": prospect.village_id, "office_id": place.office.pk,
           "poverty_status": "none", "si_status": "none"}
    pair = DuplicatePair.objects.create(office=place.office, village=prospect.village,
                                        person_a=prospect, incoming=row, score=85,
                                        reasons=["same_name"])
    return {"pk": pair.pk}


def _merge(place: Place, *, flagged: bool = False) -> dict[str, Any]:
    from ansinh.registry import merging

    done = merging.merge(None, place.prospect, _twin(place), choices={}, actor=place.staff)
    if flagged:
        type(done).objects.filter(pk=done.pk).update(flags=["two_participations"])
    return {"pk": done.pk}


def _new_device(user: Any) -> Device:
    """A phone of `user`, registered before the attempt (each test rolls it back)."""
    return register_device(actor=user, name="Điện thoại thử")[0]


OFFICE_TARGETS = (OWN, OTHER_OFFICE)  # office-wide records with an address (a target row)
# The page acts on the user's own office and names none: nothing to aim at another office.
# (The seeded admin belongs to no office; for admin, "own" is whatever the page picks.)
NO_TARGET = (OWN,)

CASES: tuple[Case, ...] = (
    Case("registry:person_edit", person_edit, ("registry_person",),
         kwargs=lambda p: {"pk": p.prospect.pk}),
    Case("registry:person_edit", person_move_in, ("registry_person",),
         kwargs=lambda p: {"pk": p.prospect.pk}, variant="move in"),
    Case("registry:import_start", import_person, ("registry_person",), variant="person"),
    Case("registry:duplicate_scan", _no_data, ("registry_duplicatepair",),
         kwargs=lambda p: (_twin(p), {})[1], targets=NO_TARGET),
    Case("registry:duplicate_compare", lambda a: {"action": "merge", "survivor": "a"},
         ("registry_person", "registry_merge"), kwargs=_pair, variant="merge"),
    Case("registry:duplicate_compare", lambda a: {"action": "not_same"},
         ("registry_duplicatepair",), kwargs=_pair, variant="not the same person"),
    Case("registry:incoming_compare", lambda a: {"action": "same", "keep_phone": "b"},
         ("registry_person",), kwargs=_held_row, variant="same"),
    Case("registry:incoming_compare", lambda a: {"action": "different"},
         ("registry_person",), kwargs=_held_row, variant="different"),
    Case("registry:merge_undo", _no_data, ("registry_person", "registry_merge"),
         kwargs=_merge),
    Case("registry:merge_reviewed", _no_data, ("registry_merge",),
         kwargs=lambda p: _merge(p, flagged=True)),
    Case("registry:import_start", import_household, ("registry_person",),
         variant="household"),
    Case("participation:enrol", enrol, ("participation_participation",),
         kwargs=lambda p: {"person_id": p.prospect.pk}),
    Case("participation:change_terms", change_terms, ("participation_terms",),
         kwargs=lambda p: {"pk": p.participation.pk}),
    Case("participation:pause", lambda a: {"reason": "đi làm xa"},
         ("participation_statuschange",), kwargs=lambda p: {"pk": p.participation.pk}),
    Case("participation:resume",
         lambda a: {"from_month": f"{TODAY:%Y-%m}", "income": "", "mode": "",
                    "advance_years": ""},
         ("participation_statuschange",), kwargs=lambda p: {"pk": p.paused.pk}),
    Case("participation:stop", lambda a: {"reason": "moved", "note": "chuyển vào Huế"},
         ("participation_statuschange",), kwargs=lambda p: {"pk": p.participation.pk}),
    # an office-wide job: February is overdue in every place, so a run marks someone late
    Case("participation:run_lapses", _no_data, ("participation_statuschange",),
         targets=NO_TARGET),
    Case("collection:receipt_new", receipt, ("collection_receipt",), follows_participant=True),
    Case("collection:receipt_hi_new", hi_receipt, ("collection_receipt",)),
    Case("collection:receipt_reverse", lambda a: {"reason": "ghi nhầm người"},
         ("collection_receipt",), kwargs=lambda p: {"pk": p.receipt.pk}),
    # the target is the agent the book goes to (the place's agent)
    Case("collection:books",
         lambda a: {"agent": a.place.agent.pk, "series": "MATRIXNEW", "first_number": 1,
                    "last_number": 50, "issued_on": _day(TODAY)},
         ("collection_receiptbook",)),
    Case("collection:book_return", _no_data, ("collection_receiptbook",),
         kwargs=lambda p: {"pk": p.book.pk}),
    # the household HI receipt of the place's agent, cash, not yet remitted
    Case("collection:remittances",
         lambda a: {"organisation": a.place.organisation.pk,
                    "client_uuid": str(uuid.uuid4()), "receipts": [a.place.hi_receipt.pk],
                    "number": "NT-MATRIX-NEW", "remitted_on": _day(TODAY)},
         ("collection_remittance",)),
    Case("collection:remittance_confirm", _no_data, ("collection_remittance",),
         kwargs=lambda p: {"pk": p.remittance.pk}),
    Case("collection:period_close", lambda a: {"month": "2026-02"},
         ("collection_periodclose",), targets=NO_TARGET),
    Case("collection:commission_rates",
         lambda a: {"product": "voluntary_si", "participant_kind": "first_time", "mode": "",
                    "percent": "10", "valid_from": "2026-04-01",
                    "reference": "QĐ 12/QĐ-BHXH", "office": a.place.office.code},
         ("collection_commissionrate",), targets=OFFICE_TARGETS, admin_names_office=True),
    Case("office_settings",
         lambda a: {"phone": "0234 3878 999", "address": "Thị trấn A Lưới",
                    "parent_name": "Bảo hiểm xã hội thành phố Huế", "place": "A Lưới",
                    "session_hours": "8", "office": a.place.office.code},
         ("core_office",), targets=OFFICE_TARGETS, admin_names_office=True),
    Case("reminders:templates",
         lambda a: {"code": "due_soon", "channel": "", "active": "on",
                    "body": "Kính gửi {ho_ten}: hạn đóng {han_dong}, số tiền {so_tien}.",
                    "office": a.place.office.code},
         ("reminders_remindertemplate",), targets=OFFICE_TARGETS, admin_names_office=True),
    Case("outreach:leaflet_templates",
         lambda a: {"language": "vi", "title": "Tờ rơi BHXH tự nguyện",
                    "body": "Tham gia BHXH tự nguyện để có lương hưu."},
         ("outreach_leaflettemplate",), targets=NO_TARGET),
    Case("outreach:event_create", lambda a: event_fields(a.place, "Truyền thông nhóm nhỏ"),
         ("outreach_event",)),
    Case("outreach:event_edit", lambda a: event_fields(a.place, "Hội nghị (sửa)"),
         ("outreach_event",), kwargs=lambda p: {"pk": p.event.pk}),
    Case("outreach:event_add",
         lambda a: {"person": a.place.prospect.pk, "outcome": "interested"},
         ("outreach_contact",), kwargs=lambda p: {"pk": p.event.pk}),
    Case("outreach:event_new_person",
         lambda a: {"full_name": "Pả Thị Mới", "birth_year": 1992, "sex": "F",
                    "ethnicity": "01", "phone": "", "national_id": "", "confirm_new": "on"},
         ("registry_person", "outreach_contact"), kwargs=lambda p: {"pk": p.event.pk}),
    Case("outreach:attendance_outcome",
         lambda a: {"outcome": "follow_up", "objection": "",
                    "next_follow_up_on": "2026-03-25"},
         ("outreach_contact",), kwargs=lambda p: {"pk": p.attendance.pk}),
    Case("outreach:contact_new",
         lambda a: {"on": _day(TODAY), "channel": "visit", "outcome": "interested",
                    "objection": "", "next_follow_up_on": "", "note": "",
                    "uuid": str(uuid.uuid4())},
         ("outreach_contact",), kwargs=lambda p: {"person_pk": p.prospect.pk}),
    Case("outreach:follow_up_done", lambda a: {"note": "đã đến gặp"}, ("outreach_contact",),
         kwargs=lambda p: {"pk": p.follow_up.pk}),
    Case("retention:case_open",
         lambda a: {"person": a.place.prospect.pk, "reason": "wants_lump_sum", "note": ""},
         ("retention_retentioncase",)),
    # the case of the place's participant
    Case("retention:case_detail",
         lambda a: {"on": _day(TODAY), "outcome": "undecided", "next_step": "gọi lại",
                    "next_step_on": "2026-03-23", "note": ""},
         ("retention_session",), kwargs=lambda p: {"pk": p.case.pk}, follows_participant=True),
    # a period the person showed on VssID, entered by hand (retention.history)
    Case("retention:si_history",
         lambda a: {"action": "add", "kind": "compulsory", "start": "2012-01", "end": "2019-12",
                    "income": "5000000", "category": "other", "employer": "Công ty May"},
         ("retention_declaredperiod",), kwargs=lambda p: {"pk": p.prospect.pk}),
    Case("network:set_office_target",
         lambda a: {"value": 50, "effective_on": "2026-01-01", "reason": "QĐ giao chỉ tiêu"},
         ("network_targetversion",), query=lambda p: "?period=2026&metric=new",
         targets=NO_TARGET),
    Case("network:allocate",
         lambda a: {"effective_on": _day(TODAY), "reason": "",
                    f"unit_{a.place.commune.pk}": 10},
         ("network_targetversion",),
         kwargs=lambda p: {"pk": p.office_target.pk, "kind": "commune"},
         targets=OFFICE_TARGETS),
    Case("network:reward_new",
         lambda a: {"recipient_kind": "organisation",
                    "recipient_name": a.place.organisation.name,
                    "organisation": a.place.organisation.pk, "person": "",
                    "title": "Giấy khen", "reason": "Vượt chỉ tiêu", "period": "2026",
                    "decision_number": "QĐ-MATRIX", "decision_date": _day(TODAY),
                    "figures": "", "unit": "", "office": a.place.office.code},
         ("network_reward",), targets=OFFICE_TARGETS),
    # the place's second agent leaves; the place's agent takes over
    Case("network:handover",
         lambda a: {"leaving": a.place.colleague.user.pk,
                    "substitute": a.place.agent.user.pk, "on": _day(TODAY),
                    "office": a.place.office.code},
         ("network_assignment",), targets=OFFICE_TARGETS),
    Case("api:sync", sync_receipt, ("collection_receipt",), json=True,
         follows_participant=True, variant="receipt"),
    Case("api:sync", sync_enrol, ("participation_participation",), json=True,
         variant="enrol"),
    Case("sync_conflicts:resolve", lambda a: {"note": "đã gọi điện hỏi lại"},
         ("field_syncitem",), kwargs=_conflict),
    Case("device_revoke", _no_data, ("field_device",),
         kwargs=lambda p: {"pk": _new_device(p.agent.user).pk}),
)
CASES_BY_KEY = {case.key: case for case in CASES}
CASE_URLS = {case.url for case in CASES}


# ---------------------------------------------------------------------------------------------
# The world, once per module; each test rolls back to it


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built inside one transaction that is rolled back when the module is done, so the
    other test modules never see it; each test's `db` savepoint rolls back its own writes."""
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # type: ignore[attr-defined]  # actions' durable blocks run in it
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


MATRIX = [
    pytest.param(case.key, persona, where, id=f"{case.key}-{persona}-{where}")
    for case in CASES for persona, where in combinations(case, SPEC[case.url])
]


@pytest.mark.parametrize(("key", "persona", "where"), MATRIX)
def test_write_matrix(matrix_world: World, db: None, key: str, persona: Persona,
                      where: Where) -> None:
    case = CASES_BY_KEY[key]
    place = matrix_world.places[where]
    client = Client(raise_request_exception=False)  # a crash is an answer like any other
    client.force_login(matrix_world.users[persona])
    path = reverse(case.url, kwargs=case.kwargs(place)) + case.query(place)
    payload = case.data(Attempt(matrix_world, persona, place))
    before = fingerprint()
    if case.json:
        response = client.post(path, json.dumps(payload), content_type="application/json")
    else:
        response = client.post(path, payload)
    written = changes(before, fingerprint())
    who = f"{key} as {persona} on a record of {where}"
    if SPEC[case.url].allows(persona, where):
        missing = [table for table in case.writes
                   if table not in {table_of(change) for change in written}]
        assert not missing, (
            f"{who}: the spec allows it, but {', '.join(missing)} did not change (wrote "
            f"{written or 'nothing'}; payload broken, or the application refuses): "
            f"{explain(response)}")
    else:
        assert not written, (f"{who}: the spec forbids it, but it wrote {written}: "
                             f"{explain(response)}")


# ---------------------------------------------------------------------------------------------
# The tables against the URL conf


def test_every_url_has_a_case_or_a_reason() -> None:
    missing = [name for name in url_names()
               if skip_reason(name) is None and name not in CASE_URLS]
    assert not missing, "\n".join(f"add a write-matrix case for {name}" for name in missing)


def test_the_tables_name_only_existing_urls() -> None:
    existing = set(url_names())
    stale = sorted((CASE_URLS | set(SKIPPED_PAGES) | set(GET_ONLY)) - existing)
    assert not stale, f"no such URL any more, remove from the write matrix: {stale}"


def test_every_case_has_a_rule_and_every_rule_a_case() -> None:
    assert set(SPEC) == CASE_URLS
    assert len(CASES_BY_KEY) == len(CASES), "one case per URL (or distinct variants)"
    assert not CASE_URLS & set(GET_ONLY), "a URL is either written or skipped"
