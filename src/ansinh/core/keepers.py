"""Derived tables kept current by the single write path, without the write path knowing them.

An app whose tables follow the persons' rows (the reports app's summary cells) registers a
keeper from its AppConfig.ready(); every write that changes a person's participations or
receipts runs inside `kept_current(person ids)`, in its transaction, and each keeper brings
its rows up to date as the block ends. The lower apps call this; they never import the keepers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from contextvars import ContextVar

Keeper = Callable[[list[int]], AbstractContextManager[None]]
KEEPERS: list[Keeper] = []


def register(keeper: Keeper) -> None:
    if keeper not in KEEPERS:
        KEEPERS.append(keeper)


@contextmanager
def kept_current(person_ids: Iterable[int]) -> Iterator[None]:
    persons = sorted(set(person_ids))
    with ExitStack() as stack:
        for keeper in KEEPERS:
            stack.enter_context(keeper(persons))
        yield


# Listeners: told which persons changed, after the write, in its transaction (the outreach
# app's precomputed worklists). The write sites below the listeners' apps call `changed`.
Listener = Callable[[list[int]], object]
LISTENERS: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in LISTENERS:
        LISTENERS.append(listener)


# set while a bulk job that rebuilds every derived table at its end runs (the demo seeder)
_DEFERRED: ContextVar[bool] = ContextVar("keepers_deferred", default=False)


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block the listeners are not told: the caller refreshes everything after it
    (the demo seeder, which writes a whole office and then rebuilds)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def changed(person_ids: Iterable[int | None]) -> None:
    if _DEFERRED.get():
        return
    persons = sorted({pid for pid in person_ids if pid is not None})
    if persons:
        for listener in LISTENERS:
            listener(persons)
