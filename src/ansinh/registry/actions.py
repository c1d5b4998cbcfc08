"""State changes of the register. Each checks the actor's role and territory
(`core.permissions.authorise`), runs in one transaction and writes its audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ansinh.core import audit, keepers, permissions
from ansinh.core.models import User

from .changes import touch, touch_households
from .models import Household, HouseholdPoverty, Person

PERSON_EDITABLE = (
    "full_name", "birth_date", "birth_year_only", "sex", "ethnicity", "local_group",
    "national_id", "si_number", "phone", "household", "village", "relation_to_head",
    "si_status", "si_status_source", "si_status_as_of",
)


@transaction.atomic
def update_person(person: Person, values: dict[str, Any], *, actor: User) -> dict[str, list[Any]]:
    """Apply `values` to the person; returns the recorded {field: [old, new]} (may be empty).
    The person, and the village or household they move to, lie in what the actor may change;
    otherwise it refuses (`OutOfTerritory`), having written nothing."""
    permissions.authorise(actor, "edit_persons", person)
    for name in ("village", "household"):
        moved_to = values.get(name)
        if moved_to is not None and moved_to.pk != getattr(person, f"{name}_id"):
            permissions.authorise(actor, "edit_persons", moved_to)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    before = {name: getattr(locked, name) for name in PERSON_EDITABLE}
    for name in values:
        if name not in PERSON_EDITABLE:
            raise ValueError(f"{name} is not an editable field of a person")
    village_id = locked.village_id
    for name, value in values.items():
        setattr(locked, name, value)
    if locked.village_id != village_id:
        locked.office_id = locked.village.commune.office_id  # the office follows the village
    locked.save()
    after = {name: getattr(locked, name) for name in PERSON_EDITABLE}
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor=actor, office=locked.office, action="person.update", obj=locked,
                     changes=changes)
        touch(locked.office_id, [locked.pk])
        keepers.changed([locked.pk])
    person.refresh_from_db()
    return changes


@transaction.atomic
def certify_poverty(
    household: Household, *, year: int, status: str, source: str, actor: User
) -> HouseholdPoverty:
    """Record the poverty status certified for a year (replacing that year's earlier entry)."""
    permissions.authorise(actor, "edit_persons", household)
    previous = HouseholdPoverty.objects.filter(household=household, year=year).first()
    record, _created = HouseholdPoverty.objects.update_or_create(
        household=household, year=year, defaults={"status": status, "source": source},
    )
    audit.record(
        actor=actor, office=household.office, action="household.poverty", obj=household,
        changes={f"poverty_{year}": [previous.status if previous else None, status]},
        note=source,
    )
    touch_households([household.pk])  # the members' subsidy category follows the status
    keepers.changed(household.members.values_list("id", flat=True))
    return record
