"""`ansinh calc` as a shell user runs it: the exact contract of issue 3 §5, with the office
overrides of the database it points at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ansinh.policy import contribution_quote, load_default_tree

ANSINH = str(Path(sys.executable).with_name("ansinh"))
CONTRACT = ["calc", "contribution", "--on", "2026-11-28", "--income", "2000000",
            "--category", "poor", "--json"]
ADVANCE = ["calc", "contribution", "--income", "3000000", "--category", "ethnic_minority",
           "--mode", "advance", "--years", "5", "--json"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite file of its own (the test database lives in another process)."""
    db = tmp_path_factory.mktemp("calc") / "calc.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([ANSINH, "migrate", "-v0"], env=env, check=True, timeout=120)
    return env


def _run(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ANSINH, *argv], env=env, capture_output=True, text=True, timeout=60)


def _json(env: dict[str, str], *argv: str) -> dict[str, Any]:
    done = _run(env, *argv)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_the_contract_works_through_ansinh(env: dict[str, str]) -> None:
    data = _json(env, *CONTRACT)
    quote = contribution_quote(date(2026, 11, 28), 2_000_000, ("poor",),
                               tree=load_default_tree())
    assert {k: data[k] for k in ("gross_monthly", "support_monthly", "net_monthly", "total")} == {
        "gross_monthly": quote.gross_monthly, "support_monthly": quote.support_monthly,
        "net_monthly": quote.net_monthly, "total": quote.total}
    assert data["support_rate"] == "0.50" and isinstance(data["total"], int)


def test_invalid_input_exits_2_with_one_bilingual_line(env: dict[str, str]) -> None:
    done = _run(env, "calc", "contribution", "--on", "2026-11-28", "--income", "200", "--json")
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "1.500.000" in lines[0] and "50,600,000" in lines[0]
    done = _run(env, "calc", "contribution", "--on", "hôm qua", "--income", "2000000")
    assert done.returncode == 2 and "invalid" in done.stderr and "không hợp lệ" in done.stderr


def test_an_override_in_the_database_changes_ansinh_calc_from_its_date(
    env: dict[str, str],
) -> None:
    before = _json(env, *ADVANCE, "--on", "2027-01-01")["total"]
    day_before = _json(env, *ADVANCE, "--on", "2026-12-31")["total"]
    script = (
        "from datetime import date\n"
        "from ansinh.rules.actions import add_override\n"
        "from ansinh.rules.models import ParameterOverride as P\n"
        "add_override(P(name='contribution.fund_yield', start=date(2027, 1, 1), value='0.0035',"
        " reference_document='CV 999/BHXH-ĐTQ', reference_article='toàn văn'), actor=None)\n"
    )
    subprocess.run([ANSINH, "shell", "-c", script], env=env, check=True, timeout=60)
    explicit = _json(env, *ADVANCE, "--on", "2027-01-01", "--fund-yield", "0.0035")["total"]
    assert _json(env, *ADVANCE, "--on", "2027-01-01")["total"] == explicit != before
    assert _json(env, *ADVANCE, "--on", "2026-12-31")["total"] == day_before
