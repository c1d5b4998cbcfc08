"""Every large row carries its office's province, whichever path wrote it (core.keys): the ORM,
the bulk `insert_rows`, the import, the demo seeder; and on PostgreSQL the log tables are
partitioned by it (core.partitions)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from ansinh.collection.models import HICoveredMonth, PaidMonth, Receipt
from ansinh.core import audit, keys, partitions
from ansinh.core.bulk import insert_rows
from ansinh.core.models import AccessEntry, AccessKind, AuditEntry, Office
from ansinh.core.personal import log_access
from ansinh.outreach.models import Contact
from ansinh.participation.models import Participation, StatusChange
from ansinh.registry.importing import import_persons
from ansinh.registry.models import Commune, Person, Province, Village
from ansinh.registry.tests.test_import import GOOD, GOOD_2, _write_csv

AS_OF = date(2026, 3, 31)
KEYED = (Person, Participation, StatusChange, Receipt, PaidMonth, HICoveredMonth, Contact,
         AuditEntry, AccessEntry)
CHILDREN = (StatusChange, PaidMonth, HICoveredMonth)


def _unkeyed(model: Any) -> int:
    """Rows whose province is not their office's (or whose office is not their parent's)."""
    rows = model.objects.all()
    wrong: int = rows.exclude(province_id=Office.objects.get(code="AL").province_id).count()
    if model in CHILDREN:
        parent = "participation" if model is StatusChange else "receipt"
        wrong += sum(1 for office_id, parent_office in rows.values_list(
            "office_id", f"{parent}__office_id") if office_id != parent_office)
    return wrong


@pytest.mark.django_db(transaction=False)
def test_the_demo_seeder_keys_every_row(world: dict[str, Any]) -> None:
    """The whole demo (bulk register, bulk money, the actions behind outreach and retention)."""
    from ansinh.demo import money, outreach, retention

    office = world["office"]
    assert office.province is not None and office.province.code == "46"
    for module in (money, outreach, retention):
        module.seed_demo(office, AS_OF, 7)
    log_access(None, AccessKind.PERSON_PAGE, office_id=office.pk, person_id=1)
    for model in KEYED:
        assert model.objects.exists(), model
        assert _unkeyed(model) == 0, model


def test_orm_create_update_and_a_move_keep_the_key(paying_al3: Any, agent_al3: Any) -> None:
    """Rows made one at a time by the actions; an update from an instance that never read the
    key back, and a move to an office of another province."""
    participation = paying_al3
    province = participation.office.province_id
    assert province is not None
    for model in (Participation, StatusChange, Receipt, PaidMonth, Person):
        assert model.objects.exists() and _unkeyed(model) == 0, model

    person = Person(office=participation.office, village=participation.village,
                    full_name="Hồ Văn Mới", birth_date=date(1990, 1, 1), sex="M")
    person.save()
    assert person.province_id is None  # the database filled it, not the instance
    person.phone = "0912000000"
    person.save()  # writes province_id = NULL: the update trigger puts it back
    person.refresh_from_db()
    assert person.province_id == province

    elsewhere = Province.objects.create(code="48", name="Thành phố Đà Nẵng")
    other = Office.objects.create(code="DN", name="BHXH Đà Nẵng", province=elsewhere)
    Person.objects.filter(pk=person.pk).update(office=other)
    person.refresh_from_db()
    assert person.province_id == elsewhere.pk


def test_bulk_insert_rows_and_the_import_key_their_rows(world: dict[str, Any],
                                                       tmp_path: Path) -> None:
    office = world["office"]
    village = Village.objects.filter(commune__code="AL1").first()
    assert village is not None
    insert_rows(Person._meta.db_table,
                ("office_id", "village_id", "uuid", "full_name", "name_folded", "birth_date",
                 "birth_year_only", "sex", "ethnicity", "local_group", "si_number", "phone",
                 "relation_to_head", "si_status", "si_status_source", "created_at", "updated_at",
                 "sync_version"),
                [(office.pk, village.pk, _db_uuid(), "Bulk Một", "bulk mot", date(1990, 1, 1),
                  False, "M", "01", "", "", "", "", "none", "", _now(), _now(), 0)])
    assert Person.objects.get(full_name="Bulk Một").province_id == office.province_id

    result = import_persons(_write_csv(tmp_path / "a.csv", [GOOD, GOOD_2]),
                            territory=Village.objects.all())
    assert result.created == 2
    assert _unkeyed(Person) == 0
    assert AuditEntry.objects.filter(action="import.create").get().province_id == \
        office.province_id


def test_log_rows_carry_the_province_or_zero(world: dict[str, Any], director: Any) -> None:
    office = world["office"]
    village = Village.objects.first()
    assert village is not None
    audit.record(actor=director, office=office, action="test", obj=village, changes={})
    audit.record_many([audit.Change("test.many", "registry.Village", village.pk, {},
                                    office_id=office.pk),
                       audit.Change("test.none", "registry.Village", village.pk, {})],
                      actor=director)
    AuditEntry.objects.create(office=office, at=_now_aware(), action="test.orm",
                              model="x", object_id="1")
    log_access(None, AccessKind.PERSON_PAGE, actor=director, person_id=1)
    assert set(AuditEntry.objects.filter(action__startswith="test").values_list(
        "action", "province_id")) == {("test", office.province_id),
                                      ("test.many", office.province_id), ("test.none", 0),
                                      ("test.orm", office.province_id)}
    assert AccessEntry.objects.get().province_id == office.province_id


def test_the_backfill_and_a_lost_trigger(world: dict[str, Any]) -> None:
    """Rows written before the triggers are filled by the migration's backfill; a trigger lost
    in a SQLite table rebuild comes back with the post_migrate hook."""
    office = world["office"]
    with _editor() as editor:
        keys.uninstall(editor, ["registry_person"])
    Person.objects.filter(full_name__startswith="A").update(province=None)
    assert Person.objects.filter(province__isnull=True).exists()
    with _editor() as editor:
        keys.install(editor, ["registry_person"], backfill=True)
    assert not Person.objects.filter(province__isnull=True).exists()
    assert Person.objects.filter(province_id=office.province_id).count() == Person.objects.count()

    if connection.vendor == "sqlite":
        with _editor() as editor:
            keys.uninstall(editor, ["registry_person"])
        keys.ensure_triggers()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'registry_person_keys_%'")
            assert cursor.fetchone()[0] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions: PostgreSQL only")
def test_log_tables_are_partitioned_and_a_new_province_gets_its_partition(
        world: dict[str, Any], director: Any) -> None:
    office = world["office"]
    with connection.cursor() as cursor:
        for table in keys.PARTITIONED:
            assert partitions.is_partitioned(cursor, table)
    audit.record(actor=director, office=office, action="test", obj=office, changes={})
    assert _partition_of(AuditEntry, action="test") == f"core_auditentry_p{office.province_id}"

    # an office of a province whose partition does not exist yet writes to the default one;
    # creating the partition moves its rows there
    province = Province(code="48", name="Thành phố Đà Nẵng")
    Province.objects.bulk_create([province])  # no post_save: no partition yet
    other = Office.objects.create(code="DN", name="BHXH Đà Nẵng", province=province)
    audit.record(actor=director, office=other, action="test.dn", obj=other, changes={})
    assert _partition_of(AuditEntry, action="test.dn") == "core_auditentry_default"
    assert partitions.ensure_partitions() == len(keys.PARTITIONED)
    assert _partition_of(AuditEntry, action="test.dn") == f"core_auditentry_p{province.pk}"

    created = Province.objects.create(code="49", name="Quảng Ngãi")  # post_save makes them
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL",
                       [f"core_accessentry_p{created.pk}"])
        assert cursor.fetchone()[0]
        cursor.execute("EXPLAIN SELECT * FROM core_auditentry WHERE province_id = %s",
                       [office.province_id])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"core_auditentry_p{office.province_id}" in plan
    assert "core_auditentry_default" not in plan and f"_p{province.pk}" not in plan


def test_an_office_takes_the_province_of_its_communes(world: dict[str, Any]) -> None:
    """The data migration's rule, rerun on the current rows."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ansinh.core.migrations.0006_office_province_and_log_keys")
    office = world["office"]
    Office.objects.filter(pk=office.pk).update(province=None)
    migration.fill_office_province(apps, None)
    office.refresh_from_db()
    commune = Commune.objects.filter(office=office).first()
    assert commune is not None and office.province_id == commune.province_id


@contextmanager
def _editor() -> Iterator[Any]:
    """What keys.install needs of a schema editor (SQLite's cannot open inside a test's
    transaction): the connection and execute()."""
    with connection.cursor() as cursor:
        yield SimpleNamespace(connection=connection, execute=cursor.execute)


def _partition_of(model: Any, **filters: Any) -> str:
    row = model.objects.filter(**filters).get()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {model._meta.db_table} "
                       f"WHERE id = %s", [row.pk])
        return str(cursor.fetchone()[0])


def _db_uuid() -> Any:
    from ansinh.core.bulk import db_uuid

    return db_uuid(uuid.uuid4())


def _now() -> Any:
    from ansinh.core.bulk import db_datetime

    return db_datetime(_now_aware())


def _now_aware() -> Any:
    from django.utils import timezone

    return timezone.now()


def test_the_province_router_sends_large_tables_to_the_province_database(
        world: dict[str, Any], settings: Any) -> None:
    from ansinh.registry.shards import ProvinceRouter, database_for, in_province

    office = world["office"]
    router = ProvinceRouter()
    assert database_for(office.province_id) is None  # no mapping: everything on default
    settings.ANSINH_PROVINCE_DATABASES = {"46": "hue"}
    with in_province(office.province_id):
        assert router.db_for_read(Receipt) == "hue"
        assert router.db_for_write(PaidMonth) == "hue"
        assert router.db_for_read(AuditEntry) == "hue"
        assert router.db_for_read(Village) is None  # a reference table
    assert router.db_for_read(Receipt) is None  # no current province
    person = Person.objects.filter(office=office).first()
    assert router.db_for_write(Person, instance=person) == "hue"
    other = Province.objects.create(code="48", name="Thành phố Đà Nẵng")
    with in_province(other.pk):
        assert router.db_for_read(Person) is None  # unmapped: default
