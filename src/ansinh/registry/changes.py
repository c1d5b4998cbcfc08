"""The office's change sequence: what a phone must download again.

A phone holds, for each person of its territory, one bundle: the person, their household, their
participation with its dues, and their open follow-ups. Every write that changes any part of a
bundle calls `touch(office_id, person_ids)` inside its transaction; the persons get the office's
next sequence number as their `sync_version`. A download asks for "the persons of my territory
whose version is above my cursor" (docs/field-sync.md).

The number comes from the office row, taken with an UPDATE that holds the row's lock until the
transaction ends, so the numbers become visible in the order they were given: a phone that has
seen version N never misses a change numbered below N. Every writer takes rows first and the
office last: `touch` locks the persons it numbers before it takes the number, and a bulk writer
(the register import) locks every row it will change or point at, then takes its offices' numbers
(`numbers`) and writes them on its rows as it inserts them. A writer that waits on a row while it
holds an office row could wait in a circle with one that holds the row and wants the office.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from ansinh.core.bulk import lock_rows
from ansinh.core.models import Office

from .models import Person

CHUNK = 900  # ids per statement (SQLite's bound-parameter limit is 999 on old builds)


def next_seq(office_id: int) -> int:
    """The office's next change number (the caller's transaction holds the office row)."""
    table = connection.ops.quote_name(Office._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET change_seq = change_seq + 1 WHERE id = %s "
            "RETURNING change_seq",
            [office_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Office.DoesNotExist(office_id)
    return int(row[0])


def current_seq(office_id: int) -> int:
    """The last number given: a download's new cursor (read before the rows it sends)."""
    value = Office.objects.filter(pk=office_id).values_list("change_seq", flat=True).first()
    return int(value or 0)


def touch(office_id: int, person_ids: Iterable[int]) -> int | None:
    """Mark `person_ids` (of one office) changed; returns the number given, None when empty."""
    ids = sorted(set(person_ids))
    if not ids:
        return None
    lock_rows(Person._meta.db_table, ids, "update")
    seq = next_seq(office_id)
    for start in range(0, len(ids), CHUNK):
        Person.with_merged.filter(pk__in=ids[start:start + CHUNK]).update(sync_version=seq)
    return seq


def numbers(office_ids: Iterable[int]) -> dict[int, int]:
    """A bulk writer's numbers: {office id: the office's next number}, taken in office order.
    The writer writes them on the rows it inserts and updates; it locks the existing rows it
    will change or point at first (`lock_rows`), and commits soon after: until then the
    offices' other writers wait."""
    return {office_id: next_seq(office_id) for office_id in sorted(set(office_ids))}


def touch_many(pairs: Iterable[tuple[int, int]]) -> None:
    """`touch` for (office id, person id) pairs of several offices, one number per office (in
    office order, so two writers never wait on each other's office rows in a circle)."""
    by_office: dict[int, set[int]] = {}
    for office_id, person_id in pairs:
        by_office.setdefault(office_id, set()).add(person_id)
    for office_id, person_ids in sorted(by_office.items()):
        touch(office_id, person_ids)


def touch_households(household_ids: Iterable[int]) -> None:
    """Mark the members of `household_ids` changed (the household's poverty status changes
    their subsidy category)."""
    ids = sorted(set(household_ids))
    touch_many(
        (office_id, person_id)
        for start in range(0, len(ids), CHUNK)
        for person_id, office_id in Person.objects.filter(
            household_id__in=ids[start:start + CHUNK]).values_list("id", "office_id"))
