"""Merge a duplicate record into the surviving one, and undo the merge.

A merge, in one transaction:
- the surviving record takes, field by field, the value staff chose (survivorship); the
  other value stays in the merge's ``before`` and in the audit trail;
- every row that points at the merged record is re-pointed at the survivor: household HI,
  attendances and other contacts, participations (so their receipts and paid months), receipts,
  retention cases, messages, phone items. Each app declares its links here (`link`, from its
  models module), so the register knows nothing of the apps above it; a test checks that every
  foreign key to a person is declared;
- the merged record stays, marked ``merged_into``, and leaves the register (`Person.objects`);
- derived rows (the worklist's priorities, the summary cells) follow through `core.keepers`.

Where both records hold a row the database allows once per person, the merge either refuses
with the reason (two open participations, two open retention cases, household HI for the same
month or on the same receipt) or, for an attendance of the same event, keeps the survivor's and
removes the other, which the undo puts back. Two participations of one person are never
combined: the merge flags them for staff (``flags``).

The undo re-points exactly the rows the merge moved (and the receipts written since on a
moved participation), restores the fields the merge changed unless they were edited since,
and puts the pair back in the queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ansinh.core import audit, keepers, permissions
from ansinh.core.errors import Refused
from ansinh.core.models import Office, User

from .changes import touch
from .models import DuplicatePair, Merge, PairStatus, Person, Village

# What staff choose between, in the compare page's order; the others stay the survivor's.
FIELDS = (
    "full_name", "birth_date", "birth_year_only", "sex", "ethnicity", "local_group",
    "national_id", "si_number", "phone", "village", "household", "relation_to_head",
    "si_status", "si_status_source", "si_status_as_of",
)
FLAGS = {"two_participations": gettext_lazy(
    "Người này nay có hai quá trình tham gia: cán bộ cần xem lại (không tự động gộp)")}


class MergeRefused(Refused):
    pass


@dataclass(frozen=True)
class Link:
    """A foreign key to the person, and what a merge does where both records hold a row the
    database allows once: ``refuse`` with ``reason``, or ``drop`` the merged record's row
    (kept in the merge, put back by the undo). ``twin``: the fields that make two rows the
    same (empty: any two rows within ``within``). ``derived``: rows rebuilt by the keepers,
    deleted here, never re-pointed. ``follows``: on undo, rows written since the merge on a
    re-pointed row of that field go back with it (a receipt follows its participation).
    ``flag``: raised when the survivor ends with more than one row."""

    model: type[models.Model]
    field: str = "person"
    twin: tuple[str, ...] = ()
    within: Q | None = None
    on_twin: str = "refuse"
    reason: tuple[str, str] = ("", "")  # Vietnamese, English (core.errors.Refused)
    derived: bool = False
    follows: str = ""
    flag: str = ""

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


LINKS: dict[str, Link] = {}


def link(model: type[models.Model], person_field: str = "person", **how: Any) -> None:
    """Declare a foreign key to the person (called by each app's models module)."""
    declared = Link(model, person_field, **how)
    LINKS[declared.key] = declared


def undeclared_links() -> list[str]:
    """Foreign keys to the person no app declared (the test of this module wants none)."""
    own = {f"{Person._meta.label}.merged_into", f"{DuplicatePair._meta.label}.person_a",
           f"{DuplicatePair._meta.label}.person_b", f"{Merge._meta.label}.survivor",
           f"{Merge._meta.label}.merged"}
    found = []
    for model in apps.get_models():
        for field_ in model._meta.get_fields():
            if (getattr(field_, "concrete", False) and field_.is_relation
                    and field_.related_model is Person):
                key = f"{model._meta.label}.{field_.name}"
                if key not in LINKS and key not in own:
                    found.append(key)
    return sorted(found)


def default_choices(survivor: Person, merged: Person) -> dict[str, str]:
    """The survivorship rule before staff change it: the survivor's value, unless it is empty
    and the other record has one; the full birth date over a year only."""
    chosen = {}
    for name in FIELDS:
        mine, theirs = _value(survivor, name), _value(merged, name)
        empty = mine in (None, "", "none")
        if name == "birth_date":
            empty = survivor.birth_year_only and not merged.birth_year_only
        elif name == "birth_year_only":
            chosen[name] = "survivor"
            continue
        chosen[name] = "merged" if empty and theirs not in (None, "", "none") else "survivor"
    chosen["birth_year_only"] = chosen["birth_date"]
    return chosen


@dataclass
class Plan:
    """What a merge would do: shown on the compare page before staff confirm."""

    moves: dict[str, int] = field(default_factory=dict)
    drops: dict[str, int] = field(default_factory=dict)
    refusals: list[tuple[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def plan(survivor: Person, merged: Person) -> Plan:
    found = Plan()
    for declared in LINKS.values():
        count = _all(declared, merged.pk).count()
        if not count or declared.derived:
            continue
        clashing = _clashing(declared, survivor.pk, merged.pk)
        if clashing:
            if declared.on_twin == "drop":
                found.drops[declared.key] = len(clashing)
            else:
                found.refusals.append(declared.reason)
                continue
        found.moves[declared.key] = count - len(clashing)
        if declared.flag and _all(declared, survivor.pk).exists():
            found.flags.append(declared.flag)
    return found


@transaction.atomic
def merge(pair: DuplicatePair | None, survivor: Person, merged: Person, *,
          choices: dict[str, str], actor: User) -> Merge:
    """Merge `merged` into `survivor` (see the module's docstring)."""
    if survivor.pk == merged.pk:
        raise MergeRefused("Không thể gộp một hồ sơ vào chính nó",
                           "A record cannot be merged into itself")
    permissions.authorise(actor, "merge_persons", survivor)
    permissions.authorise(actor, "merge_persons", merged)
    # lock both, in id order (two merges of overlapping pairs never wait in a circle)
    locked = {p.pk: p for p in Person.with_merged.select_for_update().filter(
        pk__in=sorted((survivor.pk, merged.pk))).order_by("pk")}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    for person in (survivor, merged):
        if person.merged_into_id is not None:
            raise MergeRefused(f"Hồ sơ {person} đã được gộp vào hồ sơ khác",
                               f"{person} was already merged into another record")
    if survivor.office_id != merged.office_id:
        raise MergeRefused("Hai hồ sơ thuộc hai cơ quan khác nhau",
                           "The two records belong to different offices")
    found = plan(survivor, merged)
    if found.refusals:
        raise MergeRefused(" ".join(vi for vi, _en in found.refusals),
                           " ".join(en for _vi, en in found.refusals))
    wanted = {name: choices.get(name, "survivor") for name in FIELDS}
    wanted["birth_year_only"] = wanted["birth_date"]
    for target in ("village", "household"):
        if wanted[target] == "merged" and getattr(merged, f"{target}_id"):
            permissions.authorise(actor, "merge_persons", getattr(merged, target))
    before = {"survivor": _snapshot(survivor), "merged": _snapshot(merged)}
    persons = [survivor.pk, merged.pk]
    with keepers.kept_current(persons):
        moved, removed = _repoint(survivor.pk, merged.pk)
        # the merged record gives up what must be unique before the survivor takes it
        if merged.national_id:
            Person.with_merged.filter(pk=merged.pk).update(national_id=None)
        Person.with_merged.filter(pk=merged.pk).update(merged_into=survivor.pk)
        village_id = survivor.village_id
        for name, side in wanted.items():
            if side == "merged":
                setattr(survivor, _attname(name), before["merged"][name])
        if survivor.village_id != village_id:
            survivor.office_id = Village.objects.get(pk=survivor.village_id).commune.office_id
        survivor.save()
    done = Merge.objects.create(
        office_id=survivor.office_id, pair=pair, survivor=survivor, merged=merged,
        choices=wanted, before=before, moved=moved, removed=removed, flags=found.flags, by=actor)
    if pair is not None:
        DuplicatePair.objects.filter(pk=pair.pk).update(
            status=PairStatus.MERGED, decided_by=actor, decided_at=timezone.now())
    after = _snapshot(survivor)
    audit.record(actor=actor, office=survivor.office, action="person.merge", obj=survivor,
                 changes={**audit.diff(before["survivor"], after),
                          "merged": [None, merged.pk]},
                 note=f"merge {done.pk}: {merged.pk} → {survivor.pk}")
    audit.record(actor=actor, office=survivor.office, action="person.merged", obj=merged,
                 changes={"merged_into": [None, survivor.pk]}, note=f"merge {done.pk}")
    touch(survivor.office_id, persons)
    keepers.changed(persons)
    return done


@transaction.atomic
def undo(done: Merge, *, actor: User) -> list[str]:
    """Undo a merge; returns the fields kept as they are because they changed since."""
    done = Merge.objects.select_for_update().get(pk=done.pk)
    if done.undone_at is not None:
        raise MergeRefused("Lần gộp này đã được hoàn tác", "This merge was already undone")
    locked = {p.pk: p for p in Person.with_merged.select_for_update().filter(
        pk__in=sorted((done.survivor_id, done.merged_id))).order_by("pk")}
    survivor, merged = locked[done.survivor_id], locked[done.merged_id]
    permissions.authorise(actor, "merge_persons", survivor)
    if merged.merged_into_id != survivor.pk:
        raise MergeRefused("Hồ sơ đã gộp không còn trỏ đến hồ sơ giữ lại",
                           "The merged record no longer points at the surviving one")
    later = Merge.objects.filter(merged=survivor, undone_at__isnull=True, at__gt=done.at)
    if later.exists():
        raise MergeRefused(
            "Hồ sơ giữ lại đã được gộp tiếp vào hồ sơ khác: hoàn tác lần gộp sau trước",
            "The surviving record was merged again since: undo that merge first")
    persons = [survivor.pk, merged.pk]
    kept: list[str] = []
    with keepers.kept_current(persons):
        _repoint_back(done, survivor.pk, merged.pk)
        written = _snapshot(survivor)
        before_survivor, before_merged = done.before["survivor"], done.before["merged"]
        for name, side in done.choices.items():
            if side != "merged":
                continue
            if written[name] != before_merged[name]:
                kept.append(name)  # edited since the merge: the later value stays
                continue
            setattr(survivor, _attname(name), before_survivor[name])
        if "village" not in kept:
            survivor.office_id = Village.objects.get(pk=survivor.village_id).commune.office_id
        if before_merged["national_id"] and survivor.national_id == before_merged["national_id"]:
            survivor.national_id = None
        survivor.save()
        merged.merged_into = None
        merged.national_id = before_merged["national_id"] or None
        merged.save()
    Merge.objects.filter(pk=done.pk).update(undone_by=actor, undone_at=timezone.now())
    if done.pair_id is not None:
        DuplicatePair.objects.filter(pk=done.pair_id).update(
            status=PairStatus.OPEN, decided_by=None, decided_at=None)
    audit.record(actor=actor, office=survivor.office, action="person.merge_undone",
                 obj=survivor, changes={"merged": [merged.pk, None]},
                 note=f"merge {done.pk} undone" + (f"; kept {', '.join(kept)}" if kept else ""))
    touch(survivor.office_id, persons)
    keepers.changed(persons)
    return kept


@transaction.atomic
def enqueue(office: Office, matches: Iterable[Any]) -> int:
    """Put the pairs `registry.dedup` found in the office's queue; returns how many are new.
    A pair already there keeps its decision (a "not the same person" stays decided); an open
    one takes the new score and reasons."""
    matches = [m for m in matches if m.a != m.b]
    ids = {pid for m in matches for pid in (m.a, m.b)}
    villages = dict(Person.objects.filter(pk__in=ids).values_list("pk", "village_id"))
    known = {(a, b): (pk, status) for pk, a, b, status in DuplicatePair.objects.filter(
        person_a__in=ids, person_b__isnull=False).values_list(
        "pk", "person_a", "person_b", "status")}
    new = []
    for match in matches:
        a, b = sorted((match.a, match.b))
        if a not in villages or b not in villages:
            continue  # merged meanwhile
        existing = known.get((a, b))
        if existing is None:
            new.append(DuplicatePair(office=office, village_id=villages[a], person_a_id=a,
                                     person_b_id=b, score=match.score,
                                     reasons=list(match.reasons)))
            known[(a, b)] = (0, PairStatus.OPEN)
        elif existing[1] == PairStatus.OPEN and existing[0]:
            DuplicatePair.objects.filter(pk=existing[0]).update(
                score=match.score, reasons=list(match.reasons))
    DuplicatePair.objects.bulk_create(new, batch_size=1000)
    return len(new)


@transaction.atomic
def not_the_same(pair: DuplicatePair, *, actor: User) -> None:
    """Staff say the two records are two people: remembered, never offered again."""
    permissions.authorise(actor, "merge_persons", pair.person_a)
    if pair.person_b is not None:
        permissions.authorise(actor, "merge_persons", pair.person_b)
    DuplicatePair.objects.filter(pk=pair.pk).update(
        status=PairStatus.NOT_SAME, decided_by=actor, decided_at=timezone.now())
    audit.record(actor=actor, office=pair.office, action="duplicate.not_same", obj=pair,
                 changes={"status": [pair.status, PairStatus.NOT_SAME]})


@transaction.atomic
def mark_reviewed(done: Merge, *, actor: User) -> None:
    """Staff looked at what the merge flagged (two participations of one person)."""
    permissions.authorise(actor, "merge_persons", done.survivor)
    Merge.objects.filter(pk=done.pk).update(reviewed_by=actor)
    audit.record(actor=actor, office=done.survivor.office, action="person.merge_reviewed",
                 obj=done.survivor, changes={"flags": [done.flags, []]}, note=f"merge {done.pk}")


# ---------------------------------------------------------------------------------------------

def _attname(name: str) -> str:
    return f"{name}_id" if name in ("village", "household") else name


def _value(person: Person, name: str) -> Any:
    return getattr(person, _attname(name))


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: audit.jsonable(_value(person, name)) for name in FIELDS}


def _all(declared: Link, person_id: int) -> models.QuerySet[Any]:
    return declared.model._base_manager.filter(**{f"{declared.field}_id": person_id})


def _rows(declared: Link, person_id: int) -> models.QuerySet[Any]:
    rows = _all(declared, person_id)
    return rows.filter(declared.within) if declared.within is not None else rows


def _clashing(declared: Link, survivor_id: int, merged_id: int) -> list[tuple[int, int]]:
    """(merged's row, survivor's twin) for every row the survivor already has a twin of."""
    if not declared.twin and declared.within is None:
        return []
    theirs = _rows(declared, merged_id)
    mine = _rows(declared, survivor_id)
    if not declared.twin:
        first = mine.values_list("pk", flat=True).first()
        return [(pk, first) for pk in theirs.values_list("pk", flat=True)] if first else []
    twins = {tuple(values[:-1]): values[-1]
             for values in mine.values_list(*declared.twin, "pk")}
    return [(values[-1], twins[tuple(values[:-1])])
            for values in theirs.values_list(*declared.twin, "pk")
            if tuple(values[:-1]) in twins]


def _repoint(survivor_id: int, merged_id: int) -> tuple[dict[str, list[int]],
                                                         list[dict[str, Any]]]:
    moved: dict[str, list[int]] = {}
    removed: list[dict[str, Any]] = []
    for declared in LINKS.values():
        if declared.derived:
            _rows(declared, merged_id).delete()
            continue
        for dropped, kept in _clashing(declared, survivor_id, merged_id):
            removed.append(_drop(declared.model, dropped, kept))
        pks = sorted(_all(declared, merged_id).values_list("pk", flat=True))
        if pks:
            declared.model._base_manager.filter(pk__in=pks).update(
                **{f"{declared.field}_id": survivor_id})
            moved[declared.key] = pks
    return moved, removed


def _drop(model: type[models.Model], pk: int, kept: int) -> dict[str, Any]:
    """Remove a row whose twin the survivor has; the rows pointing at it point at the twin."""
    row = model._base_manager.get(pk=pk)
    refs: dict[str, list[int]] = {}
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or not relation.field.concrete:
            continue
        source: Any = relation.related_model
        column = relation.field.name
        ids = sorted(source._base_manager.filter(**{column: pk}).values_list("pk", flat=True))
        if ids:
            source._base_manager.filter(pk__in=ids).update(**{column: kept})
            refs[f"{source._meta.label}.{column}"] = ids
    fields = {f.attname: _json(getattr(row, f.attname)) for f in model._meta.concrete_fields}
    row.delete()
    return {"model": model._meta.label, "fields": fields, "kept": kept, "refs": refs}


def _repoint_back(done: Merge, survivor_id: int, merged_id: int) -> None:
    for key, pks in done.moved.items():
        declared = LINKS.get(key)
        if declared is None:
            raise MergeRefused(f"Không hoàn tác được: thiếu liên kết {key}",
                               f"Cannot undo: the link {key} is unknown")
        declared.model._base_manager.filter(
            pk__in=pks, **{f"{declared.field}_id": survivor_id}).update(
            **{f"{declared.field}_id": merged_id})
    for declared in LINKS.values():
        if not declared.follows:
            continue
        followed = LINKS.get(declared.follows)
        owners = done.moved.get(declared.follows, [])
        if followed is None or not owners:
            continue
        owner_field = next(f.name for f in declared.model._meta.concrete_fields
                           if f.is_relation and f.related_model is followed.model)
        declared.model._base_manager.filter(
            **{f"{owner_field}_id__in": owners, f"{declared.field}_id": survivor_id}).update(
            **{f"{declared.field}_id": merged_id})
    for entry in reversed(done.removed):
        model = apps.get_model(entry["model"])
        values = {name: _parsed(model, name, value) for name, value in entry["fields"].items()}
        model._base_manager.bulk_create([model(**values)])
        for key, ids in entry["refs"].items():
            label, ref_field = key.rsplit(".", 1)
            apps.get_model(label)._base_manager.filter(pk__in=ids).update(
                **{ref_field: entry["fields"]["id"]})


def _json(value: Any) -> Any:
    value = audit.jsonable(value)
    return str(value) if isinstance(value, UUID | Decimal) else value


def _parsed(model: type[models.Model], attname: str, value: Any) -> Any:
    """A snapshot's JSON value back as the field's Python value."""
    if value is None:
        return None
    target = next(f for f in model._meta.concrete_fields if f.attname == attname)
    if isinstance(target, models.DateTimeField):
        return datetime.fromisoformat(value)
    if isinstance(target, models.DateField):
        return date.fromisoformat(value)
    return value

