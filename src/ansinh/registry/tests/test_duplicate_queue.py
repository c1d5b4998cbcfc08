"""The duplicate queue as staff use it: find the pairs of their communes, compare, merge with a
choice per field, say "not the same person", undo; the others cannot."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from ansinh.core.text import fold
from ansinh.registry.models import DuplicatePair, Merge, PairStatus, Person


def _twin(person: Person, phone: str = "0912345678") -> Person:
    return Person.objects.create(
        office=person.office, village=person.village, full_name=fold(person.full_name),
        birth_date=person.birth_date, sex=person.sex, ethnicity=person.ethnicity, phone=phone)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _al3(world: dict[str, Any]) -> Person:
    person = Person.objects.filter(village__commune__code="AL3", phone="").order_by("id").first()
    assert person is not None
    return person


def test_staff_find_compare_merge_and_undo(world: dict[str, Any]) -> None:
    person = _al3(world)
    twin = _twin(person)
    staff = _client(world["users"]["canbo3"])
    assert staff.post(reverse("registry:duplicate_scan")).status_code == 302
    pair = DuplicatePair.objects.get(person_a=person, person_b=twin)
    queue = staff.get(reverse("registry:duplicate_queue")).content.decode()
    assert person.full_name in queue and twin.full_name in queue
    page = staff.get(reverse("registry:duplicate_compare", args=[pair.pk]))
    assert page.status_code == 200 and "0912345678" in page.content.decode()
    # the first record survives and takes the second one's phone
    url = reverse("registry:duplicate_compare", args=[pair.pk])
    answer = staff.post(url, {"action": "merge", "survivor": "a", "keep_phone": "b"})
    assert answer.status_code == 302
    person.refresh_from_db()
    assert person.phone == "0912345678"
    assert not Person.objects.filter(pk=twin.pk).exists()
    # a second tap writes nothing more
    staff.post(url, {"action": "merge", "survivor": "a", "keep_phone": "b"})
    assert Merge.objects.count() == 1
    # a new scan does not offer the merged pair again
    staff.post(reverse("registry:duplicate_scan"))
    assert DuplicatePair.objects.filter(status=PairStatus.OPEN).count() == 0
    # undo from the queue
    done = Merge.objects.get()
    assert staff.post(reverse("registry:merge_undo", args=[done.pk])).status_code == 302
    assert Person.objects.filter(pk=twin.pk).exists()
    person.refresh_from_db()
    assert person.phone == ""
    assert DuplicatePair.objects.get(pk=pair.pk).status == PairStatus.OPEN


def test_not_the_same_person_is_not_offered_again(world: dict[str, Any]) -> None:
    person = _al3(world)
    twin = _twin(person)
    staff = _client(world["users"]["canbo3"])
    staff.post(reverse("registry:duplicate_scan"))
    pair = DuplicatePair.objects.get(person_a=person, person_b=twin)
    staff.post(reverse("registry:duplicate_compare", args=[pair.pk]), {"action": "not_same"})
    assert DuplicatePair.objects.get(pk=pair.pk).status == PairStatus.NOT_SAME
    staff.post(reverse("registry:duplicate_scan"))
    assert DuplicatePair.objects.filter(person_a=person, person_b=twin).count() == 1
    assert DuplicatePair.objects.get(pk=pair.pk).status == PairStatus.NOT_SAME
    assert Person.objects.filter(pk=twin.pk).exists()


def test_agents_viewers_and_other_communes_are_kept_out(world: dict[str, Any]) -> None:
    person = _al3(world)
    twin = _twin(person)
    pair = DuplicatePair.objects.create(office=person.office, village=person.village,
                                        person_a=person, person_b=twin, score=90)
    url = reverse("registry:duplicate_compare", args=[pair.pk])
    for username in ("thu31", "xa3"):
        client = _client(world["users"][username])
        assert client.get(reverse("registry:duplicate_queue")).status_code == 403
        assert client.post(url, {"action": "merge", "survivor": "a"}).status_code == 403
    other = _client(world["users"]["canbo2"])
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "merge", "survivor": "a"}).status_code == 404
    assert person.full_name not in other.get(reverse("registry:duplicate_queue")).content.decode()
    assert Person.objects.filter(pk=twin.pk).exists()


def test_a_refused_merge_says_why(world: dict[str, Any]) -> None:
    from datetime import date

    from ansinh.participation.actions import enrol

    person = Person.objects.filter(village__commune__code="AL3", si_status="none",
                                   birth_date__gt=date(1981, 1, 1),
                                   birth_date__lt=date(1996, 1, 1)).order_by("id").first()
    assert person is not None
    twin = _twin(person)
    agent = world["users"]["thu31"]
    for one in (person, twin):
        enrol(one, start_month=date(2026, 3, 1), income=2_000_000, mode="monthly", actor=agent,
              enrolled_on=date(2026, 3, 5))
    pair = DuplicatePair.objects.create(office=person.office, village=person.village,
                                        person_a=person, person_b=twin, score=90)
    staff = _client(world["users"]["canbo3"])
    page = staff.get(reverse("registry:duplicate_compare", args=[pair.pk])).content.decode()
    assert "quá trình tham gia" in page
    answer = staff.post(reverse("registry:duplicate_compare", args=[pair.pk]),
                        {"action": "merge", "survivor": "a"})
    assert answer.status_code == 400
    assert Person.objects.filter(pk=twin.pk).exists()


def test_a_large_territory_is_scanned_by_the_worker(world: dict[str, Any],
                                                     monkeypatch: Any) -> None:
    from ansinh.registry import duplicate_views

    monkeypatch.setattr(duplicate_views, "SCAN_IN_REQUEST", 10)
    person = _al3(world)
    twin = _twin(person)
    staff = _client(world["users"]["canbo3"])
    answer = staff.post(reverse("registry:duplicate_scan"), follow=True)
    assert "trong nền" in answer.content.decode()
    # the tests run the worker's tasks inline
    assert DuplicatePair.objects.filter(person_a=person, person_b=twin).exists()


def test_a_pair_whose_record_was_merged_through_another_pair_leaves_the_list(
        world: dict[str, Any], director: Any) -> None:
    from ansinh.registry import merging

    person = _al3(world)
    twin, third = _twin(person), _twin(person, phone="0987000111")
    kept = DuplicatePair.objects.create(office=person.office, village=person.village,
                                        person_a=person, person_b=twin, score=90)
    stale = DuplicatePair.objects.create(office=person.office, village=person.village,
                                         person_a=twin, person_b=third, score=90)
    merging.merge(kept, person, twin, choices={}, actor=director)
    page = _client(world["users"]["canbo3"]).get(reverse("registry:duplicate_queue"))
    assert page.status_code == 200
    listed = [pair.pk for pair in page.context["page"]]
    assert stale.pk not in listed and kept.pk not in listed
