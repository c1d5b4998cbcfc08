"""The nightly jobs' offices side by side (`core.offices.each_office`): forked processes, each
on its own connection (PostgreSQL), the same results as one after the other."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from ansinh.core.models import Office
from ansinh.core.offices import each_office, largest_first
from ansinh.registry.models import Village

pytestmark = pytest.mark.django_db(transaction=True)


def _villages(office_id: int, word: str) -> tuple[int, int, str]:
    """Runs in a child on PostgreSQL: reads the database through its own connection."""
    return os.getpid(), Village.objects.filter(commune__office_id=office_id).count(), word


def test_each_office_gives_the_results_of_one_after_the_other(world: dict[str, Any]) -> None:
    office = world["office"]
    alone = each_office(_villages, [office.pk, office.pk], 1, "x")
    assert {pid for pid, _n, _w in alone} == {os.getpid()}
    side_by_side = each_office(_villages, [office.pk, office.pk, office.pk], 2, "x")
    assert [row[1:] for row in side_by_side] == [alone[0][1:]] * 3
    assert alone[0][1] == Village.objects.filter(commune__office=office).count() > 0
    if connection.vendor == "postgresql":  # SQLite has one writer: one process
        assert os.getpid() not in {pid for pid, _n, _w in side_by_side}
    assert largest_first(Office.objects.all()) == [office.pk]


def test_the_nightly_commands_take_jobs(world: dict[str, Any],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    office = world["office"]
    call_command("rebuild-figures", "--nightly", "--jobs", "2")
    assert f"{office.code} (full)" in capsys.readouterr().out  # never built: in full
    call_command("rebuild-figures", "--nightly", "--jobs", "2")
    out = capsys.readouterr().out
    assert f"{office.code} (" in out
    call_command("refresh-priorities", "--jobs", "2")
    assert "dòng ưu tiên / priority rows" in capsys.readouterr().out
