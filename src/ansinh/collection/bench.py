"""Bench: recording receipts in a batch and computing dues, beside bare SQL on the same rows.

Run by `ansinh.bench` in a worker whose database holds the seeded demo. It enrols up to
`N` more persons (monthly, from January of the demo year) through the bulk path, records one
receipt for each through `receipts.record_receipts` (the one write path: validation, pricing,
book numbers, audit rows), then writes the
same rows again with the bare insert; and times `dues_bulk` for every open participation
beside a bare SELECT of the terms and paid months it reads.
"""

from __future__ import annotations

import time
import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ansinh.collection.dues import dues_bulk
from ansinh.core.bulk import db_datetime, db_uuid, insert_rows, reset_sequences
from ansinh.core.models import Office, User
from ansinh.participation.models import Participation, Status, StatusChange, Terms
from ansinh.participation.schedule import TermsRow
from ansinh.participation.subsidy import facts_for_people
from ansinh.registry.models import Person

from .models import PaidMonth, Receipt
from .pricing import price_months
from .receipts import PAID_MONTH_COLUMNS, RECEIPT_COLUMNS, ReceiptRequest, record_receipts

N = 100_000


def measure(n: int = N) -> dict[str, Any]:
    office = Office.objects.get(code="AL")
    actor = User.objects.get(username="giamdoc")
    as_of = date.fromisoformat(settings.DEMO_AS_OF)
    start = as_of.replace(day=1)  # the demo's open month
    ids = enrol_bulk(office, n, start_month=start, income=1_500_000, enrolled_on=start)
    figures: dict[str, Any] = {"participations_added": len(ids)}
    paid_on = as_of
    entries = _entries(office, ids, start, paid_on)
    started = time.perf_counter()
    result = record_receipts(entries, actor=actor, today=as_of)
    figures["record_batch_s"] = time.perf_counter() - started
    assert not result.refused, result.refused[:3]
    figures["receipts"] = len(result.created)

    rows = _rows(Receipt, RECEIPT_COLUMNS, result.created)
    month_rows = _rows(PaidMonth, PAID_MONTH_COLUMNS, result.created, key="receipt_id")
    with transaction.atomic():
        PaidMonth.objects.filter(receipt_id__in=result.created)._raw_delete(PaidMonth.objects.db)
        Receipt.objects.filter(id__in=result.created)._raw_delete(Receipt.objects.db)
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(Receipt._meta.db_table, RECEIPT_COLUMNS, rows)
        insert_rows(PaidMonth._meta.db_table, PAID_MONTH_COLUMNS, month_rows)
    figures["bare_insert_s"] = time.perf_counter() - started
    figures["record_to_bare"] = figures["record_batch_s"] / figures["bare_insert_s"]

    started = time.perf_counter()
    all_dues = dues_bulk(None, as_of, office_id=office.id)
    figures["dues_s"] = time.perf_counter() - started
    figures["dues_participations"] = len(all_dues)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.participation_id, t.from_month, t.income, t.mode, t.advance_years, t.paused "
            "FROM participation_terms t JOIN participation_participation p "
            "ON p.id = t.participation_id WHERE p.office_id = %s", [office.id])
        cursor.fetchall()
        cursor.execute(
            "SELECT m.participation_id, m.month FROM collection_paidmonth m "
            "JOIN participation_participation p ON p.id = m.participation_id "
            "WHERE p.office_id = %s AND m.released_by_id IS NULL", [office.id])
        cursor.fetchall()
    figures["dues_bare_select_s"] = time.perf_counter() - started
    figures["dues_to_bare"] = figures["dues_s"] / figures["dues_bare_select_s"]
    return figures


def enrol_bulk(office: Office, n: int, *, start_month: date, income: int,
               enrolled_on: date) -> list[int]:
    """Up to `n` monthly participations for persons of `office` who have none (bulk path)."""
    taken = Participation.objects.values("person_id")
    people = list(Person.objects.filter(office=office).exclude(id__in=taken)
                  .order_by("id").values_list("id", "village_id")[:n])
    first = (Participation.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    terms_first = (Terms.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    change_first = (StatusChange.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    now = db_datetime(timezone.now())
    ids = list(range(first, first + len(people)))
    with transaction.atomic():
        insert_rows(Participation._meta.db_table, (
            "id", "office_id", "village_id", "person_id", "uuid", "start_month", "enrolled_on",
            "income", "mode", "first_time", "prior_months", "prior_supported_months", "status",
            "status_since", "stop_reason", "created_at"), [
            (pid, office.id, village, person, db_uuid(uuid.uuid4()), start_month, enrolled_on,
             income, "monthly", True, 0, 0, Status.ACTIVE, enrolled_on, "", now)
            for pid, (person, village) in zip(ids, people, strict=True)])
        insert_rows(Terms._meta.db_table, (
            "id", "participation_id", "from_month", "income", "mode", "paused", "note",
            "created_at"), [
            (terms_first + i, pid, start_month, income, "monthly", False, "bench", now)
            for i, pid in enumerate(ids)])
        insert_rows(StatusChange._meta.db_table, (
            "id", "participation_id", "on", "old_status", "new_status", "reason", "at"), [
            (change_first + i, pid, enrolled_on, "", Status.ACTIVE, "bench", now)
            for i, pid in enumerate(ids)])
        reset_sequences(Participation, Terms, StatusChange)
    return ids


def _entries(office: Office, ids: list[int], month: date, paid_on: date) -> list[ReceiptRequest]:
    """One bank-transfer entry per participation at the engine's amount, as a client sends."""
    facts = facts_for_people(office_id=office.id)
    person_of = dict(Participation.objects.filter(office=office).values_list("id", "person_id"))
    terms = [TermsRow(month, 1_500_000, "monthly")]
    entries: list[ReceiptRequest] = []
    for pid in ids:
        pricing = price_months([month], paid_on, terms=terms, facts=facts[person_of[pid]],
                               supported_before=0)
        entries.append(ReceiptRequest(pid, (month,), pricing.amount, paid_on,
                                      "bank_transfer", uuid.uuid4()))
    return entries


def _rows(model: type[Any], columns: tuple[str, ...], receipt_ids: list[int],
          key: str = "id") -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for offset in range(0, len(receipt_ids), 5000):
        chunk = receipt_ids[offset:offset + 5000]
        rows += list(model.objects.filter(**{f"{key}__in": chunk}).values_list(*columns))
    if connection.vendor == "sqlite" and model is Receipt:
        import json

        uuid_at, pricing_at, at = (columns.index("uuid"), columns.index("pricing"),
                                   columns.index("recorded_at"))
        rows = [tuple(db_uuid(v) if i == uuid_at else json.dumps(v) if i == pricing_at
                      else db_datetime(v) if i == at else v for i, v in enumerate(row))
                for row in rows]
    elif model is Receipt:
        from psycopg.types.json import Jsonb

        pricing_at = columns.index("pricing")
        rows = [tuple(Jsonb(v) if i == pricing_at else v for i, v in enumerate(row))
                for row in rows]
    return rows
