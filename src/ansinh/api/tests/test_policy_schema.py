"""schemathesis over GET /api/policy: no server error, every answer matches the schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings

from ansinh.field.devices import register_device


@pytest.mark.django_db(transaction=True)
def test_the_policy_endpoint_answers_every_query_by_its_schema(agent_al3: Any) -> None:
    _device, token = register_device(actor=agent_al3, name="schemathesis")
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app).include(
        path="/api/policy")
    found = next(iter(schema.get_all_operations()))
    assert isinstance(found, schemathesis.core.result.Ok), found
    operation = found.ok()

    @settings(max_examples=40, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

    run()
