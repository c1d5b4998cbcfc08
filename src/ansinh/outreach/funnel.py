"""The outreach funnel: events and contacts › interested › enrolled › first payment › still paying
at 12 months, by channel, event type, village, agent, month or event; cost per enrolment.

Attribution: a participation counts for a contact when the person enrolled (``enrolled_on``) on
the day of the contact or within the office's attribution window after it (90 days unless the
office chose otherwise). A person met twice (at a conference, then at home) counts for both, so
the groups of one breakdown may add up to more than the total; the total counts each person
once.

Each figure is one aggregate query over the contacts (attributed participations are correlated
subqueries on the participation's person index); events and their costs are a second query.
"Still paying at 12 months" is a month paid 12 months or more after the start month, counted
among participations enrolled at least 365 days before the report date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.collection.models import PaidMonth
from ansinh.core.models import User
from ansinh.participation.models import Participation
from ansinh.registry.models import Village

from .models import INTERESTED_OUTCOMES, Channel, Contact, Event, EventKind

DIMENSIONS = {
    "channel": gettext_lazy("Hình thức tiếp xúc"),
    "kind": gettext_lazy("Loại buổi tuyên truyền"),
    "village": gettext_lazy("Thôn"),
    "agent": gettext_lazy("Người vận động"),
    "month": gettext_lazy("Tháng"),
    "event": gettext_lazy("Buổi tuyên truyền"),
}
_CONTACT_KEY: dict[str, Any] = {
    "channel": F("channel"), "kind": F("event__kind"), "village": F("village_id"),
    "agent": F("by_id"), "month": TruncMonth("on"), "event": F("event_id"),
}
_EVENT_KEY: dict[str, Any] = {
    "channel": None, "kind": F("kind"), "village": F("village_id"), "agent": None,
    "month": TruncMonth("held_on"), "event": F("id"),
}
YEAR = 365  # days; see still_paying_after()


@dataclass
class Row:
    key: Any
    label: str
    events: int = 0
    leaflets: int = 0
    cost: int = 0
    contacts: int = 0
    people: int = 0
    interested: int = 0
    enrolled: int = 0
    first_paid: int = 0
    due12: int = 0
    kept12: int = 0

    @property
    def cost_per_enrolment(self) -> int | None:
        return round(self.cost / self.enrolled) if self.cost and self.enrolled else None

    def share(self, part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def kept12_share(self) -> float | None:
        return self.share(self.kept12, self.due12)


def with_still_paying(participations: QuerySet[Participation], years: int,
                      name: str) -> QuerySet[Participation]:
    """``participations`` annotated with ``name``: a month paid ``years`` × 12 months or more
    after the start month. Adding 365 × years days to the first of a month lands on the first of
    the month 12 × years later or the last day of the month before, so "month ≥ that day" is
    exactly "the month 12 × years later or any after"."""
    threshold = f"_paid_after_{years}"
    return participations.annotate(**{
        threshold: Cast(F("start_month") + timedelta(days=YEAR * years),
                        output_field=DateField()),
    }).annotate(**{name: Exists(PaidMonth.objects.filter(
        participation=OuterRef("pk"), released_by__isnull=True, month__gte=OuterRef(threshold),
    ))})


def attributed(contacts: QuerySet[Contact], window_days: int, as_of: date) -> QuerySet[Contact]:
    """``contacts`` with the participations they led to: ``enrolled_pid``, ``paid_pid`` (with a
    paid month), ``due12_pid`` (enrolled at least a year before ``as_of``), ``kept12_pid``."""
    window_end = Cast(F("on") + timedelta(days=window_days), output_field=DateField())
    candidates = Participation.objects.filter(
        person=OuterRef("person"), enrolled_on__gte=OuterRef("on"),
        enrolled_on__lte=OuterRef("window_end"),
    )
    first = candidates.order_by("enrolled_on", "id").values("id")[:1]
    paid = candidates.filter(Exists(PaidMonth.objects.filter(
        participation=OuterRef("pk"), released_by__isnull=True)))
    due12 = candidates.filter(enrolled_on__lte=as_of - timedelta(days=YEAR))
    kept12 = with_still_paying(due12, 1, "kept_1").filter(**{"kept_1": True})
    return contacts.annotate(window_end=window_end).annotate(
        enrolled_pid=Subquery(first),
        paid_pid=Subquery(paid.order_by("enrolled_on", "id").values("id")[:1]),
        due12_pid=Subquery(due12.order_by("enrolled_on", "id").values("id")[:1]),
        kept12_pid=Subquery(kept12.order_by("enrolled_on", "id").values("id")[:1]),
    )


_FIGURES = {
    "contacts": Count("id"),
    "people": Count("person", distinct=True),
    "interested": Count("person", distinct=True, filter=Q(outcome__in=INTERESTED_OUTCOMES)),
    "enrolled": Count("enrolled_pid", distinct=True),
    "first_paid": Count("paid_pid", distinct=True),
    "due12": Count("due12_pid", distinct=True),
    "kept12": Count("kept12_pid", distinct=True),
}


def _labels(by: str, keys: set[Any]) -> dict[Any, str]:
    if by == "channel":
        return {k: str(Channel(k).label) for k in keys if k}
    if by == "kind":
        return {k: str(EventKind(k).label) for k in keys if k}
    if by == "village":
        return {v.pk: f"{v.name} ({v.commune.name})"
                for v in Village.objects.filter(id__in=keys).select_related("commune")}
    if by == "agent":
        return {u.pk: u.display_name for u in User.objects.filter(id__in=keys)}
    if by == "month":
        return {k: f"{k:%m/%Y}" for k in keys if k}
    if by == "event":
        return {e.pk: f"{e.held_on:%d/%m/%Y} · {e}" for e in Event.objects.filter(id__in=keys)}
    raise ValueError(by)


def _month_key(value: Any) -> Any:
    # TruncMonth gives a date on PostgreSQL and SQLite alike for a DateField; keep it a date
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def funnel(contacts: QuerySet[Contact], events: QuerySet[Event], by: str, *, as_of: date,
           window_days: int) -> tuple[list[Row], Row]:
    """Rows of the breakdown ``by`` and the total row."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown breakdown {by}")
    base = attributed(contacts, window_days, as_of)
    rows: dict[Any, Row] = {}
    grouped = base.annotate(k=_CONTACT_KEY[by]).values("k").annotate(**_FIGURES).order_by("k")
    for found in grouped:
        values = dict(found)
        key = _month_key(values.pop("k"))
        rows[key] = Row(key, "", **values)  # type: ignore[arg-type]
    event_key = _EVENT_KEY[by]
    event_totals = events.aggregate(n=Count("id"), leaflets=Sum("leaflets"), cost=Sum("cost"))
    if event_key is not None:
        for found in (events.annotate(k=event_key).values("k")
                      .annotate(n=Count("id"), leaflets=Sum("leaflets"), cost=Sum("cost"))
                      .order_by("k")):
            key = _month_key(found["k"])
            row = rows.setdefault(key, Row(key, ""))
            row.events, row.leaflets, row.cost = found["n"], found["leaflets"], found["cost"]
    elif by == "channel":
        row = rows.setdefault(Channel.EVENT, Row(Channel.EVENT, ""))
        row.events = event_totals["n"] or 0
        row.leaflets = event_totals["leaflets"] or 0
        row.cost = event_totals["cost"] or 0
    labels = _labels(by, set(rows))
    for key, row in rows.items():
        row.label = labels.get(key) or (_("Không qua buổi tuyên truyền") if by in ("kind", "event")
                                        else _("(không rõ)"))
    total_figures = base.aggregate(**_FIGURES)
    total = Row(None, _("Tổng cộng (mỗi người tính một lần)"), events=event_totals["n"] or 0,
                leaflets=event_totals["leaflets"] or 0, cost=event_totals["cost"] or 0,
                **total_figures)
    if by == "month":
        ordered = sorted(rows.values(), key=lambda r: r.key or date.min)
    else:
        ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.label))
    return ordered, total
