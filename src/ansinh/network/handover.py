"""Hand-over steps other apps contribute when a staff member or agent leaves.

The network app cannot import the apps built on it (outreach, retention …): the arrows point
from them to it. So `actions.hand_over` moves what it owns (territory, participants, receipt
books) and then runs every callable in `HANDOVER_STEPS`, which those apps append to when they
load (for instance outreach moves the open follow-ups of the leaving user's contacts).

A step receives (leaving user, substitute user, date, acting user) inside the hand-over's
transaction and returns {label: number of rows moved}; the counts go into the audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ansinh.core.models import User

HandoverStep = Callable[[User, User, date, User], dict[str, int]]

HANDOVER_STEPS: list[HandoverStep] = []


def register_step(step: HandoverStep) -> HandoverStep:
    """Add a step (usable as a decorator); registering the same callable twice is a no-op."""
    if step not in HANDOVER_STEPS:
        HANDOVER_STEPS.append(step)
    return step


def outreach_follow_ups(leaving: User, substitute: User, on: date, actor: User) -> dict[str, int]:
    """Open follow-ups of the leaving user's outreach contacts go to the substitute.

    Looked up through the app registry, not imported, so that network does not depend on
    outreach; does nothing while the outreach app has no `Contact` model with an owner.
    """
    from django.apps import apps

    try:
        contact = apps.get_model("outreach", "Contact")
    except LookupError:
        return {}
    fields = {field.name for field in contact._meta.get_fields()}
    if not {"owner", "follow_up_done", "next_follow_up_on"} <= fields:
        return {}
    moved = contact.objects.filter(
        owner=leaving, follow_up_done=False, next_follow_up_on__isnull=False,
    ).update(owner=substitute)
    return {"follow_ups": moved}


register_step(outreach_follow_ups)
