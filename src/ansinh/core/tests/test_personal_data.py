"""Personal data under Decree 13/2023/NĐ-CP (docs/personal-data.md), tried by every role in the
write matrix's world: who sees a national ID, a phone and a birth date in full (lists, pages and
every export format), who can find a person by their ID, the access log (one row per person
page and per export; none for a refusal), the access-log page and a person's own data file.

The expectations are written here, not computed from `core.permissions`, so the test checks
the map against the specification.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.core.models import AccessEntry, AccessKind
from ansinh.core.personal import mask_id, mask_phone, prune_access_log
from ansinh.core.spreadsheet import restore
from ansinh.registry.models import Person

from .matrix import Persona, Where
from .matrix_world import NOW, Place, World
from .test_write_matrix import matrix_world  # noqa: F401  (the module's world)

ALL = tuple(Persona)
# The specification (docs/personal-data.md, "Who sees what").
IDS_IN_LISTS = {Persona.ADMIN, Persona.DIRECTOR, Persona.STAFF}
IDS_ON_PAGES = {Persona.ADMIN, Persona.DIRECTOR, Persona.STAFF, Persona.AGENT}
PHONES = {Persona.ADMIN, Persona.DIRECTOR, Persona.STAFF, Persona.AGENT}
BIRTH_DATES = {Persona.ADMIN, Persona.DIRECTOR, Persona.STAFF, Persona.AGENT}
PERSON_DATA = {Persona.ADMIN, Persona.DIRECTOR, Persona.STAFF}
ACCESS_LOG_PAGE = {Persona.ADMIN, Persona.DIRECTOR}

PHONE = "0912345678"


@pytest.fixture
def world(matrix_world: World, db: None) -> Iterator[World]:  # noqa: F811
    """The world with a phone on each place's prospect and no access log yet (the savepoint
    of `db` rolls both back)."""
    for place in matrix_world.places.values():
        Person.objects.filter(pk=place.prospect.pk).update(phone=PHONE)
    AccessEntry.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        yield matrix_world


def client_of(world: World, persona: Persona) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[persona])
    return client


def own(world: World) -> Place:
    return world.places[Where.OWN]


def nid(place: Place) -> str:
    value = place.prospect.national_id
    assert value and len(value) == 12
    return value


def payer_nid(place: Place) -> str:
    value = place.participation.person.national_id
    assert value
    return value


def entries() -> list[AccessEntry]:
    return list(AccessEntry.objects.order_by("id"))


@pytest.fixture
def html_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF downloads answer the HTML WeasyPrint would print: its words can be read."""
    def html(template: str, context: dict[str, Any], request: Any = None) -> bytes:
        return render_to_string(template, context, request=request).encode()

    monkeypatch.setattr("ansinh.core.pdf.pdf_bytes", html)


# ---------------------------------------------------------------------------------------------
# The masks


def test_the_masks_keep_the_last_digits_only() -> None:
    assert mask_id("046090990010") == "••••••••0010"
    assert mask_phone("0912345678") == "•••••••678"
    assert mask_id("") == mask_id(None) == mask_phone(None) == ""
    assert mask_id("123") == "123"  # shorter than what is kept: nothing to hide


# ---------------------------------------------------------------------------------------------
# Lists, pages and search


@pytest.mark.parametrize("persona", ALL)
def test_the_register_list_masks_ids_and_birth_dates(world: World, persona: Persona) -> None:
    place = own(world)
    response = client_of(world, persona).get(
        reverse("registry:person_list"), {"village": place.village.code})
    assert response.status_code == 200
    page = response.content.decode()
    assert place.prospect.full_name in page
    full = nid(place)
    if persona in IDS_IN_LISTS:
        assert full in page
    else:
        assert full not in page and mask_id(full) in page
    assert ("10/05/1990" in page) == (persona in BIRTH_DATES)


@pytest.mark.parametrize("persona", ALL)
def test_the_person_page_masks_by_role(world: World, persona: Persona) -> None:
    place = own(world)
    response = client_of(world, persona).get(
        reverse("registry:person_detail", args=[place.prospect.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    full = nid(place)
    if persona in IDS_ON_PAGES:
        assert full in page
    else:
        assert full not in page and mask_id(full) in page
    if persona in PHONES:
        assert f'href="tel:{PHONE}"' in page
    else:
        assert PHONE not in page and mask_phone(PHONE) in page
    assert ("10/05/1990" in page) == (persona in BIRTH_DATES)


@pytest.mark.parametrize("persona", ALL)
def test_the_participant_list_and_page_mask_by_role(world: World, persona: Persona) -> None:
    place = own(world)
    client = client_of(world, persona)
    full = payer_nid(place)
    listed = client.get(reverse("participation:list"), {"village": place.village.code})
    assert listed.status_code == 200
    assert (full in listed.content.decode()) == (persona in IDS_IN_LISTS)
    page = client.get(reverse("participation:detail", args=[place.participation.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert (full in text) == (persona in IDS_ON_PAGES)
    assert ("03/02/1988" in text) == (persona in BIRTH_DATES)


@pytest.mark.parametrize("persona", ALL)
def test_a_person_is_found_by_national_id_only_by_who_sees_it(world: World,
                                                              persona: Persona) -> None:
    place = own(world)
    client = client_of(world, persona)
    found = client.get(reverse("registry:person_list"), {"q": nid(place)}).content.decode()
    assert (place.prospect.full_name in found) == (persona in IDS_ON_PAGES)
    by_phone = client.get(reverse("registry:person_list"), {"q": PHONE[2:]}).content.decode()
    assert (place.prospect.full_name in by_phone) == (persona in PHONES)
    participants = client.get(reverse("participation:list"),
                              {"q": payer_nid(place)}).content.decode()
    assert (place.participation.person.full_name in participants) == (persona in IDS_ON_PAGES)


# ---------------------------------------------------------------------------------------------
# Exports


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _row_of(rows: list[list[Any]], name: str) -> list[Any]:
    matches = [row for row in rows if name in row]
    assert matches, f"{name} not exported"
    return matches[0]


@pytest.mark.parametrize("persona", ALL)
def test_the_register_exports_mask_by_role(world: World, persona: Persona) -> None:
    place = own(world)
    client = client_of(world, persona)
    query = {"village": place.village.code}
    xlsx = client.get(reverse("registry:person_export_xlsx"), query)
    assert xlsx.status_code == 200
    csv_response = client.get(reverse("registry:person_export"), query)
    assert csv_response.status_code == 200
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    for rows in (_xlsx_rows(xlsx.content), [list(r) for r in csv.reader(io.StringIO(text))]):
        row = _row_of(rows, place.prospect.full_name)
        full = nid(place)
        assert row[3] == (full if persona in IDS_IN_LISTS else mask_id(full))
        assert row[6] == (PHONE if persona in PHONES else mask_phone(PHONE))
        assert row[1] == ("10/05/1990" if persona in BIRTH_DATES else "1990")
        assert full not in str(rows) or persona in IDS_IN_LISTS


@pytest.mark.parametrize("persona", ALL)
def test_the_declaration_lists_mask_by_role(world: World, persona: Persona) -> None:
    place = own(world)
    client = client_of(world, persona)
    query = {"village": place.village.code}
    participants = client.get(reverse("collection:export_participants"), query)
    assert participants.status_code == 200
    collections = client.get(reverse("collection:export_collections"),
                             {**query, "from": "2026-01-01", "to": "2026-03-31"})
    assert collections.status_code == 200
    payer = place.participation.person
    for content in (participants.content, collections.content):
        rows = _xlsx_rows(content)
        row = _row_of(rows, payer.full_name)
        full = payer_nid(place)
        assert row[4] == (full if persona in IDS_IN_LISTS else mask_id(full))
        assert str(row[2])[:10] == ("1988-02-03" if persona in BIRTH_DATES else "1988")
        assert full not in str(rows) or persona in IDS_IN_LISTS


@pytest.mark.parametrize("persona", ALL)
def test_the_printed_lists_and_forms_mask_by_role(world: World, persona: Persona,
                                                  html_pdfs: None) -> None:
    place = own(world)
    client = client_of(world, persona)
    Person.objects.filter(pk=place.participation.person_id).update(phone=PHONE)
    village_list = client.get(reverse("reminders:village_list"),
                              {"village": str(place.village.pk), "month": "2026-03"})
    assert village_list.status_code == 200
    text = village_list.content.decode()
    assert place.participation.person.full_name in text
    assert (PHONE in text) == (persona in PHONES)
    declaration = client.get(reverse("participation:declaration_pdf",
                                     args=[place.participation.pk]))
    assert declaration.status_code == 200
    form = declaration.content.decode()
    assert (payer_nid(place) in form) == (persona in IDS_ON_PAGES)
    assert (PHONE in form) == (persona in PHONES)
    sheet = client.get(reverse("retention:case_sheet", args=[place.case.pk]))
    assert sheet.status_code == 200
    assert ("03/02/1988" in sheet.content.decode()) == (persona in BIRTH_DATES)


def test_the_phones_download_carries_no_national_id() -> None:
    """The field app's territory (api/territory.py): phones and birth dates for the agent who
    calls and enrols, never national IDs (docs/personal-data.md)."""
    from ansinh.api.territory import PERSON_FIELDS, PersonOut

    assert "national_id" not in PERSON_FIELDS and "si_number" not in PERSON_FIELDS
    assert "national_id" not in PersonOut.model_fields


# ---------------------------------------------------------------------------------------------
# The access log


def _pages(place: Place) -> list[tuple[str, str, AccessKind]]:
    return [
        ("registry:person_detail", str(place.prospect.pk), AccessKind.PERSON_PAGE),
        ("participation:detail", str(place.participation.pk), AccessKind.PARTICIPANT_PAGE),
        ("retention:case_detail", str(place.case.pk), AccessKind.COUNSELLING_PAGE),
        ("retention:case_sheet", str(place.case.pk), AccessKind.COUNSELLING_SHEET),
        ("participation:declaration_pdf", str(place.participation.pk), AccessKind.DECLARATION),
    ]


@pytest.mark.parametrize("persona", ALL)
def test_each_person_page_viewed_writes_one_entry(world: World, persona: Persona,
                                                  html_pdfs: None) -> None:
    place = own(world)
    client = client_of(world, persona)
    user = world.users[persona]
    for name, pk, kind in _pages(place):
        before = AccessEntry.objects.count()
        response = client.get(reverse(name, args=[pk]), REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200, name
        assert AccessEntry.objects.count() == before + 1, name
        entry = AccessEntry.objects.latest("id")
        person = (place.prospect if kind == AccessKind.PERSON_PAGE
                  else place.participation.person)
        assert (entry.kind, entry.actor_id, entry.person_id, entry.object_id) == (
            kind, user.pk, person.pk, pk)
        assert entry.office_id == place.office.pk and entry.ip == "10.1.2.3"
        assert entry.at == timezone.now()


@pytest.mark.parametrize("persona", [Persona.DIRECTOR, Persona.STAFF, Persona.AGENT,
                                     Persona.VIEWER])  # an administrator sees every office
def test_a_refused_page_writes_no_entry(world: World, persona: Persona,
                                        html_pdfs: None) -> None:
    """Another office's person (another commune's for staff, agent and viewer): 404, and
    nothing in the log."""
    where = Where.OTHER_OFFICE if persona == Persona.DIRECTOR else Where.OTHER_COMMUNE
    client = client_of(world, persona)
    for name, pk, _kind in _pages(world.places[where]):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.get(reverse("registry:person_data",
                              args=[world.places[where].prospect.pk])).status_code in (403, 404)
    assert entries() == []


@pytest.mark.parametrize("persona", ALL)
def test_each_export_writes_one_entry_with_its_rows(world: World, persona: Persona,
                                                    html_pdfs: None) -> None:
    place = own(world)
    client = client_of(world, persona)
    village = {"village": place.village.code}
    downloads: list[tuple[str, dict[str, str], AccessKind]] = [
        ("registry:person_export_xlsx", village, AccessKind.REGISTER_EXPORT),
        ("registry:person_export", village, AccessKind.REGISTER_EXPORT),
        ("collection:export_participants", village, AccessKind.PARTICIPANTS_EXPORT),
        ("collection:export_collections", {**village, "from": "2026-01-01", "to": "2026-03-31"},
         AccessKind.COLLECTIONS_EXPORT),
        ("reminders:village_list", {"village": str(place.village.pk), "month": "2026-03"},
         AccessKind.VILLAGE_LIST),
    ]
    registered = Person.objects.filter(village=place.village).count()
    for name, query, kind in downloads:
        before = AccessEntry.objects.count()
        response = client.get(reverse(name), query)
        assert response.status_code == 200, name
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        assert AccessEntry.objects.count() == before + 1, name
        entry = AccessEntry.objects.latest("id")
        assert (entry.kind, entry.actor_id, entry.person_id) == (
            kind, world.users[persona].pk, None)
        assert entry.rows is not None and entry.rows >= 1, name
        if name.startswith("registry:"):
            assert entry.rows == registered
            assert place.village.code in entry.description
        if name == "collection:export_collections":
            assert entry.rows == 2  # January's SI receipt and the household HI receipt


def test_a_page_view_is_one_insert(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(world, Persona.STAFF)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("registry:person_detail", args=[own(world).prospect.pk]))
    logged = [q["sql"] for q in queries.captured_queries if "core_accessentry" in q["sql"]]
    assert len(logged) == 1 and logged[0].startswith("INSERT")


@pytest.mark.parametrize("persona", [Persona.AGENT, Persona.STAFF])
def test_the_enrolment_form_shows_the_id_to_who_enrols(world: World, persona: Persona) -> None:
    place = own(world)
    page = client_of(world, persona).get(reverse("participation:enrol",
                                                 args=[place.prospect.pk]))
    assert page.status_code == 200 and nid(place) in page.content.decode()


def test_a_list_page_writes_no_entry(world: World) -> None:
    """Lists show masked or listed data and are not logged: only pages of one person and
    downloads are (one INSERT each, nothing on every list request)."""
    client = client_of(world, Persona.DIRECTOR)
    for name in ("registry:person_list", "participation:list", "retention:case_list"):
        assert client.get(reverse(name)).status_code == 200
    assert entries() == []


def test_the_cli_export_writes_one_entry(world: World, tmp_path: Path) -> None:
    place = own(world)
    target = tmp_path / "so.csv"
    call_command("export", "persons", str(target), commune=place.commune.code)
    [entry] = entries()
    assert entry.actor_id is None and entry.kind == AccessKind.REGISTER_EXPORT
    assert entry.office_id == place.office.pk
    assert entry.rows == Person.objects.filter(village__commune=place.commune).count()
    assert nid(place) in target.read_text(encoding="utf-8-sig")  # the operator's: in full


# ---------------------------------------------------------------------------------------------
# The access-log page


@pytest.mark.parametrize("persona", ALL)
def test_the_access_log_page_is_the_office_s(world: World, persona: Persona) -> None:
    place, other = own(world), world.places[Where.OTHER_OFFICE]
    staff = client_of(world, Persona.STAFF)
    staff.get(reverse("registry:person_detail", args=[place.prospect.pk]))
    director_pd = Client()
    director_pd.force_login(other.staff)  # Phong Điền's staff reads their own person
    director_pd.get(reverse("registry:person_detail", args=[other.prospect.pk]))
    assert len(entries()) == 2
    before = AccessEntry.objects.count()
    response = client_of(world, persona).get(reverse("access_log"))
    if persona not in ACCESS_LOG_PAGE:
        assert response.status_code == 403
        assert AccessEntry.objects.count() == before
        return
    assert response.status_code == 200
    office_page = client_of(world, persona).get(reverse("office_settings")).content.decode()
    assert reverse("access_log") in office_page  # reached from the office's page
    page = response.content.decode()
    assert f"#{place.prospect.pk}<" in page
    assert f"#{other.prospect.pk}<" not in page  # another office's reads stay theirs
    filtered = client_of(world, persona).get(reverse("access_log"), {
        "user": world.users[Persona.STAFF].username, "person": str(place.prospect.pk),
        "kind": str(AccessKind.PERSON_PAGE), "from": "2026-03-16", "to": "2026-03-16"})
    assert f"#{place.prospect.pk}<" in filtered.content.decode()
    nobody = client_of(world, persona).get(reverse("access_log"), {"person": "1" * 40,
                                                                     "from": "2026-03-17"})
    assert nobody.status_code == 200 and f"#{place.prospect.pk}<" not in nobody.content.decode()
    assert AccessEntry.objects.count() == before  # reading the log is not logged


def test_the_administrator_reads_any_office_s_log(world: World) -> None:
    other = world.places[Where.OTHER_OFFICE]
    reader = Client()
    reader.force_login(other.staff)
    reader.get(reverse("registry:person_detail", args=[other.prospect.pk]))
    admin = client_of(world, Persona.ADMIN)
    page = admin.get(reverse("access_log"), {"office": other.office.code}).content.decode()
    assert f"#{other.prospect.pk}<" in page


def test_the_log_is_kept_for_the_set_number_of_days(world: World, settings: Any) -> None:
    client = client_of(world, Persona.STAFF)
    client.get(reverse("registry:person_detail", args=[own(world).prospect.pk]))
    settings.ANSINH_ACCESS_LOG_DAYS = 30
    assert prune_access_log(now=timezone.now() + timedelta(days=30)) == 0
    assert prune_access_log(now=timezone.now() + timedelta(days=30, seconds=1)) == 1
    assert entries() == []


# ---------------------------------------------------------------------------------------------
# A person's own data


@pytest.mark.parametrize("persona", ALL)
def test_a_person_s_own_data_for_office_staff(world: World, persona: Persona) -> None:
    place = own(world)
    payer = place.participation.person
    client = client_of(world, persona)
    client.get(reverse("registry:person_detail", args=[payer.pk]))  # an earlier read
    before = AccessEntry.objects.count()
    response = client.get(reverse("registry:person_data", args=[payer.pk]))
    page = client.get(reverse("registry:person_detail", args=[payer.pk])).content.decode()
    button = reverse("registry:person_data", args=[payer.pk]) + '"'
    if persona not in PERSON_DATA:
        assert response.status_code == 403
        assert AccessEntry.objects.count() == before + 1  # the page view only
        assert button not in page
        return
    assert button in page
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    sections = data["sections"]
    assert [row["national_id"] for row in sections["person"]] == [payer.national_id]
    assert [row["id"] for row in sections["participations"]] == [place.participation.pk]
    assert {row["id"] for row in sections["receipts"]} == {place.receipt.pk}
    assert [row["month"] for row in sections["paid_months"]] == ["2026-01-01"]
    assert {row["id"] for row in sections["contacts"]} == {place.attendance.pk}
    assert [row["id"] for row in sections["retention_cases"]] == [place.case.pk]
    assert {"registry.Person", "participation.Participation", "collection.Receipt",
            "retention.RetentionCase"} <= {row["model"] for row in data["audit"]}
    kinds = [row["kind"] for row in data["access_log"]]
    assert kinds == [AccessKind.PERSON_PAGE, AccessKind.PERSON_DATA]
    entry = AccessEntry.objects.filter(kind=AccessKind.PERSON_DATA).get()
    assert (entry.person_id, entry.actor_id) == (payer.pk, world.users[persona].pk)


def test_a_prospect_s_own_data_holds_their_household_and_follow_up(world: World) -> None:
    place = own(world)
    response = client_of(world, Persona.STAFF).get(
        reverse("registry:person_data", args=[place.prospect.pk]))
    sections = json.loads(response.content)["sections"]
    assert [row["id"] for row in sections["household"]] == [place.household.pk]
    [contact] = sections["contacts"]
    assert contact["next_follow_up_on"] == "2026-03-20" and contact["follow_up_done"] is False
    assert sections["participations"] == [] and sections["retention_cases"] == []


def test_the_prune_command_and_the_daily_job_apply_the_retention(world: World,
                                                                  settings: Any) -> None:
    from ansinh.reminders import tasks

    client = client_of(world, Persona.STAFF)
    client.get(reverse("registry:person_detail", args=[own(world).prospect.pk]))
    client.get(reverse("registry:person_detail", args=[own(world).prospect.pk]))
    AccessEntry.objects.filter(pk=entries()[0].pk).update(at=timezone.now() - timedelta(days=3))
    call_command("prune-access-log", days=5)
    assert len(entries()) == 2
    call_command("prune-access-log", days=2)
    assert len(entries()) == 1
    AccessEntry.objects.update(at=timezone.now() - timedelta(days=731))
    assert tasks.daily()["access_log_pruned"] == 1  # the default: two years
    assert entries() == []


@pytest.mark.parametrize("persona", ALL)
def test_the_report_s_list_of_people_masks_and_logs_its_downloads(world: World,
                                                                  persona: Persona) -> None:
    """The progress report's drill-down (reports:people): names with birth dates, on the page
    and as xlsx; a viewer gets the year."""
    place = own(world)
    client = client_of(world, persona)
    unit = (f"agent:{place.agent.pk}" if persona == Persona.AGENT  # an agent: their own
            else f"commune:{place.commune.pk}")
    query = {"metric": "new", "period": "2026", "as_of": "2026-03-16", "unit": unit}
    page = client.get(reverse("reports:people"), query)
    assert page.status_code == 200
    text = page.content.decode()
    assert place.participation.person.full_name in text
    assert ("03/02/1988" in text) == (persona in BIRTH_DATES)
    assert entries() == []  # the page is a list: not logged
    xlsx = client.get(reverse("reports:people"), {**query, "export": "xlsx"})
    assert xlsx.status_code == 200
    row = _row_of(_xlsx_rows(xlsx.content), place.participation.person.full_name)
    assert str(row[1])[:10] == ("1988-02-03" if persona in BIRTH_DATES else "1988")
    [entry] = entries()
    assert (entry.kind, entry.actor_id) == (AccessKind.REPORT_LIST, world.users[persona].pk)
    assert entry.rows is not None and entry.rows >= 1


def test_a_person_s_own_data_as_a_workbook(world: World) -> None:
    place = own(world)
    payer = place.participation.person
    Person.objects.filter(pk=payer.pk).update(full_name='=HYPERLINK("http://x","Hoa")')
    response = client_of(world, Persona.DIRECTOR).get(
        reverse("registry:person_data", args=[payer.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert {"person", "participations", "receipts", "paid_months", "contacts",
            "retention_cases", "audit", "access_log"} <= set(book.sheetnames)
    person = book["person"]
    header = [cell.value for cell in person[1]]
    row = dict(zip(header, [cell for cell in person[2]], strict=True))
    assert row["national_id"].value == payer.national_id
    # a text, never a live formula; neutralised as every export is, and restored exactly
    assert row["full_name"].data_type == "s"
    assert row["full_name"].value == "'" + '=HYPERLINK("http://x","Hoa")'
    assert restore(row["full_name"].value) == '=HYPERLINK("http://x","Hoa")'
    [entry] = entries()
    assert (entry.kind, entry.description) == (AccessKind.PERSON_DATA, "xlsx")


@pytest.mark.parametrize("persona", ALL)
def test_the_lapse_list_masks_phones_by_role(world: World, persona: Persona) -> None:
    place = own(world)
    Person.objects.filter(pk=place.participation.person_id).update(phone=PHONE)
    page = client_of(world, persona).get(reverse("participation:lapses"),
                                         {"village": place.village.code})
    assert page.status_code == 200
    text = page.content.decode()
    assert place.participation.person.full_name in text
    if persona in PHONES:
        assert f'href="tel:{PHONE}"' in text
    else:
        assert PHONE not in text and mask_phone(PHONE) in text


@pytest.mark.parametrize(("address", "kept"), [("10.0.0.7", "10.0.0.7"), ("::1", "::1"),
                                               ("unix:/run/ansinh.sock", None), ("", None)])
def test_the_reader_s_address_is_kept_only_when_it_is_one(world: World, address: str,
                                                          kept: str | None) -> None:
    client = client_of(world, Persona.STAFF)
    response = client.get(reverse("registry:person_detail", args=[own(world).prospect.pk]),
                          REMOTE_ADDR=address)
    assert response.status_code == 200
    [entry] = entries()
    assert entry.ip == kept
