"""Whom a citizen on the calculator can call: the office's phone (Office.phone, which the
office's administrator keeps in the admin) and, where the page knows where the person lives, the
collection agent who answers for their village.

The calculator is public and has no sign-in; it learns the place from its address, so an agent
or the commune can share a link that names it:

- ``?nv=<agent code>``: the agent who shared the link (a QR code on their card, a message);
- ``?thon=<village code>``: the agent assigned to that village today (or to its commune);
- ``?xa=<commune code>``: the agent assigned to that commune today.

Without any of them, the office is the only one when the installation serves a single office,
and nobody otherwise (the page then says to ask the local office).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import QueryDict

from ansinh.core.models import Office
from ansinh.network.models import Agent
from ansinh.network.territory import in_force
from ansinh.registry.models import Commune, Village

PLACE_KEYS = ("nv", "thon", "xa")  # the query keys that name a place or an agent


@dataclass(frozen=True)
class Contact:
    office: Office | None
    agent_name: str = ""
    agent_phone: str = ""
    place: str = ""  # the village or commune the agent answers for, as people name it

    @property
    def known(self) -> bool:
        return bool(self.office and self.office.phone) or bool(self.agent_phone)


def _agent_for(on: date, *, village: Village | None = None,
               commune: Commune | None = None) -> Agent | None:
    """The agent assigned to the village on ``on`` or else to its commune (the first by code)."""
    assignments = (in_force(on).filter(user__agent__isnull=False)
                   .select_related("user__agent__user").order_by("user__agent__code"))
    found = None
    if village is not None:
        found = assignments.filter(village=village).first()
        commune = commune or village.commune
    if found is None and commune is not None:
        found = assignments.filter(commune=commune).first()
    return found.user.agent if found is not None else None


def contact_for(query: QueryDict | dict[str, Any], on: date) -> Contact:
    """The office and agent to call, from the page's address (see the module docstring)."""
    agent: Agent | None = None
    place = ""
    office: Office | None = None
    if code := (query.get("nv") or "").strip():
        agent = Agent.objects.select_related("user__office").filter(code=code).first()
    elif code := (query.get("thon") or "").strip():
        village = Village.objects.select_related("commune__office").filter(code=code).first()
        if village is not None:
            office, place = village.commune.office, village.name
            agent = _agent_for(on, village=village)
    elif code := (query.get("xa") or "").strip():
        commune = Commune.objects.select_related("office").filter(code=code).first()
        if commune is not None:
            office, place = commune.office, commune.name
            agent = _agent_for(on, commune=commune)
    if agent is not None and office is None:
        office = agent.user.office
    if office is None:
        offices = list(Office.objects.all()[:2])
        office = offices[0] if len(offices) == 1 else None
    if agent is None:
        return Contact(office, place=place)
    return Contact(office, agent.user.display_name, agent.user.phone, place)


def place_query(query: QueryDict | dict[str, Any]) -> dict[str, str]:
    """The keys of the address that name a place or an agent, to carry from page to page."""
    return {key: str(query.get(key)) for key in PLACE_KEYS if query.get(key)}
