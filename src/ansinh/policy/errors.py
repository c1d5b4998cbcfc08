"""Errors raised by the policy engine.

Every error is a ``ValueError`` subclass whose message is a one-line bilingual string,
"Vietnamese / English", fit to show to an agent or print on stderr by the CLI.
"""

from __future__ import annotations


class PolicyError(ValueError):
    """Base class: invalid input or a rule that cannot be applied."""

    def __init__(self, vi: str, en: str) -> None:
        self.vi = vi
        self.en = en
        super().__init__(f"{vi} / {en}")


class InvalidInput(PolicyError):
    """An argument is malformed or outside its domain (unknown category, bad mode ...)."""


def _vi(amount: int) -> str:
    """Vietnamese number format: 1.500.000."""
    return f"{amount:,}".replace(",", ".")


class IncomeOutOfRange(PolicyError):
    """The declared income is below the floor or above the ceiling in force."""

    def __init__(self, income: int, floor: int, ceiling: int, step: int = 1) -> None:
        self.income = income
        self.floor = floor
        self.ceiling = ceiling
        if step > 1 and floor <= income <= ceiling:
            super().__init__(
                f"Thu nhập {_vi(income)} đ phải là {_vi(floor)} đ cộng bội số của {_vi(step)} đ",
                f"income {income:,} VND must be {floor:,} VND plus a multiple of {step:,} VND",
            )
        else:
            super().__init__(
                f"Thu nhập {_vi(income)} đ nằm ngoài khoảng {_vi(floor)} đ – {_vi(ceiling)} đ",
                f"income {income:,} VND is outside the range {floor:,} – {ceiling:,} VND",
            )


class ParameterNotFound(PolicyError):
    """No value of a parameter is in force on the requested date."""

    def __init__(self, name: str, on: object) -> None:
        self.name = name
        super().__init__(
            f"Không có giá trị của tham số {name} vào ngày {on}",
            f"no value of parameter {name} is in force on {on}",
        )


class ParameterFileError(PolicyError):
    """A parameter file (or an override) is invalid; raised while loading."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(
            f"Tệp tham số {source} không hợp lệ: {problem}",
            f"invalid parameter file {source}: {problem}",
        )
