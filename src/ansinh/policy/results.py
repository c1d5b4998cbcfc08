"""The shape shared by every calculation result: a breakdown carrying the parameters it used."""

from __future__ import annotations

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
