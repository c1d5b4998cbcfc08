"""The answers every router shares: a refusal, and a malformed request's problems."""

from __future__ import annotations

from ninja import Schema


class Refusal(Schema):
    detail: str


class Problem(Schema):
    item: int | None
    loc: list[str | int]
    msg: str


class Invalid(Schema):
    detail: list[Problem]
