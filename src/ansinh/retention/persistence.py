"""Persistence: the share of participants still paying 12 and 24 months after enrolment, by
agent, commune or enrolment cohort (quarter); and retention-case success by reason and
counsellor. Each table is one aggregate query.

"Still paying at 12 months" is a month paid (not reversed) 12 months or more after the start
month; the denominator is the participations enrolled at least 365 days before the report date
(730 for 24 months), so a recent cohort is not counted as lost before it could be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncQuarter
from django.utils.translation import gettext_lazy

from ansinh.core.models import User
from ansinh.network.models import Agent
from ansinh.outreach.funnel import YEAR, with_still_paying
from ansinh.participation.models import Participation
from ansinh.registry.models import Commune

from .models import SUCCESS_OUTCOMES, CaseStatus, Outcome, Reason, RetentionCase

PERSISTENCE_BY = {
    "agent": gettext_lazy("Nhân viên thu"),
    "commune": gettext_lazy("Xã"),
    "cohort": gettext_lazy("Quý đăng ký"),
}
_KEY: dict[str, Any] = {
    "agent": F("agent_id"), "commune": F("village__commune_id"), "cohort": TruncQuarter(
        "enrolled_on"),
}


def _share(part: int, whole: int) -> Decimal | None:
    """A share to one decimal of a percent (for the `percent` filter)."""
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001")) if whole else None


@dataclass
class PersistenceRow:
    key: Any
    label: str
    enrolled: int
    due12: int
    kept12: int
    due24: int
    kept24: int

    @property
    def share12(self) -> Decimal | None:
        return _share(self.kept12, self.due12)

    @property
    def share24(self) -> Decimal | None:
        return _share(self.kept24, self.due24)


def _labels(by: str, keys: set[Any]) -> dict[Any, str]:
    if by == "agent":
        return {a.pk: a.user.display_name
                for a in Agent.objects.filter(id__in=keys).select_related("user")}
    if by == "commune":
        return {c.pk: c.name for c in Commune.objects.filter(id__in=keys)}
    return {k: f"Q{(k.month - 1) // 3 + 1}/{k.year}" for k in keys if k}


def persistence(participations: QuerySet[Participation], by: str, as_of: date,
                ) -> tuple[list[PersistenceRow], PersistenceRow]:
    if by not in PERSISTENCE_BY:
        raise ValueError(by)
    cut12 = as_of - timedelta(days=YEAR)
    cut24 = as_of - timedelta(days=2 * YEAR)
    figures = {
        "enrolled": Count("id"),
        "due12": Count("id", filter=Q(enrolled_on__lte=cut12)),
        "kept12": Count("id", filter=Q(enrolled_on__lte=cut12) & Q(kept_1=True)),
        "due24": Count("id", filter=Q(enrolled_on__lte=cut24)),
        "kept24": Count("id", filter=Q(enrolled_on__lte=cut24) & Q(kept_2=True)),
    }
    base = with_still_paying(with_still_paying(
        participations.filter(enrolled_on__lte=as_of), 1, "kept_1"), 2, "kept_2")
    rows = []
    for found in base.annotate(k=_KEY[by]).values("k").annotate(**figures).order_by("k"):
        values = dict(found)
        key = values.pop("k")
        key = key.date() if by == "cohort" and hasattr(key, "date") else key
        rows.append(PersistenceRow(key, "", **values))  # type: ignore[arg-type]
    labels = _labels(by, {r.key for r in rows})
    for row in rows:
        row.label = labels.get(row.key, "—")
    total = PersistenceRow(None, str(gettext_lazy("Tổng cộng")), **base.aggregate(**figures))
    return rows, total


@dataclass
class SuccessRow:
    label: str
    cases: int
    open: int
    retained: int
    changed: int
    withdrew: int

    @property
    def closed(self) -> int:
        return self.retained + self.changed + self.withdrew

    @property
    def success(self) -> Decimal | None:
        return _share(self.retained + self.changed, self.closed)


def case_success(cases: QuerySet[RetentionCase], by: str) -> list[SuccessRow]:
    """Cases by ``reason`` or ``counsellor``: open, retained, changed, withdrew."""
    key = {"reason": "reason", "counsellor": "counsellor_id"}[by]
    rows = (cases.values(key).annotate(
        cases=Count("id"),
        open=Count("id", filter=Q(status=CaseStatus.OPEN)),
        retained=Count("id", filter=Q(status=CaseStatus.CLOSED, outcome=Outcome.RETAINED)),
        changed=Count("id", filter=Q(status=CaseStatus.CLOSED, outcome=Outcome.CHANGED)),
        withdrew=Count("id", filter=Q(status=CaseStatus.CLOSED, outcome=Outcome.WITHDREW)),
    ).order_by(key))
    if by == "reason":
        labels: dict[Any, str] = {k: str(v) for k, v in Reason.choices}
    else:
        labels = {u.pk: u.display_name for u in User.objects.filter(
            id__in=[r[key] for r in rows if r[key]])}
    assert SUCCESS_OUTCOMES
    return [SuccessRow(labels.get(r.pop(key), "—"), **r) for r in rows]
