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
  the week, the windows of the at-risk reasons, a prospect's age, the poverty year) are those
  of the row's ``as_of``; `refresh_office` rewrites an office's rows, a chunk of villages per
  transaction, every night (the django-q2 schedule `NIGHTLY`, or `ansinh refresh-priorities`).
  Writes made through other paths (a bulk import) are picked up there too.
- **Follow-ups** belong to a user, not to a village: they stay a live read (`open_follow_ups`,
  through `contact_followup_idx`) and are merged into the lines they concern when read.

Reasons are stored as data (`[points, kind, code, params]`) and translated when read, in the
language of the page (`worklist.reason_text`). Within a village the lines are ordered by score,
then by person id (the live list breaks ties by name; the id keeps the read on the index).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from ansinh.core.bulk import insert_rows
from ansinh.core.models import Office
from ansinh.participation.models import Participation
from ansinh.registry.models import Person, Village

from .models import Priority, PriorityRefresh

if TYPE_CHECKING:
    from ansinh.core.models import User

    from .worklist import Line

CHUNK_VILLAGES = 20  # villages per transaction of the nightly refresh
BATCH = 2000  # rows per INSERT
Progress = Callable[[str, int, int], None]


# ---------------------------------------------------------------------------------------------
# Writing


def refresh_persons(person_ids: Iterable[int | None], today: date | None = None) -> int:
    """Recompute the rows of ``person_ids`` as of ``today`` (default: the local date); returns
    the number of rows written. Called by the write path inside its transaction."""
    from . import worklist

    ids = sorted({pid for pid in person_ids if pid is not None})
    today = today or timezone.localdate()
    written = 0
    touched: set[int] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        old = Priority.objects.filter(person_id__in=chunk)
        touched.update(old.values_list("village_id", flat=True))
        old.delete()
        by_office: dict[int, list[int]] = {}
        for office_id, village_id, pid in Person.objects.filter(id__in=chunk).values_list(
                "office_id", "village_id", "id"):
            by_office.setdefault(office_id, []).append(pid)
            touched.add(village_id)
        for office_id, pids in by_office.items():
            villages = Village.objects.filter(commune__office_id=office_id)
            written += _store(office_id, today,
                              worklist.village_based(office_id, today, villages, pids))
    # the counts of the villages the rows left or joined; a village computed on another day
    # (a moved clock) is marked stale instead, and computed in full when next read
    current = set(PriorityRefresh.objects.filter(village_id__in=touched, as_of=today)
                  .values_list("village_id", flat=True))
    PriorityRefresh.objects.filter(village_id__in=touched - current).delete()
    if current:
        _summarise(current, today)
    return written


def refresh_participations(participation_ids: Iterable[int], today: date | None = None) -> int:
    """`refresh_persons` for the persons of these participations (the lapse run's)."""
    ids = list(participation_ids)
    if not ids:
        return 0
    return refresh_persons(Participation.objects.filter(id__in=ids)
                           .values_list("person_id", flat=True), today)


def refresh_office(office_id: int, today: date | None = None, *,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Rewrite every row of the office as of ``today``, a chunk of villages per transaction
    (idempotent: run it again and the rows are the same). The nightly job's body."""
    today = today or timezone.localdate()
    village_ids = list(Village.objects.filter(commune__office_id=office_id)
                       .order_by("id").values_list("id", flat=True))
    # rows left behind in villages the office no longer serves
    Priority.objects.filter(office_id=office_id).exclude(village_id__in=village_ids).delete()
    written = 0
    for start in range(0, len(village_ids), CHUNK_VILLAGES):
        written += refresh_villages(office_id, village_ids[start:start + CHUNK_VILLAGES],
                                    today)
        if progress:
            progress("priorities", min(start + CHUNK_VILLAGES, len(village_ids)),
                     len(village_ids))
    return {"office": Office.objects.get(pk=office_id).code, "as_of": today.isoformat(),
            "villages": len(village_ids), "rows": written}


def refresh_villages(office_id: int, village_ids: list[int], today: date) -> int:
    """Rewrite the rows of ``village_ids`` (of one office) as of ``today``, in one
    transaction; returns the rows written."""
    from . import worklist

    with transaction.atomic():
        lines = worklist.village_based(office_id, today, Village.objects.filter(id__in=village_ids))
        Priority.objects.filter(Q(village_id__in=village_ids)
                                | Q(person_id__in=list(lines["week"]))).delete()
        written = _store(office_id, today, lines)
        _summarise(village_ids, today)
        return written


def _summarise(village_ids: Collection[int], today: date) -> None:
    """Count the rows of ``village_ids`` (per span: lines, lines of each kind, the best score)
    into their `PriorityRefresh`, which says they are complete as of ``today``."""
    from .worklist import KINDS

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
    PriorityRefresh.objects.filter(village_id__in=list(village_ids)).delete()
    PriorityRefresh.objects.bulk_create(
        PriorityRefresh(village_id=vid, as_of=today, counts=village, refreshed_at=now)
        for vid, village in counts.items())


def _empty() -> dict[str, int]:
    from .worklist import KINDS

    return {"all": 0, "top": 0, **{k: 0 for k in KINDS if k != "follow_up"}}


def nightly() -> list[dict[str, Any]]:
    """Every office's rows, as of today: what the schedule runs."""
    return [refresh_office(office_id)
            for office_id in Office.objects.order_by("id").values_list("id", flat=True)]


def _kinds(line: Line) -> str:
    return "," + ",".join(sorted(line.kinds)) + ","


PRIORITY_COLUMNS = ("office_id", "village_id", "person_id", "participation_id", "as_of", "score",
                    "kinds", "reasons", "collect", "score_today", "kinds_today",
                    "reasons_today", "collect_today", "refreshed_at")


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
    villages: dict[int, Village]  # the list's villages (with their commune), chooser order
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


def _refresh_stale(villages: list[Village], today: date) -> None:
    by_office: dict[int, list[int]] = {}
    for village in villages:
        by_office.setdefault(village.commune.office_id, []).append(village.pk)
    for office_id, village_ids in by_office.items():
        try:
            with transaction.atomic():
                refresh_villages(office_id, village_ids, today)
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


def _line(row: Priority, span: str, into: Line | None = None) -> Line:
    from .worklist import Line

    _score, _kinds_field, reasons, collect = _span_fields(span)
    if into is None:
        person = row.person
        into = Line(row.person_id, person.full_name, row.village_id, person.phone,
                    person.birth_date.year)
    line = into
    line.participation_id = row.participation_id
    line.collect = getattr(row, collect)
    for points, kind, code, params in getattr(row, reasons):
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
    village_qs = worklist.villages_for(user, viewer, today)
    villages = {v.pk: v for v in village_qs.select_related("commune")
                .order_by("commune__code", "name")}
    village_id = village_id if village_id in villages else None  # another territory's: ignored
    # per village: lines, lines of each kind, the best score (kept by every refresh); a
    # village not computed today (the nightly run missed, a register just seeded) is now
    summaries = {vid: (as_of, counts) for vid, as_of, counts in PriorityRefresh.objects.filter(
        village_id__in=list(villages)).values_list("village_id", "as_of", "counts")}
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
    worklist._follow_ups(user, today, end, village_qs, follow)
    with_rows: set[int] = set()
    if follow:
        _s, _k, reasons, collect = _span_fields(span)
        for row in (_rows(span).filter(person_id__in=list(follow), village_id__in=list(villages))
                    .only("person_id", "village_id", "participation_id", reasons, collect)):
            _line(row, span, follow[row.person_id])
            with_rows.add(row.person_id)
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
    if kind == "follow_up":
        return {}
    score, kinds_field, reasons, collect = _span_fields(span)
    rows = _rows(span).filter(village_id__in=village_ids).exclude(person_id__in=list(follow))
    if kind:
        rows = rows.filter(**{f"{kinds_field}__contains": f",{kind},"})
    rows = (rows.select_related("person")
            .only("person_id", "village_id", "participation_id", reasons, collect,
                  "person__full_name", "person__phone", "person__birth_date")
            .order_by("village_id", f"-{score}", "person_id"))
    found: dict[int, list[Line]] = {vid: [] for vid in village_ids}
    for row in rows if limit is None else rows[:limit]:
        found[row.village_id].append(_line(row, span))
    return found


def lines_for(user: User, today: date, span: str = "today", *, village_id: int | None = None,
              start: int = 0, stop: int = 500) -> list[Line]:
    """A slice of the list in its order (the API's and the field pages' download)."""
    return read(user, today, span, village_id=village_id).between(start, stop)
