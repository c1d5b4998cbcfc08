"""Targets and their allocation, the rewards register, hand-overs.

Directors (and admins) set and share out targets, record rewards and run hand-overs
(`manage_targets`, `hand_over`); staff read the targets (`see_targets`); every user of the
office reads the rewards register (commendations are public within the office). Viewers and
agents see their own figures on the progress pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ansinh.core.models import Office, Role, User
from ansinh.core.pages import office_choices, working_office
from ansinh.core.params import id_param
from ansinh.core.periods import Period, parse_period
from ansinh.core.permissions import may, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import in_office
from ansinh.core.tables import Column, Table, export_response
from ansinh.core.templatetags.money import decimal_text, format_count
from ansinh.registry.models import Commune, Village

from . import actions
from .errors import NetworkError
from .forms import AllocationForm, HandoverForm, RewardForm, TargetForm
from .models import (
    Agent,
    Assignment,
    CollectionOrganisation,
    Metric,
    RecipientKind,
    Reward,
    Target,
    UnitKind,
)

SUB_KIND: dict[str, str] = {UnitKind.COMMUNE: UnitKind.VILLAGE,
                            UnitKind.ORGANISATION: UnitKind.AGENT}


def _period(request: HttpRequest) -> Period:
    try:
        return parse_period(request.GET.get("period") or str(timezone.localdate().year))
    except ValueError:
        return parse_period(str(timezone.localdate().year))


def _on(period: Period) -> date:
    """The day whose values the page shows: today within the period, else its end or start."""
    today = timezone.localdate()
    return min(max(today, period.start), period.end)


def _unit_names(office: Office, kind: str) -> list[tuple[int, str]]:
    if kind == UnitKind.COMMUNE:
        return [(c.id, c.name) for c in Commune.objects.filter(office=office).order_by("code")]
    if kind == UnitKind.ORGANISATION:
        return [(o.id, o.name) for o in CollectionOrganisation.objects.filter(office=office)]
    if kind == UnitKind.STAFF:
        return [(u.id, f"{u.display_name} ({u.username})") for u in User.objects.filter(
            office=office, role=Role.STAFF).order_by("username")]
    raise ValueError(kind)


def _child_units(parent: Target, kind: str) -> list[tuple[int, str]]:
    office = parent.office
    if parent.unit_kind == UnitKind.OFFICE:
        return _unit_names(office, kind)
    if parent.unit_kind == UnitKind.COMMUNE:
        return [(v.id, v.name) for v in Village.objects.filter(commune=parent.commune_id)
                .order_by("code")]
    if parent.unit_kind == UnitKind.ORGANISATION:
        return [(a.id, f"{a.code} — {a.user.display_name}") for a in Agent.objects.filter(
            organisation=parent.organisation_id).select_related("user").order_by("code")]
    return []


def _unit_label(target: Target) -> str:
    if target.unit_kind == UnitKind.OFFICE:
        return target.office.name
    units: dict[str, Model | None] = {
        UnitKind.COMMUNE: target.commune, UnitKind.VILLAGE: target.village,
        UnitKind.ORGANISATION: target.organisation, UnitKind.STAFF: target.staff,
        UnitKind.AGENT: target.agent,
    }
    unit = units[target.unit_kind]
    if isinstance(unit, User):
        return unit.display_name
    return str(unit)


def split_rows(parent: Target, kind: str, on: date) -> dict[str, Any]:
    """The children of a parent target on a day: value each, allocated, unallocated."""
    targets = {target.unit_id: target for target in actions.child_targets(parent, kind)
               .prefetch_related("versions")}
    rows: list[dict[str, Any]] = []
    for unit_id, name in _child_units(parent, kind):
        target = targets.get(unit_id)
        value = actions.value_on(list(target.versions.all()), on) if target else None
        rows.append({"unit_id": unit_id, "name": name, "value": value, "target": target,
                     "changed": target is not None and len(target.versions.all()) > 1})
    parent_value = actions.value_on(list(parent.versions.all()), on)
    allocated = sum(row["value"] or 0 for row in rows)
    return {"kind": kind, "label": UnitKind(kind).label, "rows": rows, "allocated": allocated,
            "unallocated": None if parent_value is None else parent_value - allocated,
            "parent_value": parent_value}


@role_required("see_targets")
@require_GET
def targets(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = working_office(request, user)
    period = _period(request)
    metric = request.GET.get("metric") or Metric.ACTIVE
    if metric not in Metric.values:
        metric = Metric.ACTIVE
    on = _on(period)
    office_target = Target.objects.filter(
        office=office, period_kind=period.kind, period_start=period.start, metric=metric,
        unit_kind=UnitKind.OFFICE).prefetch_related("versions").first()
    sections = ([split_rows(office_target, kind, on)
                 for kind in actions.CHILD_KINDS[UnitKind.OFFICE]] if office_target else [])
    table = _targets_table(office, period, metric, on, office_target, sections)
    export = request.GET.get("export")
    if export in ("xlsx", "pdf"):
        return export_response(table, export, f"chi-tieu-{metric}-{period.code}", request)
    return render(request, "network/targets.html", {
        "office": office, "offices": office_choices(user),
        "period": period, "metric": metric, "metrics": Metric.choices, "on": on,
        "office_target": office_target,
        "office_value": actions.value_on(list(office_target.versions.all()), on)
        if office_target else None,
        "sections": sections,
        "form": TargetForm(initial={"effective_on": period.start}),
        "money": metric == Metric.MONEY,
    })


def _targets_table(office: Office, period: Period, metric: str, on: date,
                   office_target: Target | None, sections: list[dict[str, Any]]) -> Table:
    kind = "money" if metric == Metric.MONEY else "int"
    table = Table(
        title=_("Chỉ tiêu %(metric)s, %(period)s") % {
            "metric": str(Metric(metric).label).lower(), "period": period.label},
        subtitle=_("Giá trị áp dụng ngày %(day)s · %(office)s") % {
            "day": on.strftime("%d/%m/%Y"), "office": office.name},
        columns=[Column(_("Phân bổ cho")), Column(_("Đơn vị")), Column(_("Chỉ tiêu"), kind)],
        office=office)
    if office_target:
        table.rows.append([_("Cơ quan"), office.name,
                           actions.value_on(list(office_target.versions.all()), on)])
    for section in sections:
        for row in section["rows"]:
            table.rows.append([str(section["label"]), row["name"], row["value"]])
        table.rows.append([str(section["label"]), _("Chưa phân bổ"), section["unallocated"]])
    return table


@role_required("manage_targets")
@require_http_methods(["POST"])
def set_office_target(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = working_office(request, user)
    period = _period(request)
    metric = request.GET.get("metric") or Metric.ACTIVE
    if metric not in Metric.values:
        raise PermissionDenied
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            actions.set_target(office=office, period=period, metric=metric,
                               unit_kind=UnitKind.OFFICE, unit=None,
                               value=form.cleaned_data["value"],
                               effective_on=form.cleaned_data["effective_on"], actor=user,
                               reason=form.cleaned_data["reason"])
            messages.success(request, _("Đã lưu chỉ tiêu."))
        except NetworkError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Chỉ tiêu chưa hợp lệ."))
    return redirect(reverse("network:targets") + f"?period={period.code}&metric={metric}")


@role_required("see_targets")
@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user = _user(request)
    parent = get_object_or_404(in_office(user, Target.objects.select_related("office")
                                         .prefetch_related("versions")), pk=pk)
    if kind not in actions.CHILD_KINDS.get(parent.unit_kind, ()):
        raise PermissionDenied
    period = Period(parent.period_kind, parent.period_start)
    on = _on(period)
    split = split_rows(parent, kind, on)
    units = [(row["unit_id"], row["name"], row["value"]) for row in split["rows"]]
    form = AllocationForm(request.POST or None, units=units,
                          initial={"effective_on": max(on, period.start)})
    if request.method == "POST":
        if not may(user, "manage_targets"):
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.allocate(parent, kind, form.values(),
                                 effective_on=form.cleaned_data["effective_on"], actor=user,
                                 reason=form.cleaned_data["reason"])
                messages.success(request, _("Đã phân bổ chỉ tiêu."))
                return redirect("network:allocate", pk=parent.pk, kind=kind)
            except NetworkError as exc:
                form.add_error(None, exc.message)
    return render(request, "network/allocate.html", {
        "parent": parent, "parent_label": _unit_label(parent), "period": period, "on": on,
        "split": split, "form": form,
        "money": parent.metric == Metric.MONEY,
        "sub_kind": SUB_KIND.get(kind),
    })


@role_required("see_targets")
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    target = get_object_or_404(in_office(user, Target.objects.select_related("office")), pk=pk)
    versions = target.versions.select_related("set_by").order_by("effective_on", "id")
    return render(request, "network/history.html", {
        "target": target, "label": _unit_label(target), "versions": versions,
        "period": Period(target.period_kind, target.period_start),
        "money": target.metric == Metric.MONEY,
    })


# ---------------------------------------------------------------------------------------------
# Rewards


def rewards_table(office: Office) -> Table:
    table = Table(
        title=_("Sổ khen thưởng"), subtitle=office.name,
        columns=[Column(_("Ngày quyết định"), "date"), Column(_("Số quyết định")),
                 Column(_("Đối tượng")), Column(_("Tên")), Column(_("Hình thức")),
                 Column(_("Thành tích")), Column(_("Kỳ")), Column(_("Số liệu làm căn cứ"))],
        office=office)
    for reward in Reward.objects.filter(office=office).order_by("-decision_date", "-id"):
        period = (Period(reward.period_kind, reward.period_start).label
                  if reward.period_kind and reward.period_start else "")
        table.rows.append([reward.decision_date, reward.decision_number,
                           reward.get_recipient_kind_display(), reward.recipient_name,
                           reward.title, reward.reason, period, _figures_text(reward.figures)])
    return table


# The figures a reward rests on, as the ranking page stored them.
FIGURE_LABELS = {
    "achieved": gettext_lazy("đạt"), "target": gettext_lazy("chỉ tiêu"),
    "ratio": gettext_lazy("tỷ lệ"), "fair_rank": gettext_lazy("hạng công bằng"),
    "raw_rank": gettext_lazy("hạng thô"), "fair_score": gettext_lazy("điểm"),
    "retention": gettext_lazy("duy trì"), "persistence_12m": gettext_lazy("bền vững 12 tháng"),
    "new": gettext_lazy("mới"), "prospects": gettext_lazy("tiềm năng"),
    "period": gettext_lazy("kỳ"), "metric": gettext_lazy("chỉ tiêu xét"),
    "as_of": gettext_lazy("đến ngày"), "unit": gettext_lazy("đơn vị"),
    "difficulty": gettext_lazy("hệ số khó khăn"),
}


def _figures_text(figures: dict[str, Any]) -> str:
    labels = FIGURE_LABELS
    parts = []
    for key, value in figures.items():
        if isinstance(value, float) and key in ("ratio", "retention", "persistence_12m"):
            value = decimal_text(f"{value * 100:.1f}") + " %"
        parts.append(f"{labels.get(key, key)}: {value}")
    return "; ".join(parts)


@login_required
@require_GET
def rewards(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = working_office(request, user)
    table = rewards_table(office)
    export = request.GET.get("export")
    if export in ("xlsx", "pdf"):
        return export_response(table, export, "so-khen-thuong", request)
    return render(request, "network/rewards.html", {
        "table": table, "display": table.display_rows(),
    })


@role_required("manage_targets")
@require_http_methods(["GET", "POST"])
def reward_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = working_office(request, user)
    prefill = ("recipient_kind", "recipient_name", "reason", "period", "figures", "unit")
    initial: dict[str, Any] = {key: request.GET[key] for key in prefill if key in request.GET}
    kind, _sep, raw_id = initial.get("unit", "").partition(":")
    unit_id = id_param(raw_id)
    if kind == "organisation" and unit_id is not None:
        initial["organisation"] = unit_id
    if kind == "agent" and unit_id is not None:
        initial["person"] = Agent.objects.filter(pk=unit_id).values_list(
            "user_id", flat=True).first()
    if kind == "staff" and unit_id is not None:
        initial["person"] = unit_id
    form = RewardForm(request.POST or None, office=office, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit_kind, _sep, unit_raw = (data.get("unit") or "").partition(":")
        commune = (Commune.objects.filter(office=office, pk=unit_raw).first()
                   if unit_kind == "commune" and id_param(unit_raw) else None)
        if unit_kind == "village" and (village_id := id_param(unit_raw)) is not None:
            commune = Commune.objects.filter(office=office, villages=village_id).first()
        try:
            actions.record_reward(
                office=office, recipient_kind=data["recipient_kind"],
                recipient_name=data["recipient_name"], title=data["title"],
                reason=data["reason"], decision_number=data["decision_number"],
                decision_date=data["decision_date"], actor=user, commune=commune,
                organisation=data["organisation"], person=data["person"],
                period=data["period"] or None, figures=data["figures"])
            messages.success(request, _("Đã ghi quyết định khen thưởng."))
            return redirect("network:rewards")
        except NetworkError as exc:
            form.add_error(None, exc.message)
    return render(request, "network/reward_form.html", {
        "form": form, "kinds": RecipientKind.choices, "office": office,
        "offices": office_choices(user)})


# ---------------------------------------------------------------------------------------------
# Hand-over


@role_required("hand_over")
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = working_office(request, user)
    form = HandoverForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.hand_over(form.cleaned_data["leaving"],
                                       substitute=form.cleaned_data["substitute"],
                                       on=form.cleaned_data["on"], actor=user)
            counts = result.as_dict()
            messages.success(request, _(
                "Đã bàn giao: %(a)s địa bàn, %(p)s người tham gia, %(b)s quyển biên lai, "
                "%(f)s việc hẹn.") % {key: format_count(counts.get(name, 0)) for key, name in (
                    ("a", "assignments"), ("p", "participations"), ("b", "receipt_books"),
                    ("f", "follow_ups"))})
            return redirect("network:handover")
        except NetworkError as exc:
            form.add_error(None, exc.message)
    recent = (Assignment.objects.filter(user__office=office, substitute__isnull=False)
              .select_related("user", "substitute", "commune", "village")
              .order_by("-ends_on", "-id")[:20])
    return render(request, "network/handover.html", {
        "form": form, "recent": recent, "office": office, "offices": office_choices(user)})
