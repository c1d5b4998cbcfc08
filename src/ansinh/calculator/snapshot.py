"""The parameter snapshot the JavaScript engine (``static/calculator/engine.js``) runs on.

The offline calculator, on a phone or in the public calculator page with the network down,
computes with the dated values the server's engine would use. The snapshot carries, for each
parameter the port reads, every dated value from the one in force a year before ``on`` onwards
(all later ones, so the phone can compute for any month of the coming years), each with its legal
reference and whether it is provisional (not confirmed). The retirement-age roadmap is sent whole:
the age of a person born long ago is looked up in the year they reached it.

Values keep the engine's own JSON form (``policy.parameters.jsonable``): rates as decimal
strings ("0.22"), money and months as integers, tables as objects, ``null`` where a value ends.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ansinh.policy import CATEGORIES, MODES, ParameterTree
from ansinh.policy.history import SEXES
from ansinh.policy.parameters import ParamValue, jsonable
from ansinh.rules.tree import current_tree

FORMAT = 1  # bumped when the snapshot's shape changes; engine.js refuses another

# The parameters engine.js reads (contribution_quote, income_bounds, retirement_age).
PARAMETERS = (
    "contribution.advance_support_mode",
    "contribution.advance_years",
    "contribution.fund_yield",
    "contribution.income_ceiling_multiplier",
    "contribution.income_step",
    "contribution.payment_deadline_months",
    "contribution.payment_modes",
    "contribution.rate",
    "contribution.rural_poverty_line",
    "general.reference_level",
    "retirement.age",
    "subsidy.local_top_up_amount",
    "subsidy.local_top_up_rate",
    "subsidy.max_supported_months",
    "subsidy.support_rate",
)
WHOLE = frozenset({"retirement.age"})  # looked up in years long past: sent whole


def window_start(on: date) -> date:
    """The first date the snapshot answers for: the first of the month a year before ``on``."""
    year = on.year - 1
    return date(year, on.month, 1)


def _entry(pv: ParamValue) -> dict[str, Any]:
    ref = pv.reference
    return {
        "start": pv.start.isoformat(),
        "value": jsonable(pv.value),
        "confidence": pv.confidence,
        "provisional": pv.provisional,
        "reference": {"document": ref.document, "article": ref.article, "link": ref.link,
                      "document_vi": ref.document_vi, "article_vi": ref.article_vi},
    }


def parameters_snapshot(on: date, tree: ParameterTree | None = None) -> dict[str, Any]:
    """The values engine.js needs for dates from a year before ``on`` onwards (JSON-ready).

    ``tree`` defaults to the shipped files with the active overrides of all offices
    (``rules.tree.current_tree``); the API passes the caller's office's tree.
    """
    if tree is None:
        tree = current_tree()
    start = window_start(on)
    parameters: dict[str, Any] = {}
    for name in PARAMETERS:
        param = tree.parameter(name)
        entries = list(param.entries)
        if name not in WHOLE:
            in_force = [e for e in entries if e.start <= start]
            entries = in_force[-1:] + [e for e in entries if e.start > start]
        parameters[name] = {"unit": param.unit, "values": [_entry(e) for e in entries]}
    return {"format": FORMAT, "on": on.isoformat(), "valid_from": start.isoformat(),
            "key": tree.key, "categories": list(CATEGORIES), "modes": list(MODES),
            "sexes": list(SEXES), "parameters": parameters}
