"""State changes of the network: targets and their allocation, rewards, hand-overs.

All are office-wide: each checks the actor's role (`core.permissions.authorise`) and office
(`core.scoping.require_own_office`): the director's of that office, an administrator's, or the
system's (no actor: the demo, a command). Each runs in one transaction and writes its audit row.
Target values are append-only: setting or reallocating a target adds a `TargetVersion`, so the
page can show what was decided when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from ansinh.core import audit, permissions, scoping
from ansinh.core.models import Office, Role, User
from ansinh.core.periods import Period
from ansinh.registry.models import Commune, Village

from .errors import NetworkError
from .handover import HANDOVER_STEPS
from .models import (
    UNIT_FIELDS,
    Agent,
    Assignment,
    CollectionOrganisation,
    RecipientKind,
    Reward,
    Target,
    TargetVersion,
    UnitKind,
    unit_key,
)

# Which unit kinds share out a parent's target: the office to communes, organisations and
# staff (three separate splits, each summing to at most the office's figure); a commune to its
# villages; an organisation to its agents.
CHILD_KINDS: dict[str, tuple[str, ...]] = {
    UnitKind.OFFICE: (UnitKind.COMMUNE, UnitKind.ORGANISATION, UnitKind.STAFF),
    UnitKind.COMMUNE: (UnitKind.VILLAGE,),
    UnitKind.ORGANISATION: (UnitKind.AGENT,),
}

UNIT_MODELS: dict[str, type[Model]] = {
    UnitKind.COMMUNE: Commune,
    UnitKind.VILLAGE: Village,
    UnitKind.ORGANISATION: CollectionOrganisation,
    UnitKind.STAFF: User,
    UnitKind.AGENT: Agent,
}


def value_on(versions: list[TargetVersion], day: date) -> int | None:
    """The value in force on `day`: the latest version effective on or before it.

    A target first set after `day` counts with its first value (a target decided in February
    for the whole year also applies to January).
    """
    if not versions:
        return None
    ordered = sorted(versions, key=lambda version: (version.effective_on, version.id or 0))
    current = ordered[0]
    for version in ordered:
        if version.effective_on <= day:
            current = version
    return current.value


def _unit_office_id(kind: str, unit: Model | None) -> int | None:
    if unit is None:
        return None
    if isinstance(unit, Commune | CollectionOrganisation):
        return unit.office_id
    if isinstance(unit, Village):
        return unit.commune.office_id
    if isinstance(unit, User):
        return unit.office_id
    if isinstance(unit, Agent):
        return unit.organisation.office_id
    raise NetworkError(f"Đơn vị không hợp lệ: {kind}", f"invalid unit: {kind}")


def _slot(office: Office, period: Period, metric: str, kind: str,
          unit: Model | None) -> Target:
    field_name = UNIT_FIELDS[kind]
    if (field_name is None) != (unit is None):
        raise NetworkError("Đơn vị không khớp loại chỉ tiêu", "the unit does not match its kind")
    if unit is not None and not isinstance(unit, UNIT_MODELS[kind]):
        raise NetworkError("Đơn vị không khớp loại chỉ tiêu", "the unit does not match its kind")
    if unit is not None and _unit_office_id(kind, unit) != office.pk:
        raise NetworkError("Đơn vị thuộc cơ quan khác", "the unit belongs to another office")
    if kind == UnitKind.STAFF and isinstance(unit, User) and unit.role != Role.STAFF:
        raise NetworkError("Chỉ giao chỉ tiêu cá nhân cho cán bộ",
                           "staff targets go to staff members only")
    key = unit_key(kind, unit.pk if unit is not None else None)
    target = Target.objects.filter(
        office=office, period_kind=period.kind, period_start=period.start, metric=metric,
        unit_key=key,
    ).first()
    if target is None:
        values: dict[str, Any] = {"office": office, "period_kind": period.kind,
                                  "period_start": period.start, "metric": metric,
                                  "unit_kind": kind}
        if field_name is not None:
            values[field_name] = unit
        target = Target(**values)
        target.save()
    return target


def _add_version(target: Target, value: int, effective_on: date, actor: User | None,
                 reason: str) -> TargetVersion | None:
    """Append a version unless the value in force on `effective_on` is already `value`."""
    if value < 0:
        raise NetworkError("Chỉ tiêu không được âm", "a target cannot be negative")
    versions = list(target.versions.all())
    if value_on(versions, effective_on) == value and versions:
        return None
    version = TargetVersion.objects.create(
        target=target, value=value, effective_on=effective_on, reason=reason[:200],
        set_by=actor if actor is not None and actor.pk else None, set_at=timezone.now(),
    )
    audit.record(actor=actor, office=target.office, action="target.set", obj=target,
                 changes={"value": [value_on(versions, effective_on), value],
                          "effective_on": [None, effective_on.isoformat()]},
                 note=reason)
    return version


@transaction.atomic
def set_target(
    *, office: Office, period: Period, metric: str, unit_kind: str, unit: Model | None,
    value: int, effective_on: date, actor: User | None, reason: str = "",
) -> Target:
    """Set (or change from `effective_on`) the target of one unit; history is kept."""
    permissions.authorise(actor, "manage_targets")
    scoping.require_own_office(actor, office.pk)
    target = _slot(office, period, metric, unit_kind, unit)
    _add_version(target, value, effective_on, actor, reason)
    return target


def children_total(parent: Target, child_kind: str, on: date,
                   exclude: set[int] | None = None) -> int:
    """Sum of the targets already given to the children of `child_kind` on `on`."""
    children = child_targets(parent, child_kind).prefetch_related("versions")
    total = 0
    for child in children:
        if exclude and child.unit_id in exclude:
            continue
        total += value_on(list(child.versions.all()), on) or 0
    return total


def child_targets(parent: Target, child_kind: str) -> Any:
    children = Target.objects.filter(
        office=parent.office_id, period_kind=parent.period_kind,
        period_start=parent.period_start, metric=parent.metric, unit_kind=child_kind,
    )
    if parent.unit_kind == UnitKind.COMMUNE:
        children = children.filter(village__commune=parent.commune_id)
    elif parent.unit_kind == UnitKind.ORGANISATION:
        children = children.filter(agent__organisation=parent.organisation_id)
    return children


def _child_units(parent: Target, child_kind: str, ids: set[int]) -> dict[int, Model]:
    model = UNIT_MODELS[child_kind]
    units = model._default_manager.filter(pk__in=ids)
    if parent.unit_kind == UnitKind.COMMUNE:
        units = units.filter(commune=parent.commune_id)
    elif parent.unit_kind == UnitKind.ORGANISATION:
        units = units.filter(organisation=parent.organisation_id)
    found = {unit.pk: unit for unit in units}
    if set(found) != ids:
        raise NetworkError("Có đơn vị không thuộc đơn vị giao chỉ tiêu",
                           "some units do not belong to the allocating unit")
    return found


@transaction.atomic
def allocate(
    parent: Target, child_kind: str, values: Mapping[int, int], *, effective_on: date,
    actor: User | None, reason: str = "",
) -> list[TargetVersion]:
    """Share the parent's target among its children (unit id → value) from `effective_on`.

    Children not named keep their value. The split may leave part of the parent unallocated
    but never exceed it. A reallocation is the same call with new values: earlier values stay
    in the history and still apply before `effective_on`.
    """
    permissions.authorise(actor, "manage_targets")
    scoping.require_own_office(actor, parent.office_id)
    if child_kind not in CHILD_KINDS.get(parent.unit_kind, ()):
        raise NetworkError("Không thể giao chỉ tiêu cho loại đơn vị này",
                           f"a {parent.unit_kind} target cannot be shared among {child_kind}")
    parent = Target.objects.select_for_update().get(pk=parent.pk)
    parent_value = value_on(list(parent.versions.all()), effective_on)
    if parent_value is None:
        raise NetworkError("Chưa có chỉ tiêu để phân bổ", "the parent has no target yet")
    if any(value < 0 for value in values.values()):
        raise NetworkError("Chỉ tiêu không được âm", "a target cannot be negative")
    units = _child_units(parent, child_kind, set(values))
    kept = children_total(parent, child_kind, effective_on, exclude=set(values))
    total = kept + sum(values.values())
    if total > parent_value:
        raise NetworkError(
            f"Tổng phân bổ {total:,} vượt chỉ tiêu {parent_value:,}".replace(",", "."),
            f"the allocation {total:,} exceeds the target {parent_value:,}",
        )
    period = Period(parent.period_kind, parent.period_start)
    office = parent.office
    versions = []
    for unit_id, value in sorted(values.items()):
        target = _slot(office, period, parent.metric, child_kind, units[unit_id])
        version = _add_version(target, value, effective_on, actor, reason)
        if version is not None:
            versions.append(version)
    return versions


@transaction.atomic
def record_reward(
    *, office: Office, recipient_kind: str, recipient_name: str, title: str, reason: str,
    decision_number: str, decision_date: date, actor: User | None,
    commune: Commune | None = None, organisation: CollectionOrganisation | None = None,
    person: User | None = None, period: Period | None = None,
    figures: dict[str, Any] | None = None,
) -> Reward:
    """Enter a reward decision in the register."""
    permissions.authorise(actor, "manage_targets")
    scoping.require_own_office(actor, office.pk)
    if recipient_kind not in RecipientKind.values:
        raise NetworkError("Loại đối tượng khen không hợp lệ", "invalid recipient kind")
    if recipient_kind == RecipientKind.ORGANISATION and organisation is None:
        raise NetworkError("Chọn tổ chức được khen", "choose the organisation")
    if recipient_kind == RecipientKind.PERSON and person is None:
        raise NetworkError("Chọn cá nhân được khen", "choose the person")
    for unit in (commune, organisation, person):
        if unit is not None and unit.office_id != office.pk:
            raise NetworkError("Đối tượng khen thuộc cơ quan khác",
                               "the recipient belongs to another office")
    if not decision_number.strip():
        raise NetworkError("Thiếu số quyết định", "the decision number is missing")
    reward = Reward.objects.create(
        office=office, recipient_kind=recipient_kind, recipient_name=recipient_name.strip(),
        commune=commune, organisation=organisation, person=person, title=title.strip(),
        reason=reason.strip(), period_kind=period.kind if period else "",
        period_start=period.start if period else None, figures=figures or {},
        decision_number=decision_number.strip(), decision_date=decision_date,
        created_by=actor if actor is not None and actor.pk else None, created_at=timezone.now(),
    )
    audit.record(actor=actor, office=office, action="reward.create", obj=reward,
                 changes={"decision_number": [None, reward.decision_number],
                          "recipient_name": [None, reward.recipient_name]})
    return reward


@dataclass
class HandoverResult:
    leaving: User
    substitute: User
    on: date
    assignments: int = 0
    # rows the apps' steps moved, by label: participations, receipt_books, follow_ups …
    moved: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"assignments": self.assignments, **self.moved}


def _in_force(user: User, on: date) -> Any:
    return Assignment.objects.filter(user=user, starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def _substitute_of(leaving: User, on: date) -> User:
    named: set[User] = {a.substitute for a in _in_force(leaving, on).select_related("substitute")
                        if a.substitute is not None}
    if len(named) != 1:
        raise NetworkError("Chưa chọn (hoặc có nhiều) người thay thế",
                           "no single substitute is named on the assignments")
    return named.pop()


@transaction.atomic
def hand_over(leaving: User, *, on: date, actor: User | None,
              substitute: User | None = None) -> HandoverResult:
    """`leaving` stops on `on`: territory, participants, open books and follow-ups go over.

    Their assignments end the day before `on` and the substitute takes the same communes and
    villages from `on` (unless already assigned there); then every app's step
    (`handover.HANDOVER_STEPS`, registered when the apps load) moves its own rows: the
    participations the leaving agent answers for and their unreturned receipt books go to the
    substitute's agent record, open follow-ups to the substitute. The steps write an audit row
    per moved row; this writes the summary row.
    """
    permissions.authorise(actor, "hand_over")
    scoping.require_own_office(actor, leaving.office_id)
    substitute = substitute or _substitute_of(leaving, on)
    if substitute.pk == leaving.pk:
        raise NetworkError("Người thay thế phải là người khác", "the substitute must differ")
    if substitute.office_id != leaving.office_id or not substitute.is_active:
        raise NetworkError("Người thay thế không thuộc cơ quan này",
                           "the substitute is not an active user of the same office")
    result = HandoverResult(leaving=leaving, substitute=substitute, on=on)
    office = leaving.office
    result.assignments = _hand_over_territory(leaving, substitute, on)
    for step in HANDOVER_STEPS:
        for label, count in step(leaving, substitute, on, actor).items():
            result.moved[label] = result.moved.get(label, 0) + count
    audit.record(actor=actor, office=office, action="user.handover", obj=leaving,
                 changes={"substitute": [None, substitute.pk], "on": [None, on.isoformat()],
                          **{label: [None, count] for label, count in result.as_dict().items()}})
    return result


def _hand_over_territory(leaving: User, substitute: User, on: date) -> int:
    moved = 0
    for assignment in _in_force(leaving, on).select_for_update():
        assignment.substitute = substitute
        assignment.ends_on = max(assignment.starts_on, on - timedelta(days=1))
        assignment.save(update_fields=["substitute", "ends_on"])
        covered = _in_force(substitute, on).filter(
            commune=assignment.commune_id, village=assignment.village_id)
        if not covered.exists():
            Assignment.objects.create(user=substitute, commune=assignment.commune,
                                      village=assignment.village, starts_on=on)
        moved += 1
    return moved
