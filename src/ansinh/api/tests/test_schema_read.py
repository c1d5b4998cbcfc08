"""schemathesis over the read side and the devices: generated requests (garbage included) never
get a server error, and every answer matches the OpenAPI schema (its status documented)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from ansinh.field.devices import register_device
from ansinh.wsgi import application

OPERATIONS = (("/api/territory", "GET"), ("/api/worklist", "GET"), ("/api/devices", "GET"),
              ("/api/devices", "POST"), ("/api/devices/{device_id}/revoke", "POST"))


@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
def test_generated_requests_meet_the_schema(agent_al3: Any, mode: GenerationMode) -> None:
    _device, token = register_device(actor=agent_al3, name="schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    for path, method in OPERATIONS:

        @given(case=schema[path][method].as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

        check()
