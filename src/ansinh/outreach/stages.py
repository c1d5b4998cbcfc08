"""The prospect stage of a person, derived from facts and never typed.

One SQL expression (`stage_expression`) so that a list of thousands of persons shows and filters
by stage in one query; `stage_of` is the one-person form of the same expression. The facts, in
the order they decide:

1. an open participation (not stopped): late or paused → *lapsed*; active with a paid month →
   *paying*; active with nothing paid yet → *enrolled*;
2. the register says the person took the lump sum, or a participation was stopped for the
   lump sum → *withdrew*;
3. not a voluntary-SI prospect on the day (compulsory SI, pensioner, moved, dead, under 15 or at
   retirement age; a register status "voluntary" without a participation here counts as
   *enrolled*) → *not eligible*;
4. contacts on or before the day: the latest shows interest (interested, enrolled on the spot,
   follow up) → *interested*; any contact → *contacted*; none → *never contacted*.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import Expression
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _

from ansinh.collection.models import PaidMonth
from ansinh.participation.models import Participation, Status, StopReason
from ansinh.registry.models import Person, SIStatus
from ansinh.registry.prospects import prospect_q

from .models import INTERESTED_OUTCOMES, Contact

NEVER_CONTACTED = "never_contacted"
CONTACTED = "contacted"
INTERESTED = "interested"
ENROLLED = "enrolled"
PAYING = "paying"
LAPSED = "lapsed"
WITHDREW = "withdrew"
NOT_ELIGIBLE = "not_eligible"

STAGES = (
    (NEVER_CONTACTED, _("Chưa tiếp xúc")),
    (CONTACTED, _("Đã tiếp xúc")),
    (INTERESTED, _("Quan tâm")),
    (ENROLLED, _("Đã đăng ký")),
    (PAYING, _("Đang đóng")),
    (LAPSED, _("Chậm / tạm dừng đóng")),
    (WITHDREW, _("Đã rút một lần")),
    (NOT_ELIGIBLE, _("Không thuộc diện vận động")),
)
STAGE_LABELS = dict(STAGES)


def stage_expression(on: date) -> Expression:
    """A CASE expression over Person giving each person's stage on ``on``."""
    person = OuterRef("pk")
    open_participation = Participation.objects.filter(person=person).exclude(
        status=Status.STOPPED)
    lapsed = Exists(open_participation.filter(status__in=(Status.LATE, Status.PAUSED)))
    paying = Exists(PaidMonth.objects.filter(
        participation__person=person, participation__status=Status.ACTIVE,
        released_by__isnull=True))
    enrolled = Exists(open_participation)
    withdrew_here = Exists(Participation.objects.filter(
        person=person, status=Status.STOPPED, stop_reason=StopReason.LUMP_SUM))
    latest_outcome = Subquery(
        Contact.objects.filter(person=person, on__lte=on).order_by("-on", "-id")
        .values("outcome")[:1]
    )
    contacted = Exists(Contact.objects.filter(person=person, on__lte=on))
    return Case(
        When(lapsed, then=Value(LAPSED)),
        When(paying, then=Value(PAYING)),
        When(enrolled, then=Value(ENROLLED)),
        When(Q(si_status=SIStatus.LUMP_SUM) | Q(withdrew_here), then=Value(WITHDREW)),
        When(si_status=SIStatus.VOLUNTARY, then=Value(ENROLLED)),
        When(~prospect_q(on), then=Value(NOT_ELIGIBLE)),
        When(In(latest_outcome, [str(o) for o in INTERESTED_OUTCOMES]), then=Value(INTERESTED)),
        When(contacted, then=Value(CONTACTED)),
        default=Value(NEVER_CONTACTED),
        output_field=CharField(),
    )


def with_stage(persons: QuerySet[Person], on: date) -> QuerySet[Person]:
    """``persons`` annotated with ``stage``."""
    return persons.annotate(stage=stage_expression(on))


def stage_of(person: Person, on: date) -> str:
    found = with_stage(Person.objects.filter(pk=person.pk), on).values_list(
        "stage", flat=True)  # type: ignore[misc]
    return str(found.get())
