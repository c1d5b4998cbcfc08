"""The import writes only inside its user's territory: a row that reaches a person or a household
of another commune or office is refused row by row, and nothing of it changes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from ansinh.core.models import AuditEntry, Office, User
from ansinh.core.scoping import visible_villages
from ansinh.registry.exporting import (
    person_rows,
    template_headers,
    write_error_report,
    write_table,
)
from ansinh.registry.importing import ImportResult, import_persons
from ansinh.registry.models import (
    Commune,
    Household,
    HouseholdPoverty,
    ImportJob,
    Person,
    PovertyStatus,
    Province,
    Village,
)

OTHER_TERRITORY = "thuộc địa bàn khác"
# template columns (registry/columns.py)
NAME, NATIONAL_ID, PHONE, HOUSEHOLD, VILLAGE, COMMUNE, POVERTY = 0, 3, 6, 7, 8, 9, 10


@pytest.fixture
def staff_al1(world: dict[str, Any]) -> Any:
    return world["users"]["canbo1"]


@pytest.fixture
def other_office(world: dict[str, Any]) -> dict[str, Any]:
    """Phong Điền: a second office with one village, one household and one person."""
    office = Office.objects.create(code="PD", name="BHXH cơ sở Phong Điền")
    commune = Commune.objects.create(office=office, province=Province.objects.get(code="46"),
                                     code="PD1", name="Phong Điền 1")
    village = Village.objects.create(commune=commune, code="PD1-01", name="Thôn Một")
    household = Household.objects.create(office=office, village=village, code="PD1-01-H1",
                                         head_name="Lê Văn Khác")
    HouseholdPoverty.objects.create(household=household, year=2025, status=PovertyStatus.NONE)
    person = Person.objects.create(office=office, village=village, household=household,
                                   full_name="Lê Văn Khác", birth_date=date(1980, 3, 1),
                                   sex="M", national_id="046080009999")
    return {"office": office, "village": village, "household": household, "person": person}


def _village(commune: str) -> Village:
    village = Village.objects.select_related("commune").filter(commune__code=commune).first()
    assert village is not None
    return village


def _person_of(commune: str) -> Person:
    person = (Person.objects.filter(village__commune__code=commune, national_id__isnull=False)
              .order_by("id").first())
    assert person is not None
    return person


def _household_of(commune: str) -> Household:
    """A household of the commune that is not poor: making it poor would be a change."""
    household = (Household.objects.filter(village__commune__code=commune)
                 .exclude(poverty_statuses__status=PovertyStatus.POOR).order_by("id").first())
    assert household is not None
    return household


def _row(person: Person) -> list[str]:
    """The person as the export writes them."""
    return next(person_rows(Person.objects.filter(pk=person.pk)))


def _new(name: str, national_id: str, village: Village, household: str = "",
         poverty: str = "") -> list[str]:
    return [name, "12/05/1990", "Nữ", national_id, "", "Tà Ôi", "", household, village.name,
            village.commune.name, poverty, "Chưa tham gia"]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    write_table(path, template_headers(), rows)
    return path


def _state() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]],
                      list[int]]:
    """Everything an import may change: persons, households, poverty rows, audit rows."""
    return (
        list(Person.objects.order_by("id").values_list(
            "id", "office_id", "village_id", "household_id", "full_name", "national_id",
            "phone", "si_status")),
        list(Household.objects.order_by("id").values_list("id", "code", "village_id")),
        list(HouseholdPoverty.objects.order_by("id").values_list(
            "household_id", "year", "status", "source")),
        list(AuditEntry.objects.order_by("id").values_list("id", flat=True)),
    )


def _refused(result: ImportResult) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in result.errors}


def _report_rows(path: Path) -> list[int]:
    """The rows an error report refuses as belonging to another territory."""
    lines = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))[1:]
    return sorted(int(row) for row, _column, reason in lines
                  if OTHER_TERRITORY in str(reason).lower())


@pytest.fixture
def reaching_file(tmp_path: Path, other_office: dict[str, Any]) -> dict[str, Any]:
    """What A Lưới 1's staff uploaded: two good rows of A Lưới 1 around three rows that reach
    out — a person of A Lưới 2 renamed and moved in (by national ID), and new people attached
    to a household of A Lưới 2 and to one of Phong Điền, both declared poor."""
    al1 = _village("AL1")
    victim = _person_of("AL2")
    household_al2 = _household_of("AL2")
    moved_in = _row(victim)
    moved_in[NAME] = "Hồ Văn Đổi Tên"
    moved_in[VILLAGE], moved_in[COMMUNE] = al1.name, al1.commune.name
    moved_in[HOUSEHOLD] = moved_in[POVERTY] = ""
    own = _person_of("AL1")
    phone_changed = _row(own)
    phone_changed[PHONE] = "0911222333"
    rows = [
        _new("Hồ Thị Mới", "046190001111", al1, "AL1-NEW-H1", "Hộ cận nghèo"),   # line 2
        moved_in,                                                                 # line 3
        _new("Kăn Thị Nghèo", "046190002222", al1, household_al2.code, "Hộ nghèo"),  # line 4
        _new("Pả Thị Xa", "046190003333", al1, "PD1-01-H1", "Hộ nghèo"),          # line 5
        phone_changed,                                                            # line 6
    ]
    return {"path": _csv(tmp_path / "al1.csv", rows), "victim": victim, "own": own,
            "household_al2": household_al2, "household_pd": other_office["household"]}


REACHING_OUT = {(3, "national_id"), (4, "household_code"), (5, "household_code")}


def test_staff_reaching_another_commune_or_office_is_refused_row_by_row_and_nothing_changes(
        staff_al1: User, reaching_file: dict[str, Any]) -> None:
    before = _state()
    result = import_persons(reaching_file["path"], territory=visible_villages(staff_al1),
                            actor=staff_al1)
    assert not result.imported
    assert result.invalid == 3 and _refused(result) == REACHING_OUT
    assert all(OTHER_TERRITORY in error.reason.lower() and " / " in error.reason
               for error in result.errors)
    assert _state() == before
    assert not Household.objects.filter(code="AL1-NEW-H1").exists()


def test_with_skip_invalid_only_the_rows_inside_the_territory_are_written(
        staff_al1: User, reaching_file: dict[str, Any], tmp_path: Path) -> None:
    victim, own = reaching_file["victim"], reaching_file["own"]
    poverty_before = list(HouseholdPoverty.objects.filter(
        household__in=[reaching_file["household_al2"], reaching_file["household_pd"]])
        .order_by("id").values_list("household_id", "year", "status"))
    audits = set(AuditEntry.objects.values_list("id", flat=True))
    count = Person.objects.count()

    result = import_persons(reaching_file["path"], territory=visible_villages(staff_al1),
                            actor=staff_al1, skip_invalid=True)

    assert result.imported
    assert (result.created, result.updated, result.invalid) == (1, 1, 3)
    assert _refused(result) == REACHING_OUT
    assert Person.objects.count() == count + 1
    # the refused rows changed nothing: the person of A Lưới 2, the two households' poverty
    victim_now = Person.objects.get(pk=victim.pk)
    assert (victim_now.full_name, victim_now.village_id, victim_now.household_id) == (
        victim.full_name, victim.village_id, victim.household_id)
    assert list(HouseholdPoverty.objects.filter(
        household__in=[reaching_file["household_al2"], reaching_file["household_pd"]])
        .order_by("id").values_list("household_id", "year", "status")) == poverty_before
    assert not Person.objects.filter(national_id__in=["046190002222", "046190003333"]).exists()
    # the rows inside were written, and only they are in the audit table
    new = Person.objects.get(national_id="046190001111")
    assert new.village.commune.code == "AL1" and new.household.code == "AL1-NEW-H1"  # type: ignore[union-attr]
    assert Person.objects.get(pk=own.pk).phone == "0911222333"
    written = AuditEntry.objects.exclude(id__in=audits)
    assert sorted(written.values_list("action", "object_id")) == [
        ("import.create", "*"), ("import.update", str(own.pk))]
    # the error report names the two reasons
    report = tmp_path / "errors.xlsx"
    write_error_report(report, result.errors)
    assert _report_rows(report) == [3, 4, 5]


def test_a_village_outside_the_territory_is_refused_with_a_clear_reason(
        staff_al1: User, tmp_path: Path) -> None:
    path = _csv(tmp_path / "v.csv", [
        _new("Hồ Thị Ngoài", "046190004444", _village("AL2")),
        ["Hồ Thị Lạc", "12/05/1990", "Nữ", "", "", "Kinh", "", "", "Không Có", "A Lưới 1", "",
         ""],
    ])
    result = import_persons(path, territory=visible_villages(staff_al1), dry_run=True)
    reasons = {error.row: error.reason for error in result.errors if error.column == "village"}
    assert "ngoài địa bàn của bạn" in reasons[2] and "outside your territory" in reasons[2]
    assert reasons[3].startswith("Không có thôn này")


def test_a_director_may_touch_any_commune_of_the_office_but_not_another_office(
        director: User, other_office: dict[str, Any], tmp_path: Path) -> None:
    al2_person = _person_of("AL2")
    renamed = _row(al2_person)
    renamed[NAME] = "Hồ Văn Đổi Tên"
    household_al3 = _household_of("AL3")
    al3 = _village("AL3")
    national_id_pd = other_office["person"].national_id
    path = _csv(tmp_path / "director.csv", [
        renamed,                                                                   # line 2
        _new("Kăn Thị Nghèo", "046190002222", al3, household_al3.code, "Hộ nghèo"),  # line 3
        _new("Pả Thị Xa", "046190003333", al3, "PD1-01-H1", "Hộ nghèo"),           # line 4
        _new("Lê Thị Trùng", national_id_pd, al3),                                 # line 5
    ])
    pd_before = list(HouseholdPoverty.objects.filter(household=other_office["household"])
                     .values_list("year", "status"))

    result = import_persons(path, territory=visible_villages(director), actor=director,
                            skip_invalid=True)

    assert (result.created, result.updated, result.invalid) == (1, 1, 2)
    assert _refused(result) == {(4, "household_code"), (5, "national_id")}
    assert Person.objects.get(pk=al2_person.pk).full_name == "Hồ Văn Đổi Tên"
    assert household_al3.poverty_statuses.order_by("-year").first().status == "poor"  # type: ignore[union-attr]
    assert list(HouseholdPoverty.objects.filter(household=other_office["household"])
                .values_list("year", "status")) == pd_before
    # the Phong Điền person keeps their ID: no second person, no crash on the unique ID
    assert Person.objects.filter(national_id=national_id_pd).count() == 1
    assert Person.objects.get(national_id=national_id_pd).full_name == "Lê Văn Khác"


def test_the_cli_is_the_operator_and_writes_across_offices(
        other_office: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    al1 = _village("AL1")
    moved = _row(other_office["person"])
    moved[VILLAGE], moved[COMMUNE] = al1.name, al1.commune.name
    moved[HOUSEHOLD] = moved[POVERTY] = ""
    path = _csv(tmp_path / "cli.csv", [
        moved,
        _new("Pả Thị Xa", "046190003333", al1, "PD1-01-H1", "Hộ nghèo"),
    ])
    with pytest.raises(SystemExit) as done:
        call_command("import", "persons", str(path), "--json")
    assert done.value.code == 0
    counts = json.loads(capsys.readouterr().out)
    assert (counts["created"], counts["updated"], counts["invalid"]) == (1, 1, 0)
    person = Person.objects.get(pk=other_office["person"].pk)
    assert person.village_id == al1.pk
    assert person.office_id == al1.commune.office_id  # the office follows the village
    assert other_office["household"].poverty_statuses.order_by("-year").first().status == "poor"


# ---------------------------------------------------------------------------------------------
# Through the import page (the job runs inline in tests)


def _upload(client: Client, path: Path, **options: str) -> ImportJob:
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    client.post("/so-doi-tuong/nhap/", {"file": upload, **options})
    return ImportJob.objects.latest("id")


def test_the_import_page_refuses_what_reaches_out_and_reports_it(
        client: Client, staff_al1: User, reaching_file: dict[str, Any]) -> None:
    client.force_login(staff_al1)
    before = _state()
    refused = _upload(client, reaching_file["path"])
    assert refused.status == "refused" and refused.counts["invalid"] == 3
    # the job's own rows aside, nothing changed
    assert _state() == before

    job = _upload(client, reaching_file["path"], skip_invalid="on")
    assert job.status == "done"
    assert (job.counts["created"], job.counts["updated"], job.counts["invalid"]) == (1, 1, 3)
    assert _report_rows(Path(job.error_report.path)) == [3, 4, 5]
    victim = Person.objects.get(pk=reaching_file["victim"].pk)
    assert (victim.full_name, victim.village_id) == (reaching_file["victim"].full_name,
                                                     reaching_file["victim"].village_id)
