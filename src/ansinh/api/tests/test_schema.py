"""schemathesis over /api/openapi.json, in-process (WSGI), with a device token: no operation
answers a server error, and every answer matches the schema (its status documented), for
requests that fit the schema and for requests that do not (garbage included).

The requests ask for no compression (`Accept-Encoding: identity`): the WSGI client reads the
body as it comes, and the site gzips what a browser accepts gzipped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from ansinh.field.devices import register_device
from ansinh.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def kept_connection() -> Iterator[None]:
    """Requests run inside the test's transaction: as Django's test client does, keep the
    request signals from closing the connection (on PostgreSQL they would, mid-transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(kept_connection: None, agent_al3: Any, participation_al3: Any) -> str:
    """thu31's phone, with a participant and a receipt book, so some items can land."""
    return register_device(actor=agent_al3, name="schemathesis")[1]


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_api_keeps_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(headers=_headers(token))


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


def test_malformed_requests_get_a_documented_4xx(token: str) -> None:
    """Every operation, with requests generated NOT to fit its schema."""
    for result in schema.get_all_operations():
        assert isinstance(result, schemathesis.core.result.Ok), result
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers=_headers(token))

        check()
