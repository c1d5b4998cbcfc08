"""What a phone downloads: the territory of an agent with about 2,000 persons, in full and then
only what changed after 50 changes, through the whole stack (token, middleware, JSON).

`measure()` runs in the bench worker's process over the seeded demo. An agent is assigned the
first villages of the office until they hold about 2,000 persons (whatever the size of the
demo), and downloads with a device token, page by page (500 persons a page, the default):

- territory_persons: the persons of the download;
- full_s / full_pages / full_bytes / full_gzip_bytes: the full download (the JSON of every page
  summed, and each page gzipped as the server's compression would send it);
- full_queries_per_page: SQL statements per page (flat, whatever the page size);
- changes_s / changes_persons / changes_bytes / changes_gzip_bytes: the next download with the
  cursor after 50 changes (25 edits of a phone number, 25 visits recorded with a follow-up).
"""

from __future__ import annotations

import gzip
import time
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ansinh.core.models import Office, Role, User
from ansinh.field.devices import register_device
from ansinh.network.models import Assignment
from ansinh.outreach.actions import record_contact
from ansinh.registry.actions import update_person
from ansinh.registry.models import Village

from .territory import persons_in_scope

TARGET_PERSONS = 2000
CHANGES = 50


def _bench_agent() -> Any:
    office = Office.objects.get(code="AL")
    agent, _created = User.objects.get_or_create(
        username="bench_territory", defaults={"role": Role.AGENT, "office": office})
    held = 0
    for village_id, persons in (Village.objects.filter(commune__office=office)
                                .annotate(n=Count("persons")).order_by("id")
                                .values_list("id", "n")):
        if held >= TARGET_PERSONS:
            break
        Assignment.objects.get_or_create(user=agent, village_id=village_id,
                                         defaults={"starts_on": date(2020, 1, 1)})
        held += persons
    return agent


def _download(client: Any, cursor: str = "") -> dict[str, Any]:
    pages = persons = size = zipped = queries = 0
    after = 0
    answer_cursor = ""
    started = time.perf_counter()
    while True:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/territory", {"cursor": cursor, "after": after})
        assert response.status_code == 200, response.content[:300]
        page = response.json()
        pages += 1
        persons += len(page["persons"])
        size += len(response.content)
        zipped += len(gzip.compress(response.content, 6))
        queries = max(queries, len(captured.captured_queries))
        answer_cursor = page["cursor"]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    return {"s": time.perf_counter() - started, "pages": pages, "persons": persons,
            "bytes": size, "gzip_bytes": zipped, "queries_per_page": queries,
            "cursor": answer_cursor}


def measure() -> dict[str, Any]:
    as_of = date.fromisoformat(getattr(settings, "DEMO_AS_OF", "2026-03-31"))
    agent = _bench_agent()
    _device, token = register_device(actor=agent, name="Điện thoại đo")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    full = _download(client)
    director = User.objects.get(username="giamdoc")
    persons = list(persons_in_scope(agent, as_of).order_by("id")[:CHANGES])
    for index, person in enumerate(persons):
        if index % 2:
            update_person(person, {"phone": f"09{index:08d}"}, actor=director)
        else:
            record_contact(actor=agent, person=person, on=as_of, channel="visit",
                           outcome="follow_up", next_follow_up_on=as_of + timedelta(days=7))
    changes = _download(client, full["cursor"])
    return {
        "territory_persons": full["persons"],
        "full_s": full["s"], "full_pages": full["pages"], "full_bytes": full["bytes"],
        "full_gzip_bytes": full["gzip_bytes"], "full_queries_per_page": full["queries_per_page"],
        "changes": len(persons), "changes_s": changes["s"], "changes_persons": changes["persons"],
        "changes_bytes": changes["bytes"], "changes_gzip_bytes": changes["gzip_bytes"],
    }
