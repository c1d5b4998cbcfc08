"""Events: creation, the attendance list from the register, new persons checked for
duplicates on the spot, scoping."""

from __future__ import annotations

from datetime import date
from typing import Any

from ansinh.core.text import fold
from ansinh.outreach import actions, duplicates
from ansinh.outreach.models import Contact, Event
from ansinh.registry.models import Person, Village

from .helpers import prospects


def test_create_an_event_and_fill_its_list(client: Any, world: Any, agent_al3: Any) -> None:
    village = prospects("AL3", 1)[0].village
    client.force_login(agent_al3)
    response = client.post("/van-dong/buoi/moi/", {
        "kind": "conference", "held_on": "2026-03-12", "village": village.pk,
        "title": "Hội nghị khách hàng thôn", "partners": ["commune_committee", "womens_union"],
        "leaflets": 80, "cost": 2_500_000, "organisers": [agent_al3.pk]})
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.cost, event.leaflets, event.partners) == (
        2_500_000, 80, ["commune_committee", "womens_union"])
    person = prospects("AL3", 1)[0]
    found = client.get(f"/van-dong/buoi/{event.pk}/tim/", {"q": person.name_folded[:6]})
    assert person.full_name in found.content.decode()
    client.post(f"/van-dong/buoi/{event.pk}/them/", {"person": person.pk})
    contact = Contact.objects.get(event=event)
    assert (contact.person, contact.channel, contact.on) == (person, "event", event.held_on)
    client.post(f"/van-dong/tham-du/{contact.pk}/", {"outcome": "not_interested",
                                                     "objection": "distrust"})
    contact.refresh_from_db()
    assert (contact.outcome, contact.objection) == ("not_interested", "distrust")
    page = client.get(f"/van-dong/buoi/{event.pk}/").content.decode()
    assert person.full_name in page and "Chưa tin tưởng" in page


def test_duplicate_candidates_by_folded_name_birth_year_and_village(world: Any) -> None:
    person = prospects("AL3", 1)[0]
    typo = person.full_name[:-1] if len(person.full_name) > 12 else person.full_name
    found = duplicates.candidates(person.village, typo.upper(), person.birth_date.year + 1)
    assert person.pk in [c.person.pk for c in found]
    assert not duplicates.candidates(person.village, "Zzyzx Qwerty", person.birth_date.year)


def test_duplicate_candidates_in_another_village_of_the_commune(world: Any) -> None:
    """The register's one rule (registry.dedup): the commune is searched, not only the event's
    village, and the name may come without diacritics, Thị / Văn or in another order."""
    person = prospects("AL3", 1)[0]
    elsewhere = Village.objects.filter(commune=person.village.commune).exclude(
        pk=person.village_id).first()
    assert elsewhere is not None
    words = fold(person.full_name).split()
    swapped = " ".join([words[-1], *words[:-1]])
    found = duplicates.candidates(elsewhere, swapped, person.birth_date.year)
    assert person.pk in [c.person.pk for c in found]
    other_commune = Village.objects.exclude(commune=person.village.commune).first()
    assert other_commune is not None
    assert person.pk not in [c.person.pk for c in duplicates.candidates(
        other_commune, person.full_name, person.birth_date.year)]


def test_a_new_person_is_checked_before_being_added(client: Any, world: Any,
                                                    agent_al3: Any) -> None:
    person = prospects("AL3", 1)[0]
    event = actions.create_event(actor=agent_al3, village=person.village, kind="small_group",
                                 held_on=date(2026, 3, 12))
    client.force_login(agent_al3)
    data = {"full_name": person.full_name.lower(), "birth_year": person.birth_date.year,
            "sex": person.sex, "ethnicity": person.ethnicity}
    before = Person.objects.count()
    response = client.post(f"/van-dong/buoi/{event.pk}/nguoi-moi/", data)
    assert "Có thể người này đã có" in response.content.decode()
    assert Person.objects.count() == before
    client.post(f"/van-dong/buoi/{event.pk}/nguoi-moi/", {**data, "confirm_new": "1"})
    assert Person.objects.count() == before + 1
    added = Person.objects.order_by("-id").first()
    assert added is not None and added.birth_year_only and added.created_by == agent_al3
    assert Contact.objects.filter(event=event, person=added).exists()


def test_events_of_another_commune_are_not_found(client: Any, world: Any, agent_al3: Any,
                                                 staff_al2: Any) -> None:
    village = prospects("AL2", 1)[0].village
    event = actions.create_event(actor=staff_al2, village=village, kind="market_day",
                                 held_on=date(2026, 3, 12))
    client.force_login(agent_al3)
    assert client.get(f"/van-dong/buoi/{event.pk}/").status_code == 404
    assert event.title not in client.get("/van-dong/").content.decode() or not event.title
    client.force_login(staff_al2)
    assert client.get(f"/van-dong/buoi/{event.pk}/").status_code == 200


def test_a_new_attendee_lands_whole_or_not_at_all(world: Any, agent_al3: Any,
                                                 monkeypatch: Any) -> None:
    """The new person and their attendance are one action: when the attendance is refused,
    the person does not stay behind in the register."""
    import pytest

    from ansinh.core.errors import Refused

    village = next(v for v in world["villages"] if v.commune.code == "AL3")
    event = actions.create_event(actor=agent_al3, village=village, kind="conference",
                                 held_on=date(2026, 3, 10), title="Hội nghị")
    contact = actions.add_new_attendee(actor=agent_al3, event=event, full_name="Pả Thị Mới",
                                       birth_date=date(1992, 1, 1), birth_year_only=True,
                                       sex="F")
    assert contact.event == event and contact.person.full_name == "Pả Thị Mới"
    persons = Person.objects.count()

    def refuse(**_kwargs: Any) -> Contact:
        raise actions.OutreachError("thử", "test")

    monkeypatch.setattr(actions, "record_contact", refuse)
    with pytest.raises(Refused):
        actions.add_new_attendee(actor=agent_al3, event=event, full_name="Pả Văn Hai",
                                 birth_date=date(1990, 1, 1), sex="M")
    assert Person.objects.count() == persons


def test_organisers_come_from_the_events_office(world: Any, agent_al3: Any,
                                               director_elsewhere: Any) -> None:
    import pytest

    from ansinh.core.errors import Refused

    village = next(v for v in world["villages"] if v.commune.code == "AL3")
    with pytest.raises(Refused):
        actions.create_event(actor=agent_al3, village=village, kind="conference",
                             held_on=date(2026, 3, 10), organisers=[director_elsewhere])
    assert not Event.objects.exists()
