"""The shape shared by every calculation result: a breakdown carrying the parameters it used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ansinh.policy.parameters import ParamValue


class Breakdown:
    """Mixin for result dataclasses that have a ``parameters`` field.

    ``provisional`` is true when any parameter value used is not confirmed; ``references`` lists
    each value used with its legal reference, ready for JSON.
    """

    parameters: tuple[ParamValue, ...]

    @property
    def provisional(self) -> bool:
        return any(p.provisional for p in self.parameters)

    def references(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.parameters]

    def provisional_values(self) -> list[str]:
        return [f"{p.name}@{p.start.isoformat()}" for p in self.parameters if p.provisional]


@dataclass(frozen=True)
class Reason:
    """Why a benefit or an option is (not) open: a code and its arguments, which pages word
    in their own language (``rules.presenting.reason_text``), and the engine's own one-line
    bilingual wording, "Vietnamese / English", which the CLI prints (its contract)."""

    code: str
    vi: str
    en: str
    args: tuple[tuple[str, int | str], ...] = ()

    def __str__(self) -> str:
        return f"{self.vi} / {self.en}"

    @property
    def arguments(self) -> dict[str, int | str]:
        return dict(self.args)


ALLOWED = Reason("allowed", "Đủ điều kiện", "allowed")
AGE_NOT_REACHED = Reason("age_not_reached", "Chưa đủ tuổi nghỉ hưu", "retirement age not reached")
