"""Agent commissions (thù lao tổ chức dịch vụ thu) on reconciled money of closed periods.

Law: Decree 233/2025/NĐ-CP Art. 19(5) caps the *average* remuneration at 14 % of voluntary-SI
participants' own payments and 7 % for household HI (policy parameter
``collection.remuneration_cap``); the per-province rates for first-time and continuing
participants and each payment form are set by VSS and are not published, so the office enters
them (`CommissionRate`, append-only, dated). With no rate there is no commission: nothing here
invents a default.

What earns commission: receipts of a *closed* accounting period (`PeriodClose`) whose money has
reached VSS — cash receipts in a *confirmed* remittance, and every non-cash receipt (bank
transfer, post office, online payments go straight to VSS). The base is ``Receipt.amount``, the
participant's own payment net of state support; a reversal is a negative receipt in the period
it was booked in, so it reduces that period's commission.

Which rate: the rate in force on the receipt's payment date for (product, participant kind,
payment mode), else the rate for (product, kind, any mode). A reversal takes the rate of the
receipt it reverses (its original payment date), so it takes back exactly what the original
earned even when the rates changed in between.

Computation: one aggregate query groups the money by (agent, organisation, product, kind, mode,
rate date); Python looks up each group's rate, merges groups with the same rate, and multiplies
once per merged group. Rounding: to the đồng, half away from zero (``ROUND_HALF_UP`` on the
absolute value), once per (agent, product, kind, mode, rate) line — so a reversal in the same
line cancels its original exactly, and totals are sums of rounded lines.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from ansinh.core import audit, permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import Office, User
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.participation.models import PaymentMode
from ansinh.policy import PolicyError
from ansinh.rules.tree import current_tree

from .models import (
    Channel,
    CommissionRate,
    ParticipantKind,
    PeriodClose,
    Product,
    Receipt,
    RemittanceStatus,
)

CAP_PARAMETER = "collection.remuneration_cap"
RateKey = tuple[str, str, str]  # (product, participant kind, mode; "" = any mode)


def round_vnd(value: Decimal) -> int:
    """To the đồng, half away from zero (so -x rounds to -(round x))."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------------
# The rate table


class RateTable:
    """The office's dated rates: the rate in force on a date, with the any-mode fallback."""

    def __init__(self, rows: Iterable[CommissionRate]) -> None:
        series: dict[RateKey, list[tuple[date, Decimal, int]]] = defaultdict(list)
        for row in rows:
            series[(row.product, row.participant_kind, row.mode)].append(
                (row.valid_from, row.rate, row.pk))
        self._starts: dict[RateKey, list[date]] = {}
        self._values: dict[RateKey, list[tuple[Decimal, int]]] = {}
        for key, values in series.items():
            values.sort()
            self._starts[key] = [start for start, _rate, _pk in values]
            self._values[key] = [(rate, pk) for _start, rate, pk in values]

    @classmethod
    def for_office(cls, office: Office) -> RateTable:
        return cls(CommissionRate.objects.filter(office=office))

    def __bool__(self) -> bool:
        return bool(self._starts)

    def _exact(self, key: RateKey, on: date) -> tuple[Decimal, int] | None:
        starts = self._starts.get(key)
        if not starts:
            return None
        index = bisect.bisect_right(starts, on) - 1
        return self._values[key][index] if index >= 0 else None

    def lookup(self, product: str, kind: str, mode: str, on: date) -> tuple[Decimal, int] | None:
        """(rate, rate row id) in force on `on`: the mode's own rate, else the any-mode rate."""
        found = self._exact((product, kind, mode), on) if mode else None
        return found or self._exact((product, kind, ""), on)

    def row_in_force(self, product: str, kind: str, mode: str, on: date) -> int | None:
        """The id of the row of exactly this group in force on `on` (no fallback)."""
        found = self._exact((product, kind, mode), on)
        return found[1] if found else None

    def rate(self, product: str, kind: str, mode: str, on: date) -> Decimal | None:
        found = self.lookup(product, kind, mode, on)
        return found[0] if found else None

    def start_dates(self) -> list[date]:
        return sorted({start for starts in self._starts.values() for start in starts})


# ---------------------------------------------------------------------------------------------
# Reconciled money


def closed_months(office: Office) -> list[date]:
    """The closed periods that have money, newest first: a period closed with no receipt (an
    office's first years, before it used ansinh) has no statement to show."""
    with_money = Receipt.objects.filter(office=office, period=OuterRef("month"))
    return list(PeriodClose.objects.filter(office=office).filter(Exists(with_money))
                .order_by("-month").values_list("month", flat=True))


def last_closed(office: Office) -> date | None:
    return (PeriodClose.objects.filter(office=office).order_by("-month")
            .values_list("month", flat=True).first())


def reconciled_receipts(office: Office, month: date) -> QuerySet[Receipt]:
    """Receipts of a closed period whose money reached VSS (empty when the period is open)."""
    if not PeriodClose.objects.filter(office=office, month=month).exists():
        return Receipt.objects.none()
    return Receipt.objects.filter(office=office, period=month).filter(
        ~Q(channel=Channel.CASH)
        | Q(remittance_line__remittance__status=RemittanceStatus.CONFIRMED)
    )


def _grouped(receipts: QuerySet[Receipt]) -> Iterable[Any]:
    """The money by (agent, organisation, product, kind, mode, rate date) — one query."""
    return (
        receipts.annotate(rate_on=Coalesce("reverses__paid_on", "paid_on"))
        .values("agent_id", "organisation_id", "product", "participant_kind", "mode", "rate_on")
        .annotate(base=Sum("amount"))
        .order_by()
    )


# ---------------------------------------------------------------------------------------------
# Statement


@dataclass
class Line:
    agent_id: int | None
    organisation_id: int | None
    product: str
    participant_kind: str
    mode: str
    rate: Decimal | None
    base: int = 0
    commission: int | None = None
    agent_label: str = ""
    organisation_label: str = ""

    @property
    def product_label(self) -> str:
        return str(Product(self.product).label)

    @property
    def kind_label(self) -> str:
        return str(ParticipantKind(self.participant_kind).label)

    @property
    def mode_label(self) -> str:
        return str(PaymentMode(self.mode).label) if self.mode in PaymentMode.values else "—"


@dataclass
class Total:
    key: int | None
    label: str
    base: int = 0
    commission: int = 0
    unpriced: int = 0  # money with no rate in force: shown, earns nothing


@dataclass
class Statement:
    office: Office
    month: date | None
    closed: bool
    has_rates: bool
    lines: list[Line] = field(default_factory=list)
    by_agent: list[Total] = field(default_factory=list)
    by_organisation: list[Total] = field(default_factory=list)
    base: int = 0
    commission: int = 0
    unpriced: int = 0
    missing_rates: list[tuple[str, str, str]] = field(default_factory=list)  # labels

    @property
    def reasons(self) -> list[str]:
        """Why no (or not all) commission is shown — the page and the exports print these."""
        out: list[str] = []
        if self.month is None:
            out.append(_("Chưa có kỳ nào khóa sổ: thù lao chỉ tính trên tiền đã đối chiếu của "
                         "kỳ đã khóa sổ."))
        elif not self.closed:
            out.append(_("Kỳ %(m)s chưa khóa sổ: thù lao chỉ tính khi kỳ đã khóa sổ.")
                       % {"m": self.month.strftime("%m/%Y")})
        if not self.has_rates:
            out.append(_("Chưa có mức thù lao nào. Mức thù lao cụ thể theo từng nhóm đối "
                         "tượng (tham gia lần đầu, tiếp tục tham gia) và hình thức đóng do "
                         "Tổng Giám đốc BHXH Việt Nam quy định cho từng tỉnh (Nghị định "
                         "233/2025/NĐ-CP Điều 19 khoản 5); cơ quan nhập mức theo quyết định "
                         "được giao. ansinh không tự đặt mức mặc định, nên chưa tính thù "
                         "lao."))
        elif self.missing_rates:
            listed = "; ".join(" · ".join(parts) for parts in self.missing_rates)
            out.append(_("Chưa có mức thù lao cho: %(list)s — phần tiền này chưa được tính "
                         "thù lao.") % {"list": listed})
        return out


def statement(office: Office, month: date | None, receipts: QuerySet[Receipt] | None = None,
              table: RateTable | None = None) -> Statement:
    """The commission of `month` for the office, or for the rows of `receipts` (a scoped
    queryset) within it. Three queries plus one per label lookup batch."""
    table = table if table is not None else RateTable.for_office(office)
    closed = month is not None and PeriodClose.objects.filter(office=office,
                                                              month=month).exists()
    result = Statement(office=office, month=month, closed=closed, has_rates=bool(table))
    if month is None or not closed:
        return result
    money = reconciled_receipts(office, month)
    if receipts is not None:
        money = money.filter(pk__in=receipts.values("pk"))
    merged: dict[tuple[Any, ...], Line] = {}
    missing: set[tuple[str, str, str]] = set()
    for group in _grouped(money):
        found = table.rate(group["product"], group["participant_kind"], group["mode"],
                           group["rate_on"])
        if found is None:
            missing.add((group["product"], group["participant_kind"], group["mode"]))
        key = (group["agent_id"], group["organisation_id"], group["product"],
               group["participant_kind"], group["mode"], found)
        line = merged.get(key)
        if line is None:
            line = merged[key] = Line(group["agent_id"], group["organisation_id"],
                                      group["product"], group["participant_kind"],
                                      group["mode"], found)
        line.base += int(group["base"] or 0)
    agents = {a.pk: a for a in Agent.objects.filter(
        pk__in={line.agent_id for line in merged.values() if line.agent_id})
        .select_related("user")}
    organisations = {o.pk: o for o in CollectionOrganisation.objects.filter(
        pk__in={line.organisation_id for line in merged.values() if line.organisation_id})}
    no_agent = _("Không qua nhân viên thu (không tính thù lao)")
    by_agent: dict[int | None, Total] = {}
    by_org: dict[int | None, Total] = {}
    for line in merged.values():
        agent = agents.get(line.agent_id) if line.agent_id else None
        organisation = organisations.get(line.organisation_id) if line.organisation_id else None
        line.agent_label = f"{agent.code} — {agent.user.display_name}" if agent else no_agent
        line.organisation_label = organisation.name if organisation else "—"
        if line.rate is not None and agent is not None:
            line.commission = round_vnd(line.base * line.rate)
        agent_total = by_agent.setdefault(line.agent_id, Total(line.agent_id, line.agent_label))
        org_total = by_org.setdefault(line.organisation_id,
                                      Total(line.organisation_id, line.organisation_label))
        for total in (agent_total, org_total, result):
            total.base += line.base
            if line.commission is not None:
                total.commission += line.commission
            elif line.rate is None:
                total.unpriced += line.base
    result.lines = sorted(merged.values(), key=lambda x: (
        x.organisation_label, x.agent_label, x.product, x.participant_kind, x.mode,
        x.rate or Decimal(-1)))
    result.by_agent = sorted(by_agent.values(), key=lambda t: t.label)
    result.by_organisation = sorted(by_org.values(), key=lambda t: t.label)
    result.missing_rates = sorted(
        (str(Product(p).label), str(ParticipantKind(k).label),
         str(PaymentMode(m).label) if m in PaymentMode.values else _("mọi hình thức"))
        for p, k, m in missing)
    return result


# ---------------------------------------------------------------------------------------------
# Cap check (D233 Art. 19(5)): the average over the money mix, not each rate


@dataclass(frozen=True)
class CapCheck:
    product: str
    on: date  # the rates in force on this date
    cap: Decimal | None
    average: Decimal | None  # commission ÷ reconciled money of the reference period
    base: int
    commission: int
    lowest: Decimal | None  # without money: the range of the configured rates
    highest: Decimal | None

    @property
    def product_label(self) -> str:
        return str(Product(self.product).label)

    @property
    def exceeds(self) -> bool:
        if self.cap is None:
            return False
        if self.average is not None:
            return self.average > self.cap
        return self.lowest is not None and self.lowest > self.cap

    @property
    def may_exceed(self) -> bool:
        """No money to weigh with, and some (not all) rates are above the cap."""
        return (self.average is None and self.cap is not None and self.highest is not None
                and self.highest > self.cap and not self.exceeds)


def caps_on(office: Office, on: date) -> Mapping[str, Decimal]:
    try:
        value = current_tree(office).get(CAP_PARAMETER, on).value
    except PolicyError:
        return {}
    if not isinstance(value, Mapping):
        return {}
    return {str(k): Decimal(str(v)) for k, v in value.items()}


def cap_checks(office: Office, today: date, table: RateTable | None = None) -> list[CapCheck]:
    """For today's rates and each later rate start: the average the rates would give on the
    last closed period's reconciled money, per product, against the cap in force then."""
    table = table if table is not None else RateTable.for_office(office)
    if not table:
        return []
    month = last_closed(office)
    mix: dict[tuple[str, str, str, int | None], int] = defaultdict(int)
    if month is not None:
        for group in _grouped(reconciled_receipts(office, month)):
            has_agent = group["agent_id"] is not None
            mix[(group["product"], group["participant_kind"], group["mode"],
                 1 if has_agent else None)] += int(group["base"] or 0)
    dates = sorted({today, *(d for d in table.start_dates() if d > today)})
    checks: list[CapCheck] = []
    for on in dates:
        caps = caps_on(office, on)
        for product in Product.values:
            base = sum(v for (p, _k, _m, _a), v in mix.items() if p == product)
            commission = sum(
                round_vnd(v * (table.rate(p, k, m, on) or Decimal(0)))
                for (p, k, m, a), v in mix.items() if p == product and a is not None)
            configured = [r for r in (table.rate(product, k, m, on)
                                      for k in ParticipantKind.values
                                      for m in ["", *PaymentMode.values]) if r is not None]
            if not configured:
                continue
            checks.append(CapCheck(
                product=product, on=on, cap=caps.get(product),
                average=(Decimal(commission) / Decimal(base)) if base > 0 else None,
                base=base, commission=commission, lowest=min(configured),
                highest=max(configured)))
    return checks


# ---------------------------------------------------------------------------------------------
# The one write: a new dated rate


@transaction.atomic
def add_rate(office: Office, *, product: str, participant_kind: str, mode: str, rate: Decimal,
             valid_from: date, reference: str, actor: User) -> CommissionRate:
    """Append a rate; a later start supersedes, the history stays. Same start twice: refused.
    An office-wide setting: the director's of that office (or an administrator's)."""
    permissions.authorise(actor, "set_commission_rates")
    scoping.require_own_office(actor, office.pk)
    if product not in Product.values or participant_kind not in ParticipantKind.values:
        raise Refused("Sản phẩm hoặc nhóm người tham gia không hợp lệ",
                      "unknown product or participant kind")
    if mode and mode not in PaymentMode.values:
        raise Refused("Hình thức đóng không hợp lệ", "unknown payment form")
    if not Decimal(0) <= rate <= Decimal(1):
        raise Refused("Tỷ lệ phải từ 0 đến 100 %", "the rate must be between 0 and 100 %")
    if not reference.strip():
        raise Refused("Cần ghi căn cứ (số quyết định)",
                      "the reference decision is required")
    try:
        with transaction.atomic():
            row = CommissionRate.objects.create(
                office=office, product=product, participant_kind=participant_kind, mode=mode,
                rate=rate, valid_from=valid_from, reference=reference.strip()[:200],
                created_by=actor)
    except IntegrityError:
        raise Refused(
            f"Đã có mức cho nhóm này từ ngày {valid_from:%d/%m/%Y}; mức mới phải áp dụng "
            "từ một ngày sau",
            f"a rate for this group from {valid_from:%d/%m/%Y} exists; a new rate must start "
            "on a later date") from None
    audit.record(actor=actor, office=office, action="commission_rate.add", obj=row,
                 changes={"rate": [None, str(rate)], "valid_from": [None, valid_from.isoformat()],
                          "group": [None, f"{product}/{participant_kind}/{mode or '*'}"]},
                 note=reference[:300])
    return row
