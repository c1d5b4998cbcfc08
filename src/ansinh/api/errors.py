"""The error answers the API documents beside each operation's own, so the OpenAPI schema
names every status a client meets (and a schema checker finds each answer described)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    """A date in a query string is YYYY-MM-DD and only that (pydantic would also take "0" as a
    timestamp, which the schema's `format: date` does not allow)."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_only)]


class Refusal(BaseModel):
    """401 (no or a revoked token), 403 (role or territory), 404, 400 (a rule of the action):
    the reason in the caller's language."""

    detail: str


class Problem(BaseModel):
    """One problem of a malformed request: the sync item it is in (null outside the items)."""

    item: int | None
    loc: list[str | int]
    msg: str


class Invalid(BaseModel):
    """422: the request's parameters or body do not fit the schema (one entry per problem)."""

    detail: list[Problem]


ERRORS: dict[int, type[BaseModel]] = {400: Refusal, 401: Refusal, 403: Refusal, 404: Refusal,
                                      422: Invalid}
