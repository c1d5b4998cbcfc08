"""The reminders' tests start with the default templates and the daily schedule, as a migrated
database has them.

A test that runs without a transaction to roll back (a browser test, a concurrency test) ends by
emptying every table, the rows of data migrations included; with two workers such a test may
run before these on the same database. The default texts come back here, from the migration
that makes them (without them a lapse run queues nothing: "without_template")."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

DATA_MIGRATIONS = [importlib.import_module(f"ansinh.reminders.migrations.{name}") for name in
                   ("0002_default_templates", "0003_daily_schedule")]


@pytest.fixture(autouse=True)
def _migrated_rows(db: Any) -> None:
    for migration in DATA_MIGRATIONS:
        migration.create(apps, None)  # get_or_create: nothing twice
