"""Participation pages (/tham-gia/): the scoped list, a participation with its dues, history
and ledger, enrolment from the register with the calculator inline, the TK1-TS declaration (PDF)
and the lapse list. They live here, not in the participation app, because they show what is
owed and paid.

Views validate, actions act (`participation.actions`, `lifecycle`, `lapses`); a refusal is
shown as it came (`Refused.message`).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ansinh.core import personal
from ansinh.core.errors import Refused
from ansinh.core.middleware import HtmxHttpRequest
from ansinh.core.models import AccessKind, User
from ansinh.core.pages import office_choices, working_office
from ansinh.core.pages import query_without_page as _without_page
from ansinh.core.params import date_param as _date
from ansinh.core.params import id_param, int_param, text_param
from ansinh.core.pdf import pdf_response
from ansinh.core.permissions import may, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import get_scoped_or_404, is_admin, scoped
from ansinh.core.templatetags.money import format_count
from ansinh.core.text import fold
from ansinh.network.models import Agent, Assignment
from ansinh.participation import actions
from ansinh.participation.forms import ChangeTermsForm, EnrolForm, PauseForm, ResumeForm, StopForm
from ansinh.participation.models import COLLECTABLE, Participation, PaymentMode, Status
from ansinh.participation.subsidy import facts_for
from ansinh.policy import PolicyError, contribution_quote, income_bounds
from ansinh.policy.money import first_of_month
from ansinh.registry.models import Commune, Person, Village
from ansinh.rules import presenting as p
from ansinh.rules.presenting import CATEGORY_CHOICES, policy_message
from ansinh.rules.tree import current_tree

from . import lifecycle
from .dues import dues, next_change_month, period_amounts, supported_before
from .lapses import run_lapses as run_lapse_job
from .ledger import participant_ledger
from .payment_state import LAPSED, pause_after, payment_state, payment_states

PAGE_SIZE = 50
# Above this many rows the lapse list computes the dues of the whole office in bulk rather
# than passing a long list of ids to the database.
BULK_BY_OFFICE = 5000


# --------------------------------------------------------------------------------------------
# The list


def filtered_participations(request: HttpRequest, user: User) -> QuerySet[Participation]:
    """The user's participations narrowed by the list's filters (the export uses it too)."""
    rows = scoped(user, Participation.objects.all())
    if (status := request.GET.get("status")) in Status.values:
        rows = rows.filter(status=status)
    if commune := request.GET.get("commune"):
        rows = rows.filter(village__commune__code=commune)
    if village := request.GET.get("village"):
        rows = rows.filter(village__code=village)
    if (agent := id_param(request.GET.get("agent"))) is not None:
        rows = rows.filter(agent_id=agent)
    if query := fold(text_param(request.GET.get("q"))):
        digits = query.replace(" ", "")
        if digits.isdigit():
            rows = rows.filter(personal.digits_match(user, digits, ids=("person__national_id",)))
        else:
            rows = rows.filter(person__name_folded__contains=query)
    return rows


def _agents_of(user: User) -> QuerySet[Agent]:
    return (Agent.objects.filter(organisation__office_id=user.office_id or 0)
            .select_related("user").order_by("code"))


@login_required
def participation_list(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    rows = (filtered_participations(request, user)
            .select_related("person", "village__commune", "agent__user")
            .order_by("person__name_folded", "id"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    villages = scoped(user, Village.objects.select_related("commune"))
    if commune_code := request.GET.get("commune"):
        villages = villages.filter(commune__code=commune_code)
    context = {
        "page": page, "filters": request.GET, "query_string": _without_page(request),
        "statuses": Status.choices, "communes": scoped(user, Commune.objects.all()),
        # an agent's participants are their own: no choice of agent
        "villages": villages,
        "agents": [] if Agent.objects.filter(user=user).exists() else _agents_of(user),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "participation/_results.html", context)
    return render(request, "participation/list.html", context)


# --------------------------------------------------------------------------------------------
# One participation


def _detail_context(user: User, participation: Participation, on: date,
                    **forms: Any) -> dict[str, Any]:
    current = dues(participation, on)
    prices = period_amounts(participation, current.payable, on)
    open_periods = [(period, prices.get(period.start)) for period in current.periods
                    if not period.is_paid]
    upcoming = current.next_period
    try:
        earliest = next_change_month(participation, on)
    except Refused:
        earliest = first_of_month(on)
    terms_initial = {"from_month": f"{earliest:%Y-%m}", "income": participation.income,
                     "mode": participation.mode,
                     "advance_years": participation.advance_years}
    state = payment_state(participation.status, current, pause_after(participation.office_id))
    computed = state.state
    overdue_total = sum(amount or 0 for period, amount in open_periods if period.deadline < on)
    paid_months = [(month, CATEGORY_LABELS.get(month.category, month.category))
                   for month in participation.paid_months.select_related("receipt",
                                                                         "released_by")]
    return {
        "participation": participation, "person": participation.person, "on": on,
        "computed_status": computed, "computed_label": Status(computed).label,
        "overdue_total": overdue_total, "months_behind": state.months_behind,
        "terms": participation.terms.select_related("created_by"),
        "changes": participation.status_changes.select_related("actor"),
        "receipts": participation.receipts.select_related("agent__user", "reverses",
                                                          "reversal"),
        "paid_months": paid_months,
        "dues": current, "open_periods": open_periods,
        "next_period": upcoming,
        "next_amount": prices.get(upcoming.start) if upcoming is not None else None,
        "ledger": participant_ledger(participation),
        "can_manage": (may(user, "manage_participations")
                       and participation.status != Status.STOPPED),
        "can_collect": (may(user, "record_receipts")
                        and participation.status in COLLECTABLE),
        "earliest_change": earliest,
        "terms_form": forms.get("terms_form") or ChangeTermsForm(initial=terms_initial),
        "pause_form": forms.get("pause_form") or PauseForm(),
        "resume_form": forms.get("resume_form") or ResumeForm(
            initial={"from_month": f"{on:%Y-%m}"}),
        "stop_form": forms.get("stop_form") or StopForm(),
    }


def _participation(user: User, pk: int) -> Participation:
    return get_scoped_or_404(
        user, Participation.objects.select_related(
            "person__village__commune", "person__household", "agent__user", "organisation",
            "enrolled_by"),
        pk=pk)


@login_required
def participation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participation = _participation(user, pk)
    personal.log_access(request, AccessKind.PARTICIPANT_PAGE, office_id=participation.office_id,
                        person_id=participation.person_id, object_id=participation.pk)
    return render(request, "participation/detail.html",
                  _detail_context(user, participation, timezone.localdate()))


def _after_action(request: HttpRequest, user: User, participation: Participation,
                  form_name: str, form: Any, done: str) -> HttpResponse:
    """Redirect after a change; on a refusal show the page again with the form's error."""
    if not form.errors:
        messages.success(request, done)
        return redirect("participation:detail", pk=participation.pk)
    participation = _participation(user, participation.pk)
    context = _detail_context(user, participation, timezone.localdate(), **{form_name: form})
    context["open_form"] = form_name
    return render(request, "participation/detail.html", context, status=400)


@role_required("manage_participations")
@require_POST
def change_terms(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participation = _participation(user, pk)
    form = ChangeTermsForm(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        try:
            lifecycle.change_terms(participation, from_month=cd["from_month"], income=cd["income"],
                                 mode=cd["mode"], advance_years=cd["advance_years"], actor=user,
                                 on=timezone.localdate())
        except Refused as exc:
            form.add_error(None, exc.message)
    return _after_action(request, user, participation, "terms_form", form,
                         _("Đã thay đổi mức thu nhập / phương thức đóng"))


@role_required("manage_participations")
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participation = _participation(user, pk)
    form = PauseForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.pause(participation, on=timezone.localdate(), actor=user,
                          reason=form.cleaned_data["reason"])
        except Refused as exc:
            form.add_error(None, exc.message)
    return _after_action(request, user, participation, "pause_form", form,
                         _("Đã ghi tạm dừng đóng"))


@role_required("manage_participations")
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participation = _participation(user, pk)
    form = ResumeForm(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        try:
            lifecycle.resume(participation, from_month=cd["from_month"], on=timezone.localdate(),
                           actor=user, income=cd["income"], mode=cd["mode"] or None,
                           advance_years=cd["advance_years"])
        except Refused as exc:
            form.add_error(None, exc.message)
    return _after_action(request, user, participation, "resume_form", form,
                         _("Đã ghi đóng tiếp"))


@role_required("manage_participations")
@require_POST
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participation = _participation(user, pk)
    form = StopForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.stop(participation, reason=form.cleaned_data["reason"],
                         note=form.cleaned_data["note"], on=timezone.localdate(), actor=user)
        except Refused as exc:
            form.add_error(None, exc.message)
    return _after_action(request, user, participation, "stop_form", form,
                         _("Đã ghi dừng tham gia"))


# --------------------------------------------------------------------------------------------
# Enrolment


def _enrol_quote(person: Person, form: EnrolForm, today: date) -> dict[str, Any]:
    """The inline calculator: what the person pays per period after the state subsidy, from
    the facts of the person (never a category typed by hand)."""
    tree = current_tree(person.office)
    bounds = income_bounds(today, tree)
    data = form.data
    mode = data.get("mode") or PaymentMode.MONTHLY
    if mode not in PaymentMode.values:
        mode = PaymentMode.MONTHLY
    years = None
    if mode == PaymentMode.ADVANCE:
        raw = data.get("advance_years") or "2"
        years = int_param(raw, 2, low=1, high=99) or 2
    income_field = form.fields["income"]
    try:
        income = income_field.to_python(data.get("income")) or bounds.floor
    except forms.ValidationError:  # not a number: the form says why on submit
        return {"quote_error": _("Nhập thu nhập bằng chữ số, ví dụ 2.000.000")}
    try:
        year, month = (data.get("start_month") or f"{today:%Y-%m}").split("-")
        start_month = date(int(year), int(month), 1)
    except ValueError:
        start_month = first_of_month(today)
    categories = facts_for(person).categories(start_month)
    try:
        quote = contribution_quote(today, income, categories, mode, years,
                                   supported_months=supported_before(person), tree=tree)
    except PolicyError as exc:
        return {"quote_error": policy_message(exc), "bounds": bounds}
    amounts = [
        p.amount(quote, "gross_monthly", _("Mức đóng mỗi tháng"), ("contribution.rate",)),
        p.amount(quote, "support_monthly", _("Nhà nước hỗ trợ mỗi tháng"), p.SUPPORT),
        p.amount(quote, "local_support_monthly", _("Địa phương hỗ trợ thêm mỗi tháng"),
                 ("subsidy.local_top_up",)),
        p.amount(quote, "net_monthly", _("Người tham gia đóng mỗi tháng"), p.SUPPORT,
                 strong=True),
    ]
    return {"quote": quote, "amounts": amounts, "bounds": bounds, "categories": categories,
            "total": p.amount(quote, "total", _("Số tiền mỗi lần đóng"), strong=True),
            **p.refs(quote)}


CATEGORY_LABELS = dict(CATEGORY_CHOICES)


@role_required("enrol")
@require_http_methods(["GET", "POST"])
def enrol(request: HtmxHttpRequest, person_id: int) -> HttpResponse:
    """Đăng ký tham gia from the register: refusal reasons, the form, the calculator inline."""
    user = _user(request)
    person = get_scoped_or_404(user, Person.objects.select_related("village__commune",
                                                                   "household"), pk=person_id)
    today = timezone.localdate()
    agents = _agents_of(user) if may(user, "assign_agents") else None
    form = EnrolForm(request.POST or request.GET or None, today=today, agents=agents)
    if request.htmx and request.htmx.target == "quote":
        context = _enrol_quote(person, form, today)
        context["category_label"] = _category_label(context.get("quote"))
        return render(request, "participation/_enrol_quote.html", context)
    if request.method == "POST" and (done := _already_enrolled(request, person)):
        return done
    refusal = actions.eligibility_refusal(person, today)
    if request.method == "POST" and refusal is None and form.is_valid():
        cd = form.cleaned_data
        try:
            participation = actions.enrol(
                person, start_month=cd["start_month"], income=cd["income"], mode=cd["mode"],
                advance_years=cd["advance_years"], agent=cd.get("agent"), actor=user,
                enrolled_on=today, client_uuid=cd["client_uuid"])
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã đăng ký tham gia cho %(name)s")
                             % {"name": person.full_name})
            return redirect("participation:detail", pk=participation.pk)
    if request.method == "GET" and not request.GET:
        form = EnrolForm(today=today, agents=agents,
                         initial={"income": "", "agent": _default_agent(person, agents)})
    context = {"person": person, "form": form, "refusal": refusal, "today": today,
               "age": person.age_on(today), "facts": facts_for(person)}
    quote = _enrol_quote(person, form, today)
    quote["category_label"] = _category_label(quote.get("quote"))
    context.update(quote)
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/enrol.html", context, status=status)


def _already_enrolled(request: HttpRequest, person: Person) -> HttpResponse | None:
    """The enrolment form sent twice (same client UUID): show the first enrolment."""
    try:
        client_uuid = uuid.UUID(request.POST.get("client_uuid", ""))
    except ValueError:
        return None
    existing = Participation.objects.filter(uuid=client_uuid, person=person).first()
    if existing is None:
        return None
    return redirect("participation:detail", pk=existing.pk)


def _category_label(quote: Any) -> str:
    if quote is None:
        return ""
    return str(CATEGORY_LABELS.get(quote.category_applied, quote.category_applied))


def _default_agent(person: Person, agents: QuerySet[Agent] | None) -> int | None:
    """The agent who answers for the person's commune today, when there is exactly one."""
    if agents is None:
        return None
    today = timezone.localdate()
    covering = Assignment.objects.filter(
        Q(commune_id=person.village.commune_id) | Q(village_id=person.village_id),
        starts_on__lte=today).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    ids = list(agents.filter(user_id__in=covering.values("user_id"))
               .values_list("id", flat=True).distinct()[:2])
    return ids[0] if len(ids) == 1 else None


# --------------------------------------------------------------------------------------------
# The declaration form TK1-TS


@login_required
def declaration_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Tờ khai TK1-TS pre-filled for the participant's signature (A4 PDF)."""
    user = _user(request)
    participation = _participation(user, pk)
    person = participation.person
    months = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
    personal.log_access(request, AccessKind.DECLARATION, office_id=participation.office_id,
                        person_id=person.pk, object_id=participation.pk, rows=1)
    return pdf_response(request, "participation/declaration.html", {
        "participation": participation, "person": person,
        "office": participation.office, "printed_on": timezone.localdate(),
        "facts": facts_for(person),
        "categories": [str(CATEGORY_LABELS.get(c, c)) for c in
                       facts_for(person).categories(participation.start_month)],
        "period_months": months.get(participation.mode),
    }, f"TK1-TS-{participation.pk}")


# --------------------------------------------------------------------------------------------
# Lapses


def lapse_rows(user: User, as_of: date, request: HttpRequest) -> list[dict[str, Any]]:
    """Open participations whose payment state on `as_of` is late or paused
    (`payment_state`: the same definition as the lapse run, the worklist and reminders)."""
    rows = scoped(user, Participation.objects.exclude(status=Status.STOPPED)).select_related(
        "person", "village__commune", "agent__user")
    if commune := request.GET.get("commune"):
        rows = rows.filter(village__commune__code=commune)
    if village := request.GET.get("village"):
        rows = rows.filter(village__code=village)
    found = list(rows.order_by("village__commune__code", "village__name", "person__name_folded"))
    if not found:
        return []
    if len(found) > BULK_BY_OFFICE and user.office_id:
        states = payment_states(None, as_of, office_id=user.office_id)
    else:
        states = payment_states(found, as_of)
    result = []
    for participation in found:
        state = states.get(participation.pk)
        if state is None or state.state not in LAPSED:
            continue
        result.append({"p": participation, "state": state.state, "dues": state.dues,
                       "missed": state.missed, "overdue_months": state.months_behind,
                       "since": (participation.status_since
                                 if participation.status == state.state else None)})
    return result


@login_required
def lapses(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    as_of = _date(request.GET.get("as_of"), today)
    rows = lapse_rows(user, as_of, request)
    groups = [(village, list(items)) for village, items in
              groupby(rows, key=lambda row: row["p"].village)]
    villages = scoped(user, Village.objects.select_related("commune"))
    if commune_code := request.GET.get("commune"):
        villages = villages.filter(commune__code=commune_code)
    return render(request, "participation/lapses.html", {
        "as_of": as_of, "today": today, "groups": groups, "rows": rows,
        # counted from the rows shown, so the header and the list cannot disagree
        "late": sum(1 for row in rows if row["state"] == Status.LATE),
        "paused": sum(1 for row in rows if row["state"] == Status.PAUSED),
        "can_run": may(user, "run_office_jobs") and (user.office_id or is_admin(user)),
        "office": user.office, "offices": office_choices(user),
        "communes": scoped(user, Commune.objects.all()), "villages": villages,
        "filters": request.GET, "yesterday": today - timedelta(days=1),
    })


@role_required("run_office_jobs")
@require_POST
def run_lapses(request: HttpRequest) -> HttpResponse:
    """Run lapse detection for today on the user's office (an administrator names it;
    idempotent; the daily job does the same)."""
    user = _user(request)
    summary = run_lapse_job(working_office(request, user), timezone.localdate(), actor=user)
    messages.success(request, _(
        "Đã kiểm tra %(checked)s người: %(late)s chậm đóng, %(paused)s tạm dừng, "
        "%(active)s đóng lại") % {key: format_count(summary[field]) for key, field in (
            ("checked", "checked"), ("late", "late"), ("paused", "paused"),
            ("active", "active_again"))})
    return redirect("participation:lapses")
