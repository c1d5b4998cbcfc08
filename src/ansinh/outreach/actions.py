"""State changes of outreach. Each checks the actor's role and that the person, village, event
or contact it touches lies in what the actor may change (`core.permissions.authorise`); the
leaflet templates are the office's (`core.scoping.require_own_office`). Each runs in one
transaction and writes its audit row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Max

from ansinh.core import audit, permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import Office, User
from ansinh.network.models import CollectionOrganisation
from ansinh.registry.changes import touch
from ansinh.registry.models import Household, Person, Village

from . import leaflets, priority
from .models import (
    Channel,
    Contact,
    Event,
    LeafletLanguage,
    LeafletTemplate,
    Objection,
    Outcome,
)


class OutreachError(Refused, ValueError):
    """A refused outreach change (`message`: the reason in the active language)."""


FOLLOW_UP_RESCHEDULE = "contact.follow_up_reschedule"

EVENT_FIELDS = ("kind", "held_on", "village", "place", "title", "organisation", "partners",
                "leaflets", "cost", "note")


@transaction.atomic
def create_event(
    *, actor: User, village: Village, kind: str, held_on: date, place: str = "", title: str = "",
    organisers: Iterable[User] = (), organisation: CollectionOrganisation | None = None,
    partners: Iterable[str] = (), leaflets: int = 0, cost: int = 0, note: str = "",
) -> Event:
    permissions.authorise(actor, "record_outreach", village)
    if cost < 0 or leaflets < 0:
        raise OutreachError("Chi phí và số tờ rơi không được âm",
                            "cost and leaflets cannot be negative")
    organisers = list(organisers)
    _same_office(village.commune.office_id, organisers, organisation)
    event = Event.objects.create(
        office_id=village.commune.office_id, village=village, kind=kind, held_on=held_on,
        place=place, title=title, organisation=organisation, partners=list(partners),
        leaflets=leaflets, cost=cost, note=note, created_by=actor,
    )
    event.organisers.set(organisers)
    audit.record(actor=actor, office=event.office, action="event.create", obj=event,
                 changes={name: [None, audit.jsonable(getattr(event, name))]
                          for name in EVENT_FIELDS})
    return event


@transaction.atomic
def update_event(event: Event, values: dict[str, Any], *, actor: User,
                 organisers: Iterable[User] | None = None) -> dict[str, list[Any]]:
    permissions.authorise(actor, "record_outreach", event)
    moved_to = values.get("village")
    if moved_to is not None and moved_to.pk != event.village_id:
        permissions.authorise(actor, "record_outreach", moved_to)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    before = {name: getattr(locked, name) for name in EVENT_FIELDS}
    for name, value in values.items():
        if name not in EVENT_FIELDS:
            raise ValueError(f"{name} is not an editable field of an event")
        setattr(locked, name, value)
    if locked.cost < 0 or locked.leaflets < 0:
        raise OutreachError("Chi phí và số tờ rơi không được âm",
                            "cost and leaflets cannot be negative")
    organisers = list(organisers) if organisers is not None else None
    _same_office(locked.office_id, organisers or [], locked.organisation)
    locked.save()
    if organisers is not None:
        locked.organisers.set(organisers)
    changes = audit.diff(before, {name: getattr(locked, name) for name in EVENT_FIELDS})
    if changes:
        audit.record(actor=actor, office=locked.office, action="event.update", obj=locked,
                     changes=changes)
    event.refresh_from_db()
    return changes


def _same_office(office_id: int, organisers: list[User],
                 organisation: CollectionOrganisation | None) -> None:
    """An event's organisers and organisation are of the event's own office."""
    if any(user.office_id != office_id for user in organisers) or (
            organisation is not None and organisation.office_id != office_id):
        raise OutreachError("Người hoặc tổ chức phối hợp không thuộc cơ quan này",
                            "an organiser or the organisation is not of this office")


def _check_outcome(outcome: str, objection: str) -> None:
    if outcome not in Outcome.values:
        raise OutreachError(f"Kết quả không hợp lệ: {outcome}", f"unknown outcome {outcome}")
    if objection and objection not in Objection.values:
        raise OutreachError(f"Lý do không hợp lệ: {objection}", f"unknown objection {objection}")


@transaction.atomic
def record_contact(
    *, actor: User, person: Person, on: date, channel: str, outcome: str, objection: str = "",
    note: str = "", next_follow_up_on: date | None = None, owner: User | None = None,
    event: Event | None = None, uuid: UUID | None = None,
) -> Contact:
    """Record a meeting with a person (or their attendance at ``event``).

    The person's open follow-ups dated on or before this contact are done: this contact is the
    follow-up (``followed_up_by`` points at it). A retried entry with the same ``uuid`` returns
    the contact already recorded.
    """
    permissions.authorise(actor, "record_outreach", person)
    if event is not None:
        scoping.require_writable(actor, event)
    if uuid is not None:
        existing = Contact.objects.filter(uuid=uuid).first()
        if existing is not None:
            return existing
    _check_outcome(outcome, objection)
    if event is not None:
        channel = Channel.EVENT
        if Contact.objects.filter(event=event, person=person).exists():
            raise OutreachError("Người này đã có trong danh sách tham dự",
                                "this person is already on the attendance list")
    elif channel == Channel.EVENT or channel not in Channel.values:
        raise OutreachError("Hình thức tiếp xúc không hợp lệ", f"invalid channel {channel}")
    if next_follow_up_on is not None and next_follow_up_on < on:
        raise OutreachError("Ngày hẹn gặp lại phải sau ngày tiếp xúc",
                            "the follow-up date must not be before the contact")
    if outcome != Outcome.NOT_INTERESTED:
        objection = objection if outcome == Outcome.FOLLOW_UP else ""
    contact = Contact(
        office_id=person.office_id, village_id=person.village_id, person=person, event=event,
        on=on, channel=channel, outcome=outcome, objection=objection, note=note[:300], by=actor,
        next_follow_up_on=next_follow_up_on,
        owner=(owner or actor) if next_follow_up_on else None,
    )
    if uuid is not None:
        contact.uuid = uuid
    contact.save()
    closed = list(
        Contact.objects.select_for_update().filter(
            person=person, follow_up_done=False, next_follow_up_on__isnull=False, on__lte=on,
        ).exclude(pk=contact.pk).values_list("pk", flat=True)
    )
    if closed:
        Contact.objects.filter(pk__in=closed).update(follow_up_done=True,
                                                     followed_up_by=contact)
    audit.record(
        actor=actor, office=person.office, action="contact.create", obj=contact,
        changes={"person": [None, person.pk], "on": [None, on.isoformat()],
                 "channel": [None, channel], "outcome": [None, outcome],
                 "objection": [None, objection], "event": [None, event.pk if event else None],
                 "next_follow_up_on": [None, audit.jsonable(next_follow_up_on)],
                 "closed_follow_ups": [None, closed]},
    )
    touch(person.office_id, [person.pk])
    priority.refresh_persons([person.pk])  # no longer never visited
    return contact


@transaction.atomic
def update_attendance(contact: Contact, *, actor: User, outcome: str, objection: str = "",
                      next_follow_up_on: date | None = None) -> Contact:
    """Change an attendee's outcome (the list is filled during the event, outcomes after)."""
    permissions.authorise(actor, "record_outreach", contact)
    _check_outcome(outcome, objection)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    before = {"outcome": locked.outcome, "objection": locked.objection,
              "next_follow_up_on": locked.next_follow_up_on}
    locked.outcome = outcome
    locked.objection = objection if outcome in (Outcome.NOT_INTERESTED, Outcome.FOLLOW_UP) else ""
    if next_follow_up_on is not None and next_follow_up_on < locked.on:
        raise OutreachError("Ngày hẹn gặp lại phải sau ngày tiếp xúc",
                            "the follow-up date must not be before the contact")
    locked.next_follow_up_on = next_follow_up_on
    locked.owner = (locked.owner or actor) if next_follow_up_on else None
    locked.save()
    changes = audit.diff(before, {"outcome": locked.outcome, "objection": locked.objection,
                                  "next_follow_up_on": locked.next_follow_up_on})
    if changes:
        audit.record(actor=actor, office=locked.office, action="contact.update", obj=locked,
                     changes=changes)
        touch(locked.office_id, [locked.person_id])
    return locked


@transaction.atomic
def close_follow_up(contact: Contact, *, actor: User, note: str = "") -> Contact:
    """Mark a follow-up done without a new contact (e.g. the person enrolled at the office)."""
    permissions.authorise(actor, "record_outreach", contact)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.follow_up_done or locked.next_follow_up_on is None:
        return locked
    locked.follow_up_done = True
    locked.save(update_fields=["follow_up_done"])
    audit.record(actor=actor, office=locked.office, action="contact.follow_up_done", obj=locked,
                 changes={"follow_up_done": [False, True]}, note=note)
    touch(locked.office_id, [locked.person_id])
    return locked


@transaction.atomic
def add_new_person(
    *, actor: User, village: Village, full_name: str, birth_date: date, sex: str,
    birth_year_only: bool = False, ethnicity: str = "01", phone: str = "",
    national_id: str = "", household: Household | None = None, uuid: UUID | None = None,
) -> Person:
    """A person met in the field who is not in the register (after the duplicate check).

    A retried entry with the same ``uuid`` (the phone's) returns the person already added."""
    permissions.authorise(actor, "edit_persons", village)
    if household is not None:
        scoping.require_writable(actor, household)
    if uuid is not None:
        existing = Person.objects.filter(uuid=uuid).first()
        if existing is not None:
            return existing
    if national_id and Person.objects.filter(national_id=national_id).exists():
        raise OutreachError("Số định danh đã có trong sổ đối tượng",
                            "this national ID is already in the register")
    person = Person(
        office_id=village.commune.office_id, village=village, household=household,
        full_name=full_name, birth_date=birth_date, birth_year_only=birth_year_only, sex=sex,
        ethnicity=ethnicity, phone=phone, national_id=national_id or None, created_by=actor,
        si_status_source="outreach",
    )
    if uuid is not None:
        person.uuid = uuid
    person.save()
    audit.record(
        actor=actor, office=person.office, action="person.create", obj=person,
        changes={"full_name": [None, person.full_name],
                 "birth_date": [None, birth_date.isoformat()], "sex": [None, sex],
                 "village": [None, village.pk], "national_id": [None, person.national_id]},
        note="outreach",
    )
    touch(person.office_id, [person.pk])
    priority.refresh_persons([person.pk])
    return person


@transaction.atomic
def add_new_attendee(*, actor: User, event: Event, full_name: str, birth_date: date, sex: str,
                     birth_year_only: bool = False, ethnicity: str = "01", phone: str = "",
                     national_id: str = "") -> Contact:
    """A person met at `event` who is not in the register: the new person and their
    attendance, together or not at all."""
    person = add_new_person(actor=actor, village=event.village, full_name=full_name,
                            birth_date=birth_date, birth_year_only=birth_year_only, sex=sex,
                            ethnicity=ethnicity, phone=phone, national_id=national_id)
    return record_contact(actor=actor, person=person, on=event.held_on, channel=Channel.EVENT,
                          outcome=Outcome.INTERESTED, event=event)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


@transaction.atomic
def save_leaflet_template(office: Office, *, actor: User | None, language: str, title: str,
                          body: str) -> LeafletTemplate:
    """Add a version of the office's leaflet in ``language`` (versions are never edited). An
    office-wide text: the director's of that office (or an administrator's)."""
    permissions.authorise(actor, "edit_templates")
    scoping.require_own_office(actor, office.pk)
    if language not in LeafletLanguage.values:
        raise leaflets.NoTranslation(language)
    if language != LeafletLanguage.VI and _same_text(body, leaflets.template_for(
            office.pk, LeafletLanguage.VI)[1]):
        raise Refused("Nội dung giống hệt bản tiếng Việt: hãy nhập bản dịch.",
                      "The text is the Vietnamese one: enter the translation.")
    latest = LeafletTemplate.objects.select_for_update().filter(
        office=office, language=language).aggregate(v=Max("version"))["v"]
    template = LeafletTemplate.objects.create(
        office=office, language=language, version=(latest or 0) + 1,
        title=title, body=body, created_by=actor,
    )
    audit.record(actor=actor, office=template.office, action="leaflet.version", obj=template,
                 changes={"language": [None, language], "version": [None, template.version]})
    return template


@transaction.atomic
def reschedule_follow_up(contact: Contact, *, actor: User, on: date, note: str = "") -> Contact:
    """Move an open follow-up to another day (the person asked to be seen later)."""
    permissions.authorise(actor, "record_outreach", contact)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.follow_up_done or locked.next_follow_up_on is None:
        raise OutreachError("Lần hẹn này đã xong hoặc không có hẹn",
                            "this follow-up is done or there is none")
    if on < locked.on:
        raise OutreachError("Ngày hẹn gặp lại phải sau ngày tiếp xúc",
                            "the follow-up date must not be before the contact")
    if on == locked.next_follow_up_on:
        return locked
    before = locked.next_follow_up_on
    locked.next_follow_up_on = on
    locked.save(update_fields=["next_follow_up_on"])
    audit.record(actor=actor, office=locked.office, action=FOLLOW_UP_RESCHEDULE, obj=locked,
                 changes={"next_follow_up_on": [before.isoformat(), on.isoformat()]}, note=note)
    touch(locked.office_id, [locked.person_id])
    return locked
