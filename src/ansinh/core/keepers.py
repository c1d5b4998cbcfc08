"""Derived tables kept current by the single write path, without the write path knowing them.

An app whose tables follow the persons' rows (the reports app's summary cells) registers a
keeper from its AppConfig.ready(); every write that changes a person's participations or
receipts runs inside `kept_current(person ids)`, in its transaction, and each keeper brings
its rows up to date as the block ends. The lower apps call this; they never import the keepers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

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
