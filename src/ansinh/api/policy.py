"""`GET /api/policy?on=YYYY-MM-DD`: the parameter snapshot the offline calculator runs on.

The field app downloads it with the territory and keeps it; `static/calculator/engine.js`
computes from it exactly what the server's engine would (docs/field-sync.md, "The calculator
offline"). The caller's office's overrides are applied, as on its pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from ansinh.calculator.snapshot import parameters_snapshot
from ansinh.core.permissions import signed_in
from ansinh.rules.tree import current_tree

from .errors import ERRORS, IsoDate

router = Router(tags=["policy"])


class ReferenceOut(Schema):
    document: str
    article: str
    link: str
    document_vi: str
    article_vi: str


class DatedValue(Schema):
    start: date
    value: Any = Field(description='the value in force from `start`: a rate as a decimal '
                                   'string ("0.22"), money and months as integers, a table as '
                                   'an object; null ends the value')
    confidence: str = Field(description="confirmed | secondary | assumed")
    provisional: bool = Field(description="not confirmed: show it as provisional")
    reference: ReferenceOut


class ParameterValues(Schema):
    unit: str
    values: list[DatedValue]


class PolicySnapshot(Schema):
    format: int = Field(description="the snapshot's shape; engine.js refuses another")
    on: date = Field(description="the day the snapshot was made")
    key: str = Field(description="a digest of every value: equal keys, equal numbers")
    categories: list[str]
    modes: list[str]
    sexes: list[str]
    grounds: list[str] = Field(description="the lump-sum grounds")
    parameters: dict[str, ParameterValues]


@router.get("/policy", response={200: PolicySnapshot, **ERRORS},
            summary="The parameter snapshot of the offline calculator")
def policy(request: HttpRequest, on: IsoDate | None = None) -> dict[str, Any]:
    user = signed_in(request)
    return parameters_snapshot(on or timezone.localdate(), current_tree(user.office))
