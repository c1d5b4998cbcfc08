"""State changes of the register. Each runs in one transaction and writes its audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from ansinh.core import audit
from ansinh.core.errors import Refused
from ansinh.core.models import User

from .models import Household, HouseholdPoverty, Person, Village

PERSON_EDITABLE = (
    "full_name", "birth_date", "birth_year_only", "sex", "ethnicity", "local_group",
    "national_id", "si_number", "phone", "household", "village", "relation_to_head",
    "si_status", "si_status_source", "si_status_as_of",
)


@transaction.atomic
def update_person(
    person: Person, values: dict[str, Any], *, actor: User, territory: QuerySet[Village]
) -> dict[str, list[Any]]:
    """Apply `values` to the person; returns the recorded {field: [old, new]} (may be empty).

    `territory` is the villages the actor may write (`visible_villages(actor)`): the person must
    be in it, and may be moved only to a village, or attached only to a household, inside it.
    Raises Refused otherwise, having written nothing.
    """
    locked = Person.objects.select_for_update().get(pk=person.pk)
    before = {name: getattr(locked, name) for name in PERSON_EDITABLE}
    for name in values:
        if name not in PERSON_EDITABLE:
            raise ValueError(f"{name} is not an editable field of a person")
    _check_territory(locked, values, territory)
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
    person.refresh_from_db()
    return changes


def _check_territory(person: Person, values: dict[str, Any],
                     territory: QuerySet[Village]) -> None:
    village: Village | None = values.get("village")
    household: Household | None = values.get("household")
    wanted = {person.village_id}
    if village is not None and village.pk != person.village_id:
        wanted.add(village.pk)
    if household is not None and household.pk != person.household_id:
        wanted.add(household.village_id)
    if territory.filter(pk__in=wanted).count() != len(wanted):
        raise Refused("Ngoài địa bàn của bạn: không đổi được thôn hay hộ này",
                      "outside your territory: this village or household cannot be changed")


@transaction.atomic
def certify_poverty(
    household: Household, *, year: int, status: str, source: str, actor: User
) -> HouseholdPoverty:
    """Record the poverty status certified for a year (replacing that year's earlier entry)."""
    previous = HouseholdPoverty.objects.filter(household=household, year=year).first()
    record, _created = HouseholdPoverty.objects.update_or_create(
        household=household, year=year, defaults={"status": status, "source": source},
    )
    audit.record(
        actor=actor, office=household.office, action="household.poverty", obj=household,
        changes={f"poverty_{year}": [previous.status if previous else None, status]},
        note=source,
    )
    return record
