"""Reads from a PostgreSQL streaming replica (core.replica, docs/deploy-replica.md), against a
real one: scripts/replica-cluster starts a private primary and a `pg_basebackup -R` standby on
loopback for this module, whatever database the rest of the suite runs on.

How Django meets the pair: no pytest-django test database. The primary gets the project's schema
from `migrate` run in a process of its own with the two URLs in its environment (the settings'
own parsing, and migrations on the primary only); the standby receives it through the WAL, as a
production replica does. A test database created by pytest-django on the primary would replicate
as well, but the suite's own `default` is already set up (SQLite, or the system PostgreSQL) and
the standby cannot be pointed at a database named per worker; so for this module only, the
process's `default` and `replica` connections are swapped for the pair's and put back after it.
The tests write and read real committed rows in that private database, which `stop` deletes.

Every wait is a poll with a deadline; nothing sleeps a fixed time to let replication happen.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connections, transaction
from django.http import HttpRequest, JsonResponse
from django.test import override_settings
from django.urls import path

from ansinh.core import replica
from ansinh.core.models import AccessKind, Office
from ansinh.core.personal import log_access
from ansinh.core.replica import REPLICA, ReplicaRouter, reads_from_replica, replica_reads

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "replica-cluster"
NO_BINARIES = 3  # the script's exit code when the PostgreSQL server programs are missing
DEADLINE = 60.0  # seconds; a loaded CI machine replays in milliseconds, but may be slow to start
WHERE = ("SELECT id, pg_is_in_recovery() AS standby, inet_server_port() AS port "
         "FROM core_office ORDER BY id LIMIT 1")

T = TypeVar("T")


def poll(what: str, check: Callable[[], T], seconds: float = DEADLINE) -> T:
    """check() until it gives something true, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {seconds:.0f} s waiting for {what}")
        time.sleep(0.05)


def cluster(command: str, root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), command, "--dir", str(root)],
                          capture_output=True, text=True, timeout=300, check=False)


# ---------------------------------------------------------------------------------------------
# The pair, and Django on it


@pytest.fixture(scope="module")
def pair() -> Iterator[dict[str, Any]]:
    # in /tmp itself: the postgres user must reach it, and pytest's tmp_path is root's alone
    root = Path(tempfile.gettempdir()) / f"ansinh-replica-test-{uuid.uuid4().hex[:10]}"
    started = cluster("start", root)
    if started.returncode == NO_BINARIES:
        pytest.skip(f"PostgreSQL server binaries missing: {started.stderr.strip()}")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        urls = dict(line.split("=", 1) for line in started.stdout.split())
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ansinh.settings_test", **urls}
        migrated = subprocess.run([sys.executable, "-m", "django", "migrate", "--no-input"],
                                  env=env, capture_output=True, text=True, timeout=600,
                                  check=False)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr[-3000:]
        ports = {name: int(re.search(r":(\d+)/", url).group(1))  # type: ignore[union-attr]
                 for name, url in urls.items()}
        yield {"root": root, "urls": urls, "primary_port": ports["DATABASE_URL"],
               "standby_port": ports["DATABASE_REPLICA_URL"]}
    finally:
        stopped = cluster("stop", root)
        assert stopped.returncode == 0, stopped.stderr


@pytest.fixture(scope="module")
def on_pair(pair: dict[str, Any], django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """This process's `default` and `replica` connections on the pair, with the settings'
    parsing of the two URLs and the router; the suite's connections are put back after."""
    from ansinh import settings as project

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_REPLICA_URL", pair["urls"]["DATABASE_REPLICA_URL"])
        primary = project._parse_database("DATABASE_URL", pair["urls"]["DATABASE_URL"])
        standby = project._replica(primary)
    assert standby is not None
    saved_settings = connections.settings
    saved = {alias: connections[alias] for alias in saved_settings}
    connections.settings = connections.configure_settings(
        {"default": primary, REPLICA: standby})
    for alias in ("default", REPLICA):
        connections[alias] = connections.create_connection(alias)
    try:
        with django_db_blocker.unblock(), override_settings(
                DATABASE_ROUTERS=["ansinh.core.replica.ReplicaRouter"]):
            office = Office.objects.create(code=f"R{uuid.uuid4().hex[:8]}", name="first")
            poll("the office on the standby",
                 lambda: Office.objects.using(REPLICA).filter(pk=office.pk).exists())
            yield {**pair, "office": office}
    finally:
        for alias in ("default", REPLICA):
            with suppress(Exception):
                connections[alias].close()
        connections.settings = saved_settings
        for alias, connection in saved.items():
            connections[alias] = connection
        if REPLICA not in saved:
            with suppress(AttributeError):
                delattr(connections._connections, REPLICA)  # type: ignore[attr-defined]
        replica.forget()


@pytest.fixture(autouse=True)
def _each(on_pair: dict[str, Any], django_db_blocker: Any, settings: Any) -> Iterator[None]:
    settings.ANSINH_REPLICA_MAX_LAG_SECONDS = 5
    settings.ANSINH_REPLICA_CHECK_SECONDS = 2
    replica.forget()
    with django_db_blocker.unblock():
        yield
        # whatever a test did to the standby, the next one starts with it replaying
        on_standby("SELECT pg_wal_replay_resume()")
    replica.forget()


def on_standby(sql: str) -> Any:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def served_by() -> tuple[bool, int]:
    """(in recovery?, port) of the server that answered a read of Office, routed as any ORM
    read is (a raw query goes through the router for its model)."""
    row: Any = next(iter(Office.objects.raw(WHERE)))
    return row.standby, row.port


def guard_until(what: str, wanted: Callable[[replica.Freshness], bool]) -> replica.Freshness:
    """The guard's answer, checked afresh until it is the one wanted."""
    found: list[replica.Freshness] = []

    def check() -> bool:
        found[:] = [replica.freshness(refresh=True)]
        return wanted(found[0])

    poll(what, check)
    return found[0]


def fresh() -> replica.Freshness:
    return guard_until("the replica to be current", lambda found: found.from_replica)


# ---------------------------------------------------------------------------------------------
# Views marked as the report pages are (this module is their URLconf)


@reads_from_replica
def where_view(request: HttpRequest) -> JsonResponse:
    standby, port = served_by()
    chosen = request.data_freshness  # type: ignore[attr-defined]
    return JsonResponse({"standby": standby, "port": port, "source": chosen.source,
                         "lag": chosen.lag_seconds, "reason": chosen.reason})


@reads_from_replica
def write_then_read_view(request: HttpRequest) -> JsonResponse:
    before = served_by()
    log_access(None, AccessKind.REGISTER_EXPORT, description="replica test")  # bookkeeping
    after_log = served_by()
    Office.objects.filter(pk=request.GET["pk"]).update(name=request.GET["name"])
    after_write = served_by()
    return JsonResponse({"before": before[0], "after_log": after_log[0],
                         "after_write": after_write[0],
                         "name": Office.objects.get(pk=request.GET["pk"]).name})


urlpatterns = [
    path("where/", where_view),
    path("write-then-read/", write_then_read_view),
]


# ---------------------------------------------------------------------------------------------
# Where reads go


def test_a_marked_read_is_served_by_the_standby(on_pair: dict[str, Any]) -> None:
    fresh()
    with replica_reads() as chosen:
        assert chosen.from_replica and chosen.lag_seconds is not None
        assert 0 <= chosen.lag_seconds <= 5
        assert served_by() == (True, on_pair["standby_port"])
        office = Office.objects.get(pk=on_pair["office"].pk)
        assert office._state.db == REPLICA
    # everything else reads the primary
    assert served_by() == (False, on_pair["primary_port"])
    # an instance read from the replica is saved on the primary
    office.address = "saved after a replica read"
    office.save()
    assert office._state.db == "default"
    assert Office.objects.using("default").get(pk=office.pk).address == office.address


def test_sign_in_and_sessions_stay_on_the_primary_in_a_marked_block() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    fresh()
    with replica_reads():
        assert Office.objects.all().db == REPLICA
        assert get_user_model().objects.all().db == "default"
        assert Session.objects.all().db == "default"


@pytest.mark.urls(__name__)
def test_a_marked_view_is_served_by_the_standby_and_says_how_fresh(
        client: Any, on_pair: dict[str, Any]) -> None:
    fresh()
    answer = client.get("/where/").json()
    assert answer["standby"] is True and answer["port"] == on_pair["standby_port"]
    assert answer["source"] == "replica" and answer["reason"] == ""
    assert 0 <= answer["lag"] <= 5


@pytest.mark.urls(__name__)
def test_a_write_then_a_read_in_the_same_request_go_to_the_primary(
        client: Any, on_pair: dict[str, Any]) -> None:
    fresh()
    answer = client.get("/write-then-read/",
                        {"pk": on_pair["office"].pk, "name": "written in the request"}).json()
    assert answer["before"] is True
    assert answer["after_log"] is True  # the access log's row does not count
    assert answer["after_write"] is False
    assert answer["name"] == "written in the request"  # read where it was written


def test_never_inside_a_transaction() -> None:
    fresh()
    with replica_reads() as chosen:
        assert chosen.from_replica
        with transaction.atomic():
            assert served_by()[0] is False
        assert served_by()[0] is True
    with transaction.atomic(), replica_reads() as chosen:
        assert chosen.reason == "atomic" and served_by()[0] is False


def test_migrations_run_only_on_the_primary() -> None:
    router = ReplicaRouter()
    assert router.allow_migrate("default", "registry") is True
    assert router.allow_migrate(REPLICA, "registry") is False
    # the standby has every migration the primary has, through the WAL alone
    query = "SELECT count(*) FROM django_migrations"
    with connections["default"].cursor() as cursor:
        cursor.execute(query)
        on_primary = cursor.fetchone()[0]
    assert on_primary > 50
    assert on_standby(query) == on_primary


# ---------------------------------------------------------------------------------------------
# The freshness guard


def test_the_guard_reads_the_primary_while_replay_is_paused(
        on_pair: dict[str, Any], settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.ANSINH_REPLICA_MAX_LAG_SECONDS = 1
    settings.ANSINH_REPLICA_CHECK_SECONDS = 0
    pk = on_pair["office"].pk
    fresh()
    on_standby("SELECT pg_wal_replay_pause()")
    poll("replay paused", lambda: on_standby("SELECT pg_get_wal_replay_pause_state()")
         == "paused")
    Office.objects.filter(pk=pk).update(name="written while paused")

    with caplog.at_level(logging.WARNING, logger="ansinh.replica"):
        stale = guard_until("the guard to call the replica stale",
                            lambda found: found.reason == "stale")
    assert stale.lag_seconds is not None and stale.lag_seconds > 1
    assert "behind" in caplog.text
    # the standby's copy is stale indeed, and a marked read does not see it
    assert Office.objects.using(REPLICA).get(pk=pk).name != "written while paused"
    with replica_reads() as chosen:
        assert chosen.reason == "stale"
        assert Office.objects.get(pk=pk).name == "written while paused"
        assert served_by() == (False, on_pair["primary_port"])

    on_standby("SELECT pg_wal_replay_resume()")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ansinh.replica"):
        fresh()
    assert "current again" in caplog.text
    with replica_reads() as chosen:
        assert chosen.from_replica
        assert Office.objects.get(pk=pk).name == "written while paused"
        assert served_by() == (True, on_pair["standby_port"])


def test_an_idle_primary_keeps_the_replica_current(settings: Any) -> None:
    """Nothing written for longer than the limit: the last replayed commit grows old, but the
    replica has all there is, and stays in use."""
    settings.ANSINH_REPLICA_MAX_LAG_SECONDS = 1
    settings.ANSINH_REPLICA_CHECK_SECONDS = 0
    fresh()
    age_query = ("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8")

    def idle_and_current() -> bool:
        # the age first, then the check: a commit in between (autovacuum) only means polling on
        if on_standby(age_query) <= 1.5:
            return False
        chosen = replica.freshness(refresh=True)
        return chosen.from_replica and chosen.lag_seconds == 0.0

    poll("a check with the last replayed commit older than the limit", idle_and_current)


def test_an_unreachable_replica_falls_back_to_the_primary(
        on_pair: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    fresh()
    stopped = cluster("stop-standby", on_pair["root"])
    assert stopped.returncode == 0, stopped.stderr
    try:
        with caplog.at_level(logging.WARNING, logger="ansinh.replica"):
            chosen = replica.freshness(refresh=True)
        assert chosen.reason == "unreachable"
        assert "unreachable" in caplog.text
        with replica_reads() as chosen:
            assert not chosen.from_replica
            assert served_by() == (False, on_pair["primary_port"])
    finally:
        started = cluster("start-standby", on_pair["root"])
        assert started.returncode == 0, started.stderr
    fresh()
    with replica_reads():
        assert served_by() == (True, on_pair["standby_port"])


@pytest.mark.urls(__name__)
def test_a_replica_lost_between_checks_costs_a_page_nothing(
        client: Any, on_pair: dict[str, Any], settings: Any) -> None:
    """The guard's answer is cached; the standby stops meanwhile. The view's first read fails on
    the replica's connection, and the view runs again on the primary."""
    settings.ANSINH_REPLICA_CHECK_SECONDS = 3600
    fresh()
    assert client.get("/where/").json()["standby"] is True
    stopped = cluster("stop-standby", on_pair["root"])
    assert stopped.returncode == 0, stopped.stderr
    try:
        answer = client.get("/where/").json()
        assert answer["standby"] is False and answer["port"] == on_pair["primary_port"]
        assert answer["source"] == "primary" and answer["reason"] == "unreachable"
        assert replica.freshness().reason == "unreachable"  # until the next check
    finally:
        started = cluster("start-standby", on_pair["root"])
        assert started.returncode == 0, started.stderr
    fresh()


def test_the_check_is_cached_for_the_interval(settings: Any) -> None:
    settings.ANSINH_REPLICA_CHECK_SECONDS = 3600
    first = fresh()
    with replica_reads() as chosen:
        assert chosen is first  # no query: the cached answer
    assert replica.freshness() is first


# ---------------------------------------------------------------------------------------------
# A real page: the register's CSV export (registry.views.person_export, streamed)


def test_the_register_export_is_read_from_the_standby_within_the_limit(
        client: Any, on_pair: dict[str, Any], settings: Any) -> None:
    from datetime import date

    from django.urls import reverse

    from ansinh.core.models import AccessEntry, User
    from ansinh.demo.seeding import seed_reference
    from ansinh.registry.models import Person

    _office, villages, _users = seed_reference(date(2026, 3, 31))
    office = villages[0].commune.office
    Person.objects.create(full_name="Hồ Văn Trước", birth_date=date(1980, 5, 1), sex="M",
                          village=villages[0], office=office)
    client.force_login(User.objects.get(username="giamdoc"))  # the session: on the primary
    fresh()
    poll("the person on the standby", lambda: Person.objects.using(REPLICA).filter(
        full_name="Hồ Văn Trước").exists())
    on_standby("SELECT pg_wal_replay_pause()")
    poll("replay paused", lambda: on_standby("SELECT pg_get_wal_replay_pause_state()")
         == "paused")
    Person.objects.create(full_name="Hồ Thị Sau", birth_date=date(1981, 6, 2), sex="F",
                          village=villages[0], office=office)
    logged = AccessEntry.objects.count()

    def export() -> str:
        response = client.get(reverse("registry:person_export"))
        assert response.status_code == 200
        return b"".join(response.streaming_content).decode()

    # within the limit the standby serves the export, count and streamed rows alike: the
    # person written since replay paused is not in it yet
    settings.ANSINH_REPLICA_MAX_LAG_SECONDS = 3600
    csv = export()
    assert "Hồ Văn Trước" in csv and "Hồ Thị Sau" not in csv
    assert AccessEntry.objects.count() == logged + 1  # the access log: on the primary
    # past the limit the primary serves it
    settings.ANSINH_REPLICA_MAX_LAG_SECONDS = 1
    settings.ANSINH_REPLICA_CHECK_SECONDS = 0
    guard_until("the guard to call the replica stale", lambda found: found.reason == "stale")
    csv = export()
    assert "Hồ Văn Trước" in csv and "Hồ Thị Sau" in csv
