"""The error answers the API documents beside each operation's own, so the OpenAPI schema
names every status a client meets (and a schema checker finds each answer described)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Refusal(BaseModel):
    """401 (no or a revoked token), 403 (role or territory), 404, 400 (a rule of the action):
    the reason in the caller's language."""

    detail: str


class Invalid(BaseModel):
    """422: the request's parameters or body do not fit the schema (one entry per problem)."""

    detail: list[dict[str, Any]]


ERRORS: dict[int, type[BaseModel]] = {400: Refusal, 401: Refusal, 403: Refusal, 404: Refusal,
                                      422: Invalid}
