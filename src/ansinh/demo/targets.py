"""Demo targets and rewards for the A Lưới office: the year's plan and its split.

The office's 2026 target of active participants is 3,229 (the seed article's plan), shared
out to the five communes and the eight collection organisations by weight (persons for
communes, participants for organisations), communes on to their villages, organisations on
to their agents, staff to their commune's figure. The other metrics are sized from the data
the demo already holds (see `_office_targets`). Everything goes through the actions, so the
demo has the audit rows and versions a real office would have, including one mid-year
reallocation. Deterministic: no randomness is needed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q, Sum

from ansinh.collection.models import Receipt
from ansinh.core.models import Office, Role, User
from ansinh.core.periods import Period, add_months
from ansinh.network import actions
from ansinh.network.models import (
    Agent,
    CollectionOrganisation,
    Metric,
    RecipientKind,
    Target,
    UnitKind,
)
from ansinh.participation.models import Participation, Status
from ansinh.registry.models import Commune, Person, Village

ACTIVE_TARGET_2026 = 3_229


def split(total: int, weights: dict[int, int]) -> dict[int, int]:
    """`total` shared in proportion to `weights`, whole numbers summing exactly to `total`."""
    keys = sorted(weights)
    if not keys:
        return {}
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        weights = dict.fromkeys(keys, 1)
        weight_sum = len(keys)
    shares = {key: total * weights[key] // weight_sum for key in keys}
    remainders = sorted(keys, key=lambda key: (-(total * weights[key] % weight_sum), key))
    for key in remainders[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def _office_targets(office: Office, year: int) -> dict[str, int]:
    start = date(year, 1, 1)
    active_at_start = Participation.objects.filter(
        office=office, enrolled_on__lt=start).exclude(status=Status.STOPPED).count()
    last_year = Receipt.objects.filter(office=office, period__year=year - 1)
    money = last_year.aggregate(s=Sum("amount"))["s"] or 0
    members = last_year.filter(product="household_hi", reverses__isnull=True).aggregate(
        s=Sum("hi_members"))["s"] or 0
    return {
        Metric.ACTIVE: ACTIVE_TARGET_2026,
        # reach the active target while replacing about one participant in ten who stops
        Metric.NEW: max(ACTIVE_TARGET_2026 - active_at_start, 0) + active_at_start // 10,
        Metric.REJOINED: max(active_at_start // 20, 20),
        Metric.RETAINED: active_at_start * 9 // 10,
        # a quarter more money than last year, or the active target paying 12 months of the
        # poverty-line contribution (22 % of 1,500,000 ₫ less the 30 % support) when new
        Metric.MONEY: (money * 5 // 4 // 1_000_000 * 1_000_000) if money
        else ACTIVE_TARGET_2026 * 12 * 231_000,
        Metric.HI_MEMBERS: members * 11 // 10 if members else 1_500,
    }


def seed_demo(office: Office, as_of: date, seed: int) -> None:
    """2026 (as_of's year) targets for every metric and unit, and a few rewards."""
    del seed  # the split is deterministic by itself
    year = as_of.year
    period = Period("year", date(year, 1, 1))
    director = User.objects.filter(office=office, role=Role.DIRECTOR).order_by("id").first()
    actor = director  # None without one: the system itself
    planned_on = date(year, 1, 1)
    reason = f"Kế hoạch giao năm {year}"
    communes = list(Commune.objects.filter(office=office).order_by("code"))
    persons_by_commune = dict(Person.objects.filter(office=office).order_by()
                              .values("village__commune").annotate(n=Count("id"))
                              .values_list("village__commune", "n"))
    persons_by_village = dict(Person.objects.filter(office=office).order_by().values("village")
                              .annotate(n=Count("id")).values_list("village", "n"))
    organisations = list(CollectionOrganisation.objects.filter(office=office).order_by("code"))
    by_org = dict(Participation.objects.filter(office=office, organisation__isnull=False)
                  .order_by().values("organisation").annotate(n=Count("id"))
                  .values_list("organisation", "n"))
    org_weights = {org.id: by_org.get(org.id, 0) or 1 for org in organisations}
    agents_by_org: dict[int, list[int]] = defaultdict(list)
    for agent_id, org_id in Agent.objects.filter(organisation__office=office).order_by(
            "code").values_list("id", "organisation_id"):
        agents_by_org[org_id].append(agent_id)
    villages_by_commune: dict[int, list[int]] = defaultdict(list)
    for village_id, commune_id in Village.objects.filter(commune__office=office).values_list(
            "id", "commune_id"):
        villages_by_commune[commune_id].append(village_id)
    staff_by_commune = {
        commune_id: user_id for user_id, commune_id in User.objects.filter(
            office=office, role=Role.STAFF, assignments__commune__isnull=False)
        .filter(Q(assignments__ends_on__isnull=True) | Q(assignments__ends_on__gte=as_of))
        .values_list("id", "assignments__commune")
    }
    for metric, value in _office_targets(office, year).items():
        office_target = actions.set_target(
            office=office, period=period, metric=metric, unit_kind=UnitKind.OFFICE, unit=None,
            value=value, effective_on=planned_on, actor=actor, reason=reason)
        commune_values = split(value, {c.id: persons_by_commune.get(c.id, 0) for c in communes})
        actions.allocate(office_target, UnitKind.COMMUNE, commune_values,
                         effective_on=planned_on, actor=actor, reason=reason)
        # organisations keep about 2 % in reserve, so the page has something unallocated
        org_values = split(value - value // 50, org_weights)
        actions.allocate(office_target, UnitKind.ORGANISATION, org_values,
                         effective_on=planned_on, actor=actor, reason=reason)
        staff_values = {staff_by_commune[c]: commune_values[c] for c in commune_values
                        if c in staff_by_commune}
        actions.allocate(office_target, UnitKind.STAFF, staff_values,
                         effective_on=planned_on, actor=actor, reason=reason)
        for commune in communes:
            commune_target = Target.objects.get(
                office=office, period_kind=period.kind, period_start=period.start,
                metric=metric, unit_key=f"commune:{commune.id}")
            village_ids = villages_by_commune[commune.id]
            actions.allocate(commune_target, UnitKind.VILLAGE, split(
                commune_values[commune.id],
                {v: persons_by_village.get(v, 0) for v in village_ids}),
                effective_on=planned_on, actor=actor, reason=reason)
        for org in organisations:
            agent_ids = agents_by_org.get(org.id, [])
            if not agent_ids:
                continue
            org_target = Target.objects.get(
                office=office, period_kind=period.kind, period_start=period.start,
                metric=metric, unit_key=f"organisation:{org.id}")
            actions.allocate(org_target, UnitKind.AGENT,
                             split(org_values[org.id], dict.fromkeys(agent_ids, 1)),
                             effective_on=planned_on, actor=actor, reason=reason)
    _reallocate(office, period, communes, actor, as_of)
    _rewards(office, year, actor)


def _reallocate(office: Office, period: Period, communes: list[Commune], actor: User | None,
                as_of: date) -> None:
    """A mid-period move of 40 active participants from the last commune to the second."""
    if len(communes) < 2:
        return
    on = as_of.replace(day=1)
    if on <= period.start:
        on = add_months(period.start, 1)
    office_target = Target.objects.get(office=office, period_kind=period.kind,
                                       period_start=period.start, metric=Metric.ACTIVE,
                                       unit_kind=UnitKind.OFFICE)
    giver, taker = communes[-1], communes[1]
    current = {
        target.commune_id: actions.value_on(list(target.versions.all()), on) or 0
        for target in Target.objects.filter(
            office=office, period_kind=period.kind, period_start=period.start,
            metric=Metric.ACTIVE, unit_kind=UnitKind.COMMUNE,
            commune__in=[giver.id, taker.id]).prefetch_related("versions")
    }
    moved = min(40, current.get(giver.id, 0))
    reason = f"Điều chỉnh giữa kỳ: chuyển {moved} chỉ tiêu từ {giver.name} sang {taker.name}"
    actions.allocate(office_target, UnitKind.COMMUNE,
                     {giver.id: current[giver.id] - moved, taker.id: current[taker.id] + moved},
                     effective_on=on, actor=actor, reason=reason)
    # the staff answering for the two communes follow their communes' figures
    staff = {target.staff_id: actions.value_on(list(target.versions.all()), on) or 0
             for target in Target.objects.filter(
                 office=office, period_kind=period.kind, period_start=period.start,
                 metric=Metric.ACTIVE, unit_kind=UnitKind.STAFF,
                 staff__assignments__commune__in=[giver.id, taker.id]).prefetch_related(
                     "versions")}
    owners = dict(Target.objects.filter(
        office=office, period_kind=period.kind, period_start=period.start, metric=Metric.ACTIVE,
        unit_kind=UnitKind.STAFF, staff__assignments__commune__in=[giver.id, taker.id],
    ).values_list("staff__assignments__commune", "staff_id"))
    if giver.id in owners and taker.id in owners and owners[giver.id] != owners[taker.id]:
        actions.allocate(office_target, UnitKind.STAFF, {
            owners[giver.id]: staff[owners[giver.id]] - moved,
            owners[taker.id]: staff[owners[taker.id]] + moved,
        }, effective_on=on, actor=actor, reason=reason)


def _rewards(office: Office, year: int, actor: User | None) -> None:
    organisations = {org.code: org for org in CollectionOrganisation.objects.filter(
        office=office)}
    decided = date(year, 1, 20)
    if "UB-AL3" in organisations:
        org = organisations["UB-AL3"]
        actions.record_reward(
            office=office, recipient_kind=RecipientKind.ORGANISATION, recipient_name=org.name,
            organisation=org, title="Giấy khen của Giám đốc BHXH cơ sở",
            reason=f"Hoàn thành vượt chỉ tiêu phát triển người tham gia năm {year - 1}",
            decision_number=f"12/QĐ-BHXH-AL/{year}", decision_date=decided, actor=actor,
            period=Period("year", date(year - 1, 1, 1)),
            figures={"period": str(year - 1), "metric": "active", "note": "số liệu năm trước"},
        )
    agent = Agent.objects.filter(organisation__office=office).select_related("user").order_by(
        "code").first()
    if agent is not None:
        actions.record_reward(
            office=office, recipient_kind=RecipientKind.PERSON,
            recipient_name=agent.user.display_name, person=agent.user,
            title="Giấy khen của Giám đốc BHXH cơ sở",
            reason=f"Nhân viên thu có tỷ lệ duy trì đóng cao nhất năm {year - 1}",
            decision_number=f"13/QĐ-BHXH-AL/{year}", decision_date=decided, actor=actor,
            period=Period("year", date(year - 1, 1, 1)),
            figures={"period": str(year - 1), "metric": "retained"},
        )
    commune = Commune.objects.filter(office=office).order_by("code").first()
    if commune is not None:
        actions.record_reward(
            office=office, recipient_kind=RecipientKind.COLLECTIVE,
            recipient_name=f"Tổ vận động xã {commune.name}", commune=commune,
            title="Giấy khen của Giám đốc BHXH cơ sở",
            reason=f"Làm tốt công tác truyền thông, vận động năm {year - 1}",
            decision_number=f"14/QĐ-BHXH-AL/{year}", decision_date=decided, actor=actor,
            period=Period("year", date(year - 1, 1, 1)), figures={"period": str(year - 1)},
        )
