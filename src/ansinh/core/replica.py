"""Dashboard, report and export reads from a PostgreSQL streaming replica (docs/deploy-replica.md).

With `DATABASE_REPLICA_URL` set, settings add a second alias, `replica`, and this module's
router. Reads go to the replica only inside a marked view or block:

    @login_required
    @reads_from_replica          # innermost: sign-in and permission checks stay on the primary
    def dashboard(request): ...

    with replica_reads():        # a command's or a task's read-only part
        export_persons(path, persons)

and even there only while all of these hold:

- the freshness guard says the replica is current: its replay lag, checked at most every
  `ANSINH_REPLICA_CHECK_SECONDS` per process, is at most `ANSINH_REPLICA_MAX_LAG_SECONDS`, and it
  answers (a stale or unreachable replica sends the reads to the primary, and says so in the log);
- nothing was written in the block yet (a write, then a read: the read sees the write, on the
  primary). Writes of the access log do not count: they record what was read;
- the primary's connection is not inside `transaction.atomic` (a transaction sees its own writes);
- the model is not one of sign-in and sessions (a user who just signed in, or was just
  deactivated, is read where it was written).

Every write goes to the primary, every read outside a marked block too, and migrations run only
on the primary (the replica receives them through the WAL). Without `DATABASE_REPLICA_URL`
nothing here is installed and the decorator only notes "primary" on the request.

A marked view's request carries `request.data_freshness` (a `Freshness`): where its reads went
and, from the replica, how old its data may be (`lag_seconds`), for a "data as of" line.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar, cast

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
)
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse

logger = logging.getLogger("ansinh.replica")

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"

# Read on the primary whatever the block: a session written by the sign-in a moment ago, a user
# just deactivated or given another role, a lockout, the worker's queue.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "admin", "contenttypes", "axes", "django_q"})
PRIMARY_ONLY_MODELS = frozenset({"core.user"})
# Writes that do not make the block's later reads go to the primary: the access log records
# what the page read (an export's row count is logged between its reads) and no marked page
# reads it back.
BOOKKEEPING_WRITES = frozenset({"core.accessentry"})

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Freshness:
    """Where a marked block's reads go, and why.

    `source` is "replica" or "primary"; `lag_seconds` is an upper bound of how far behind the
    replica's data was at the last check (0.0 when it had replayed everything the primary had
    written; None when the replica was not used); `reason` says why the primary was chosen:
    "" (replica used), "not-configured", "atomic", "stale", "unreachable", "not-standby",
    "checking" (another thread is checking), "error" (the primary did not answer the check).
    """

    source: str
    lag_seconds: float | None = None
    reason: str = ""
    checked_at: float = 0.0  # time.monotonic() of the check

    @property
    def from_replica(self) -> bool:
        return self.source == REPLICA


@dataclass
class _Scope:
    freshness: Freshness
    wrote: bool = False


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "ansinh_replica_scope", default=None)


def configured() -> bool:
    return REPLICA in connections.settings


def max_lag() -> float:
    return float(getattr(settings, "ANSINH_REPLICA_MAX_LAG_SECONDS", 5))


def check_interval() -> float:
    return float(getattr(settings, "ANSINH_REPLICA_CHECK_SECONDS", 2))


# ---------------------------------------------------------------------------------------------
# The freshness guard


def lsn(text: str) -> int:
    """A PostgreSQL WAL position ("16/B374D848") as a number."""
    high, _sep, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass
class _Guard:
    """The per-process cache of the last check, and the primary's WAL positions seen by earlier
    checks, by when they were seen: a replica that has replayed past the position the primary
    had at time t holds everything committed before t, so it is at most `now - t` behind. That
    bound needs no clock of the servers and stays small when the primary is idle (then nothing
    is missing, and the replay timestamp alone would grow without any lag)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    last: Freshness | None = None
    seen: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=256))
    state: str = ""  # the last reason logged, so that an outage logs once, not per check


_guard = _Guard()


def forget() -> None:
    """Drop the cached check and the history (tests; after a failover)."""
    with _guard.lock:
        _guard.last = None
        _guard.seen.clear()
        _guard.state = ""


def freshness(*, refresh: bool = False) -> Freshness:
    """The replica's freshness from this process's cache, checked again when older than
    `ANSINH_REPLICA_CHECK_SECONDS`. One thread checks; the others meanwhile use the previous
    answer (or the primary when there is none)."""
    if not configured():
        return Freshness("primary", reason="not-configured")
    now = time.monotonic()
    last = _guard.last
    if not refresh and last is not None and now - last.checked_at < check_interval():
        return last
    if not _guard.lock.acquire(blocking=refresh):
        return last if last is not None else Freshness("primary", reason="checking")
    try:
        result, detail = _measure()
        _log_change(result, detail)
        _guard.last = result
        return result
    finally:
        _guard.lock.release()


def _measure() -> tuple[Freshness, str]:
    """Compare the primary's WAL position, read first, with the replica's replay position."""
    started = time.monotonic()
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = lsn(cursor.fetchone()[0])
    except DatabaseError as exc:
        return Freshness("primary", reason="error", checked_at=started), str(exc)
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8")
            in_recovery, replay_text, replay_age = cursor.fetchone()
    except DatabaseError as exc:
        _close_replica()  # a broken connection is opened afresh by the next check
        return Freshness("primary", reason="unreachable", checked_at=started), str(exc)
    _guard.seen.append((started, primary_lsn))
    if not in_recovery or replay_text is None:
        # a promoted standby is no longer a copy of the primary (or it is the primary itself,
        # as in a test database mirrored to both aliases)
        return Freshness("primary", reason="not-standby", checked_at=started), ""
    replayed = lsn(replay_text)
    if replayed < primary_lsn:
        # Usually the last few milliseconds' WAL (on an idle primary, a background record whose
        # replay timestamp is hours old): one more look before calling the replica behind.
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
                replayed = lsn(cursor.fetchone()[0] or replay_text)
        except DatabaseError as exc:
            _close_replica()
            return Freshness("primary", reason="unreachable", checked_at=started), str(exc)
    if replayed >= primary_lsn:
        lag = 0.0
    else:
        bounds = [started - seen_at for seen_at, position in _guard.seen
                  if position <= replayed]
        if replay_age is not None:
            # the last replayed commit's age: an upper bound too (on the servers' clocks)
            bounds.append(max(0.0, float(replay_age)))
        lag = min(bounds) if bounds else math.inf
    if lag > max_lag():
        return Freshness("primary", lag_seconds=lag, reason="stale", checked_at=started), ""
    return Freshness("replica", lag_seconds=lag, checked_at=started), ""


def _close_replica() -> None:
    with suppress(DatabaseError):
        connections[REPLICA].close()


def _log_change(result: Freshness, detail: str) -> None:
    """One line when the replica stops or starts being used, not one per check."""
    state = result.reason
    if state == _guard.state:
        return
    if state == "stale":
        logger.warning("replica %.1f s behind (limit %s s), reading from the primary",
                       result.lag_seconds or 0.0, max_lag())
    elif state == "unreachable":
        logger.warning("replica unreachable, reading from the primary: %s", detail)
    elif state == "not-standby":
        logger.warning("replica is not in recovery (promoted?), reading from the primary")
    elif state == "error":
        logger.warning("replica check: the primary did not give its WAL position: %s", detail)
    elif _guard.state:
        logger.warning("replica current again (%.1f s behind), reading from it",
                       result.lag_seconds or 0.0)
    _guard.state = state


# ---------------------------------------------------------------------------------------------
# Marking reads


@contextmanager
def replica_reads() -> Iterator[Freshness]:
    """Reads in the block go to the replica when it is fresh (see the module's docstring).
    Nested blocks share the outer one's decision."""
    outer = _scope.get()
    if outer is not None:
        yield outer.freshness
        return
    if not configured():
        chosen = Freshness("primary", reason="not-configured")
    elif connections[PRIMARY].in_atomic_block:
        chosen = Freshness("primary", reason="atomic")
    else:
        chosen = freshness()
    token = _scope.set(_Scope(chosen))
    try:
        yield chosen
    finally:
        _scope.reset(token)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """A view's reads go to the replica when it is fresh; `request.data_freshness` says where
    they went. Put it below `login_required` and the permission decorators. A template
    response is rendered, and a streamed one is read, inside the block. A view that fails on
    the replica before writing anything runs again on the primary (marked views only read)."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        request = next((arg for arg in args if isinstance(arg, HttpRequest)), None)
        with replica_reads() as chosen:
            if request is not None:
                request.data_freshness = chosen  # type: ignore[attr-defined]
            try:
                response = view(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                # The replica went away (or cancelled a query for a conflict with recovery)
                # since the guard's last check: a read-only view runs again on the primary.
                scope = _scope.get()
                if (scope is None or not scope.freshness.from_replica or scope.wrote
                        or not connections[REPLICA].errors_occurred):
                    raise
                scope.freshness = _give_up_replica(str(exc))
                if request is not None:
                    request.data_freshness = scope.freshness  # type: ignore[attr-defined]
                response = view(*args, **kwargs)
            scope = _scope.get()
            if isinstance(response, HttpResponseBase):
                render = getattr(response, "render", None)
                if callable(render) and not getattr(response, "is_rendered", True):
                    render()
                if (isinstance(response, StreamingHttpResponse) and scope is not None
                        and not response.is_async):
                    response.streaming_content = _within(
                        scope, iter(cast(Iterator[bytes], response.streaming_content)))
            return response

    return wrapper


def _give_up_replica(detail: str) -> Freshness:
    """After a failed read: the primary until the next check."""
    _close_replica()
    with _guard.lock:
        result = Freshness("primary", reason="unreachable", checked_at=time.monotonic())
        _log_change(result, detail)
        _guard.last = result
    return result


def _within(scope: _Scope, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A streamed body read in the same block as the view that made it: the block is entered
    for each chunk and left before the chunk goes to the client."""
    try:
        while True:
            token = _scope.set(scope)
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            finally:
                _scope.reset(token)
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if callable(close):
            close()


def current() -> Freshness | None:
    """The enclosing block's decision, or None outside any marked block."""
    scope = _scope.get()
    return scope.freshness if scope is not None else None


# ---------------------------------------------------------------------------------------------
# The router


def _label(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when `DATABASE_REPLICA_URL` is set."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        scope = _scope.get()
        if (scope is None or scope.wrote or not scope.freshness.from_replica
                or model._meta.app_label in PRIMARY_ONLY_APPS
                or _label(model) in PRIMARY_ONLY_MODELS
                or connections[PRIMARY].in_atomic_block):
            # explicit: without an answer Django would read a related object from the alias
            # its instance came from, the replica, outside any block
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        scope = _scope.get()
        if scope is not None and _label(model) not in BOOKKEEPING_WRITES:
            scope.wrote = True
        # explicit: without an answer Django would save an instance read from the replica there
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # the two aliases hold the same rows
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None,
                      **hints: Any) -> bool:
        return db == PRIMARY
