"""Test support: run a block in a transaction that is rolled back, as each test is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back() -> Iterator[None]:
    """Everything inside is undone at the end (one Hypothesis example, say). Marked as the
    test case's own block, so the actions' durable transactions may run inside it, as they
    do inside every test."""
    block = transaction.atomic()
    block._from_testcase = True  # type: ignore[attr-defined]  # what TestCase marks its own
    with block:
        yield
        transaction.set_rollback(True)
