"""Shared fixtures: the A Lưới world at a small size and named personas."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

AS_OF = date(2026, 3, 31)


@pytest.fixture(autouse=True)
def _inline_tasks_and_media(settings: Any, tmp_path: Path) -> None:
    """Worker tasks run inline; uploaded files go to a temporary folder."""
    from django_q.conf import Conf

    Conf.SYNC = True
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """The A Lưới office with its communes, users and 600 persons."""
    from ansinh.core.models import User
    from ansinh.demo.seeding import seed_people, seed_reference

    office, villages, _users = seed_reference(AS_OF)
    seed_people(office, villages, persons=600, seed=7, as_of=AS_OF)
    return {"office": office, "villages": villages,
            "users": {user.username: user for user in User.objects.all()}}


@pytest.fixture
def director(world: dict[str, Any]) -> Any:
    return world["users"]["giamdoc"]


@pytest.fixture
def staff_al2(world: dict[str, Any]) -> Any:
    return world["users"]["canbo2"]


@pytest.fixture
def agent_al3(world: dict[str, Any]) -> Any:
    return world["users"]["thu31"]


@pytest.fixture
def viewer_al1(world: dict[str, Any]) -> Any:
    return world["users"]["xa1"]
