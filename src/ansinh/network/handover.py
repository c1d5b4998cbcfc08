"""Hand-over steps the apps contribute when a staff member or agent leaves.

The network app cannot import the apps built on it (participation, collection, outreach …):
the arrows point from them to it. So `actions.hand_over` moves what it owns (the territory) and
then runs every callable in `HANDOVER_STEPS`, which those apps register from their
`AppConfig.ready()` (participation moves the leaving agent's participants, collection their
receipt books, outreach the open follow-ups of their contacts).

A step receives (leaving user, substitute user, date, acting user) inside the hand-over's
transaction and returns {label: number of rows moved}; the counts go into the audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ansinh.core.models import User

from .errors import NetworkError
from .models import Agent

HandoverStep = Callable[[User, User, date, User | None], dict[str, int]]

HANDOVER_STEPS: list[HandoverStep] = []


def register_step(step: HandoverStep) -> HandoverStep:
    """Add a step (usable as a decorator); registering the same callable twice is a no-op."""
    if step not in HANDOVER_STEPS:
        HANDOVER_STEPS.append(step)
    return step


def leaving_agent(leaving: User) -> Agent | None:
    """The leaving user's agent record, if they are an agent."""
    return Agent.objects.select_related("organisation").filter(user=leaving).first()


def substitute_agent(substitute: User) -> Agent:
    """The substitute's agent record: rows an agent answers for can only go to an agent."""
    target = Agent.objects.select_related("organisation").filter(user=substitute).first()
    if target is None:
        raise NetworkError(
            "Người thay thế không phải nhân viên thu nên không nhận được người tham gia "
            "và quyển biên lai",
            "the substitute is not an agent, so cannot take over participants and receipt books",
        )
    return target
