"""The public calculator: no sign-in, GET forms, one page per question, a PDF counselling sheet.

Every number comes from the engine (``ansinh.policy``) with the office overrides applied
(``rules.current_tree``); the views only validate input and choose what to show.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from ansinh.core.fields import AMOUNT_ERROR, MONTH_ERROR, REQUIRED_ERROR
from ansinh.core.middleware import HtmxHttpRequest
from ansinh.core.pdf import pdf_response
from ansinh.core.templatetags.money import NBSP, format_vnd, group, percent
from ansinh.core.text import in_english
from ansinh.policy import (
    ContributionPeriod,
    IncomeOutOfRange,
    ParameterTree,
    PolicyError,
    contribution_quote,
    household_hi,
    income_bounds,
    lump_sum,
    monthly_allowance,
    pension,
    retirement_age,
)
from ansinh.policy.money import add_months, month_index
from ansinh.rules import presenting as p
from ansinh.rules.tree import current_tree

from .contact import PLACE_KEYS, contact_for, place_query
from .forms import (
    COMPULSORY_SALARY_ERROR,
    CashOutForm,
    PathForm,
    PayForm,
    PensionForm,
    compulsory_period,
    past_period,
    plan_period,
    with_defaults,
)
from .snapshot import parameters_snapshot

# The optional step's refusals and the floor's sentence: one text each, for the server's check
# (_with_compulsory, _floor_said) and the offline page's (offline.js, through _benefits_offline)
COMPULSORY_CEILING = gettext_lazy("Mức lương cao hơn mức cao nhất được đóng BHXH (%(ceiling)s)")
COMPULSORY_END = gettext_lazy("Tháng cuối cùng đóng BHXH bắt buộc phải trước tháng %(month)s")
COMPULSORY_TOO_YOUNG = gettext_lazy("Thời gian đóng BHXH bắt buộc bắt đầu trước khi bạn đủ 15 "
                                    "tuổi: hãy xem lại số năm và tháng cuối cùng")
COMPULSORY_OVERLAP = gettext_lazy("Thời gian đóng BHXH bắt buộc trùng với thời gian đóng tự "
                                  "nguyện: hãy sửa tháng cuối cùng đóng bắt buộc")
FLOOR_SAID = gettext_lazy("Lương hưu được nâng lên bằng mức tham chiếu: đã đóng BHXH bắt buộc "
                          "từ %(duration)s trở lên, bắt đầu trước ngày %(date)s.")
POOR = ("poor", "near_poor")  # a poor or near-poor household: the earlier social-pension age


def _place(request: HttpRequest) -> dict[str, Any]:
    """Whom to call (the office, the local agent) and the address keys that say so, which the
    tabs and the forms carry from page to page (see `contact`)."""
    place = place_query(request.GET)
    return {"contact": contact_for(request.GET, timezone.localdate()), "place": place,
            "place_qs": urlencode(place)}


def _page(request: HtmxHttpRequest, template: str, fragment: str, context: dict[str, Any],
          status: int = 200) -> HttpResponse:
    """The whole page, or for HTMX the result fragment of the same template (always 200: htmx
    does not swap an error response, and the fragment carries the error message)."""
    context.update(_place(request))
    if request.htmx and request.htmx.target == "result":
        return render(request, fragment, context)
    return render(request, template, context, status=status)


def _first_start(tree: ParameterTree) -> date:
    """The first month any contribution could be made (the first contribution rate in force)."""
    return tree.parameter("contribution.rate").starts[0]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "calculator/home.html", {"tab": "home", **_place(request)})


@require_GET
def pay(request: HtmxHttpRequest) -> HttpResponse:
    """Tôi đóng bao nhiêu? The contribution for an income, a category and a payment mode."""
    tree = current_tree()
    form = PayForm(with_defaults(request.GET, PayForm.DEFAULTS))
    context: dict[str, Any] = {"tab": "pay", "form": form}
    if form.is_valid():
        cd = form.cleaned_data
        on = cd["on"] or timezone.localdate()
        try:
            bounds = income_bounds(on, tree)
            context["bounds"] = bounds
            limits = tree.get("contribution.advance_years", on).value
            if isinstance(limits, dict):
                context["year_choices"] = range(int(limits["min"]), int(limits["max"]) + 1)
            income = cd["income"] if cd["income"] is not None else bounds.floor
            years = (cd["years"] or context.get("year_choices", [None])[0]
                     if cd["mode"] == "advance" else None)
            quote = contribution_quote(on, income, (cd["category"],), cd["mode"], years,
                                       tree=tree)
        except IncomeOutOfRange as exc:
            form.add_error("income", p.policy_message(exc))
        except PolicyError as exc:
            form.add_error(None, p.policy_message(exc))
        else:
            context.update(on=on, quote=quote, years=years, **_pay_result(quote))
    if not (request.htmx and request.htmx.target == "result"):  # the whole page: offline too
        context["offline"] = _pay_offline(tree, timezone.localdate())
    status = 200 if form.is_valid() else 400
    return _page(request, "calculator/pay.html", "calculator/_pay_result.html", context, status)


def _pay_result(quote: Any) -> dict[str, Any]:
    amounts = [
        p.amount(quote, "gross_monthly",
                 _("Tổng phải đóng mỗi tháng (%(rate)s mức thu nhập)")
                 % {"rate": percent(quote.rate)},
                 ("contribution.rate",)),
        p.amount(quote, "support_monthly", _("Nhà nước trả giúp mỗi tháng"), p.SUPPORT),
        p.amount(quote, "local_support_monthly", _("Địa phương trả giúp thêm mỗi tháng"),
                 ("subsidy.local_top_up",)),
        p.amount(quote, "net_monthly", _("Bạn tự đóng mỗi tháng"), p.SUPPORT, strong=True),
    ]
    # no "0 ₫" line that reads as an error: the province's top-up only where it pays one
    amounts = [a for a in amounts if a.key != "local_support_monthly" or a.value]
    return {"amounts": amounts,
            "total": p.amount(quote, "total", _("Số tiền mỗi lần đóng"), strong=True),
            **p.refs(quote)}


def _placeholders(text: str) -> str:
    """A translated "%(name)d" / "%(name)s" text with "{name}" for offline.js to fill."""
    return re.sub(r"%\((\w+)\)[ds]", r"{\1}", text)


def _offline(tree: ParameterTree, today: date) -> dict[str, Any]:
    """What a page needs to answer with the network down (static/calculator/*-offline.js):
    the parameter snapshot for engine.js and the words it shows, in the page's language, with
    {placeholders} the script fills (no text is written in the scripts)."""
    snapshot = parameters_snapshot(today, tree)
    on = snapshot["on"]
    return {"snapshot": snapshot, "texts": {
        "vietnamese": not in_english(),
        "group": group(1000)[1], "decimal": "." if group(1000)[1] == "," else ",",
        "currency": f"{NBSP}₫", "percent": f"{NBSP}%",
        "notice": _("Không có mạng: số tính ngay trên máy này, theo quy định tải về ngày "
                    "%(date)s.") % {"date": f"{on[8:]}/{on[5:7]}/{on[:4]}"},
        "income_out_of_range": _("Mức thu nhập phải từ %(floor)s đến %(ceiling)s.")
        % {"floor": "{floor}", "ceiling": "{ceiling}"},
        "income_invalid": str(AMOUNT_ERROR),
        "cannot": _("Không có mạng: chưa tính được. Hãy thử lại khi có mạng."),
        "labels": {name: str(label) for name, label in p.PARAMETER_LABELS.items()},
        "from": _("từ"),
    }}


def _pay_offline(tree: ParameterTree, today: date) -> dict[str, Any]:
    offline = _offline(tree, today)
    limits = tree.find("contribution.advance_years", today)
    top = int(limits.value["max"]) if limits and isinstance(limits.value, dict) else 5
    offline["texts"].update({
        "title": _("Nếu chọn mức thu nhập %(income)s/tháng") % {"income": "{income}"},
        "gross_monthly": _("Tổng phải đóng mỗi tháng (%(rate)s mức thu nhập)")
        % {"rate": "{rate}"},
        "each_month": _("Mỗi tháng đóng:"),
        "each_payment": _("Mỗi lần đóng (%(months)s tháng):") % {"months": "{months}"},
        "advance": {str(y): ngettext("Đóng trước %(years)s năm (%(months)s tháng), một lần:",
                                     "Đóng trước %(years)s năm (%(months)s tháng), một lần:", y)
                    % {"years": y, "months": "{months}"} for y in range(1, top + 1)},
        "discount": _("Đóng trước nhiều năm thì được bớt một ít (tính theo lãi %(r)s mỗi "
                      "tháng).") % {"r": "{r}"},
        "support_note": _("Nhà nước trả giúp %(rate)s số tiền phải đóng, tính trên mức thu "
                          "nhập thấp nhất (%(floor)s).") % {"rate": "{rate}", "floor": "{floor}"},
        # which values each line depends on, as the page marks them (rules.presenting)
        "depends": {"gross_monthly": ["contribution.rate"], "support_monthly": list(p.SUPPORT),
                    "local_support_monthly": ["subsidy.local_top_up"],
                    "net_monthly": list(p.SUPPORT), "total": []},
    })
    return offline


def _benefits_offline(tree: ParameterTree, today: date) -> dict[str, Any]:
    offline = _offline(tree, today)
    offline["texts"].update({
        "pension_from": _("Đủ điều kiện hưởng lương hưu từ tháng %(start)s.")
        % {"start": "{start}"},
        "reasons": {code: _placeholders(str(text)) for code, text in p.REASONS.items()},
        "age": _placeholders(_("%(years)d tuổi %(months)d tháng")),
        "age_years": _placeholders(_("%(years)d tuổi")),
        "reached": _("đủ tuổi tháng %(month)s") % {"month": "{month}"},
        "years": {"one": _placeholders(ngettext("%(years)d năm", "%(years)d năm", 1)),
                  "many": _placeholders(ngettext("%(years)d năm", "%(years)d năm", 2))},
        "months": {"one": _placeholders(ngettext("%(months)d tháng", "%(months)d tháng", 1)),
                   "many": _placeholders(ngettext("%(months)d tháng", "%(months)d tháng", 2))},
        "months_total": _placeholders(_("%(n)d tháng (%(duration)s)")),
        "rate": _("%(rate)s thu nhập bình quân") % {"rate": "{rate}"},
        "projected": _("Trong đó %(n)s là thời gian dự kiến đóng từ nay.") % {"n": "{n}"},
        "no_months": _("Chưa có tháng đóng nào: hãy nhập số năm đã đóng hoặc tháng bắt đầu "
                       "đóng"),
        "too_early": _too_early(tree),
        # the optional step "I had compulsory SI": the refusals of _with_compulsory and the form,
        # and the floor sentence of _floor_said, in the same words
        "compulsory_salary": str(COMPULSORY_SALARY_ERROR),
        "month_invalid": str(MONTH_ERROR),
        "compulsory_ceiling": _placeholders(str(COMPULSORY_CEILING)),
        "compulsory_end": _placeholders(str(COMPULSORY_END)),
        "compulsory_too_young": str(COMPULSORY_TOO_YOUNG),
        "compulsory_overlap": str(COMPULSORY_OVERLAP),
        "floor": _placeholders(str(FLOOR_SAID)),
        "required": f"{_('Giới tính')} / {_('Năm sinh')}: {REQUIRED_ERROR}",
        # which values each line depends on, as the page marks them (rules.presenting)
        "depends": {"monthly_pension": [], "one_time_allowance": [],
                    "average_income": list(p.HISTORY_AVERAGE), "net_monthly": []},
    })
    return offline


class _Invalid(Exception):
    """Input the form accepted but the path cannot use; the message is in the page's
    language."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


def _incomes(form: PathForm, on: date, tree: ParameterTree) -> tuple[int, int]:
    """Past and planned incomes (the floor in force when left empty); the plan within bounds."""
    bounds = income_bounds(on, tree)
    past = form.cleaned_data["past_income"] or bounds.floor
    future = form.cleaned_data["future_income"] or bounds.floor
    try:
        contribution_quote(on, future, tree=tree)
    except IncomeOutOfRange as exc:
        raise _Invalid("future_income", p.policy_message(exc)) from None
    return past, future


def _with_compulsory(form: PathForm, voluntary: list[ContributionPeriod], fallback_end: date,
                     latest: date, on: date, tree: ParameterTree) -> list[ContributionPeriod]:
    """The voluntary ``voluntary`` periods with the compulsory months of the optional step, in
    order: ending in the month the person names, or just before the first voluntary month (with
    none, ``fallback_end``). Refused on its field: a month after ``latest`` (months the person
    has had, not plans), before the age of 15, or also a voluntary month (the engine would
    refuse that too, without saying which field); a salary above the highest SI is ever paid
    on (the ceiling in force on ``on``, 20 × the reference level)."""
    months = form.compulsory
    if months <= 0:
        return voluntary
    cd = form.cleaned_data
    ceiling = income_bounds(on, tree).ceiling
    if cd["compulsory_salary"] > ceiling:
        raise _Invalid("compulsory_salary",
                       str(COMPULSORY_CEILING) % {"ceiling": format_vnd(ceiling)})
    end = cd["compulsory_end"] or (
        add_months(voluntary[0].start, -1) if voluntary else fallback_end)
    if end > latest:
        raise _Invalid("compulsory_end",
                       str(COMPULSORY_END) % {"month": f"{add_months(latest, 1):%m/%Y}"})
    period = compulsory_period(months, end, cd["compulsory_salary"])
    if period.start < add_months(cd["birth"], 15 * 12):
        raise _Invalid("compulsory_years", str(COMPULSORY_TOO_YOUNG))
    if any(v.start <= period.end and period.start <= v.end for v in voluntary):
        raise _Invalid("compulsory_end", str(COMPULSORY_OVERLAP))
    return sorted([period, *voluntary], key=lambda p: p.start)


def asked(request: HttpRequest) -> bool:
    """Whether the address asks a question: more than the place or agent an agent's link
    names (?thon=, ?xa=, ?nv=), which only says whom to call. A link that names only a place
    opens an empty form, not one full of "required" errors."""
    return any(key not in PLACE_KEYS for key in request.GET)

@require_GET
def benefits(request: HtmxHttpRequest) -> HttpResponse:
    """Tôi sẽ nhận gì? The pension at retirement age for a planned contribution path."""
    tree = current_tree()
    today = timezone.localdate()
    form = PensionForm(
        with_defaults(request.GET, PensionForm.DEFAULTS) if asked(request) else None)
    context: dict[str, Any] = {"tab": "benefits", "form": form}
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        start = cd["start"] or today.replace(day=1)
        try:
            past_income, future_income = _incomes(form, today, tree)
            retirement = retirement_age(cd["sex"], cd["birth"], tree)
            history = past_period(form.paid, add_months(start, -1), past_income,
                                  cd["category"])
            history += plan_period(start, retirement.reached_month, future_income,
                                   cd["category"])
            if history and history[0].start < _first_start(tree):
                raise _Invalid("paid_years", _too_early(tree))
            history = _with_compulsory(form, history, add_months(start, -1),
                                       add_months(today.replace(day=1), -1), today, tree)
            if not history:
                raise _Invalid(None, _("Chưa có tháng đóng nào: hãy nhập số năm đã đóng hoặc "
                                       "tháng bắt đầu đóng"))
            result = pension(cd["sex"], cd["birth"], history, today=today, tree=tree)
            quote = contribution_quote(today, future_income, (cd["category"],), tree=tree)
        except _Invalid as exc:
            form.add_error(exc.field, str(exc))
        except PolicyError as exc:
            form.add_error(None, p.policy_message(exc))
        else:
            average = p.amount(result, "average_income",
                               _("Thu nhập bình quân của các năm đóng (đã tính trượt giá)"),
                               p.HISTORY_AVERAGE)
            paying = p.amount(quote, "net_monthly", _("Từ nay bạn tự đóng mỗi tháng"))
            amounts = [average, paying]
            if result.eligible:
                amounts = [p.amount(result, "monthly_pension", _("Lương hưu mỗi tháng"),
                                    strong=True), average, paying]
                if result.one_time_allowance:  # only beyond the years that raise the rate
                    amounts.insert(1, p.amount(result, "one_time_allowance",
                                               _("Nhận thêm một lần khi nghỉ hưu")))
            context.update(
                result=result, retirement=retirement,
                age=p.age_text(result.retirement_age_years, result.retirement_age_months),
                months_said=p.months_text(result.months),
                compulsory_said=(p.duration_text(result.months_compulsory)
                                 if result.months_compulsory else ""),
                floor_said=_floor_said(result),
                projected_said=p.duration_text(result.months_projected),
                quote=quote, start=start,
                past_income=past_income, future_income=future_income, history=history,
                amounts=amounts,
                rate_provisional=p.depends_on_provisional(result.parameters, p.RATE),
                **p.refs(result, quote),
            )
    if not (request.htmx and request.htmx.target == "result"):  # the whole page: offline too
        context["offline"] = _benefits_offline(tree, today)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return _page(request, "calculator/benefits.html", "calculator/_benefits_result.html",
                 context, status)


def _floor_said(result: Any) -> str:
    """Why the pension is the reference level (D159 Art. 11(3)), in the values it used."""
    if not result.floor_applied:
        return ""
    used = {pv.name: pv.value for pv in result.parameters}
    return str(FLOOR_SAID) % {
        "duration": p.duration_text(used["pension.floor_min_compulsory_months"]),
        "date": f"{used['pension.floor_joined_before']:%d/%m/%Y}"}


def _too_early(tree: ParameterTree) -> str:
    first = _first_start(tree)
    return _("BHXH tự nguyện chỉ có từ tháng %(month)s: số năm đã đóng quá nhiều") % {
        "month": f"{first:%m/%Y}"}


def cash_out_context(form: CashOutForm, tree: ParameterTree, today: date) -> dict[str, Any]:
    """Everything the cash-out page and the counselling sheet show (raises _Invalid or
    PolicyError on input the engine refuses)."""
    cd = form.cleaned_data
    claim_on = cd["claim_on"] or today
    last_paid = cd["last_paid"] or add_months(claim_on, -1)
    if form.paid <= 0 and form.compulsory <= 0:
        raise _Invalid("paid_years", _("Hãy nhập số năm, tháng đã đóng"))
    past_income, future_income = _incomes(form, claim_on, tree)
    past = past_period(form.paid, last_paid, past_income, cd["category"])
    if past and past[0].start < _first_start(tree):
        raise _Invalid("paid_years", _too_early(tree))
    if last_paid > claim_on:
        raise _Invalid("last_paid", _("Tháng đóng gần nhất sau ngày rút"))
    past = _with_compulsory(form, past, last_paid, claim_on.replace(day=1), claim_on, tree)
    last_paid = past[-1].end
    sex, birth = cd["sex"], cd["birth"]
    retirement = retirement_age(sex, birth, tree)
    cash = lump_sum(past, claim_on, cd["ground"], tree, sex, birth)
    resume = max(add_months(last_paid, 1), claim_on.replace(day=1))
    plan = past + plan_period(resume, retirement.reached_month, future_income, cd["category"])
    kept = pension(sex, birth, plan, today=claim_on, tree=tree)
    allowance = monthly_allowance(sex, birth, past, claim_on, cd["category"] in POOR, tree)
    card = household_hi(claim_on, 1, 12, tree)
    paying = contribution_quote(claim_on, future_income, (cd["category"],), tree=tree)
    top_up = p.spread(allowance.top_up_to_social_pension_age,
                      max(month_index(retirement.reached_month) - month_index(claim_on), 1))
    paid_rows = [p.amount(cash, "contributions_paid", _("Số tiền bạn đã tự đóng"), p.SUPPORT)]
    return {
        "claim_on": claim_on, "last_paid": last_paid, "resume": resume,
        "past_income": past_income, "future_income": future_income,
        "retirement": retirement, "cash": cash, "cash_later": _cash_later(cd, past, cash, tree),
        "paid_said": p.duration_text(cash.months),
        "compulsory_said": p.duration_text(form.compulsory) if form.compulsory else "",
        "age": p.age_text(kept.retirement_age_years, kept.retirement_age_months),
        "kept": kept, "kept_months_said": p.duration_text(kept.months),
        "paying": paying, "allowance": allowance,
        "allowance_said": p.duration_text(allowance.months_payable),
        "top_up_said": p.top_up_text(top_up,
                                     social_pension_month=allowance.social_pension_month),
        "lump_sum_in_pensions": p.lump_sum_in_pensions(cash.amount, kept.monthly_pension),
        "card": card, "plan_months": kept.months,
        "cash_amounts": [
            *paid_rows,
            p.amount(cash, "gross", _("Tiền BHXH một lần tính theo luật"),
                     ("lump_sum.", "pension.revaluation", "benefits.half_year_odd_months")),
            p.amount(cash, "support_deducted", _("Trừ lại phần Nhà nước đã trả giúp"),
                     p.SUPPORT),
            p.amount(cash, "amount", _("Số tiền bạn nhận về"), strong=True),
        ] if cash.allowed else paid_rows,
        "kept_amounts": [
            p.amount(kept, "monthly_pension", _("Lương hưu mỗi tháng"), strong=True),
            *([p.amount(kept, "one_time_allowance", _("Nhận thêm một lần khi nghỉ hưu"))]
              if kept.one_time_allowance else []),
        ],
        "allowance_amounts": [
            p.amount(allowance, "monthly_amount", _("Trợ cấp hằng tháng"), strong=True),
        ],
        "card_amount_list": [
            p.amount(card, "total", _("Nếu tự mua thẻ BHYT hộ gia đình, mỗi người đóng mỗi năm")),
        ],
        **p.refs(cash, kept, allowance, card),
    }


def _cash_later(cd: dict[str, Any], past: list[Any], cash: Any, tree: ParameterTree) -> Any:
    """When the claim is refused only because the months out are too few: the lump sum on the
    first day it is allowed (None otherwise), so the page can say when and how much instead of
    a bare "0 ₫". The refusal names the months the law asks for (its reason's argument)."""
    if cash.allowed or cash.reason.code != "gap_too_short":
        return None
    gap = cash.reason.arguments["months"]
    assert isinstance(gap, int)
    on = add_months(past[-1].end, gap + 1)
    if on <= cash.claim_on:
        return None
    later = lump_sum(past, on, "twelve_months_out", tree, cd["sex"], cd["birth"])
    return later if later.allowed and later.amount > 0 else None


def _cash_out_form(request: HttpRequest) -> CashOutForm:
    data = with_defaults(request.GET, CashOutForm.DEFAULTS) if asked(request) else None
    return CashOutForm(data, tree=current_tree(), on=timezone.localdate())


def _cash_out(request: HttpRequest, form: CashOutForm) -> dict[str, Any]:
    context: dict[str, Any] = {"tab": "cash_out", "form": form,
                               "query": request.GET.urlencode()}
    if form.is_bound and form.is_valid():
        try:
            context.update(cash_out_context(form, current_tree(), timezone.localdate()))
        except _Invalid as exc:
            form.add_error(exc.field, str(exc))
        except PolicyError as exc:
            form.add_error(None, p.policy_message(exc))
    return context


@require_GET
def cash_out(request: HtmxHttpRequest) -> HttpResponse:
    """Nếu rút BHXH một lần? The lump sum now against the pension and the monthly allowance."""
    form = _cash_out_form(request)
    context = _cash_out(request, form)
    if not (request.htmx and request.htmx.target == "result"):
        # not ported to the phone (the monthly allowance, the health-insurance card): offline
        # the page says it needs the network, rather than nothing
        context["offline"] = {"texts": {
            "cannot": _("Không có mạng: chưa tính được. Hãy thử lại khi có mạng.")}}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return _page(request, "calculator/cash_out.html", "calculator/_cash_out_result.html",
                 context, status)


def _sheet_inputs(form: CashOutForm, context: dict[str, Any]) -> list[tuple[str, str]]:
    cd = form.cleaned_data
    choices = {name: dict(form.fields[name].choices)  # type: ignore[attr-defined]
               for name in ("sex", "category", "ground")}
    birth = cd["birth"]
    return [
        (_("Giới tính"), str(choices["sex"][cd["sex"]])),
        (_("Năm sinh"), f"{birth:%m/%Y}" if birth.month != 1 else f"{birth:%Y}"),
        (_("Nhóm"), str(choices["category"][cd["category"]])),
        (_("Đã đóng tự nguyện") if form.compulsory else _("Đã đóng"), p.months_text(form.paid)),
        (_("Mức thu nhập đã chọn để đóng"), format_vnd(context["past_income"]) + _("/tháng")),
        (_("Tháng cuối cùng đã đóng"), f"{context['last_paid']:%m/%Y}"),
        (_("Ngày nộp hồ sơ rút"), f"{context['claim_on']:%d/%m/%Y}"),
        (_("Lý do rút"), str(choices["ground"][cd["ground"]])),
        (_("Nếu đóng tiếp, mức thu nhập chọn"), format_vnd(context["future_income"]) + _("/tháng")),
        *([(_("Đã đóng BHXH bắt buộc"), p.months_text(form.compulsory)),
           (_("Mức lương đóng BHXH bắt buộc"),
            format_vnd(cd["compulsory_salary"]) + _("/tháng"))] if form.compulsory else []),
    ]


@require_GET
def sheet(request: HtmxHttpRequest) -> HttpResponse:
    """The counselling sheet as an A4 PDF, from the same parameters as the cash-out page."""
    form = _cash_out_form(request)
    context = _cash_out(request, form)
    if not form.is_bound or not form.is_valid():
        return render(request, "calculator/cash_out.html", context, status=400)
    context["printed_on"] = timezone.localdate()
    context["inputs"] = _sheet_inputs(form, context)
    return pdf_response(request, "calculator/sheet.html", context, "phieu-tu-van")
