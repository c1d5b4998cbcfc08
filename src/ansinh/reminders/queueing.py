"""Queue the reminders of a lapse run: to participants, and a digest to each agent.

- due soon (the run's ``due_soon``: a deadline within the office's reminder window): one message
  per participation and deadline;
- became late: one message per participation and first missed deadline;
- became paused: one message per participation and pause;
- each agent with participants due this week or late: one digest a day, grouped by village.

Dedupe keys name exactly that (e.g. ``due_soon:p42:2026-04-30``) and are unique in the database,
so a rerun of the same day — or of the next day for the same deadline — queues nothing twice.
A participant without a phone gets no message (counted as ``without_phone``).

Cost: the dues of the run's participations in three queries; the amount of each reminded
participant from `collection.dues.quote_months` (a few queries each — reminders are a
background job of at most the office's due or late participants of the day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ansinh.collection.dues import dues_bulk, quote_months
from ansinh.collection.lapses import settings_for
from ansinh.core.errors import Refused
from ansinh.core.models import Office
from ansinh.core.templatetags.money import format_vnd
from ansinh.participation.models import Participation, Status
from ansinh.participation.schedule import Dues

from .models import Channel, OutboxMessage, RecipientKind, TemplateCode
from .texts import Templates, render

CHUNK = 500  # keys per IN (...) lookup: under SQLite's parameter limit


def default_channel() -> str:
    channel = str(getattr(settings, "ANSINH_REMINDER_CHANNEL", Channel.CONSOLE))
    return channel if channel in Channel.values else Channel.CONSOLE


@dataclass(frozen=True)
class Entry:
    participation: Participation
    code: str
    deadline: date | None
    months: tuple[date, ...]


def _amount(participation: Participation, months: Sequence[date], on: date) -> int | None:
    if not months:
        return None
    try:
        return quote_months(participation, months, on).amount
    except Refused:
        return None


def _agent_values(participation: Participation) -> dict[str, str]:
    agent = participation.agent
    if agent is None:
        return {}
    return {"nhan_vien": agent.user.display_name,
            "so_dien_thoai": str(getattr(agent.user, "phone", "") or "")}


def _entries(participations: dict[int, Participation], run: Any,
             all_dues: dict[int, Dues]) -> list[Entry]:
    paused = set(run.became_paused)
    entries: list[Entry] = []
    for pid in run.due_soon:
        if pid in participations and pid in all_dues:
            current = all_dues[pid]
            entries.append(Entry(participations[pid], TemplateCode.DUE_SOON,
                                 current.next_deadline, current.due_months))
    for pid in run.became_late:
        if pid in participations and pid in all_dues and pid not in paused:
            current = all_dues[pid]
            entries.append(Entry(participations[pid], TemplateCode.LATE,
                                 current.first_missed_deadline,
                                 current.overdue_months + current.due_months))
    for pid in run.became_paused:
        if pid in participations:
            entries.append(Entry(participations[pid], TemplateCode.PAUSED, None, ()))
    return entries


def _key(entry: Entry) -> str:
    p = entry.participation
    if entry.code == TemplateCode.PAUSED:
        return f"paused:p{p.pk}:{p.status_since.isoformat()}"
    deadline = entry.deadline.isoformat() if entry.deadline else "-"
    return f"{entry.code}:p{p.pk}:{deadline}"


def existing_keys(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        found.update(OutboxMessage.objects.filter(dedupe_key__in=keys[start:start + CHUNK])
                     .values_list("dedupe_key", flat=True))
    return found


def queue_for_run(office: Office, run: Any) -> dict[str, int]:
    """Queue the reminders of `run` (a `collection.lapses.LapseRun`) for `office`."""
    as_of: date = run.as_of
    channel = default_channel()
    templates = Templates(office)
    ids = set(run.due_soon) | set(run.became_late) | set(run.became_paused)
    participations = {p.pk: p for p in Participation.objects.filter(office=office, pk__in=ids)
                      .select_related("person", "village", "agent__user")}
    all_dues = dues_bulk(list(participations.values()), as_of)
    counts = {"reminders": 0, "to_participants": 0, "to_agents": 0, "without_phone": 0,
              "already_queued": 0, "without_template": 0}
    entries = _entries(participations, run, all_dues)
    keys = {_key(entry): entry for entry in entries}
    done = existing_keys(keys)
    counts["already_queued"] += len(done)
    messages: list[OutboxMessage] = []
    for key, entry in keys.items():
        if key in done:
            continue
        person = entry.participation.person
        if not person.phone:
            counts["without_phone"] += 1
            continue
        template = templates.get(entry.code, channel)
        if template is None:
            counts["without_template"] += 1
            continue
        amount = _amount(entry.participation, entry.months, as_of)
        values = {"ho_ten": person.full_name, "co_quan": office.name,
                  "ngay": as_of.strftime("%d/%m/%Y"),
                  "han_dong": entry.deadline.strftime("%d/%m/%Y") if entry.deadline else "—",
                  "so_tien": format_vnd(amount) if amount is not None else "—",
                  **_agent_values(entry.participation)}
        messages.append(OutboxMessage(
            office=office, village=entry.participation.village,
            recipient_kind=RecipientKind.PARTICIPANT, person=person,
            participation=entry.participation, template_code=entry.code, channel=channel,
            phone=person.phone, body=render(template.body, values), dedupe_key=key, as_of=as_of))
    counts["to_participants"] = _save(messages)
    digests = agent_digests(office, run, channel, templates, counts)
    counts["to_agents"] = _save(digests)
    counts["reminders"] = counts["to_participants"] + counts["to_agents"]
    return counts


def _save(messages: list[OutboxMessage]) -> int:
    """Insert; a key a concurrent run inserted first is skipped. Returns how many are new."""
    if not messages:
        return 0
    before = existing_keys(m.dedupe_key for m in messages)
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=CHUNK)
    return len(messages) - len(before)


# ---------------------------------------------------------------------------------------------
# The agents' digest: who is due this week, who is late, by village


def agent_digests(office: Office, run: Any, channel: str, templates: Templates,
                  counts: dict[str, int]) -> list[OutboxMessage]:
    as_of: date = run.as_of
    due_ids = set(run.due_soon)
    rows = (Participation.objects.filter(office=office, agent__isnull=False)
            .filter(pk__in=due_ids) | Participation.objects.filter(
                office=office, agent__isnull=False, status=Status.LATE))
    rows = rows.select_related("person", "village", "agent__user").order_by(
        "agent_id", "village__name", "person__full_name")
    due_dues = dues_bulk([p for p in rows if p.pk in due_ids], as_of)
    by_agent: dict[int, dict[str, dict[str, list[str]]]] = defaultdict(
        lambda: defaultdict(lambda: {"due": [], "late": []}))
    agents: dict[int, Any] = {}
    for p in rows:
        assert p.agent is not None
        agents[p.agent.pk] = p.agent
        village = by_agent[p.agent.pk][p.village.name]
        if p.pk in due_ids:
            deadline = due_dues[p.pk].next_deadline if p.pk in due_dues else None
            village["due"].append(f"{p.person.full_name}"
                                  + (f" ({deadline:%d/%m})" if deadline else ""))
        elif p.status == Status.LATE:
            village["late"].append(p.person.full_name)
    template = templates.get(TemplateCode.AGENT_DIGEST, channel)
    window = settings_for(office).remind_days_before
    keys = {f"digest:a{agent_id}:{as_of.isoformat()}": agent_id for agent_id in by_agent}
    done = existing_keys(keys)
    counts["already_queued"] += len(done)
    messages: list[OutboxMessage] = []
    for key, agent_id in keys.items():
        if key in done:
            continue
        agent = agents[agent_id]
        phone = str(getattr(agent.user, "phone", "") or "")
        if not phone:
            counts["without_phone"] += 1
            continue
        if template is None:
            counts["without_template"] += 1
            continue
        villages = by_agent[agent_id]
        lines = []
        for name in sorted(villages):
            group = villages[name]
            parts = []
            if group["due"]:
                parts.append(_("đến hạn: %(names)s") % {"names": ", ".join(group["due"])})
            if group["late"]:
                parts.append(_("chậm đóng: %(names)s") % {"names": ", ".join(group["late"])})
            lines.append(f"- {name}: " + "; ".join(parts))
        values = {"ho_ten": agent.user.display_name, "nhan_vien": agent.user.display_name,
                  "so_dien_thoai": phone, "co_quan": office.name,
                  "ngay": as_of.strftime("%d/%m/%Y"),
                  "han_dong": (as_of + timedelta(days=window)).strftime("%d/%m/%Y"),
                  "so_den_han": str(sum(len(g["due"]) for g in villages.values())),
                  "so_cham": str(sum(len(g["late"]) for g in villages.values())),
                  "danh_sach": "\n".join(lines)}
        messages.append(OutboxMessage(
            office=office, recipient_kind=RecipientKind.AGENT, user=agent.user,
            template_code=TemplateCode.AGENT_DIGEST, channel=channel, phone=phone,
            body=render(template.body, values), dedupe_key=key, as_of=as_of))
    return messages
