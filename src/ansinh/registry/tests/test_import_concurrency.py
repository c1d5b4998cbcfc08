"""An import and a field write on the same household at once (PostgreSQL).

The import takes its office's change number after it has locked the rows it changes or points
at (registry.changes). A field write that holds a household and a person, then asks for the
office's number, must not wait in a circle with it: both land, the field write first."""

from __future__ import annotations

import csv
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from ansinh.registry.changes import current_seq, touch
from ansinh.registry.columns import COLUMNS
from ansinh.registry.exporting import person_rows, template_headers
from ansinh.registry.importing import import_persons
from ansinh.registry.models import Household, Person, Village

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs two server connections (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def _waiting_on_a_lock(timeout: float = 20) -> bool:
    """Whether another connection of this database waits on a row lock within `timeout`."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction caches the view
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid() "
                           "AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def test_an_import_and_a_field_write_on_one_household_both_land(
        world: dict[str, Any], tmp_path: Path) -> None:
    office = world["office"]
    person = (Person.objects.filter(village__commune__code="AL3", household__isnull=False)
              .select_related("household", "village__commune").order_by("id").first())
    assert person is not None and person.household is not None
    household: Household = person.household
    row = next(person_rows(Person.objects.filter(pk=person.pk)))
    names = [column.key for column in COLUMNS]
    row[names.index("phone")] = "0987654321"
    newcomer = ["Hồ Thị Nhập", "12/05/1990", "Nữ", "046190009999", "", "Tà Ôi", "",
                household.code, person.village.name, person.village.commune.name, "",
                "Chưa tham gia"]
    path = tmp_path / "register.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(template_headers())
        writer.writerows([row[:len(names)], newcomer])

    held = threading.Event()
    outcome: dict[str, Any] = {}

    def field_write() -> None:  # as a household receipt: the household, its payer, the office
        try:
            with transaction.atomic():
                Household.objects.select_for_update().get(pk=household.pk)
                Person.objects.select_for_update().get(pk=person.pk)
                held.set()
                outcome["import waited"] = _waiting_on_a_lock()
                outcome["field"] = touch(office.pk, [person.pk])
        except Exception as exc:  # the test reports it
            outcome["field"] = exc
        finally:
            connections.close_all()

    def import_file() -> None:
        try:
            held.wait(timeout=20)
            outcome["import"] = import_persons(
                path, territory=Village.objects.filter(pk=person.village_id))
        except Exception as exc:  # the test reports it
            outcome["import"] = exc
        finally:
            connections.close_all()

    before = current_seq(office.pk)
    threads = [threading.Thread(target=field_write), threading.Thread(target=import_file)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert outcome["import waited"], outcome
    assert outcome["field"] == before + 1, outcome
    result = outcome["import"]
    assert not isinstance(result, Exception) and result.imported, result
    assert (result.created, result.updated) == (1, 1)
    # the import's number comes after the field write's: a phone that saw the field write's
    # number downloads the import's rows next
    assert current_seq(office.pk) == before + 2
    assert set(Person.objects.filter(sync_version=before + 2).values_list(
        "national_id", "phone")) >= {("046190009999", ""), (person.national_id, "0987654321")}
