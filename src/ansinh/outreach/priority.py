"""The worklist, precomputed: one `Priority` row per person with a village-based reason.

Computing the list live (`worklist.build`) reads every participant and prospect of the user's
villages: seconds for one agent at 1M persons. Here the same lines (`worklist.village_based`,
the live computation itself, so the reasons and points have one definition) are stored per
person and read back one village at a time through (village, score desc) with a limit.

- **On writes.** Every action that can change a person's reasons calls `refresh_persons` once,
  inside its own transaction: a receipt recorded or reversed, a status change or an enrolment,
  a contact logged, a person's SI status, ethnicity or village, a household's poverty, the lapse
  run. The rows of those persons are recomputed from scratch (idempotent).
- **Nightly.** Reasons that depend on the day (months late, a deadline falling within today or
  the week, the windows of the at-risk reasons, a prospect's age, the poverty year) change on
  days known in advance: each computation stores, per person, the first day their lines may
  change by themselves (`PriorityRecheck`). So `refresh_office` (the django-q2 schedule
  `NIGHTLY`, or `ansinh refresh-priorities`) carries an office's rows forward, recomputing
  only the persons whose day has come, those written since through other paths (a bulk
  import: their change number) and those who turned 15 or reached retirement age (by birth
  date), and on a new year the members of poor and near-poor households; the rest are what a
  full computation would write (a test walks months of days to prove it). The whole office
  is recomputed on its turn (one night in `ANSINH_FULL_REBUILD_DAYS`) and when its settings
  change (`basis`).
- **Follow-ups** belong to a user, not to a village: they stay a live read (`open_follow_ups`,
  through `contact_followup_idx`) and are merged into the lines they concern when read.

Reasons are stored as data (`[points, kind, code, params]`) and translated when read, in the
language of the page (`worklist.reason_text`). Within a village the lines are ordered by score,
then by person id (the live list breaks ties by name; the id keeps the read on the index).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from ansinh.collection.payment_state import pause_after
from ansinh.core.bulk import insert_rows, vacuum
from ansinh.core.models import Office
from ansinh.core.offices import full_night
from ansinh.participation.models import Participation
from ansinh.registry.changes import current_seq
from ansinh.registry.models import (
    NOT_PROSPECT_STATUSES,
    HouseholdPoverty,
    Person,
    PovertyStatus,
    Sex,
    SIStatus,
    Village,
)
from ansinh.registry.prospects import fifteenth_birthday_cutoff, retirement_cutoff

from .models import Priority, PriorityRecheck, PriorityRefresh, settings_for

if TYPE_CHECKING:
    from ansinh.core.models import User

    from .worklist import Line, Place, Rechecks

# the statuses a prospect may have (the others rule one out)
PROSPECT_STATUSES = [status for status in SIStatus.values if status not in NOT_PROSPECT_STATUSES]

CHUNK_VILLAGES = 20  # villages per transaction of the nightly refresh
BATCH = 2000  # persons per computation of their lines
Progress = Callable[[str, int, int], None]


# ---------------------------------------------------------------------------------------------
# Writing


def basis(office_id: int) -> str:
    """What an office's rows depend on besides its persons and the day: the office itself (a
    commune handed to another office starts afresh there), its settings (the at-risk window,
    the grace before a pause) and the points. A village computed on another basis is
    recomputed in full."""
    from .worklist import POINTS

    points = hashlib.sha256(json.dumps(POINTS, sort_keys=True).encode()).hexdigest()[:12]
    return (f"{office_id}:{settings_for(office_id).recent_compulsory_days}:"
            f"{pause_after(office_id)}:{points}")


def refresh_persons(person_ids: Iterable[int | None], today: date | None = None) -> int:
    """Recompute the rows of ``person_ids`` as of ``today`` (default: the local date); returns
    the number of rows written. Called by the write path inside its transaction."""
    ids = sorted({pid for pid in person_ids if pid is not None})
    today = today or timezone.localdate()
    written = 0
    touched: set[int] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        touched.update(_clear(chunk))
        by_office: dict[int, list[int]] = {}
        for office_id, village_id, pid in Person.objects.filter(id__in=chunk).values_list(
                "office_id", "village_id", "id"):
            by_office.setdefault(office_id, []).append(pid)
            touched.add(village_id)
        for office_id, pids in by_office.items():
            written += _compute(office_id, pids, today)
    # the counts of the villages the rows left or joined, on the day each was computed for:
    # a village not yet brought to today is carried when next read (these persons' rows are
    # already of today, and their recheck days come after it); one computed for a later day
    # (a clock moved back) is dropped, and computed in full when next read
    PriorityRefresh.objects.filter(village_id__in=touched, as_of__gt=today).delete()
    _summarise(touched, None)
    return written


def _clear(person_ids: list[int]) -> set[int]:
    """Delete the rows and rechecks of ``person_ids``; the villages their rows were in."""
    old = Priority.objects.filter(person_id__in=person_ids)
    villages = set(old.values_list("village_id", flat=True))
    old.delete()
    PriorityRecheck.objects.filter(person_id__in=person_ids).delete()
    return villages


def _compute(office_id: int, person_ids: list[int], today: date) -> int:
    """Compute and store the rows and rechecks of ``person_ids`` (of one office, their old
    ones deleted); returns the rows written."""
    from . import worklist

    rechecks = worklist.Rechecks()
    lines = worklist.village_based(office_id, today,
                                   Village.objects.filter(commune__office_id=office_id),
                                   person_ids, rechecks)
    _store_rechecks(office_id, rechecks)
    return _store(office_id, today, lines)


def refresh_participations(participation_ids: Iterable[int], today: date | None = None) -> int:
    """`refresh_persons` for the persons of these participations (the lapse run's)."""
    ids = list(participation_ids)
    if not ids:
        return 0
    return refresh_persons(Participation.objects.filter(id__in=ids)
                           .values_list("person_id", flat=True), today)


def refresh_office(office_id: int, today: date | None = None, full: bool = False, *,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Bring every row of the office to ``today``, a chunk of villages per transaction
    (idempotent: run it again and the rows are the same). The nightly job's body.

    A village is recomputed in full when asked (``full``), on the office's turn
    (`full_night`: the check that no write went around the write path), when it was never
    computed, or when its basis changed (the office, its settings). Otherwise its rows are
    carried forward: only the persons whose recheck day has come, who were written since the
    last refresh (a bulk import), who turned 15 or reached retirement age, and on a new year
    the members of poor and near-poor households, are recomputed; for everyone else a later
    day's lines are the same."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    village_ids = list(Village.objects.filter(commune__office_id=office_id)
                       .order_by("id").values_list("id", flat=True))
    # rows left behind in villages the office no longer serves
    Priority.objects.filter(office_id=office_id).exclude(village_id__in=village_ids).delete()
    PriorityRecheck.objects.filter(office_id=office_id).exclude(
        village_id__in=village_ids).delete()
    found = bring_up_to(office_id, village_ids, today,
                        full=full or full_night(office_id, today), progress=progress)
    return {"office": Office.objects.get(pk=office_id).code, "as_of": today.isoformat(),
            "villages": len(village_ids), **found,
            "seconds": round(time.perf_counter() - started, 3)}


def bring_up_to(office_id: int, village_ids: list[int], today: date, *, full: bool = False,
                progress: Progress | None = None) -> dict[str, int]:
    """Bring the rows of ``village_ids`` (of one office) to ``today``: in full (asked, never
    computed, computed on another basis or a later day), or carried forward (the others);
    {"full": villages computed in full, "recomputed": persons carried, "rows": rows
    written}."""
    stamp = basis(office_id), current_seq(office_id)
    kept = {} if full else {
        vid: (as_of, seq) for vid, as_of, seq in PriorityRefresh.objects.filter(
            village_id__in=village_ids, basis=stamp[0], as_of__lte=today).values_list(
                "village_id", "as_of", "seq")}
    whole = [vid for vid in village_ids if vid not in kept]
    written = 0
    for start in range(0, len(whole), CHUNK_VILLAGES):
        written += refresh_villages(office_id, whole[start:start + CHUNK_VILLAGES], today,
                                    stamp)
        if progress:
            progress("priorities", min(start + CHUNK_VILLAGES, len(whole)), len(whole))
    recomputed = 0
    if kept:
        carried, recomputed = _carry(office_id, kept, today, stamp, progress)
        written += carried
    return {"full": len(whole), "recomputed": recomputed, "rows": written}


def _carry(office_id: int, kept: dict[int, tuple[date, int]], today: date,
           stamp: tuple[str, int], progress: Progress | None) -> tuple[int, int]:
    """Carry the rows of the ``kept`` villages (id → the day and change number of their last
    refresh) forward to ``today``: recompute the persons whose lines may have changed since,
    a chunk of villages per transaction; (rows written, persons recomputed)."""
    since = min(as_of for as_of, _seq in kept.values())
    seq = min(seq for _as_of, seq in kept.values())
    due = set(PriorityRecheck.objects.filter(office_id=office_id, on__lte=today)
              .values_list("person_id", flat=True))
    # written since (the register's bulk import numbers its rows, and passes no listener)
    due.update(Person.objects.filter(office_id=office_id, sync_version__gt=seq)
               .values_list("id", flat=True))
    # turned 15 since, or reached retirement age: prospects now, or no longer (both found by
    # birth date, through person_prospect_idx)
    ages = Q(birth_date__gt=fifteenth_birthday_cutoff(since),
             birth_date__lte=fifteenth_birthday_cutoff(today))
    for sex in Sex.values:
        ages |= Q(sex=sex, birth_date__gt=retirement_cutoff(sex, since),
                  birth_date__lte=retirement_cutoff(sex, today))
    due.update(Person.objects.filter(ages, office_id=office_id, sex__in=Sex.values,
                                     si_status__in=PROSPECT_STATUSES)
               .values_list("id", flat=True))
    if since.year != today.year:  # a new year: the households' poverty is that of the year
        due.update(Person.objects.filter(office_id=office_id, household__in=(
            HouseholdPoverty.objects.filter(
                year__gte=since.year, year__lte=today.year,
                status__in=(PovertyStatus.POOR, PovertyStatus.NEAR_POOR))
            .values("household_id"))).values_list("id", flat=True))
    by_village: dict[int, list[int]] = {}
    found: set[int] = set()
    ordered = sorted(due)
    for start in range(0, len(ordered), 20_000):
        for pid, village_id in Person.objects.filter(
                id__in=ordered[start:start + 20_000]).values_list("id", "village_id"):
            found.add(pid)
            if village_id in kept:  # the others: in a village computed in full tonight
                by_village.setdefault(village_id, []).append(pid)
    gone = sorted(due - found)  # merged away: their rows and rechecks go
    written = recomputed = 0
    village_ids = sorted(kept)
    for start in range(0, len(village_ids), CHUNK_VILLAGES):
        chunk = village_ids[start:start + CHUNK_VILLAGES]
        pids = sorted(pid for vid in chunk for pid in by_village.get(vid, ()))
        with transaction.atomic():
            if start == 0 and gone:
                _summarise(_clear(gone) & set(kept), None)  # each on its own day still
            if pids:
                touched = _clear(pids)
                for batch in range(0, len(pids), BATCH):
                    written += _compute(office_id, pids[batch:batch + BATCH], today)
                _summarise(chunk, today, stamp)
                _summarise((touched & set(kept)) - set(chunk), None)  # rows moved away
                recomputed += len(pids)
            else:  # nothing changed: the counts stand, the day moves on
                PriorityRefresh.objects.filter(village_id__in=chunk).update(
                    as_of=today, seq=stamp[1], refreshed_at=timezone.now())
        if progress:
            progress("priorities", min(start + CHUNK_VILLAGES, len(village_ids)),
                     len(village_ids))
    return written, recomputed


def refresh_villages(office_id: int, village_ids: list[int], today: date,
                     stamp: tuple[str, int] | None = None) -> int:
    """Rewrite the rows of ``village_ids`` (of one office) as of ``today``, in one
    transaction; returns the rows written."""
    from . import worklist

    stamp = stamp or (basis(office_id), current_seq(office_id))
    with transaction.atomic():
        rechecks = worklist.Rechecks()
        lines = worklist.village_based(office_id, today,
                                       Village.objects.filter(id__in=village_ids),
                                       rechecks=rechecks)
        Priority.objects.filter(Q(village_id__in=village_ids)
                                | Q(person_id__in=list(lines["week"]))).delete()
        PriorityRecheck.objects.filter(Q(village_id__in=village_ids)
                                       | Q(person_id__in=list(rechecks.on))).delete()
        _store_rechecks(office_id, rechecks)
        written = _store(office_id, today, lines)
        _summarise(village_ids, today, stamp)
        return written


def _summarise(village_ids: Collection[int], today: date | None,
               stamp: tuple[str, int] | None = None) -> None:
    """Count the rows of ``village_ids`` (per span: lines, lines of each kind, the best score)
    into their `PriorityRefresh`, which says they are complete as of ``today``, on the basis
    and after the change number of ``stamp``; without them, on the day, basis and number each
    had (a village without a `PriorityRefresh` is then left to be computed when read)."""
    from .worklist import KINDS

    old = PriorityRefresh.objects.filter(village_id__in=list(village_ids))
    had = {vid: (as_of, (b, seq)) for vid, as_of, b, seq in old.values_list(
        "village_id", "as_of", "basis", "seq")}
    if today is None:
        village_ids = had.keys()
    if not village_ids:
        return
    counts: dict[int, dict[str, dict[str, int]]] = {
        vid: {span: _empty() for span in ("week", "today")} for vid in village_ids}
    for span in ("week", "today"):
        score, kinds_field, _r, _c = _span_fields(span)
        per_kind = {k: Count("pk", filter=Q(**{f"{kinds_field}__contains": f",{k},"}))
                    for k in KINDS if k != "follow_up"}
        for found in (_rows(span).filter(village_id__in=list(village_ids)).order_by()
                      .values("village_id").annotate(all=Count("pk"), top=Max(score),
                                                     **per_kind)):
            agg: dict[str, Any] = dict(found)
            counts[agg.pop("village_id")][span] = agg
    now = timezone.now()
    old.delete()
    rows = []
    for vid, village in counts.items():
        as_of, (basis_, seq) = (today, stamp) if today and stamp else had[vid]
        rows.append(PriorityRefresh(village_id=vid, as_of=as_of, counts=village,
                                    refreshed_at=now, basis=basis_, seq=seq))
    PriorityRefresh.objects.bulk_create(rows)


def _empty() -> dict[str, int]:
    from .worklist import KINDS

    return {"all": 0, "top": 0, **{k: 0 for k in KINDS if k != "follow_up"}}


def nightly() -> list[dict[str, Any]]:
    """Every office's rows, as of today: what the schedule runs."""
    results = [refresh_office(office_id)
               for office_id in Office.objects.order_by("id").values_list("id", flat=True)]
    vacuum_after(results)
    return results


def vacuum_after(results: Iterable[dict[str, Any]]) -> None:
    """Vacuum the rows' tables once after a refresh that recomputed an office's villages in
    full (a seventh of the offices a night, on their turn): the worklist is an index read."""
    if any(result["full"] for result in results):
        vacuum(Priority, PriorityRecheck)


def _kinds(line: Line) -> str:
    return "," + ",".join(sorted(line.kinds)) + ","


PRIORITY_COLUMNS = ("office_id", "village_id", "person_id", "participation_id", "as_of", "score",
                    "kinds", "reasons", "collect", "score_today", "kinds_today",
                    "reasons_today", "collect_today", "refreshed_at")


def _store_rechecks(office_id: int, rechecks: Rechecks) -> None:
    insert_rows(PriorityRecheck._meta.db_table, ("person_id", "office_id", "village_id", "on"),
                [(pid, office_id, rechecks.village[pid], on)
                 for pid, on in rechecks.on.items()])


def _store(office_id: int, today: date, lines: dict[str, dict[int, Line]]) -> int:
    """Write the lines' rows through the bulk path (COPY on PostgreSQL: the nightly refresh
    writes a row per person with a reason, and the ORM's INSERT spent most of its time
    binding them)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    # a person on today's list is on the week's (a deadline by today is one by the week's end)
    for pid, line in lines["week"].items():
        on_today = lines["today"].get(pid)
        rows.append((
            office_id, line.village_id, pid, line.participation_id, today, line.score,
            _kinds(line), json.dumps(line.codes), line.collect,
            on_today.score if on_today else None, _kinds(on_today) if on_today else "",
            json.dumps(on_today.codes if on_today else []),
            on_today.collect if on_today else False, now))
    return insert_rows(Priority._meta.db_table, PRIORITY_COLUMNS, rows)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class Listing:
    """A worklist narrowed to a village and a kind of reason, its counts, and its lines read
    a slice at a time (`between`)."""

    span: str
    kind: str | None
    shown: int  # lines matching both filters
    total: int  # every line of the list
    in_village: int  # lines within the village filter, of any kind
    kind_counts: dict[str, int]  # per kind, within the village filter
    village_counts: dict[int, int]  # per village with lines, within the kind filter
    villages: dict[int, Place]  # the list's villages, in the chooser's order
    chosen: list[int]  # the villages shown, in the list's order
    follow: dict[int, Line]  # the follow-up lines (live), with their stored reasons

    def between(self, start: int, stop: int) -> list[Line]:
        """Lines ``start``…``stop`` of the filtered list, village by village: the villages the
        slice holds whole in one query, the (at most two) it cuts in one each."""
        wanted: list[tuple[int, int, int]] = []
        offset = 0
        for vid in self.chosen:
            size = self.village_counts[vid]
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                wanted.append((vid, low, high))
            offset += size
            if offset >= stop:
                break
        whole = [vid for vid, low, high in wanted
                 if low == 0 and high == self.village_counts[vid]]
        stored = _stored(whole, self.span, self.kind, self.follow, None) if whole else {}
        for vid, _low, high in wanted:
            if vid not in stored:
                stored.update(_stored([vid], self.span, self.kind, self.follow, high))
        lines: list[Line] = []
        for vid, low, high in wanted:
            mine = [line for line in self.follow.values() if line.village_id == vid
                    and (self.kind is None or self.kind in line.kinds)]
            lines.extend(sorted(mine + stored.get(vid, []), key=_key)[low:high])
        return lines


def _refresh_stale(villages: list[Place], today: date) -> None:
    by_office: dict[int, list[int]] = {}
    for village in villages:
        by_office.setdefault(village.office_id, []).append(village.pk)
    for office_id, village_ids in by_office.items():
        try:
            with transaction.atomic():
                bring_up_to(office_id, village_ids, today)
        except IntegrityError:
            pass  # another request refreshed them at the same time


def _span_fields(span: str) -> tuple[str, str, str, str]:
    if span == "today":
        return "score_today", "kinds_today", "reasons_today", "collect_today"
    return "score", "kinds", "reasons", "collect"


def _rows(span: str) -> QuerySet[Priority]:
    score = _span_fields(span)[0]
    rows = Priority.objects.all()
    return rows.filter(score_today__isnull=False) if score == "score_today" else rows


def _with_reasons(line: Line, participation_id: int | None, collect: bool,
                  reasons: list[list[Any]]) -> Line:
    """``line`` with a stored row's reasons (its participation, whether it collects)."""
    line.participation_id = participation_id
    line.collect = collect
    for points, kind, code, params in reasons:
        line.add(kind, points, code, **params)
    return line


def _key(line: Line) -> tuple[int, int]:
    return -line.score, line.person_id


def read(user: User, today: date, span: str = "today", *, viewer: User | None = None,
         village_id: int | None = None, kind: str | None = None) -> Listing:
    """``user``'s worklist (as ``viewer`` may see it), narrowed to a village and a kind of
    reason: villages in the order of their most urgent line, lines by score within a village.
    A fixed number of index reads, whatever the size of the territory."""
    from . import worklist

    end = worklist.span_end(today, span)
    # the territory's villages, each with its lines, lines of each kind and best score (kept
    # by every refresh) in the same read; a village not computed today (the nightly run
    # missed, a register just seeded) is now
    rows = worklist.villages_for(user, viewer, today).order_by(*worklist.PLACE_ORDER).values_list(
        *worklist.PLACE_FIELDS, "priority_refresh__as_of", "priority_refresh__counts")
    villages = {row[0]: worklist.Place(*row[:-2]) for row in rows}
    summaries = {row[0]: (row[-2], row[-1]) for row in rows if row[-2] is not None}
    village_id = village_id if village_id in villages else None  # another territory's: ignored
    stale = [v for vid, v in villages.items() if summaries.get(vid, (None,))[0] != today]
    if stale:
        _refresh_stale(stale, today)
        summaries.update({vid: (as_of, counts) for vid, as_of, counts in
                          PriorityRefresh.objects.filter(village_id__in=[v.pk for v in stale])
                          .values_list("village_id", "as_of", "counts")})
    counts: dict[int, dict[str, int]] = {}
    top: dict[int, int] = {}
    for vid, (_as_of, summary) in summaries.items():
        if summary[span]["all"]:
            agg = dict(summary[span])
            top[vid] = agg.pop("top")
            counts[vid] = {**agg, "follow_up": 0}
    # follow-ups: live, few; with the stored reasons of the same persons after them
    follow: dict[int, Line] = {}
    worklist._follow_ups(user, today, end, villages.keys(), follow)
    with_rows: set[int] = set()
    if follow:
        _s, _k, reasons, collect = _span_fields(span)
        for pid, participation_id, *stored in (
                _rows(span).filter(person_id__in=list(follow), village_id__in=list(villages))
                .values_list("person_id", "participation_id", collect, reasons)):
            _with_reasons(follow[pid], participation_id, *stored)
            with_rows.add(pid)
    for pid, line in follow.items():
        village = counts.setdefault(line.village_id, {**_empty(), "follow_up": 0})
        village["follow_up"] += 1
        village["all"] += pid not in with_rows
        top[line.village_id] = max(top.get(line.village_id, line.score), line.score)
    order = sorted((vid for vid in counts if vid in villages and counts[vid]["all"]),
                   key=lambda vid: (-top[vid], villages[vid].code))
    chosen = [vid for vid in order if village_id is None or vid == village_id]
    kind_key = kind or "all"
    village_counts = {vid: counts[vid][kind_key] for vid in order}
    return Listing(
        span=span, kind=kind, shown=sum(village_counts[vid] for vid in chosen),
        total=sum(counts[vid]["all"] for vid in order),
        in_village=sum(counts[vid]["all"] for vid in chosen),
        kind_counts={k: sum(counts[vid][k] for vid in chosen) for k in worklist.KINDS},
        village_counts=village_counts, villages=villages, chosen=chosen, follow=follow)


def _stored(village_ids: list[int], span: str, kind: str | None, follow: dict[int, Line],
            limit: int | None) -> dict[int, list[Line]]:
    """The stored lines of ``village_ids`` but the follow-up persons', best first; ``limit``
    (one village) reads that many through the (village, score desc, person) index."""
    from .worklist import Line

    if kind == "follow_up":
        return {}
    score, kinds_field, reasons, collect = _span_fields(span)
    rows = _rows(span).filter(village_id__in=village_ids).exclude(person_id__in=list(follow))
    if kind:
        rows = rows.filter(**{f"{kinds_field}__contains": f",{kind},"})
    # plain values, not model instances: a page reads 25 of them per request
    values = rows.order_by("village_id", f"-{score}", "person_id").values_list(
        "village_id", "person_id", "person__full_name", "person__phone", "person__birth_date",
        "participation_id", collect, reasons)
    found: dict[int, list[Line]] = {vid: [] for vid in village_ids}
    for vid, pid, name, phone, born, *stored in values if limit is None else values[:limit]:
        found[vid].append(_with_reasons(Line(pid, name, vid, phone, born.year), *stored))
    return found


def lines_for(user: User, today: date, span: str = "today", *, village_id: int | None = None,
              start: int = 0, stop: int = 500) -> list[Line]:
    """A slice of the list in its order (the API's and the field pages' download)."""
    return read(user, today, span, village_id=village_id).between(start, stop)
