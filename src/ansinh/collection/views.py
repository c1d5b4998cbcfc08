"""Money pages: the agent's day, recording a receipt in a few taps, receipts, receipt books,
remittances, reconciliation with period close, and the declaration-list exports.

Views validate, actions act (`collection.actions`); every list goes through `scoped()` and
reads aggregates, never a query per row.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ansinh.collection.dues import dues, dues_bulk, period_amounts, quote_months
from ansinh.collection.participant_views import filtered_participations
from ansinh.core import personal
from ansinh.core.errors import Refused
from ansinh.core.middleware import HtmxHttpRequest
from ansinh.core.models import AccessKind, Office, User
from ansinh.core.pages import office_choices, working_office
from ansinh.core.pages import query_without_page as _without_page
from ansinh.core.params import date_param as _date
from ansinh.core.params import id_param, int_param, text_param
from ansinh.core.permissions import may, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.replica import reads_from_replica
from ansinh.core.scoping import (
    get_scoped_or_404,
    in_office,
    is_admin,
    scoped,
    visible_villages,
    whole_office,
)
from ansinh.core.templatetags.money import format_vnd, in_words
from ansinh.core.text import fold
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.network.territory import agents_within
from ansinh.participation.models import COLLECTABLE, Participation
from ansinh.policy import PolicyError, household_hi
from ansinh.policy.money import add_months, first_of_month
from ansinh.registry.models import Commune, Household, Person
from ansinh.rules.presenting import policy_message
from ansinh.rules.tree import current_tree

from . import actions, exporting, receipts
from .forms import (
    BookForm,
    CloseForm,
    HIReceiptForm,
    ReceiptForm,
    RemitForm,
    ReverseForm,
    parse_months,
)
from .ledger import cash_in_hand, period_totals, reconciliation, unremitted
from .models import (
    Channel,
    HIMember,
    PeriodClose,
    Product,
    Receipt,
    ReceiptBook,
    Remittance,
    RemittanceStatus,
)

PAGE_SIZE = 50
DUE_WINDOW_DAYS = 7


def _agent_of(user: User) -> Agent | None:
    """The user's own agent record, when they collect for an organisation: their pages show
    their own day, books and cash."""
    return Agent.objects.select_related("organisation").filter(user=user).first()


def digits(amount: int) -> str:
    """An amount as typed in the amount box: 341.000 (VNDField reads it back)."""
    return f"{amount:,}".replace(",", ".")


def _money(qs: QuerySet[Receipt]) -> dict[str, int]:
    row = qs.aggregate(amount=Coalesce(Sum("amount"), 0), support=Coalesce(Sum("support"), 0),
                       count=Count("id"))
    return {key: int(value) for key, value in row.items()}


# --------------------------------------------------------------------------------------------
# Home


def due_this_week(user: User, today: date, limit: int = 60) -> list[dict[str, Any]]:
    """Open participations in the user's villages with a deadline within the week or missed."""
    rows = list(scoped(user, Participation.objects.filter(
        status__in=COLLECTABLE)).select_related("person", "village")
        .order_by("village__name", "person__name_folded"))
    all_dues = dues_bulk(rows, today) if rows else {}
    horizon = today + timedelta(days=DUE_WINDOW_DAYS)
    result: list[dict[str, Any]] = []
    for participation in rows:
        current = all_dues.get(participation.pk)
        if current is None:
            continue
        deadline = current.first_missed_deadline or (
            current.due[0].deadline if current.due else None)
        if deadline is None or deadline > horizon:
            continue
        result.append({"p": participation, "deadline": deadline,
                       "overdue": deadline < today,
                       "months": len(current.overdue_months) + len(current.due_months)})
    result.sort(key=lambda row: (row["deadline"], row["p"].village.name))
    return result[:limit]


@role_required("field_work")
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    receipts = scoped(user, Receipt.objects.all())
    agent = _agent_of(user)
    context: dict[str, Any] = {"today": today, "agent": agent}
    if agent is not None:
        mine = Receipt.objects.filter(agent=agent)
        context.update(
            cash=cash_in_hand(agent),
            today_receipts=mine.filter(paid_on=today).select_related("person")
            .order_by("-id"),
            today_total=_money(mine.filter(paid_on=today)),
            books=ReceiptBook.objects.filter(agent=agent, returned_on__isnull=True),
        )
    else:
        month = first_of_month(today)
        context.update(
            month=month,
            month_total=_money(receipts.filter(period=month)),
            today_total=_money(receipts.filter(paid_on=today)),
            unremitted=_money(unremitted(receipts)),
            waiting=in_office(user, Remittance.objects.filter(
                status=RemittanceStatus.SUBMITTED)).count(),
        )
    context["due"] = due_this_week(user, today)
    return render(request, "collection/home.html", context)


# --------------------------------------------------------------------------------------------
# Recording a voluntary-SI receipt


def _open_participation(user: User, raw: str | None) -> Participation | None:
    if (pk := id_param(raw)) is None:
        return None
    return get_scoped_or_404(
        user, Participation.objects.select_related("person", "village__commune",
                                                   "agent__user"),
        pk=pk)


def _period_choices(participation: Participation, on: date) -> tuple[list[tuple[str, str]],
                                                                      list[dict[str, Any]]]:
    """Checkbox values (the months of each payable period) and what each box shows."""
    current = dues(participation, on)
    payable = current.payable
    prices = period_amounts(participation, payable, on)
    choices, shown = [], []
    for period in payable:
        value = ",".join(m.isoformat() for m in period.unpaid)
        choices.append((value, value))
        shown.append({"value": value, "period": period, "amount": prices.get(period.start),
                      "overdue": period.deadline < on, "ahead": period.start > on})
    return choices, shown


def _search(user: User, query: str) -> list[Participation]:
    folded = fold(query)
    if len(folded) < 2:
        return []
    rows = scoped(user, Participation.objects.filter(status__in=COLLECTABLE))
    digits = folded.replace(" ", "")
    rows = (rows.filter(personal.digits_match(user, digits, ids=("person__national_id",)))
            if digits.isdigit() else rows.filter(person__name_folded__contains=folded))
    return list(rows.select_related("person", "village").order_by("person__name_folded")[:20])


def _already_recorded(request: HttpRequest, **owner: Any) -> HttpResponse | None:
    """A resubmitted form (same client UUID): show the receipt the first submit recorded.

    Checked before the form, whose period choices no longer offer the months just paid.
    """
    try:
        client_uuid = uuid.UUID(request.POST.get("client_uuid", ""))
    except ValueError:
        return None
    existing = Receipt.objects.filter(uuid=client_uuid, **owner).first()
    if existing is None:
        return None
    messages.info(request, _("Biên lai này đã được ghi trước đó (gửi lại): %(number)s")
                  % {"number": existing.number})
    return redirect("collection:receipt_detail", pk=existing.pk)


def _quote_context(participation: Participation, months: list[date], on: date) -> dict[str, Any]:
    if not months:
        return {"months": []}
    try:
        pricing = quote_months(participation, months, on)
    except Refused as exc:
        return {"months": months, "quote_error": exc.message}
    return {"months": months, "pricing": pricing, "amount_text": digits(pricing.amount)}


@role_required("record_receipts")
@require_http_methods(["GET", "POST"])
def receipt_new(request: HtmxHttpRequest) -> HttpResponse:
    """Ghi biên lai: pick a participant, tick periods, the engine's amount, a channel, save."""
    user = _user(request)
    backdate = may(user, "backdate_receipts")
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    if request.htmx and request.htmx.target == "picker":
        return render(request, "collection/_picker.html",
                      {"found": _search(user, request.GET.get("q", "")),
                       "q": request.GET.get("q", "")})
    participation = _open_participation(user, source.get("participation"))
    context: dict[str, Any] = {"participation": participation, "today": today}
    if participation is None:
        context["found"] = _search(user, request.GET.get("q", ""))
        context["q"] = request.GET.get("q", "")
        return render(request, "collection/receipt_new.html", context)
    paid_on = _date(source.get("paid_on"), today) if backdate else today
    choices, shown = _period_choices(participation, paid_on)
    if request.htmx and request.htmx.target == "amount":
        try:
            months = parse_months(request.GET.getlist("period"))
        except ValueError:
            months = []
        return render(request, "collection/_amount.html",
                      _quote_context(participation, months, paid_on))
    if request.method == "POST" and (
            done := _already_recorded(request, participation=participation)):
        return done
    initial: dict[str, Any] = {}
    if request.method == "GET" and request.GET.get("due") == "1":
        # "Thu tiền" from a due row (the worklist, the day's list): the months owed now are
        # ticked and their amount shown; paying ahead stays a choice
        initial["period"] = [row["value"] for row in shown if not row["ahead"]]
    form = ReceiptForm(request.POST or None, today=today, periods=choices, initial=initial)
    if participation.status not in COLLECTABLE:
        context["closed"] = True
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        when = cd["paid_on"] if backdate else today
        try:
            recorded = receipts.record_receipt(
                participation, months=cd["period"], amount=cd["amount"], paid_on=when,
                channel=cd["channel"], client_uuid=cd["client_uuid"], actor=user,
                note=cd["note"])
        except receipts.AmountMismatch as exc:
            form.add_error("amount", exc.message)
            context["mismatch"] = exc
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            if recorded.created:
                messages.success(request, _("Đã ghi biên lai %(number)s")
                                 % {"number": recorded.receipt.number})
            else:
                messages.info(request, _("Biên lai này đã được ghi trước đó (gửi lại): "
                                         "%(number)s") % {"number": recorded.receipt.number})
            return redirect("collection:receipt_detail", pk=recorded.receipt.pk)
    ticked = form["period"].value() or []
    try:
        months = parse_months(list(ticked))
    except ValueError:
        months = []
    context.update(form=form, periods=shown, ticked=set(ticked),
                   **_quote_context(participation, months, paid_on))
    status = 400 if request.method == "POST" else 200
    return render(request, "collection/receipt_new.html", context, status=status)


# --------------------------------------------------------------------------------------------
# Household health insurance


def _hi_quote(office_tree_owner: Any, members: int | None, months: int | None,
              on: date) -> dict[str, Any]:
    if not members or not months:
        return {}
    try:
        quote = household_hi(on, members, months, tree=current_tree(office_tree_owner))
    except PolicyError as exc:
        return {"quote_error": policy_message(exc)}
    return {"hi": quote, "amount_text": digits(quote.total)}


def _ticked(members: QuerySet[Person], source: Any) -> int:
    """How many of the household's members the request ticks (the price follows the count)."""
    ids = {int(v) for v in source.getlist("members") if v.isdigit() and len(v) < 19}
    return members.filter(pk__in=ids).count() if ids else 0


def _int(value: str | None) -> int | None:
    return int_param(value, None, low=0, high=10_000)


@role_required("record_receipts")
@require_http_methods(["GET", "POST"])
def receipt_hi_new(request: HtmxHttpRequest) -> HttpResponse:
    """Biên lai BHYT hộ gia đình: the household, how many members, for how many months."""
    user = _user(request)
    backdate = may(user, "backdate_receipts")
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("household", "")
    if id_param(raw) is None:
        query = fold(text_param(request.GET.get("q")))
        found: list[Person] = []
        if len(query) >= 2:
            found = list(scoped(user, Person.objects.filter(household__isnull=False))
                         .filter(name_folded__contains=query).select_related("village")
                         .order_by("name_folded")[:20])
        template = ("collection/_hi_picker.html" if request.htmx
                    and request.htmx.target == "picker" else "collection/receipt_hi_new.html")
        return render(request, template, {"found": found, "q": request.GET.get("q", ""),
                                          "household": None})
    household = get_scoped_or_404(user, Household.objects.select_related("village__commune",
                                                                         "office"),
                                  pk=int(raw))
    members = household.members.order_by("birth_date", "id")
    paid_on = _date(source.get("paid_on"), today) if backdate else today
    if request.htmx and request.htmx.target == "amount":
        return render(request, "collection/_hi_amount.html",
                      _hi_quote(household.office, _ticked(members, source),
                                _int(request.GET.get("months")), paid_on))
    if request.method == "POST" and (done := _already_recorded(request, household=household)):
        return done
    form = HIReceiptForm(request.POST or None, today=today, members=members,
                         initial={"members": list(members), "months": 12,
                                  "first_month": f"{add_months(first_of_month(today), 1):%Y-%m}",
                                  "payer": members.first()})
    context: dict[str, Any] = {"household": household, "members": members, "form": form,
                               "today": today}
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        when = cd["paid_on"] if backdate else today
        try:
            recorded = actions.record_hi_receipt(
                household, person=cd["payer"], members=list(cd["members"]), months=cd["months"],
                first_month=cd["first_month"], amount=cd["amount"], paid_on=when,
                channel=cd["channel"], client_uuid=cd["client_uuid"], actor=user,
                note=cd["note"])
        except Refused as exc:
            form.add_error("amount" if isinstance(exc, receipts.AmountMismatch) else None,
                           exc.message)
        else:
            if recorded.created:
                messages.success(request, _("Đã ghi biên lai %(number)s")
                                 % {"number": recorded.receipt.number})
            else:
                messages.info(request, _("Biên lai này đã được ghi trước đó (gửi lại): "
                                         "%(number)s") % {"number": recorded.receipt.number})
            return redirect("collection:receipt_detail", pk=recorded.receipt.pk)
    months_value = _int(str(form["months"].value() or ""))
    ticked = (_ticked(members, request.POST) if request.method == "POST"
              else members.count())
    context.update(_hi_quote(household.office, ticked, months_value, paid_on))
    status = 400 if request.method == "POST" else 200
    return render(request, "collection/receipt_hi_new.html", context, status=status)


# --------------------------------------------------------------------------------------------
# Receipts


def _receipt(user: User, pk: int) -> Receipt:
    return get_scoped_or_404(user, Receipt.objects.select_related(
        "person", "village__commune", "agent__user", "organisation", "office", "book",
        "participation", "household", "reverses", "reversal", "recorded_by"), pk=pk)


@login_required
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    receipt = _receipt(user, pk)
    return render(request, "collection/receipt_detail.html", _receipt_context(user, receipt))


def _receipt_context(user: User, receipt: Receipt, form: ReverseForm | None = None
                     ) -> dict[str, Any]:
    months = receipt.paid_months.select_related("released_by") if receipt.participation_id \
        else []
    reversed_by = reversal_of(receipt)
    reversible = (may(user, "reverse_receipts") and receipt.reverses_id is None
                  and reversed_by is None)
    return {"receipt": receipt, "months": months, "can_reverse": reversible,
            "reversed_by": reversed_by, "reverse_form": form or ReverseForm(),
            "insured": insured_members(receipt), **participant_copy(receipt)}


def insured_members(receipt: Receipt) -> list[Person]:
    """The persons a household-HI receipt insures, in the ladder's order (a reversal names its
    original's); empty for voluntary SI and for HI receipts recorded before members were
    named (their count alone is known)."""
    if receipt.product != Product.HOUSEHOLD_HI:
        return []
    return [row.person for row in HIMember.objects.filter(
        receipt_id=receipt.reverses_id or receipt.pk).select_related("person")
        .order_by("position")]


def months_span(receipt: Receipt) -> str:
    """The months a receipt pays, as the participant reads them: "01/2026–03/2026"."""
    count = abs(receipt.months)
    if receipt.first_month is None or not count:
        return ""
    last = add_months(receipt.first_month, count - 1)
    if count == 1:
        return f"{receipt.first_month:%m/%Y}"
    return f"{receipt.first_month:%m/%Y}–{last:%m/%Y}"


def participant_copy(receipt: Receipt) -> dict[str, Any]:
    """What the participant takes home: the amount in words, the months, and a text to send
    by SMS or Zalo (in the page's language, like the rest of the page)."""
    words = in_words(receipt.amount)
    span = months_span(receipt)
    agent = receipt.agent.user.display_name if receipt.agent else ""
    values = {"number": receipt.number, "day": f"{receipt.paid_on:%d/%m/%Y}",
              "name": receipt.person.full_name,
              "amount": format_vnd(receipt.amount).replace("\u00a0", " "),
              "words": words, "product": receipt.get_product_display(),
              "months": span, "agent": agent, "office": receipt.office.name}
    text = _("Biên lai số %(number)s ngày %(day)s: %(name)s đã nộp %(amount)s (%(words)s), "
             "%(product)s") % values
    if span:
        text += _(", tháng %(months)s") % values
    if agent:
        text += ". " + _("Người thu: %(agent)s") % values
    text += ". " + receipt.office.name
    phone = "".join(c for c in receipt.person.phone or "" if c.isdigit() or c == "+")
    # "sms:NUMBER?body=": Android and iOS both fill the message (the number may be empty)
    return {"in_words": words, "months_span": span, "share_text": text,
            "sms_href": f"sms:{phone}?body={quote(text, safe='')}",
            "share_texts": {  # what share.js says, in the page's language
                "title": _("Biên lai thu tiền"),
                "copied": _("Đã chép nội dung: dán vào Zalo hoặc tin nhắn."),
                "select": _("Hãy chép nội dung bên trên để gửi."),
            }}


def reversal_of(receipt: Receipt) -> Receipt | None:
    """The reversal that cancels this receipt, if any (the reverse one-to-one may be absent)."""
    try:
        return receipt.reversal
    except Receipt.DoesNotExist:
        return None


@login_required
@require_GET
def receipt_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant's copy on a small sheet (A6, fits an 80 mm roll): office, number,
    participant, months, amount and in words, agent, date. The browser prints it."""
    user = _user(request)
    receipt = _receipt(user, pk)
    return render(request, "collection/receipt_print.html", {
        "receipt": receipt, "reversed_by": reversal_of(receipt),
        "insured": insured_members(receipt), **participant_copy(receipt)})


@role_required("reverse_receipts")
@require_POST
def receipt_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    receipt = _receipt(user, pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal = actions.reverse_receipt(receipt, on=timezone.localdate(),
                                               reason=form.cleaned_data["reason"], actor=user)
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã hủy biên lai %(number)s") % {"number": receipt.number})
            return redirect("collection:receipt_detail", pk=reversal.pk)
    return render(request, "collection/receipt_detail.html",
                  _receipt_context(user, receipt, form), status=400)


def filtered_receipts(request: HttpRequest, user: User) -> QuerySet[Receipt]:
    """The user's receipts narrowed by the list's filters (the export uses the same)."""
    receipts = scoped(user, Receipt.objects.all())
    today = timezone.localdate()
    date_from = _date(request.GET.get("from"), first_of_month(today))
    date_to = _date(request.GET.get("to"), today)
    receipts = receipts.filter(paid_on__gte=date_from, paid_on__lte=date_to)
    if (product := request.GET.get("product")) in Product.values:
        receipts = receipts.filter(product=product)
    if (channel := request.GET.get("channel")) in Channel.values:
        receipts = receipts.filter(channel=channel)
    if (agent := id_param(request.GET.get("agent"))) is not None:
        receipts = receipts.filter(agent_id=agent)
    if commune := request.GET.get("commune"):
        receipts = receipts.filter(village__commune__code=commune)
    if village := request.GET.get("village"):
        receipts = receipts.filter(village__code=village)
    if query := fold(text_param(request.GET.get("q"))):
        receipts = receipts.filter(Q(person__name_folded__contains=query)
                                   | Q(number__icontains=query))
    return receipts


def _range(request: HttpRequest, today: date) -> tuple[date, date]:
    return (_date(request.GET.get("from"), first_of_month(today)),
            _date(request.GET.get("to"), today))


@login_required
def receipt_list(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    receipts = filtered_receipts(request, user)
    page = Paginator(receipts.select_related("person", "village__commune", "agent__user")
                     .order_by("-paid_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    date_from, date_to = _range(request, today)
    context = {
        "page": page, "totals": _money(receipts), "filters": request.GET,
        "query_string": _without_page(request), "date_from": date_from, "date_to": date_to,
        "products": Product.choices, "channels": Channel.choices,
        "communes": scoped(user, Commune.objects.all()),
        # an agent's receipts are their own: no choice of agent
        "agents": (in_office(user, Agent.objects.all(), "organisation__office")
                   .select_related("user").order_by("code")) if _agent_of(user) is None else [],
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "collection/_receipt_results.html", context)
    return render(request, "collection/receipt_list.html", context)


# --------------------------------------------------------------------------------------------
# Receipt books


def _office_agents(user: User) -> QuerySet[Agent]:
    """The agents the user may issue books to: the office's, or for staff those whose villages
    all lie in their territory (the rule `actions.issue_book` applies)."""
    agents = (in_office(user, Agent.objects.all(), "organisation__office")
              .select_related("user", "organisation").order_by("code"))
    if whole_office(user):
        return agents
    return agents.filter(pk__in=[a.pk for a in agents_within(user, agents,
                                                              timezone.localdate())])


@role_required("field_work")
@require_http_methods(["GET", "POST"])
def books(request: HttpRequest) -> HttpResponse:
    """Quyển biên lai: issued to agents, their next and remaining numbers; issue and return
    (those who manage books)."""
    user = _user(request)
    agent = _agent_of(user)
    rows = in_office(user, ReceiptBook.objects.all()).select_related(
        "agent__user", "issued_by").order_by("returned_on", "agent__code", "issued_on")
    if agent is not None:
        rows = rows.filter(agent=agent)
    elif not whole_office(user):
        rows = rows.filter(agent__user__assignments__commune__in=_visible_communes(user)
                           ).distinct()
    form = None
    if may(user, "manage_books"):
        form = BookForm(request.POST or None, agents=_office_agents(user),
                        initial={"issued_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            cd = form.cleaned_data
            try:
                book = actions.issue_book(cd["agent"], series=cd["series"],
                                          first_number=cd["first_number"],
                                          last_number=cd["last_number"],
                                          issued_on=cd["issued_on"], actor=user)
            except Refused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã cấp quyển %(book)s") % {"book": book})
                return redirect("collection:books")
    elif request.method == "POST":
        raise PermissionDenied
    status = 400 if request.method == "POST" else 200
    return render(request, "collection/books.html", {"books": rows, "form": form},
                  status=status)


def _visible_communes(user: User) -> QuerySet[Commune]:
    return Commune.objects.filter(id__in=visible_villages(user).values("commune"))


@role_required("manage_books")
@require_POST
def book_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    book = in_office(user, ReceiptBook.objects.filter(pk=pk)).first()
    if book is None:
        raise Http404
    actions.return_book(book, on=timezone.localdate(), actor=user)
    messages.success(request, _("Đã thu hồi quyển %(book)s") % {"book": book})
    return redirect("collection:books")


# --------------------------------------------------------------------------------------------
# Remittances


def _organisations(user: User) -> QuerySet[CollectionOrganisation]:
    """The organisations whose remittances the user handles."""
    orgs = in_office(user, CollectionOrganisation.objects.all())
    agent = _agent_of(user)
    if agent is not None:
        return orgs.filter(pk=agent.organisation_id)
    if whole_office(user):
        return orgs
    return orgs.filter(Q(commune__isnull=True) | Q(commune__in=_visible_communes(user)))


def _unremitted_groups(user: User) -> list[dict[str, Any]]:
    """Cash receipts not yet handed over, by organisation and agent."""
    receipts = unremitted(scoped(user, Receipt.objects.all())).filter(
        organisation__in=_organisations(user))
    agent = _agent_of(user)
    if agent is not None:
        receipts = receipts.filter(agent=agent)
    rows = list(receipts.select_related("person", "agent__user", "organisation")
                .order_by("organisation__code", "agent__code", "paid_on", "id"))
    groups: dict[int, dict[str, Any]] = {}
    for receipt in rows:
        assert receipt.organisation is not None
        group = groups.setdefault(receipt.organisation_id or 0, {
            "organisation": receipt.organisation, "agents": defaultdict(list), "total": 0})
        group["agents"][receipt.agent].append(receipt)
        group["total"] += receipt.amount
    result = []
    for group in groups.values():
        group["agents"] = [(a, items, sum(r.amount for r in items))
                           for a, items in group["agents"].items()]
        result.append(group)
    return result


@role_required("remit")
@require_http_methods(["GET", "POST"])
def remittances(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        org = _organisations(user).filter(pk=_int(request.POST.get("organisation")) or 0).first()
        if org is None:
            raise Http404
        try:
            retried = Remittance.objects.filter(
                organisation=org, uuid=uuid.UUID(request.POST.get("client_uuid", ""))).first()
        except ValueError:
            retried = None
        if retried is not None:  # the same form sent twice: the first submit recorded it
            return redirect("collection:remittances")
        ids = [int(v) for v in request.POST.getlist("receipts") if id_param(v) is not None]
        allowed = set(unremitted(scoped(user, Receipt.objects.filter(
            organisation=org, pk__in=ids))).values_list("id", flat=True))
        form = RemitForm(request.POST, receipt_ids=sorted(allowed))
        if form.is_valid():
            cd = form.cleaned_data
            try:
                remittance = actions.remit(
                    org, receipts=list(Receipt.objects.filter(pk__in=cd["receipts"])),
                    number=cd["number"], remitted_on=cd["remitted_on"], actor=user,
                    client_uuid=cd["client_uuid"])
            except Refused as exc:
                errors[org.pk] = [exc.message]
            except IntegrityError:
                errors[org.pk] = [_("Số chứng từ đã dùng cho một đợt nộp khác của tổ chức này")]
            else:
                messages.success(request, _("Đã ghi đợt nộp %(number)s") %
                                 {"number": remittance.number})
                return redirect("collection:remittances")
        else:
            errors[org.pk] = [str(e) for field in form.errors.values() for e in field]
    groups = _unremitted_groups(user)
    for group in groups:
        org = group["organisation"]
        group["errors"] = errors.get(org.pk, [])
        group["uuid"] = uuid.uuid4()
        group["number"] = f"NT-{org.code}-{today:%y%m%d}"
    history = (Remittance.objects.filter(organisation__in=_organisations(user))
               .select_related("organisation", "created_by", "confirmed_by")
               .annotate(receipts=Count("lines"))[:100])
    return render(request, "collection/remittances.html", {
        "groups": groups, "history": history, "today": today,
    }, status=400 if errors else 200)


@role_required("confirm_remittances")
@require_POST
def remittance_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    remittance = Remittance.objects.filter(organisation__in=_organisations(user), pk=pk).first()
    if remittance is None:
        raise Http404
    actions.confirm_remittance(remittance, actor=user)
    messages.success(request, _("Đã xác nhận đợt nộp %(number)s") % {"number": remittance.number})
    return redirect("collection:remittances")


# --------------------------------------------------------------------------------------------
# Reconciliation and period close


def _by_agent(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[Any, dict[str, Any]] = {}
    keys = ("collected", "cash", "remitted", "confirmed", "outstanding", "receipts")
    for row in rows:
        line = totals.setdefault(row["agent_id"], {
            "agent__code": row["agent__code"],
            "agent__organisation__code": row["agent__organisation__code"],
            **{k: 0 for k in keys}})
        for key in keys:
            line[key] += row[key]
    return sorted(totals.values(), key=lambda line: line["agent__code"] or "")


def _closable_months(office: Office, today: date) -> list[date]:
    closed = set(PeriodClose.objects.filter(office=office).values_list("month", flat=True))
    month = first_of_month(today)
    return [m for m in (add_months(month, -i) for i in range(1, 13)) if m not in closed]


@login_required
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    """Đối chiếu: collected, remitted, confirmed and outstanding by agent and day."""
    user = _user(request)
    today = timezone.localdate()
    date_from, date_to = _range(request, today)
    receipts = scoped(user, Receipt.objects.all())
    agent = _agent_of(user)
    if agent is not None:
        receipts = receipts.filter(agent=agent)
    rows = reconciliation(receipts, date_from, date_to)
    keys = ("collected", "cash", "remitted", "confirmed", "outstanding", "receipts")
    total = {key: sum(row[key] for row in rows) for key in keys}
    office = working_office(request, user) if user.office or is_admin(user) else None
    context: dict[str, Any] = {
        "rows": rows, "agents": _by_agent(rows), "total": total,
        "date_from": date_from, "date_to": date_to,
        "closes": (PeriodClose.objects.filter(office=office).select_related("closed_by")[:24]
                   if office else []),
        "can_close": office is not None and may(user, "close_periods"),
        "office": office, "offices": office_choices(user),
    }
    if context["can_close"] and office is not None:
        months = _closable_months(office, today)  # the previous month first
        raw = request.GET.get("close")
        chosen = _date(f"{raw}-01", months[0]) if raw and months else (
            months[0] if months else None)
        if chosen is not None and chosen in months:
            context.update(close_months=months, close_month=chosen,
                           close_totals=period_totals(office, chosen))
        else:
            context.update(close_months=months, close_month=None)
    return render(request, "collection/reconciliation.html", context)


@role_required("close_periods")
@require_POST
def period_close(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = working_office(request, user)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            close = actions.close_period(office, month=form.cleaned_data["month"],
                                         actor=user, today=timezone.localdate())
        except Refused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã khóa sổ kỳ %(month)s") %
                             {"month": f"{close.month:%m/%Y}"})
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("collection:reconciliation")
                    + (f"?office={office.code}" if is_admin(user) else ""))


# --------------------------------------------------------------------------------------------
# Exports (the office's declaration lists)


@login_required
@reads_from_replica
def export_participants(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    rows = filtered_participations(request, user)
    data = exporting.participants_xlsx(rows, as_of=today, shown=personal.Shown.to(user))
    personal.log_access(request, AccessKind.PARTICIPANTS_EXPORT, rows=rows.count(),
                        description=personal.describe_query(request))
    return _xlsx(data, f"danh-sach-nguoi-tham-gia-{today:%Y%m%d}.xlsx")


@login_required
@reads_from_replica
def export_collections(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    date_from, date_to = _range(request, today)
    receipts = filtered_receipts(request, user)
    data = exporting.collections_xlsx(receipts, date_from, date_to,
                                      shown=personal.Shown.to(user))
    personal.log_access(request, AccessKind.COLLECTIONS_EXPORT, rows=receipts.count(),
                        description=personal.describe_query(request))
    return _xlsx(data, f"danh-sach-thu-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

