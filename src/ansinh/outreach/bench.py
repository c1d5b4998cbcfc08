"""Timings of the worklist and the funnel over the seeded demo, beside bare SQL.

`measure()` runs in the bench worker's process, whose database holds the seeded demo (10k, 100k
or 1M persons, SQLite or PostgreSQL). Each figure is the median of a few runs, in seconds:

- worklist_one_agent_s: the week's worklist of one agent (thu31), as the page builds it;
- worklist_all_agents_s: the week's worklists of every agent, one after the other;
- priority_refresh_s: the nightly refresh of the office's precomputed worklists
  (`priority.refresh_office`), once;
- worklist_read_one_agent_s: the first page (25 lines) of thu31's week, read from the
  precomputed rows as the page reads it (`priority.read(...).between(0, 25)`);
- worklist_read_village_s: the same for thu31's busiest village alone;
- worklist_read_office_s: the first page of the director's list (every village of the office);
- worklist_read_ratio: worklist_one_agent_s / worklist_read_one_agent_s;
- worklist_sql_s: bare SQL for the heavy part of one agent's list (open follow-ups due, and the
  never-visited prospects of the agent's villages, counted);
- funnel_s / funnel_sql_s: the funnel by event type over the whole office (attribution window
  90 days) through `funnel.funnel`, and the same counts in one raw SQL statement.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ansinh.core.models import Office, Role, User

RUNS = 3


def _median(run: Callable[[], Any], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _funnel_sql(vendor: str) -> str:
    window = ("date(c.\"on\", '+90 days')" if vendor == "sqlite"
              else "(c.\"on\" + INTERVAL '90 days')::date")
    return f"""
        SELECT e.kind, COUNT(*), COUNT(DISTINCT c.person_id),
               COUNT(DISTINCT CASE WHEN c.outcome IN ('interested', 'enrolled', 'follow_up')
                                   THEN c.person_id END),
               COUNT(DISTINCT (SELECT p.id FROM participation_participation p
                               WHERE p.person_id = c.person_id AND p.enrolled_on >= c."on"
                                 AND p.enrolled_on <= {window}
                               ORDER BY p.enrolled_on, p.id LIMIT 1))
        FROM outreach_contact c LEFT JOIN outreach_event e ON e.id = c.event_id
        WHERE c.office_id = %s
        GROUP BY e.kind
    """


def _worklist_sql(vendor: str) -> str:
    return """
        SELECT (SELECT COUNT(*) FROM outreach_contact c
                WHERE c.owner_id = %s AND c.follow_up_done = %s AND c.next_follow_up_on <= %s),
               (SELECT COUNT(*) FROM registry_person p
                WHERE p.village_id IN (SELECT v.id FROM registry_village v
                                       JOIN network_assignment a ON a.commune_id = v.commune_id
                                       WHERE a.user_id = %s)
                  AND p.si_status = 'none' AND p.birth_date <= %s
                  AND NOT EXISTS (SELECT 1 FROM outreach_contact c WHERE c.person_id = p.id)
                  AND NOT EXISTS (SELECT 1 FROM participation_participation q
                                  WHERE q.person_id = p.id))
    """


def measure() -> dict[str, float]:
    from django.conf import settings
    from django.db import connection

    from ansinh.outreach import funnel, priority, worklist
    from ansinh.outreach.models import Contact, Event

    as_of = date.fromisoformat(getattr(settings, "DEMO_AS_OF", "2026-03-31"))
    office = Office.objects.get(code="AL")
    agent = User.objects.get(username="thu31")
    agents = list(User.objects.filter(office=office, role=Role.AGENT).order_by("username"))
    figures: dict[str, float] = {}
    figures["worklist_one_agent_s"] = _median(lambda: worklist.build(agent, as_of, "week"))
    figures["worklist_all_agents_s"] = _median(
        lambda: [worklist.build(user, as_of, "week") for user in agents], runs=1)
    figures["priority_refresh_s"] = _median(
        lambda: priority.refresh_office(office.pk, as_of), runs=1)
    director = User.objects.filter(office=office, role=Role.DIRECTOR).order_by("id").first()
    figures["worklist_read_one_agent_s"] = _median(
        lambda: priority.read(agent, as_of, "week").between(0, 25))
    listing = priority.read(agent, as_of, "week")
    busiest = listing.chosen[0] if listing.chosen else None
    figures["worklist_read_village_s"] = _median(
        lambda: priority.read(agent, as_of, "week", village_id=busiest).between(0, 25))
    if director is not None:
        figures["worklist_read_office_s"] = _median(
            lambda: priority.read(director, as_of, "week").between(0, 25))
    figures["worklist_read_ratio"] = figures["worklist_one_agent_s"] / max(
        figures["worklist_read_one_agent_s"], 1e-9)
    vendor = connection.vendor
    adult = as_of - timedelta(days=15 * 365 + 4)

    def worklist_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(_worklist_sql(vendor), [agent.pk, False, as_of + timedelta(days=6),
                                                   agent.pk, adult])
            cursor.fetchall()

    figures["worklist_sql_s"] = _median(worklist_sql)
    figures["worklist_ratio"] = figures["worklist_one_agent_s"] / max(
        figures["worklist_sql_s"], 1e-9)

    figures["funnel_s"] = _median(lambda: funnel.funnel(
        Contact.objects.filter(office=office), Event.objects.filter(office=office), "kind",
        as_of=as_of, window_days=90))

    def funnel_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(_funnel_sql(vendor), [office.pk])
            cursor.fetchall()

    figures["funnel_sql_s"] = _median(funnel_sql)
    figures["funnel_ratio"] = figures["funnel_s"] / max(figures["funnel_sql_s"], 1e-9)
    figures["contacts"] = float(Contact.objects.filter(office=office).count())
    return figures
