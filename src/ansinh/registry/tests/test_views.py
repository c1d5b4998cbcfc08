"""The register pages: search without diacritics, filters, editing with audit, import page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry, User
from ansinh.registry.actions import update_person
from ansinh.registry.exporting import export_persons
from ansinh.registry.models import Household, ImportJob, Person, Village


@pytest.fixture
def director_client(client: Client, director: User) -> Client:
    client.force_login(director)
    return client


def _names(response: Any) -> set[str]:
    return {person.full_name for person in response.context["page"]}


def test_sign_in_is_required(client: Client, world: dict[str, Any]) -> None:
    response = client.get("/so-doi-tuong/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_search_without_diacritics_finds_the_name(director_client: Client) -> None:
    Person.objects.filter(pk=Person.objects.order_by("id").first().pk).update(  # type: ignore[union-attr]
        full_name="Hồ Thị Hoa", name_folded="ho thi hoa")
    response = director_client.get("/so-doi-tuong/", {"q": "ho thi hoa"})
    assert "Hồ Thị Hoa" in _names(response)
    assert all("ho thi hoa" in person.name_folded for person in response.context["page"])
    with_marks = director_client.get("/so-doi-tuong/", {"q": "Hồ Thị Hoa"})
    assert _names(with_marks) == _names(response)


def test_searching_a_luoi_finds_people_of_the_a_luoi_communes(director_client: Client) -> None:
    response = director_client.get("/so-doi-tuong/", {"q": "a luoi"})
    assert response.context["page"].paginator.count == Person.objects.count()


def test_filters_by_commune_status_and_prospect(director_client: Client) -> None:
    response = director_client.get("/so-doi-tuong/", {"commune": "AL4", "status": "none",
                                                      "prospect": "1"})
    page = response.context["page"]
    assert page.paginator.count > 0
    assert all(p.village.commune.code == "AL4" and p.si_status == "none" for p in page)


def test_htmx_request_gets_only_the_results_fragment(director_client: Client) -> None:
    response = director_client.get("/so-doi-tuong/", {"q": "ho"}, HTTP_HX_REQUEST="true",
                                   HTTP_HX_TARGET="results")
    assert b"<html" not in response.content and b"<table" in response.content


def test_interface_is_vietnamese_first_with_english_switch(director_client: Client) -> None:
    assert "Sổ đối tượng".encode() in director_client.get("/so-doi-tuong/").content
    director_client.post("/i18n/setlang/", {"language": "en", "next": "/so-doi-tuong/"})
    assert b"Register" in director_client.get("/so-doi-tuong/").content


def test_editing_a_person_records_who_and_what(director_client: Client, director: User) -> None:
    person = Person.objects.filter(national_id__isnull=False).first()
    assert person is not None
    response = director_client.get(f"/so-doi-tuong/doi-tuong/{person.pk}/sua/")
    data = {key: value for key, value in response.context["form"].initial.items()
            if value is not None}
    data.update(phone="0911222333", birth_date=person.birth_date.isoformat())
    response = director_client.post(f"/so-doi-tuong/doi-tuong/{person.pk}/sua/", data)
    assert response.status_code == 302, response.context["form"].errors
    entry = AuditEntry.objects.get(model="registry.Person", object_id=str(person.pk))
    assert entry.actor == director and entry.changes["phone"] == [person.phone, "0911222333"]
    detail = director_client.get(f"/so-doi-tuong/doi-tuong/{person.pk}/")
    assert b"0911222333" in detail.content


def test_a_viewer_cannot_edit(client: Client, viewer_al1: User) -> None:
    client.force_login(viewer_al1)
    person = Person.objects.filter(village__commune__code="AL1").first()
    assert person is not None
    assert client.get(f"/so-doi-tuong/doi-tuong/{person.pk}/sua/").status_code == 403


@pytest.fixture
def staff_al1(world: dict[str, Any]) -> Any:
    return world["users"]["canbo1"]


def _person_al1() -> Person:
    person = (Person.objects.filter(village__commune__code="AL1", household__isnull=False)
              .order_by("id").first())
    assert person is not None
    return person


def _edit_form_data(client: Client, person: Person, **changes: Any) -> dict[str, Any]:
    """What the edit page would post back, with `changes` made."""
    response = client.get(f"/so-doi-tuong/doi-tuong/{person.pk}/sua/")
    data = {key: value for key, value in response.context["form"].initial.items()
            if value is not None}
    data.update(birth_date=person.birth_date.isoformat(), **changes)
    return data


def test_the_edit_form_offers_only_the_villages_of_the_territory(
        client: Client, staff_al1: User) -> None:
    client.force_login(staff_al1)
    person = _person_al1()
    form = client.get(f"/so-doi-tuong/doi-tuong/{person.pk}/sua/").context["form"]
    assert {village.commune.code for village in form.fields["village"].queryset} == {"AL1"}
    assert form.initial["household"] == person.household.code  # type: ignore[union-attr]


def test_staff_cannot_move_a_person_out_of_the_territory_nor_attach_an_outside_household(
        client: Client, staff_al1: User) -> None:
    client.force_login(staff_al1)
    person = _person_al1()
    village_al2 = Village.objects.filter(commune__code="AL2").first()
    household_al2 = Household.objects.filter(village__commune__code="AL2").first()
    assert village_al2 is not None and household_al2 is not None
    audits = AuditEntry.objects.count()
    for field, value in (("village", village_al2.pk), ("household", household_al2.code)):
        response = client.post(f"/so-doi-tuong/doi-tuong/{person.pk}/sua/",
                               _edit_form_data(client, person, **{field: value}))
        assert response.status_code == 200
        assert "địa bàn của bạn" in str(response.context["form"].errors[field])
    after = Person.objects.get(pk=person.pk)
    assert (after.village_id, after.household_id) == (person.village_id, person.household_id)
    assert AuditEntry.objects.count() == audits


def test_staff_may_move_a_person_within_the_territory(client: Client, staff_al1: User) -> None:
    client.force_login(staff_al1)
    person = _person_al1()
    household = (Household.objects.filter(village__commune__code="AL1")
                 .exclude(members=person).exclude(village=person.village_id).first())
    assert household is not None
    response = client.post(f"/so-doi-tuong/doi-tuong/{person.pk}/sua/", _edit_form_data(
        client, person, village=household.village_id, household=household.code))
    assert response.status_code == 302, response.context["form"].errors
    entry = AuditEntry.objects.get(model="registry.Person", object_id=str(person.pk))
    assert entry.actor == staff_al1
    assert entry.changes["village"] == [person.village_id, household.village_id]
    assert entry.changes["household"] == [person.household_id, household.pk]


def test_the_action_itself_refuses_a_village_or_household_outside_the_territory(
        staff_al1: User) -> None:
    person = _person_al1()
    village_al2 = Village.objects.filter(commune__code="AL2").first()
    household_al2 = Household.objects.filter(village__commune__code="AL2").first()
    for values in ({"village": village_al2}, {"household": household_al2}):
        with pytest.raises(Refused):
            update_person(person, values, actor=staff_al1)
    person_al2 = Person.objects.filter(village__commune__code="AL2").first()
    assert person_al2 is not None
    with pytest.raises(Refused):
        update_person(person_al2, {"phone": "0911222333"}, actor=staff_al1)
    after = Person.objects.get(pk=person.pk)
    assert (after.village_id, after.household_id) == (person.village_id, person.household_id)
    assert Person.objects.get(pk=person_al2.pk).phone == person_al2.phone


def test_import_from_the_page_runs_and_reports(director_client: Client, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    export_persons(path, Person.objects.filter(village__commune__code="AL5"))
    upload = SimpleUploadedFile("register.csv", path.read_bytes(), content_type="text/csv")
    response = director_client.post("/so-doi-tuong/nhap/", {"file": upload}, follow=True)
    job = ImportJob.objects.get()
    assert job.status == "done" and job.counts["unchanged"] > 0 and job.percent == 100
    assert "Đã nhập".encode() in response.content


def test_a_refused_page_import_offers_the_error_report(director_client: Client) -> None:
    count = Person.objects.count()
    content = "Họ và tên,Ngày sinh,Giới tính,Thôn,Xã\n,01/01/1990,Nam,A Ka,A Lưới 1\n"
    upload = SimpleUploadedFile("bad.csv", content.encode(), content_type="text/csv")
    director_client.post("/so-doi-tuong/nhap/", {"file": upload})
    job = ImportJob.objects.get()
    assert job.status == "refused"
    assert Path(job.error_report.path).stat().st_size > 0
    assert Person.objects.count() == count


def test_blank_template_downloads(director_client: Client) -> None:
    response = director_client.get("/so-doi-tuong/nhap/mau.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_the_head_of_household_is_named_in_the_page_language(director_client: Client) -> None:
    """The register stores the relation as typed, in Vietnamese: "Chủ hộ" was left as such on
    English pages (issue 11)."""
    head = Person.objects.filter(relation_to_head="Chủ hộ", household__isnull=False).first()
    assert head is not None
    member = Person.objects.filter(household=head.household).exclude(pk=head.pk).first()
    assert member is not None
    director_client.cookies["django_language"] = "en"
    page = director_client.get(f"/so-doi-tuong/doi-tuong/{member.pk}/").content.decode()
    assert "Head of household" in page and "Chủ hộ" not in page
    director_client.cookies["django_language"] = "vi"
    page = director_client.get(f"/so-doi-tuong/doi-tuong/{member.pk}/").content.decode()
    assert "Chủ hộ" in page
