"""The agent's worklist for today or this week: whom to see, why, and in which village.

Four sources, each one query (the payment states of the participants take a few more):

- follow-ups the user owns that fall due by the end of the span (or are overdue);
- participants in the user's villages who are late or paused (their payment state,
  `collection.payment_state`, as the lapse list says), with months due by the end of the span
  or awaiting their first payment, and participants who were late before (lapse risk);
- prospects in the user's villages whom nobody has ever contacted (the best first);
- people the register shows as recently out of compulsory SI (from the register's audit trail)
  or recently paid a lump sum: they may be tempted by the lump sum, or ready to rejoin.

Every line carries its reasons with the points each adds; the score is their sum, so the order
is explained on the page. A person found by several sources is one line with all the reasons.
Points are a working convention of the office, not law; they live in `POINTS`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.collection.payment_state import PaymentState, next_change, payment_states
from ansinh.core.models import AuditEntry, User
from ansinh.core.scoping import visible_villages
from ansinh.participation.models import Participation, Status
from ansinh.registry.models import HouseholdPoverty, Person, PovertyStatus, SIStatus, Village
from ansinh.registry.prospects import prospect_q
from ansinh.registry.reference import KINH

from .models import Contact, Outcome, settings_for

POINTS = {
    "follow_up": 50,
    "follow_up_today": 10,
    "follow_up_overdue_per_day": 2,
    "follow_up_overdue_max": 30,
    "follow_up_interested": 10,
    "late": 40,
    "late_per_month": 5,
    "late_max": 30,
    "paused": 35,
    "due": 30,
    "due_soon": 10,
    "was_late_per_time": 5,
    "was_late_max": 20,
    "left_compulsory": 30,
    "after_lump_sum": 20,
    "never_visited": 10,
    "poor": 10,
    "ethnic_minority": 5,
}
NEVER_VISITED_LIMIT = {"today": 20, "week": 60}
# how many days before a deadline a line changes by itself: it enters the week's list (6), it
# is due in under 3 days (3), it enters today's list (0)
DEADLINE_LEADS = (6, 3, 0)
SPANS = ("today", "week")
# the kinds of reason a line has, in the order of the page's chips
KINDS = ("follow_up", "late", "due", "risk", "never_visited")


@dataclass
class Line:
    person_id: int
    name: str
    village_id: int
    phone: str
    birth_year: int
    kinds: set[str] = field(default_factory=set)
    # the reasons as stored data: [points, kind, code, params] (`reasons` renders them)
    codes: list[list[Any]] = field(default_factory=list)
    contact_id: int | None = None
    participation_id: int | None = None
    # months are owed and the participation takes a receipt (awaiting, active or late; a paused
    # one must resume first): the line offers "Thu tiền"
    collect: bool = False

    score: int = 0
    # the line's links, set by the page that shows it (`with_links`)
    person_url: str = ""
    contact_url: str = ""

    @property
    def reasons(self) -> list[tuple[int, str]]:
        """(points, text) in the active language: rendered when shown, so a list of
        thousands of lines translates only the page it shows."""
        return [(points, reason_text(code, params)) for points, _k, code, params in self.codes]

    def add(self, kind: str, points: int, code: str, **params: Any) -> None:
        self.kinds.add(kind)
        self.codes.append([points, kind, code, params])
        self.score += points


def _day(iso: str | None, pattern: str = "%d/%m/%Y") -> str:
    return date.fromisoformat(iso).strftime(pattern) if iso else "—"


def reason_text(code: str, params: dict[str, Any]) -> str:
    """The text of a reason in the active language: lines are stored as codes and parameters
    (`priority.Priority.reasons`), and translated when a page shows them."""
    n = params.get("n", 0)
    day = params.get("day")
    if code == "follow_up_on":
        return _("Hẹn gặp lại ngày %(day)s") % {"day": _day(day, "%d/%m")}
    if code == "follow_up_overdue":
        return ngettext("Quá hẹn %(n)d ngày", "Quá hẹn %(n)d ngày", n) % {"n": n}
    if code == "follow_up_today":
        return _("Hẹn gặp lại hôm nay")
    if code == "follow_up_on_time":
        return _("Đúng hẹn hôm nay")
    if code == "follow_up_interested":
        return _("Lần trước đã quan tâm")
    if code == "paused":
        return _("Tạm dừng đóng")
    if code == "late":
        return ngettext("Chậm đóng %(n)d tháng (hạn %(day)s)",
                        "Chậm đóng %(n)d tháng (hạn %(day)s)", n) % {"n": n, "day": _day(day)}
    if code == "months_owed":
        return _("Số tháng nợ")
    if code == "first_payment_missed":
        return _("Chưa đóng lần đầu, hạn %(day)s") % {"day": _day(day)}
    if code == "first_payment_due":
        return ngettext("Chờ đóng lần đầu %(n)d tháng, hạn %(day)s",
                        "Chờ đóng lần đầu %(n)d tháng, hạn %(day)s", n) % {
                            "n": n, "day": _day(day)}
    if code == "due":
        return ngettext("Đến hạn đóng %(n)d tháng, hạn %(day)s",
                        "Đến hạn đóng %(n)d tháng, hạn %(day)s", n) % {"n": n, "day": _day(day)}
    if code == "due_soon":
        return _("Còn dưới 3 ngày")
    if code == "was_late":
        return ngettext("Đã từng chậm đóng %(n)d lần", "Đã từng chậm đóng %(n)d lần", n) % {
            "n": n}
    if code == "left_compulsory":
        return (_("Mới rời BHXH bắt buộc (%(day)s): dễ bị lôi kéo rút một lần")
                % {"day": _day(day)})
    if code == "after_lump_sum":
        return (_("Đã rút BHXH một lần ngày %(day)s: vận động tham gia lại")
                % {"day": _day(day)})
    if code == "never_visited":
        return _("Chưa ai đến thăm")
    if code == "poor":
        return _("Hộ nghèo, cận nghèo: được Nhà nước hỗ trợ nhiều nhất")
    if code == "ethnic_minority":
        return _("Người dân tộc thiểu số: được hỗ trợ tiền đóng")
    raise ValueError(f"unknown worklist reason {code!r}")


@dataclass(frozen=True, slots=True)
class Place:
    """A village as a worklist shows it, read as plain values: a territory has hundreds, and
    the page reads them all for its chooser."""

    pk: int
    code: str
    name: str
    commune_code: str
    commune_name: str
    office_id: int


PLACE_FIELDS = ("id", "code", "name", "commune__code", "commune__name", "commune__office_id")
PLACE_ORDER = ("commune__code", "name")  # the chooser's


def places(villages: QuerySet[Village]) -> dict[int, Place]:
    """``villages`` by id, in the chooser's order (commune, then name)."""
    return {row[0]: Place(*row)
            for row in villages.order_by(*PLACE_ORDER).values_list(*PLACE_FIELDS)}


@dataclass
class Group:
    village: Place
    lines: list[Line]

    @property
    def score(self) -> int:
        return sum(line.score for line in self.lines)


@dataclass
class Worklist:
    user: User
    today: date
    span: str
    end: date
    groups: list[Group]
    never_visited_total: int
    counts: dict[str, int]

    @property
    def lines(self) -> int:
        return sum(len(group.lines) for group in self.groups)

    def all_lines(self) -> list[Line]:
        """Every line, village by village in the page's order."""
        return [line for group in self.groups for line in group.lines]


def select(lines: list[Line], *, village_id: int | None = None, kind: str | None = None,
           ) -> list[Line]:
    """The lines of one village and/or one kind of reason, in their order."""
    return [line for line in lines
            if (village_id is None or line.village_id == village_id)
            and (kind is None or kind in line.kinds)]


def with_links(lines: list[Line]) -> list[Line]:
    """Give each line its person's and its contact form's link: one `reverse` per kind of
    link, the person put in its place (a page of lines would otherwise reverse two a line)."""
    marker = 987654321
    person = reverse("registry:person_detail", args=[marker])
    contact = reverse("outreach:contact_new", args=[marker])
    for line in lines:
        line.person_url = person.replace(str(marker), str(line.person_id))
        line.contact_url = contact.replace(str(marker), str(line.person_id))
    return lines


def regroup(lines: list[Line], villages: dict[int, Place]) -> list[Group]:
    """Consecutive lines of the same village as one group (a page of the filtered list)."""
    groups: list[Group] = []
    for line in lines:
        if not groups or groups[-1].village.pk != line.village_id:
            groups.append(Group(villages[line.village_id], []))
        groups[-1].lines.append(line)
    return groups


def _lines_for(persons: QuerySet[Person], lines: dict[int, Line]) -> None:
    """Add a Line for every person of ``persons`` not yet in ``lines`` (one query)."""
    for pid, name, village_id, phone, birth in persons.values_list(
        "id", "full_name", "village_id", "phone", "birth_date"
    ):
        if pid not in lines:
            lines[pid] = Line(pid, name, village_id, phone, birth.year)


def _only(queryset: QuerySet[Any], person_ids: Collection[Any] | None,
          field_name: str = "person_id") -> QuerySet[Any]:
    """``queryset`` narrowed to ``person_ids`` (None: everyone)."""
    return queryset if person_ids is None else queryset.filter(**{f"{field_name}__in": person_ids})


def open_follow_ups(user: User, end: date, villages: QuerySet[Village] | None,
                    ) -> QuerySet[Contact]:
    """The follow-ups ``user`` owns in ``villages`` (None: anywhere) due by ``end`` (or
    overdue): a live read through `contact_followup_idx`, never precomputed (they are few per
    user)."""
    found = Contact.objects.filter(owner=user, follow_up_done=False,
                                   next_follow_up_on__lte=end)
    return found if villages is None else found.filter(village__in=villages)


def _follow_ups(user: User, today: date, end: date,
                villages: QuerySet[Village] | Collection[int], lines: dict[int, Line]) -> int:
    """The follow-up lines into ``lines``; ``villages`` as ids (a page that has read them)
    keeps the user's few follow-ups in Python, not by a subquery to compile. The persons come
    in the same read (a line is in the person's village, the follow-up in the contact's)."""
    in_sql = villages if isinstance(villages, QuerySet) else None
    rows = [row for row in open_follow_ups(user, end, in_sql)
            .filter(person__merged_into__isnull=True).order_by("next_follow_up_on")
            .values_list("id", "next_follow_up_on", "outcome", "village_id", "person_id",
                         "person__full_name", "person__village_id", "person__phone",
                         "person__birth_date")
            if in_sql is not None or row[3] in villages]
    for contact_id, due, outcome, _village, pid, name, village_id, phone, born in rows:
        if pid not in lines:
            lines[pid] = Line(pid, name, village_id, phone, born.year)
        add_follow_up(lines[pid], contact_id, due, outcome, today)
    return len(rows)


def add_follow_up(line: Line, contact_id: int, due: date | None, outcome: str,
                  today: date) -> None:
    """The reasons of one open follow-up due on ``due``, on ``today``."""
    line.contact_id = line.contact_id or contact_id
    assert due is not None  # filtered on next_follow_up_on__lte
    if due < today:
        days = (today - due).days
        line.add("follow_up", POINTS["follow_up"], "follow_up_on", day=due.isoformat())
        line.add("follow_up", min(days * POINTS["follow_up_overdue_per_day"],
                                  POINTS["follow_up_overdue_max"]), "follow_up_overdue", n=days)
    elif due == today:
        line.add("follow_up", POINTS["follow_up"], "follow_up_today")
        line.add("follow_up", POINTS["follow_up_today"], "follow_up_on_time")
    else:
        line.add("follow_up", POINTS["follow_up"], "follow_up_on", day=due.isoformat())
    if outcome in (Outcome.INTERESTED, Outcome.FOLLOW_UP):
        line.add("follow_up", POINTS["follow_up_interested"], "follow_up_interested")


Found = list[tuple[int, str, str, dict[str, Any]]]


@dataclass
class Rechecks:
    """Per person, the first day their village-based lines may differ with no write in
    between (a deadline nears, a window closes, an age is reached), and the village they
    were computed in: the nightly recomputes only those persons (`priority`)."""

    on: dict[int, date] = field(default_factory=dict)
    village: dict[int, int] = field(default_factory=dict)

    def add(self, person_id: int, village_id: int, on: date | None) -> None:
        if on is not None and (person_id not in self.on or on < self.on[person_id]):
            self.on[person_id] = on
            self.village[person_id] = village_id


def _recheck(rechecks: Rechecks | None, person_id: int, village_id: int, on: date | None,
             ) -> None:
    if rechecks is not None:
        rechecks.add(person_id, village_id, on)


def _participant_reasons(state: PaymentState, times_late: int, today: date, end: date,
                         ) -> Found:
    """The reasons a participant in ``state`` is on the list for the span ending ``end``."""
    found: Found = []
    current = state.dues
    if state.state == Status.PAUSED:
        found.append((POINTS["paused"], "late", "paused", {}))
    elif state.state == Status.LATE:
        first = state.missed
        found.append((POINTS["late"], "late", "late", {
            "n": state.months_behind, "day": first.isoformat() if first else None}))
        found.append((min(state.months_behind * POINTS["late_per_month"], POINTS["late_max"]),
                      "late", "months_owed", {}))
    elif state.state == Status.AWAITING and state.missed is not None:
        found.append((POINTS["due"], "due", "first_payment_missed",
                      {"day": state.missed.isoformat()}))
    else:
        deadline = current.next_deadline
        if current.due and deadline is not None and deadline <= end:
            code = "first_payment_due" if state.state == Status.AWAITING else "due"
            found.append((POINTS["due"], "due", code,
                          {"n": len(current.due_months), "day": deadline.isoformat()}))
            if (deadline - today).days <= 3:
                found.append((POINTS["due_soon"], "due", "due_soon", {}))
    if times_late and (found or times_late >= 2):
        found.append((min(times_late * POINTS["was_late_per_time"], POINTS["was_late_max"]),
                      "risk", "was_late", {"n": times_late}))
    return found


def _participants(today: date, ends: dict[str, date], villages: QuerySet[Village],
                  lines: dict[str, dict[int, Line]], person_ids: Collection[int] | None = None,
                  rechecks: Rechecks | None = None) -> tuple[int, int]:
    """The late, paused and due participants, for each span of ``ends`` into its ``lines``;
    the counts (late, due) are those of the first span."""
    participations = list(_only(
        Participation.objects.filter(village__in=villages).exclude(status=Status.STOPPED)
        .annotate(times_late=Count("status_changes",
                                   filter=Q(status_changes__new_status=Status.LATE)))
        .only("id", "person_id", "status", "office_id", "village_id"), person_ids))
    if not participations:
        return 0, 0
    # the one definition of a payment state (collection.payment_state), as the lapse list
    states = payment_states(participations, today)
    by_person = {p.person_id: p.pk for p in participations}
    if rechecks is not None:
        for participation in participations:
            _recheck(rechecks, participation.person_id, participation.village_id,
                     next_change(states[participation.pk], DEADLINE_LEADS))
    counts: list[tuple[int, int]] = []
    for span, end in ends.items():
        wanted: dict[int, Found] = {}
        collect: set[int] = set()
        late_count = due_count = 0
        for participation in participations:
            state = states[participation.pk]
            found = _participant_reasons(state, participation.times_late, today, end)
            if found:
                wanted[participation.person_id] = found
                if state.state != Status.PAUSED and any(
                        kind in ("late", "due") for _p, kind, _c, _a in found):
                    collect.add(participation.person_id)
                late_count += any(kind == "late" for _p, kind, _c, _a in found)
                due_count += any(kind == "due" for _p, kind, _c, _a in found)
        span_lines = lines[span]
        _lines_for(Person.objects.filter(id__in=wanted), span_lines)
        for pid, found in wanted.items():
            line = span_lines[pid]
            line.participation_id = by_person[pid]
            line.collect = pid in collect
            for points, kind, code, params in found:
                line.add(kind, points, code, **params)
        counts.append((late_count, due_count))
    return counts[0]


def _at_risk(office_id: int | None, today: date, villages: QuerySet[Village],
             lines: dict[int, Line], person_ids: Collection[int] | None = None,
             rechecks: Rechecks | None = None) -> int:
    if office_id is None:
        return 0
    days = settings_for(office_id).recent_compulsory_days
    since = today - timedelta(days=days)
    left = _only(AuditEntry.objects.filter(
        office_id=office_id, model="registry.Person", action="person.update",
        at__date__gte=since, changes__si_status__0=SIStatus.COMPULSORY,
    ), None if person_ids is None else [str(pid) for pid in person_ids], "object_id"
    ).values_list("object_id", "at")
    left_on: dict[int, date] = {}
    for object_id, at in left:
        left_on[int(object_id)] = max(left_on.get(int(object_id), at.date()), at.date())
    recent_left = Person.objects.filter(id__in=left_on, village__in=villages).exclude(
        si_status__in=(SIStatus.COMPULSORY, SIStatus.VOLUNTARY, SIStatus.DECEASED,
                       SIStatus.MOVED, SIStatus.PENSIONER))
    recent_left = recent_left.exclude(
        Exists(Participation.objects.filter(person=OuterRef("pk")).exclude(
            status=Status.STOPPED)))
    payout = _only(Person.objects.filter(village__in=villages, si_status=SIStatus.LUMP_SUM,
                                         si_status_as_of__gte=since, si_status_as_of__lte=today),
                   person_ids, "id")
    count = 0
    _lines_for(recent_left, lines)
    for pid in recent_left.values_list("id", flat=True):
        lines[pid].add("risk", POINTS["left_compulsory"], "left_compulsory",
                       day=left_on[pid].isoformat())
        _recheck(rechecks, pid, lines[pid].village_id,  # out of the window
                 left_on[pid] + timedelta(days=days + 1))
        count += 1
    _lines_for(payout, lines)
    for pid, on in payout.values_list("id", "si_status_as_of"):
        lines[pid].add("risk", POINTS["after_lump_sum"], "after_lump_sum", day=on.isoformat())
        _recheck(rechecks, pid, lines[pid].village_id, on + timedelta(days=days + 1))
        count += 1
    if rechecks is not None:  # a lump sum recorded ahead of its date enters on that date
        for pid, village_id, on in _only(Person.objects.filter(
                village__in=villages, si_status=SIStatus.LUMP_SUM, si_status_as_of__gt=today),
                person_ids, "id").values_list("id", "village_id", "si_status_as_of"):
            _recheck(rechecks, pid, village_id, on)
    return count


def never_visited(villages: QuerySet[Village], today: date) -> QuerySet[Person]:
    """Prospects in ``villages`` nobody has contacted and who never enrolled, best first."""
    poor = Exists(HouseholdPoverty.objects.filter(
        household=OuterRef("household"), year=today.year,
        status__in=(PovertyStatus.POOR, PovertyStatus.NEAR_POOR)))
    return (
        Person.objects.filter(village__in=villages).filter(prospect_q(today))
        .exclude(Exists(Contact.objects.filter(person=OuterRef("pk"))))
        .exclude(Exists(Participation.objects.filter(person=OuterRef("pk"))))
        .annotate(
            is_poor=poor,
            points=Coalesce(Value(POINTS["never_visited"])
                            + _when(poor, POINTS["poor"])
                            + _when(~Q(ethnicity=KINH), POINTS["ethnic_minority"]),
                            Value(0), output_field=IntegerField()),
        )
        .order_by("-points", "village_id", "name_folded", "id")
    )


def _when(condition: Q | Exists, points: int) -> Case:
    return Case(When(condition, then=Value(points)), default=Value(0),
                output_field=IntegerField())


def _never_visited(villages: QuerySet[Village], today: date, limit: int | None,
                   lines: dict[int, Line], person_ids: Collection[int] | None = None) -> int:
    persons = _only(never_visited(villages, today), person_ids, "id")
    total = persons.count() if limit is not None else 0
    columns = ("id", "full_name", "village_id", "phone", "birth_date", "is_poor", "ethnicity")
    rows = persons.values_list(*columns)
    for pid, name, village_id, phone, birth, is_poor, ethnicity in (
            rows if limit is None else rows[:limit]):
        line = lines.setdefault(pid, Line(pid, name, village_id, phone, birth.year))
        line.add("never_visited", POINTS["never_visited"], "never_visited")
        if is_poor:
            line.add("never_visited", POINTS["poor"], "poor")
        if ethnicity != KINH:
            line.add("never_visited", POINTS["ethnic_minority"], "ethnic_minority")
        total += limit is None
    return total


def villages_for(user: User, viewer: User | None, today: date) -> QuerySet[Village]:
    """The villages of ``user``'s worklist, within what ``viewer`` (default: the user) sees."""
    villages = visible_villages(user, today)
    if viewer is not None and viewer.pk != user.pk:
        villages = villages.filter(id__in=visible_villages(viewer, today).values("id"))
    return villages


def span_end(today: date, span: str) -> date:
    return today if span == "today" else today + timedelta(days=6)


def village_based(office_id: int | None, today: date, villages: QuerySet[Village],
                  person_ids: Collection[int] | None = None, rechecks: Rechecks | None = None,
                  ) -> dict[str, dict[int, Line]]:
    """Every village-based line (all but follow-ups) of ``villages`` for each span, with no
    limit on the never-visited: what `priority` stores, computed live. ``person_ids``
    narrows it to those persons (the refresh after a write). ``rechecks``, when given, receives
    the first day each person's lines may change by themselves (with or without a line
    today), but for the ages a prospect enters or leaves at, which the nightly finds by birth
    date (`priority._carry`): a later day's lines of everyone else are these."""
    lines: dict[str, dict[int, Line]] = {span: {} for span in SPANS}
    _participants(today, {span: span_end(today, span) for span in SPANS}, villages, lines,
                  person_ids, rechecks)
    common: dict[int, Line] = {}
    _at_risk(office_id, today, villages, common, person_ids, rechecks)
    _never_visited(villages, today, None, common, person_ids)
    for span_lines in lines.values():
        for pid, found in common.items():
            line = span_lines.setdefault(pid, Line(pid, found.name, found.village_id,
                                                   found.phone, found.birth_year))
            for points, kind, code, params in found.codes:
                line.add(kind, points, code, **params)
    return lines


def build(user: User, today: date, span: str = "today", *, viewer: User | None = None,
          never_visited_limit: int | None = None) -> Worklist:
    """The worklist computed live over every participant and prospect of the villages: the
    reference the precomputed one (`priority`) is tested against, and the body of its
    refresh (`village_based`)."""
    end = span_end(today, span)
    villages = villages_for(user, viewer, today)
    lines: dict[int, Line] = {}
    follow_ups = _follow_ups(user, today, end, villages, lines)
    late, due = _participants(today, {span: end}, villages, {span: lines})
    risk = _at_risk(user.office_id, today, villages, lines)
    limit = never_visited_limit if never_visited_limit is not None else NEVER_VISITED_LIMIT[span]
    nv_total = _never_visited(villages, today, limit, lines)
    return _worklist(user, today, span, end, lines, nv_total,
                     {"follow_up": follow_ups, "late": late, "due": due, "risk": risk,
                      "never_visited": nv_total})


def _worklist(user: User, today: date, span: str, end: date, lines: dict[int, Line],
              nv_total: int, counts: dict[str, int]) -> Worklist:
    village_rows = places(Village.objects.filter(
        id__in={line.village_id for line in lines.values()}))
    grouped: dict[int, list[Line]] = {}
    for line in lines.values():
        grouped.setdefault(line.village_id, []).append(line)
    groups = [
        Group(village_rows[vid], sorted(items, key=lambda li: (-li.score, li.name)))
        for vid, items in grouped.items()
    ]
    groups.sort(key=lambda g: (-max(li.score for li in g.lines), g.village.code))
    return Worklist(user, today, span, end, groups, nv_total, counts)
