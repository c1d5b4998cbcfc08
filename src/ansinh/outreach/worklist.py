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

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.collection.payment_state import payment_states
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
    reasons: list[tuple[int, str]] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    contact_id: int | None = None
    participation_id: int | None = None
    # months are owed and the participation takes a receipt (awaiting, active or late; a paused
    # one must resume first): the line offers "Thu tiền"
    collect: bool = False

    @property
    def score(self) -> int:
        return sum(points for points, _reason in self.reasons)

    def add(self, kind: str, points: int, reason: str) -> None:
        self.kinds.add(kind)
        self.reasons.append((points, reason))


@dataclass
class Group:
    village: Village
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


def regroup(lines: list[Line], villages: dict[int, Village]) -> list[Group]:
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


def _follow_ups(user: User, today: date, end: date, villages: QuerySet[Village],
                lines: dict[int, Line]) -> int:
    rows = list(
        Contact.objects.filter(owner=user, follow_up_done=False, next_follow_up_on__lte=end,
                               village__in=villages)
        .order_by("next_follow_up_on")
        .values_list("id", "person_id", "next_follow_up_on", "outcome")
    )
    _lines_for(Person.objects.filter(id__in={row[1] for row in rows}), lines)
    for contact_id, pid, due, outcome in rows:
        line = lines[pid]
        line.contact_id = line.contact_id or contact_id
        assert due is not None  # filtered on next_follow_up_on__lte
        if due < today:
            days = (today - due).days
            line.add("follow_up", POINTS["follow_up"],
                     _("Hẹn gặp lại ngày %(day)s") % {"day": f"{due:%d/%m}"})
            line.add("follow_up", min(days * POINTS["follow_up_overdue_per_day"],
                                      POINTS["follow_up_overdue_max"]),
                     _("Quá hẹn %(n)d ngày") % {"n": days})
        elif due == today:
            line.add("follow_up", POINTS["follow_up"], _("Hẹn gặp lại hôm nay"))
            line.add("follow_up", POINTS["follow_up_today"], _("Đúng hẹn hôm nay"))
        else:
            line.add("follow_up", POINTS["follow_up"],
                     _("Hẹn gặp lại ngày %(day)s") % {"day": f"{due:%d/%m}"})
        if outcome in (Outcome.INTERESTED, Outcome.FOLLOW_UP):
            line.add("follow_up", POINTS["follow_up_interested"], _("Lần trước đã quan tâm"))
    return len(rows)


def _participants(today: date, end: date, villages: QuerySet[Village],
                  lines: dict[int, Line]) -> tuple[int, int]:
    participations = list(
        Participation.objects.filter(village__in=villages).exclude(status=Status.STOPPED)
        .annotate(times_late=Count("status_changes",
                                   filter=Q(status_changes__new_status=Status.LATE)))
        .only("id", "person_id", "status", "office_id")
    )
    if not participations:
        return 0, 0
    states = payment_states(participations, today)
    wanted: dict[int, list[tuple[int, str, str]]] = {}
    collect: set[int] = set()
    late_count = due_count = 0
    for participation in participations:
        found: list[tuple[int, str, str]] = []
        # the one definition of a payment state (collection.payment_state), as the lapse list
        state = states[participation.pk]
        current = state.dues
        if state.state == Status.PAUSED:
            found.append((POINTS["paused"], "late", _("Tạm dừng đóng")))
        elif state.state == Status.LATE:
            first = state.missed
            found.append((POINTS["late"], "late",
                          ngettext("Chậm đóng %(n)d tháng (hạn %(day)s)",
                                   "Chậm đóng %(n)d tháng (hạn %(day)s)", state.months_behind)
                          % {"n": state.months_behind,
                             "day": f"{first:%d/%m/%Y}" if first else "—"}))
            found.append((min(state.months_behind * POINTS["late_per_month"],
                              POINTS["late_max"]), "late", _("Số tháng nợ")))
        elif state.state == Status.AWAITING and state.missed is not None:
            found.append((POINTS["due"], "due", _("Chưa đóng lần đầu, hạn %(day)s")
                          % {"day": f"{state.missed:%d/%m/%Y}"}))
        else:
            deadline = current.next_deadline
            if current.due and deadline is not None and deadline <= end:
                months = len(current.due_months)
                label = (ngettext("Chờ đóng lần đầu %(n)d tháng, hạn %(day)s",
                                  "Chờ đóng lần đầu %(n)d tháng, hạn %(day)s", months)
                         if state.state == Status.AWAITING
                         else ngettext("Đến hạn đóng %(n)d tháng, hạn %(day)s",
                                       "Đến hạn đóng %(n)d tháng, hạn %(day)s", months))
                found.append((POINTS["due"], "due", label % {
                    "n": months, "day": f"{deadline:%d/%m/%Y}"}))
                if (deadline - today).days <= 3:
                    found.append((POINTS["due_soon"], "due", _("Còn dưới 3 ngày")))
        times_late = participation.times_late
        if times_late and (found or times_late >= 2):
            found.append((min(times_late * POINTS["was_late_per_time"], POINTS["was_late_max"]),
                          "risk", _("Đã từng chậm đóng %(n)d lần") % {"n": times_late}))
        if found:
            wanted[participation.person_id] = found
            if state.state != Status.PAUSED and any(k in ("late", "due") for _p, k, _r in found):
                collect.add(participation.person_id)
            late_count += any(kind == "late" for _p, kind, _r in found)
            due_count += any(kind == "due" for _p, kind, _r in found)
    _lines_for(Person.objects.filter(id__in=wanted), lines)
    by_person = {p.person_id: p.pk for p in participations}
    for pid, found in wanted.items():
        line = lines[pid]
        line.participation_id = by_person[pid]
        line.collect = pid in collect
        for points, kind, reason in found:
            line.add(kind, points, reason)
    return late_count, due_count


def _at_risk(office_id: int | None, today: date, villages: QuerySet[Village],
             lines: dict[int, Line]) -> int:
    if office_id is None:
        return 0
    days = settings_for(office_id).recent_compulsory_days
    since = today - timedelta(days=days)
    left = AuditEntry.objects.filter(
        office_id=office_id, model="registry.Person", action="person.update",
        at__date__gte=since, changes__si_status__0=SIStatus.COMPULSORY,
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
    payout = Person.objects.filter(village__in=villages, si_status=SIStatus.LUMP_SUM,
                                   si_status_as_of__gte=since, si_status_as_of__lte=today)
    count = 0
    _lines_for(recent_left, lines)
    for pid in recent_left.values_list("id", flat=True):
        lines[pid].add("risk", POINTS["left_compulsory"],
                       _("Mới rời BHXH bắt buộc (%(day)s): dễ bị lôi kéo rút một lần")
                       % {"day": f"{left_on[pid]:%d/%m/%Y}"})
        count += 1
    _lines_for(payout, lines)
    for pid, on in payout.values_list("id", "si_status_as_of"):
        lines[pid].add("risk", POINTS["after_lump_sum"],
                       _("Đã rút BHXH một lần ngày %(day)s: vận động tham gia lại")
                       % {"day": f"{on:%d/%m/%Y}"})
        count += 1
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


def _never_visited(villages: QuerySet[Village], today: date, limit: int,
                   lines: dict[int, Line]) -> int:
    persons = never_visited(villages, today)
    total = persons.count()
    columns = ("id", "full_name", "village_id", "phone", "birth_date", "is_poor", "ethnicity")
    for pid, name, village_id, phone, birth, is_poor, ethnicity in persons.values_list(
        *columns)[:limit]:
        line = lines.setdefault(pid, Line(pid, name, village_id, phone, birth.year))
        line.add("never_visited", POINTS["never_visited"], _("Chưa ai đến thăm"))
        if is_poor:
            line.add("never_visited", POINTS["poor"],
                     _("Hộ nghèo, cận nghèo: được Nhà nước hỗ trợ nhiều nhất"))
        if ethnicity != KINH:
            line.add("never_visited", POINTS["ethnic_minority"],
                     _("Người dân tộc thiểu số: được hỗ trợ tiền đóng"))
    return total


def villages_for(user: User, viewer: User | None, today: date) -> QuerySet[Village]:
    """The villages of ``user``'s worklist, within what ``viewer`` (default: the user) sees."""
    villages = visible_villages(user, today)
    if viewer is not None and viewer.pk != user.pk:
        villages = villages.filter(id__in=visible_villages(viewer, today).values("id"))
    return villages


def build(user: User, today: date, span: str = "today", *, viewer: User | None = None,
          never_visited_limit: int | None = None) -> Worklist:
    end = today if span == "today" else today + timedelta(days=6)
    villages = villages_for(user, viewer, today)
    lines: dict[int, Line] = {}
    follow_ups = _follow_ups(user, today, end, villages, lines)
    late, due = _participants(today, end, villages, lines)
    risk = _at_risk(user.office_id, today, villages, lines)
    limit = never_visited_limit if never_visited_limit is not None else NEVER_VISITED_LIMIT[span]
    nv_total = _never_visited(villages, today, limit, lines)
    village_rows = {v.pk: v for v in Village.objects.filter(
        id__in={line.village_id for line in lines.values()}).select_related("commune")}
    grouped: dict[int, list[Line]] = {}
    for line in lines.values():
        grouped.setdefault(line.village_id, []).append(line)
    groups = [
        Group(village_rows[vid], sorted(items, key=lambda li: (-li.score, li.name)))
        for vid, items in grouped.items()
    ]
    groups.sort(key=lambda g: (-max(li.score for li in g.lines), g.village.code))
    return Worklist(user, today, span, end, groups, nv_total,
                    {"follow_up": follow_ups, "late": late, "due": due, "risk": risk,
                     "never_visited": nv_total})

