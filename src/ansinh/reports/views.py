"""Progress pages: the dashboard, the progress table, the people behind a number, rankings.

All read-only (GET). Every page scopes to the user: units through `progress.visible_units`,
people through `scoping.scoped`. Tables export with `?export=xlsx` or `?export=pdf`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ansinh.core import personal
from ansinh.core.models import AccessKind, Office, User
from ansinh.core.params import date_param, id_param
from ansinh.core.periods import Period, parse_period
from ansinh.core.permissions import may
from ansinh.core.permissions import signed_in as _user
from ansinh.core.replica import reads_from_replica
from ansinh.core.scoping import is_admin, scoped, visible_villages, whole_office
from ansinh.core.tables import Column, Table, export_response
from ansinh.core.templatetags.money import decimal_text, format_count, format_vnd
from ansinh.network.models import Agent, Metric
from ansinh.registry.models import Commune, Province

from . import figures as summary
from . import metrics, plan, rankings
from .metrics import RECEIPT_METRICS, Window
from .progress import (
    VILLAGE_BASED,
    Row,
    allowed_by,
    by_gap,
    headline,
    headline_kind,
    progress_rows,
    read_headlines,
    visible_units,
)

PEOPLE_PAGE_SIZE = 100
BY_LABELS = {
    "office": "Cơ quan", "commune": "Xã", "village": "Thôn", "staff": "Cán bộ",
    "agent": "Nhân viên thu", "organisation": "Tổ chức dịch vụ thu",
}


@dataclass
class Params:
    office: Office
    period: Period
    as_of: date
    metric: str
    by: str

    def query(self, **changes: str) -> str:
        values = {"period": self.period.code, "as_of": self.as_of.isoformat(),
                  "metric": self.metric, "by": self.by, **changes}
        return urlencode(values)


def _office(user: User, request: HttpRequest) -> Office:
    if user.office_id is not None:
        assert user.office is not None
        return user.office
    if is_admin(user):
        code = request.GET.get("office")
        office = (Office.objects.filter(code=code).first() if code else None) or \
            Office.objects.order_by("code").first()
        if office is not None:
            return office
    raise PermissionDenied


def _params(request: HttpRequest, default_by: str = "commune") -> Params:
    user = _user(request)
    as_of = date_param(request.GET.get("as_of"), timezone.localdate())
    try:
        period = parse_period(request.GET.get("period") or str(as_of.year))
    except ValueError:
        period = parse_period(str(as_of.year))
    metric = request.GET.get("metric") or Metric.ACTIVE
    if metric not in Metric.values:
        metric = Metric.ACTIVE
    allowed = allowed_by(user)
    by = request.GET.get("by") or default_by
    if by not in allowed:
        by = default_by if default_by in allowed else (allowed[0] if allowed else "")
    return Params(_office(user, request), period, as_of, metric, by)


def _figure(metric: str, value: int | None) -> str:
    if value is None:
        return "—"
    if metric == Metric.MONEY:
        return format_vnd(value)
    return format_count(value)


def _choices(user: User) -> dict[str, Any]:
    return {
        "metrics": Metric.choices,
        "by_choices": [(key, _(BY_LABELS[key])) for key in allowed_by(user)],
    }


# ---------------------------------------------------------------------------------------------
# Dashboard


@login_required
@require_GET
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    """Where the user stands: one card per metric, the monthly trend and the communes (each
    grouped figure computed once per view, though the cards and the table both read it)."""
    with metrics.one_view():
        return _dashboard(request)


def _shown_villages(user: User, params: Params) -> set[int] | None:
    """The villages the dashboard's figures by village cover: its headline's unit and the
    communes of its table (a territory's whole communes); None for a whole office."""
    if whole_office(user):
        return None
    on = params.period.clip(params.as_of)
    kinds = {"commune", *({headline_kind(user)} & set(VILLAGE_BASED))}
    return {village for kind in kinds for unit in visible_units(user, params.office, kind, on)
            for village in unit.village_ids}


def _dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    params = _params(request)
    with metrics.showing(_shown_villages(user, params)):
        return _dashboard_page(request, user, params)


def _dashboard_page(request: HttpRequest, user: User, params: Params) -> HttpResponse:
    read_headlines(user, params.office, params.period, params.as_of)
    cards = []
    for metric, label in Metric.choices:
        row = headline(user, params.office, params.period, metric, params.as_of)
        if row is not None:
            cards.append({"metric": metric, "label": label, "row": row,
                          "achieved": _figure(metric, row.achieved),
                          "target": _figure(metric, row.target),
                          "last_year": _figure(metric, row.last_year),
                          "projection": _figure(metric, row.projection),
                          "base": _figure(metric, row.base) if row.base is not None else None,
                          "drill": _drill_url(params, metric, row),
                          "plan": plan.standing(row)})
    main: dict[str, Any] | None = next(
        (card for card in cards if card["metric"] == params.metric), None)
    communes = visible_units(user, params.office, "commune", params.period.clip(params.as_of))
    # code order for the chart, whose bars keep their places; the table puts the worst first
    commune_rows = progress_rows(params.office, params.period, params.metric, "commune",
                                 params.as_of, communes) if communes else []
    own_agent = Agent.objects.filter(user=user).first()
    # an agent's figures are their own card and rank; there is no territory chart for them
    trend = _trend(user, params) if own_agent is None else {"this": [], "last": []}
    rank = _agent_rank(own_agent, params) if own_agent is not None else None
    return render(request, "reports/dashboard.html", {
        "params": params, "cards": cards, "main": main, "commune_rows": commune_rows,
        "communes_by_gap": [plan.standing(row) for row in by_gap(commune_rows)],
        "legend": plan.LEGEND, "pace_definition": plan.pace_definition(),
        "chart": {
            "months": [f"{month:%m/%Y}" for month, _v in trend["this"]],
            "this": [value for _m, value in trend["this"]],
            "last": [value for _m, value in trend["last"]],
            "target": main["row"].target if main else None,
            "communes": [row.unit.name for row in commune_rows],
            "commune_ratio": [float(row.ratio * 100) if row.ratio is not None else None
                              for row in commune_rows],
            "commune_achieved": [row.achieved for row in commune_rows],
            "commune_target": [row.target for row in commune_rows],
            "commune_status": [row.status for row in commune_rows],
            "metric_label": str(Metric(params.metric).label),
            "this_label": params.period.label, "last_label": params.period.shifted_years(
                -1).label,
        },
        "rank": rank, **_choices(user),
    })


def _trend(user: User, params: Params) -> dict[str, list[tuple[date, int | None]]]:
    villages: list[int] | None = None
    if not whole_office(user):
        villages = list(visible_villages(user, params.period.clip(params.as_of))
                        .values_list("id", flat=True))
    window = Window(params.period, params.as_of)
    last = window.last_year()
    return {
        "this": metrics.monthly(params.office, params.metric, params.period, params.as_of,
                                villages),
        "last": metrics.monthly(params.office, params.metric, last.period, last.as_of,
                                villages),
    }


def _agent_rank(agent: Agent, params: Params) -> dict[str, Any] | None:
    ranked = rankings.rank(params.office, params.period, params.as_of, "agent", params.metric)
    own = next((item for item in ranked if item.unit.id == agent.id), None)
    return {"item": own, "of": len(ranked)} if own else None


def _drill_url(params: Params, metric: str, row: Row) -> str:
    return reverse("reports:people") + "?" + params.query(metric=metric, unit=row.unit.key)


# ---------------------------------------------------------------------------------------------
# Progress table


def progress_table(user: User, params: Params) -> tuple[Table, list[Row]]:
    units = visible_units(user, params.office, params.by, params.period.clip(params.as_of))
    full = whole_office(user)
    rows = progress_rows(params.office, params.period, params.metric, params.by, params.as_of,
                         units if not full else None) if units else []
    metric_label = str(Metric(params.metric).label)
    money = params.metric == Metric.MONEY
    kind = "money" if money else "int"
    columns = [Column(_("Mã")), Column(_(BY_LABELS[params.by])), Column(_("Chỉ tiêu"), kind),
               Column(_("Đạt"), kind), Column(_("Tỷ lệ"), "ratio"), Column(_("Tiến độ"), "bar"),
               Column(_("Cùng kỳ năm trước"), kind), Column(_("Dự báo cuối kỳ"), kind)]
    if params.metric == Metric.RETAINED:
        columns.append(Column(_("Số đến hạn"), "int"))
    table = Table(
        title=_("Tiến độ %(metric)s theo %(by)s, %(period)s") % {
            "metric": metric_label.lower(), "by": _(BY_LABELS[params.by]).lower(),
            "period": params.period.label},
        subtitle=_("Tính đến ngày %(day)s · %(office)s") % {
            "day": params.as_of.strftime("%d/%m/%Y"), "office": params.office.name},
        columns=columns, notes=[definition(params.metric)], office=params.office,
    )
    for row in rows:
        cells: list[Any] = [row.unit.code, row.unit.name, row.target, row.achieved, row.ratio,
                            row.bar, row.last_year, row.projection]
        if params.metric == Metric.RETAINED:
            cells.append(row.base)
        table.rows.append(cells)
    if len(rows) > 1 and params.by in ("commune", "organisation", "staff", "village", "agent"):
        targets = [row.target for row in rows if row.target is not None]
        total_target = sum(targets) if targets else None
        achieved = sum(row.achieved for row in rows)
        from .progress import ratio

        share = ratio(achieved, total_target)
        footer: list[Any] = ["", _("Cộng"), total_target, achieved, share,
                             0 if share is None else int(min(share, Decimal(1)) * 100),
                             sum(row.last_year for row in rows),
                             sum(row.projection or 0 for row in rows)]
        if params.metric == Metric.RETAINED:
            footer.append(sum(row.base or 0 for row in rows))
        table.footer = footer
    return table, rows


def definition(metric: str) -> str:
    texts: dict[str, str] = {
        Metric.ACTIVE: _("Người đang tham gia: người đã đăng ký đến ngày xem mà trạng thái tại "
                         "ngày đó (lần thay đổi trạng thái cuối cùng trước hoặc vào ngày đó) là "
                         "đang đóng hoặc chậm đóng."),
        Metric.NEW: _("Người tham gia mới: số người đăng ký tham gia trong kỳ, đến ngày xem."),
        Metric.REJOINED: _("Người tham gia lại: người tạm dừng rồi đóng tiếp trong kỳ, hoặc "
                           "người đã dừng tham gia nay đăng ký lại trong kỳ."),
        Metric.RETAINED: _("Duy trì đóng: trong số người đang đóng hoặc chậm đóng đầu kỳ mà số "
                           "tháng đã đóng hết trước tháng đang xem (phải đóng trong kỳ để "
                           "tiếp tục), số người đã có biên lai trong kỳ không bị hủy."),
        Metric.MONEY: _("Số tiền thu: tổng số tiền người tham gia nộp theo kỳ kế toán của biên "
                        "lai, đã trừ biên lai hủy (số âm)."),
        Metric.HI_MEMBERS: _("Người tham gia BHYT hộ gia đình: tổng số thành viên trên biên lai "
                             "BHYT hộ gia đình trong kỳ, trừ thành viên của biên lai đã hủy."),
    }
    return texts[metric]


@login_required
@require_GET
@reads_from_replica
def progress(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    params = _params(request)
    if not params.by:
        raise PermissionDenied
    table, rows = progress_table(user, params)
    export = request.GET.get("export")
    if export in ("xlsx", "pdf"):
        return export_response(table, export, f"tien-do-{params.metric}-{params.by}-"
                                              f"{params.period.code}", request)
    links = [reverse("reports:people") + "?" + params.query(unit=row.unit.key) for row in rows]
    display = table.display_rows()
    return render(request, "reports/progress.html", {
        "params": params, "table": table,
        "lines": list(zip(display[:len(rows)], links, strict=True)),
        "footer": display[len(rows):], "export_query": params.query(), **_choices(user),
    })


# ---------------------------------------------------------------------------------------------
# The people behind a number


def _unit_filter(user: User, params: Params, unit: str) -> dict[str, Any]:
    """The lookup restricting metric rows to a unit; 404 when the unit is not visible."""
    kind, _sep, raw_id = unit.partition(":")
    if kind == "office":
        if not whole_office(user):
            raise Http404
        return {}
    if kind not in allowed_by(user):
        raise Http404
    unit_id = id_param(raw_id) or 0
    if kind in ("organisation", "agent") and unit_id == 0:
        if not whole_office(user):
            raise Http404
        return {f"{kind}__isnull": True}
    visible = visible_units(user, params.office, kind, params.period.clip(params.as_of))
    match = next((item for item in visible if item.id == unit_id), None)
    if match is None:
        raise Http404
    if kind in ("commune", "village", "staff"):
        return {"village__in": sorted(match.village_ids)}
    return {f"{kind}_id": unit_id}


def people_table(user: User, params: Params, unit: str) -> tuple[Table, Any]:
    window = Window(params.period, params.as_of)
    rows, _expression = metrics.metric_rows(params.office, params.metric, window)
    rows = scoped(user, rows, window.until).filter(**_unit_filter(user, params, unit))
    if params.metric == Metric.RETAINED:
        rows = rows.filter(paid_in_window=True)
    metric_label = str(Metric(params.metric).label)
    if params.metric in RECEIPT_METRICS:
        rows = rows.select_related("person", "village__commune", "agent__user").order_by(
            "paid_on", "id")
        columns = [Column(_("Ngày nộp"), "date"), Column(_("Số biên lai")),
                   Column(_("Người nộp")), Column(_("Thôn")), Column(_("Xã")),
                   Column(_("Nhân viên thu")), Column(_("Số thành viên"), "int"),
                   Column(_("Số tiền"), "money")]
    else:
        rows = rows.select_related("person", "village__commune", "agent__user").order_by(
            "village__commune__code", "village__code", "person__name_folded", "id")
        columns = [Column(_("Họ và tên")), Column(_("Ngày sinh"), "date"), Column(_("Thôn")),
                   Column(_("Xã")), Column(_("Ngày đăng ký"), "date"),
                   Column(_("Nhân viên thu")), Column(_("Trạng thái hiện nay"))]
    table = Table(
        title=_("Danh sách: %(metric)s, %(period)s") % {"metric": metric_label.lower(),
                                                        "period": params.period.label},
        subtitle=_("Tính đến ngày %(day)s · %(office)s") % {
            "day": params.as_of.strftime("%d/%m/%Y"), "office": params.office.name},
        columns=columns, notes=[definition(params.metric)], office=params.office)
    return table, rows


def _people_cells(metric: str, item: Any, shown: personal.Shown) -> list[Any]:
    agent = item.agent.user.display_name if item.agent else ""
    if metric in RECEIPT_METRICS:
        return [item.paid_on, item.number, item.person.full_name, item.village.name,
                item.village.commune.name, agent, item.hi_members, item.amount]
    person = item.person
    # the date, or for who may not see it the year as text (a number in a date column would
    # print as a day of 1905)
    born = person.birth_date if shown.birth_dates else str(person.birth_date.year)
    return [person.full_name, born, item.village.name,
            item.village.commune.name, item.enrolled_on, agent, item.get_status_display()]


@login_required
@require_GET
@reads_from_replica
def people(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    params = _params(request)
    unit = request.GET.get("unit", "office")
    table, rows = people_table(user, params, unit)
    export = request.GET.get("export")
    shown = personal.Shown.to(user)
    if export in ("xlsx", "pdf"):
        table.rows = [_people_cells(params.metric, item, shown) for item in rows.iterator(
            chunk_size=2000)]
        personal.log_access(request, AccessKind.REPORT_LIST, office_id=params.office.pk,
                            rows=len(table.rows),
                            description=f"{export} {personal.describe_query(request)}")
        return export_response(table, export, f"danh-sach-{params.metric}-{params.period.code}",
                               request)
    page = Paginator(rows, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    table.rows = [_people_cells(params.metric, item, shown) for item in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/people.html", {
        "params": params, "table": table, "page": page, "display": table.display_rows(),
        "query": query.urlencode(), "unit": unit, **_choices(user),
    })


# ---------------------------------------------------------------------------------------------
# Rankings


RANK_KINDS = ("commune", "village", "organisation", "agent", "staff")


def ranking_table(user: User, params: Params) -> tuple[Table, list[rankings.Ranked],
                                                       list[rankings.Ranked]]:
    kind = params.by if params.by in RANK_KINDS else "commune"
    ranked = rankings.rank(params.office, params.period, params.as_of, kind, params.metric)
    visible = {unit.key for unit in visible_units(user, params.office, kind,
                                                  params.period.clip(params.as_of))}
    shown = [item for item in ranked if item.unit.key in visible]
    table = Table(
        title=_("Xếp hạng theo %(by)s, %(period)s") % {"by": _(BY_LABELS[kind]).lower(),
                                                        "period": params.period.label},
        subtitle=_("Tính đến ngày %(day)s · chỉ tiêu xếp hạng thô: %(metric)s") % {
            "day": params.as_of.strftime("%d/%m/%Y"),
            "metric": str(Metric(params.metric).label).lower()},
        columns=[Column(_("Hạng công bằng"), "int"), Column(_("Hạng thô"), "int"),
                 Column(_(BY_LABELS[kind])), Column(_("Đạt / chỉ tiêu"), "ratio"),
                 Column(_("Mới / tiềm năng"), "ratio"), Column(_("Duy trì"), "ratio"),
                 Column(_("Bền vững 12 tháng"), "ratio"),
                 Column(_("Hệ số khó khăn"), "decimal"), Column(_("Điểm công bằng"), "decimal")],
        notes=method_notes(), office=params.office,
    )
    for item in shown:
        table.rows.append([item.fair_rank, item.raw_rank, item.unit.name, item.raw.ratio,
                           item.recruitment, item.retention, item.persistence,
                           item.difficulty, item.fair])
    can_reward = may(user, "manage_targets")
    return table, shown, rankings.candidates(ranked) if can_reward else []


def method_notes() -> list[str]:
    weights = rankings.WEIGHTS
    return [
        _("Hạng thô: theo tỷ lệ đạt so với chỉ tiêu được giao (không có chỉ tiêu thì theo số "
          "đạt)."),
        _("Hạng công bằng so kết quả với tiềm năng của địa bàn, mỗi kết quả so với mức chung "
          "của cơ quan (1 = bằng cơ quan): tuyển mới = người mới / (người mới + đối tượng "
          "chưa tham gia); duy trì = số người đã đóng / số người đến hạn; bền vững = số người "
          "đang tham gia 12 tháng trước nay vẫn tham gia."),
        _("Điểm công bằng = 100 × (%(r)s × tuyển mới + %(t)s × duy trì + %(p)s × bền vững) × "
          "hệ số khó khăn của địa bàn / hệ số của cơ quan; cơ quan = 100.") % {
            "r": decimal_text(str(weights.recruitment)),
            "t": decimal_text(str(weights.retention)),
            "p": decimal_text(str(weights.persistence))},
        _("Hệ số khó khăn = 1 + %(a)s × tỷ lệ người thuộc hộ nghèo, cận nghèo + %(b)s × tỷ lệ "
          "người dân tộc thiểu số + %(c)s × (mức xa xôi bình quân − 1) / 2. Các trọng số là "
          "lựa chọn của cơ quan, không phải quy định pháp luật.") % {
            "a": decimal_text(str(weights.poverty)),
            "b": decimal_text(str(weights.minority)),
            "c": decimal_text(str(weights.remoteness))},
    ]


@login_required
@require_GET
@reads_from_replica
def ranking(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    params = _params(request)
    if params.by not in RANK_KINDS:
        params.by = next((kind for kind in RANK_KINDS if kind in allowed_by(user)), "")
    if not params.by:
        raise PermissionDenied
    table, _shown, proposed = ranking_table(user, params)
    export = request.GET.get("export")
    if export in ("xlsx", "pdf"):
        return export_response(table, export, f"xep-hang-{params.by}-{params.period.code}",
                               request)
    return render(request, "reports/ranking.html", {
        "params": params, "table": table, "display": table.display_rows(),
        "proposed": [(item, _reward_url(params, item)) for item in proposed],
        "rank_choices": [(kind, _(BY_LABELS[kind])) for kind in RANK_KINDS
                         if kind in allowed_by(user)],
        **_choices(user),
    })


def _reward_url(params: Params, item: rankings.Ranked) -> str:
    kind = {"commune": "collective", "village": "collective", "organisation": "organisation",
            "agent": "person", "staff": "person"}[item.unit.kind]
    import json

    query = {"recipient_kind": kind, "unit": item.unit.key, "recipient_name": item.unit.name,
             "period": params.period.code,
             "reason": _("Xếp hạng công bằng thứ %(rank)d theo %(by)s, %(period)s") % {
                 "rank": item.fair_rank, "by": _(BY_LABELS[item.unit.kind]).lower(),
                 "period": params.period.label},
             "figures": json.dumps(item.figures, ensure_ascii=False)}
    return reverse("network:reward_new") + "?" + urlencode(query)


# ---------------------------------------------------------------------------------------------
# A province: its offices side by side


PROVINCE_METRICS = (Metric.ACTIVE, Metric.NEW, Metric.REJOINED, Metric.RETAINED, Metric.MONEY,
                    Metric.HI_MEMBERS)


def province_table(province: Province, period: Period, as_of: date) -> Table:
    """One row per office of the province, every metric from the summary cells (one statement
    per metric and window, whatever the number of persons)."""
    window = Window(period, as_of)
    last = window.last_year()
    offices = list(Office.objects.filter(
        id__in=Commune.objects.filter(province=province).values("office_id")).order_by("code"))
    this_year = {metric: summary.by_office(province.pk, metric, period, window.start,
                                           window.until) for metric in PROVINCE_METRICS}
    due = summary.by_office(province.pk, summary.DUE, period, window.start, window.until)
    last_active = summary.by_office(province.pk, Metric.ACTIVE, last.period, last.start,
                                    last.until)
    columns = [Column(_("Mã")), Column(_("Cơ quan")),
               Column(str(Metric(Metric.ACTIVE).label), "int"),
               Column(_("Cùng kỳ năm trước"), "int"),
               Column(str(Metric(Metric.NEW).label), "int"),
               Column(str(Metric(Metric.REJOINED).label), "int"),
               Column(str(Metric(Metric.RETAINED).label), "int"), Column(_("Số đến hạn"), "int"),
               Column(str(Metric(Metric.MONEY).label), "money"),
               Column(str(Metric(Metric.HI_MEMBERS).label), "int")]
    table = Table(
        title=_("Các cơ quan của %(province)s, %(period)s") % {
            "province": province.name, "period": period.label},
        subtitle=_("Tính đến ngày %(day)s") % {"day": as_of.strftime("%d/%m/%Y")},
        columns=columns, notes=[definition(metric) for metric in PROVINCE_METRICS])
    for office in offices:
        table.rows.append([
            office.code, office.name, this_year[Metric.ACTIVE].get(office.pk, 0),
            last_active.get(office.pk, 0), this_year[Metric.NEW].get(office.pk, 0),
            this_year[Metric.REJOINED].get(office.pk, 0),
            this_year[Metric.RETAINED].get(office.pk, 0), due.get(office.pk, 0),
            this_year[Metric.MONEY].get(office.pk, 0),
            this_year[Metric.HI_MEMBERS].get(office.pk, 0)])
    if len(table.rows) > 1:
        table.footer = ["", _("Cộng"), *(sum(row[index] for row in table.rows)
                                          for index in range(2, len(columns)))]
    return table


@login_required
@require_GET
@reads_from_replica
def province_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may(user, "see_provinces"):
        raise PermissionDenied
    as_of = date_param(request.GET.get("as_of"), timezone.localdate())
    try:
        period = parse_period(request.GET.get("period") or str(as_of.year))
    except ValueError:
        period = parse_period(str(as_of.year))
    provinces = list(Province.objects.order_by("code"))
    code = request.GET.get("province")
    province = next((item for item in provinces if item.code == code),
                    provinces[0] if provinces else None)
    if province is None:
        raise Http404
    table = province_table(province, period, as_of)
    export = request.GET.get("export")
    if export in ("xlsx", "pdf"):
        return export_response(table, export, f"tinh-{province.code}-{period.code}", request)
    query = urlencode({"province": province.code, "period": period.code,
                       "as_of": as_of.isoformat()})
    return render(request, "reports/province.html", {
        "table": table, "display": table.display_rows(), "provinces": provinces,
        "province": province, "period": period, "as_of": as_of, "export_query": query,
    })
