"""ansinh.policy: Vietnam's voluntary social insurance law as dated parameters and formulas.

Pure Python: no Django, no clock. Every function takes its date explicitly and returns a typed
breakdown (a frozen dataclass with ``parameters``, ``provisional`` and ``to_dict()``); money is
Decimal inside and integer VND out, rounded half up to the đồng.

Parameters live in YAML files under ``ansinh/policy/parameters/`` (see ``docs/policy.md``).
``load_default_tree()`` loads and validates them once per process. Every calculator takes an
optional ``tree``; pass one with office overrides layered on top::

    from ansinh.policy import Override, Reference, load_default_tree, contribution_quote

    tree = load_default_tree().with_overrides([
        Override(name="contribution.fund_yield", start=date(2026, 1, 1), value=Decimal("0.0035"),
                 reference=Reference("Official Letter .../BHXH-ĐTQ", "whole letter", ""),
                 confidence="confirmed"),
    ])
    quote = contribution_quote(date(2026, 11, 28), 3_000_000, ("ethnic_minority",),
                               mode="advance", years=5, tree=tree)

An override with the same name and start as a file value replaces it; otherwise it is a new dated
value. ``with_overrides`` validates like the loader and returns a new tree (the cached default tree
is never modified).
"""

from __future__ import annotations

from ansinh.policy.benefits import (
    Funeral,
    Maternity,
    MonthlyAllowance,
    SocialPension,
    funeral_allowance,
    maternity_allowance,
    monthly_allowance,
    social_pension,
)
from ansinh.policy.contribution import (
    MODES,
    ContributionQuote,
    IncomeBounds,
    MissingPeriod,
    Refund,
    contribution_quote,
    income_bounds,
    missing_period,
    refund,
)
from ansinh.policy.errors import (
    IncomeOutOfRange,
    InvalidInput,
    ParameterFileError,
    ParameterNotFound,
    PolicyError,
)
from ansinh.policy.health_insurance import HouseholdHI, HouseholdMember, household_hi
from ansinh.policy.history import CATEGORIES, KINDS, ContributionPeriod, parse_history
from ansinh.policy.lump_sum import GROUNDS, LumpSum, lump_sum
from ansinh.policy.parameters import (
    Override,
    Parameter,
    ParameterTree,
    ParamValue,
    Reference,
    load_default_tree,
    load_tree,
)
from ansinh.policy.pension import Pension, pension, pension_rate
from ansinh.policy.results import Reason
from ansinh.policy.retirement import RetirementAge, retirement_age
from ansinh.policy.survivors import Survivors, survivors

__all__ = [
    "CATEGORIES",
    "GROUNDS",
    "KINDS",
    "MODES",
    "ContributionPeriod",
    "ContributionQuote",
    "Funeral",
    "HouseholdHI",
    "HouseholdMember",
    "IncomeBounds",
    "IncomeOutOfRange",
    "InvalidInput",
    "LumpSum",
    "Maternity",
    "MissingPeriod",
    "MonthlyAllowance",
    "Override",
    "ParamValue",
    "Parameter",
    "ParameterFileError",
    "ParameterNotFound",
    "ParameterTree",
    "Pension",
    "PolicyError",
    "Reason",
    "Reference",
    "Refund",
    "RetirementAge",
    "SocialPension",
    "Survivors",
    "contribution_quote",
    "funeral_allowance",
    "household_hi",
    "income_bounds",
    "load_default_tree",
    "load_tree",
    "lump_sum",
    "maternity_allowance",
    "missing_period",
    "monthly_allowance",
    "parse_history",
    "pension",
    "pension_rate",
    "refund",
    "retirement_age",
    "social_pension",
    "survivors",
]
