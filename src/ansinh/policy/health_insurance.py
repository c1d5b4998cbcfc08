"""Household health insurance (BHYT hộ gia đình): Decree 188/2025/NĐ-CP Art. 6(5)(b).

The first member pays 4.5 % of the base salary (reference level) per month; the 2nd, 3rd and 4th
pay 70 %, 60 % and 50 % of that, the 5th and later 40 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.policy.errors import InvalidInput
from ansinh.policy.money import rate_str, vnd
from ansinh.policy.parameters import Lookup, ParameterTree, ParamValue
from ansinh.policy.results import Breakdown


@dataclass(frozen=True)
class HouseholdMember:
    position: int
    share: Decimal
    monthly: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "share": rate_str(self.share),
            "monthly": self.monthly,
            "total": self.total,
        }


@dataclass(frozen=True)
class HouseholdHI(Breakdown):
    on: date
    months: int
    reference_level: int
    rate: Decimal
    members: tuple[HouseholdMember, ...]
    total: int
    parameters: tuple[ParamValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "months": self.months,
            "reference_level": self.reference_level,
            "rate": rate_str(self.rate),
            "members": [m.to_dict() for m in self.members],
            "total": self.total,
            "provisional": self.provisional,
            "references": self.references(),
        }


def household_hi(
    on: date, members: int, months: int = 12, tree: ParameterTree | None = None
) -> HouseholdHI:
    """Household HI for ``members`` people paying ``months`` months from ``on``."""
    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        raise InvalidInput(
            "Số thành viên phải là số nguyên từ 1", "members must be a whole number from 1"
        )
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InvalidInput(
            "Số tháng phải là số nguyên từ 1", "months must be a whole number from 1"
        )
    lk = Lookup(tree)
    ref = lk.vnd("general.reference_level", on)
    rate = lk.dec("health_insurance.household_rate", on)
    ladder = lk.table("health_insurance.household_ladder", on)
    last = max(int(k) for k in ladder)
    first_member = rate * ref
    rows = []
    for position in range(1, members + 1):
        share = ladder[str(min(position, last))]
        assert isinstance(share, Decimal)
        monthly = vnd(first_member * share)
        rows.append(HouseholdMember(position, share, monthly, monthly * months))
    return HouseholdHI(
        on, months, ref, rate, tuple(rows), sum(r.total for r in rows), lk.parameters()
    )
