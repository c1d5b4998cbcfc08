"""Two staff merging overlapping pairs at the same moment (A ← B and B ← C): one merge lands,
the other is refused with its reason; nothing is half-merged. Also the same merge twice at
once (a double tap that reached the server twice)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from ansinh.core.errors import Refused
from ansinh.core.text import fold
from ansinh.registry import merging
from ansinh.registry.models import Merge, Person

# CI runs this file on PostgreSQL, where each thread has its own connection (see
# collection/tests/test_concurrency.py)
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs two server connections (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def _twin(person: Person) -> Person:
    return Person.objects.create(office=person.office, village=person.village,
                                 full_name=fold(person.full_name), birth_date=person.birth_date,
                                 sex=person.sex)


def _race(jobs: list[tuple[Person, Person]], actor: Any) -> list[object]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(slot: int) -> None:
        survivor, merged = jobs[slot]
        try:
            barrier.wait(timeout=10)
            results[slot] = merging.merge(None, survivor, merged, choices={}, actor=actor)
        except Refused as exc:
            results[slot] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_overlapping_merges_at_once_land_one(world: dict[str, Any], director: Any) -> None:
    first = Person.objects.filter(village__commune__code="AL3").order_by("id").first()
    assert first is not None
    second, third = _twin(first), _twin(first)
    from ansinh.outreach import actions as outreach

    for person in (first, second, third):  # a row of each to follow
        outreach.record_contact(actor=director, person=person, on=person.created_at.date(),
                                channel="visit", outcome="interested")
    results = _race([(first, second), (second, third)], director)
    assert all(isinstance(r, Merge | Refused) for r in results), results
    landed = [r for r in results if isinstance(r, Merge)]
    # B into A first: C into B is refused (B is gone). C into B first: then B into A also
    # lands, a chain the undo takes back in order. Either way nothing is half-merged:
    assert landed
    if len(landed) == 1:
        assert landed[0].merged_id == second.pk
    gone = set(Person.with_merged.filter(merged_into__isnull=False).values_list("id", flat=True))
    assert second.pk in gone and first.pk not in gone
    for declared in merging.LINKS.values():
        held = declared.model._base_manager.filter(**{f"{declared.field}_id__in": gone})
        assert not held.exists(), f"{declared.key} still points at a merged record"


def test_the_same_merge_twice_at_once_lands_once(world: dict[str, Any], director: Any) -> None:
    first = Person.objects.filter(village__commune__code="AL3").order_by("id").first()
    assert first is not None
    second = _twin(first)
    results = _race([(first, second), (first, second)], director)
    assert sum(isinstance(r, Merge) for r in results) == 1, results
    assert Merge.objects.count() == 1
