"""The parameter snapshot the JavaScript engine (``static/calculator/engine.js``) runs on.

The offline calculator, on a phone or in the public calculator page with the network down,
computes with the dated values the server's engine would use. The snapshot carries every dated
value of each parameter the port reads, each with its legal reference and whether it is
provisional (not confirmed): the coming year's values, so the phone can compute for any month
ahead, and the past ones, which a contribution history (pension, lump sum) and the retirement age
of a person born long ago are computed with. ``on`` is the day it was made: the phone downloads
it again when ``key`` changes.

Values keep the engine's own JSON form (``policy.parameters.jsonable``): rates as decimal
strings ("0.22"), money and months as integers, tables as objects, ``null`` where a value ends.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ansinh.policy import CATEGORIES, GROUNDS, MODES, ParameterTree
from ansinh.policy.history import SEXES
from ansinh.policy.parameters import ParamValue, jsonable
from ansinh.rules.tree import current_tree

FORMAT = 1  # bumped when the snapshot's shape changes; engine.js refuses another

# The parameters engine.js reads (contribution_quote, income_bounds, retirement_age, pension,
# lump_sum; the compulsory ones for mixed histories).
PARAMETERS = (
    "benefits.half_year_odd_months",
    "contribution.advance_support_mode",
    "contribution.advance_years",
    "contribution.compulsory_employee_rate",
    "contribution.compulsory_rate",
    "contribution.fund_yield",
    "contribution.income_ceiling_multiplier",
    "contribution.income_step",
    "contribution.missing_period_support",
    "contribution.payment_deadline_months",
    "contribution.payment_modes",
    "contribution.rate",
    "contribution.rural_poverty_line",
    "general.mixed_history_decree",
    "general.reference_level",
    "general.voluntary_scheme_start",
    "lump_sum.factor",
    "lump_sum.grounds",
    "lump_sum.new_law_first_joined",
    "lump_sum.split_date",
    "lump_sum.support_deduction",
    "pension.floor_joined_before",
    "pension.floor_min_compulsory_months",
    "pension.min_years",
    "pension.one_time_allowance",
    "pension.rate_base",
    "pension.rate_base_years",
    "pension.rate_max",
    "pension.rate_step",
    "pension.revaluation",
    "pension.revaluation_default",
    "pension.revaluation_salary",
    "pension.short_service",
    "retirement.age",
    "retirement.pre2021_joiner",
    "retirement.pre2021_joiner_cutoff",
    "subsidy.count_pre_2025_months",
    "subsidy.local_top_up_amount",
    "subsidy.local_top_up_rate",
    "subsidy.max_supported_months",
    "subsidy.support_rate",
)


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
    """Every dated value engine.js reads, as the tree holds it on ``on`` (JSON-ready).

    ``tree`` defaults to the shipped files with the active overrides of all offices
    (``rules.tree.current_tree``); the API passes the caller's office's tree.
    """
    if tree is None:
        tree = current_tree()
    parameters: dict[str, Any] = {}
    for name in PARAMETERS:
        param = tree.parameter(name)
        parameters[name] = {"unit": param.unit, "values": [_entry(e) for e in param.entries]}
    return {"format": FORMAT, "on": on.isoformat(), "key": tree.key,
            "categories": list(CATEGORIES), "modes": list(MODES), "sexes": list(SEXES),
            "grounds": list(GROUNDS), "parameters": parameters}
