"""The scale data set (ansinh.scale_generate) at a tiny size keeps the app's invariants."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from ansinh.core.text import fold

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the load COPYs on a second connection
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the scale data set is written with COPY (PostgreSQL)"),
]

AS_OF = date(2026, 12, 2)


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def test_generated_rows_keep_the_invariants() -> None:
    from ansinh.scale_generate import generate

    call_command("seed-demo", persons=300, as_of=AS_OF, verbosity=0)
    figures = generate(2_000, 10_000, as_of=AS_OF, log=lambda _message: None)

    assert _rows("SELECT COUNT(*) FROM registry_person")[0][0] == 2_000
    assert 5_000 <= figures["ledger_rows"] <= 20_000, figures["ledger_rows"]
    assert _rows("SELECT COUNT(DISTINCT office_id) FROM registry_person")[0][0] >= 3
    # national IDs unique (the unique constraint was rebuilt over them too)
    assert _rows("SELECT national_id FROM registry_person WHERE national_id IS NOT NULL "
                 "GROUP BY national_id HAVING COUNT(*) > 1") == []
    # a month paid once per participation
    assert _rows("SELECT participation_id, month FROM collection_paidmonth "
                 "WHERE released_by_id IS NULL GROUP BY 1, 2 HAVING COUNT(*) > 1") == []
    # each receipt: its months, amounts and support are its PaidMonth rows'; its accounting
    # month is its payment's month, never before the first month it pays
    assert _rows("""
        SELECT r.id FROM collection_receipt r
        LEFT JOIN (SELECT receipt_id, COUNT(*) n, SUM(net) net, SUM(support) support,
                          MIN(month) first FROM collection_paidmonth GROUP BY receipt_id) m
               ON m.receipt_id = r.id
        WHERE r.product = 'voluntary_si' AND (m.n IS DISTINCT FROM r.months
           OR m.net <> r.amount OR m.support <> r.support OR m.first <> r.first_month
           OR r.period <> date_trunc('month', r.paid_on)::date OR r.period < r.first_month)
    """) == []
    # paid months lie in the participation's time, by its own receipts' person
    assert _rows("""
        SELECT m.id FROM collection_paidmonth m
        JOIN participation_participation p ON p.id = m.participation_id
        JOIN collection_receipt r ON r.id = m.receipt_id
        WHERE m.month < p.start_month OR r.participation_id <> p.id OR r.person_id <> p.person_id
           OR r.office_id <> p.office_id
    """) == []
    # the territory rule: a participation's agent (and its receipts') is assigned to the
    # commune of the participation's village
    assert _rows("""
        SELECT p.id FROM participation_participation p
        JOIN registry_village v ON v.id = p.village_id
        JOIN network_agent a ON a.id = p.agent_id
        WHERE NOT EXISTS (SELECT 1 FROM network_assignment s
                          WHERE s.user_id = a.user_id AND s.commune_id = v.commune_id)
        UNION ALL
        SELECT r.id FROM collection_receipt r
        JOIN participation_participation p ON p.id = r.participation_id
        WHERE r.agent_id <> p.agent_id
    """) == []
    # status histories: a chain from enrolment to the participation's status, in date order
    histories: dict[int, list[tuple[Any, ...]]] = {}
    for pid, on, old, new in _rows('SELECT participation_id, "on", old_status, new_status '
                                   'FROM participation_statuschange ORDER BY 1, 2, id'):
        histories.setdefault(pid, []).append((on, old, new))
    participations = _rows("SELECT id, status, status_since, person_id "
                           "FROM participation_participation")
    assert participations
    for pid, status, since, _person in participations:
        changes = histories[pid]
        assert changes[0][1:] == ("", "awaiting"), (pid, changes)
        for before, after in pairwise(changes):
            assert after[1] == before[2] and after[0] >= before[0], (pid, changes)
        assert changes[-1][2] == status, (pid, changes, status)
        if status not in ("active", "awaiting"):
            assert changes[-1][0] == since, (pid, changes, since)
    # one open participation per person, and the register agrees with it
    assert _rows("""
        SELECT p.id FROM participation_participation p
        JOIN registry_person s ON s.id = p.person_id
        WHERE (p.status <> 'stopped' AND s.si_status <> 'voluntary')
           OR (p.status = 'stopped' AND s.si_status NOT IN ('lump_sum', 'compulsory'))
    """) == []
    # receipt books: numbers unique per book and below the next number
    assert _rows("""
        SELECT b.id FROM collection_receiptbook b JOIN collection_receipt r ON r.book_id = b.id
        GROUP BY b.id HAVING COUNT(*) >= MAX(b.next_number)
    """) == []
    # names folded as the app folds them
    for full_name, folded in _rows("SELECT full_name, name_folded FROM registry_person"):
        assert folded == fold(full_name), full_name
