"""Outreach pages: events and their attendance lists, quick contacts, the worklist, the funnel,
prospects by stage, leaflets. Views validate; actions act."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from ansinh.core import personal
from ansinh.core.errors import Refused
from ansinh.core.middleware import HtmxHttpRequest
from ansinh.core.models import Role, User
from ansinh.core.pages import office_choices, working_office
from ansinh.core.pages import query_without_page as _without_page
from ansinh.core.params import date_param as _date
from ansinh.core.params import id_param, int_param, safe_next, text_param
from ansinh.core.pdf import pdf_response
from ansinh.core.permissions import may, refusal_status, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.replica import reads_from_replica
from ansinh.core.scoping import get_scoped_or_404, scoped, visible_villages
from ansinh.core.templatetags.money import format_count
from ansinh.core.text import fold
from ansinh.network.models import CollectionOrganisation
from ansinh.registry.models import Person, Village
from ansinh.rules.tree import current_tree

from . import actions, duplicates, funnel, leaflets, priority, stages, worklist
from .forms import (
    AttendanceOutcomeForm,
    ContactForm,
    EventForm,
    LeafletTemplateForm,
    NewPersonForm,
)
from .models import (
    Contact,
    Event,
    EventKind,
    LeafletLanguage,
    LeafletTemplate,
    Outcome,
    settings_for,
)

PAGE_SIZE = 50

# the worklist's chips (worklist.KINDS)
KIND_LABELS = {
    "follow_up": _lazy("Hẹn gặp lại"),
    "late": _lazy("Chậm đóng"),
    "due": _lazy("Đến hạn đóng"),
    "risk": _lazy("Có nguy cơ"),
    "never_visited": _lazy("Chưa ai đến thăm"),
}


# --------------------------------------------------------------------------------------------
# Events


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    events = scoped(user, Event.objects.select_related("village__commune")).annotate(
        attendees=Count("contacts"),
        interested=Count("contacts", filter=Q(contacts__outcome__in=(
            Outcome.INTERESTED, Outcome.ENROLLED, Outcome.FOLLOW_UP))),
    )
    if (kind := request.GET.get("kind")) in EventKind.values:
        events = events.filter(kind=kind)
    page = Paginator(events.order_by("-held_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "outreach/event_list.html", {
        "page": page, "kinds": EventKind.choices, "kind": kind,
        "query_string": _without_page(request),
    })


def _event_form(request: HttpRequest, user: User, initial: dict[str, Any] | None = None,
                ) -> EventForm:
    today = timezone.localdate()
    villages = visible_villages(user, today)
    users = User.objects.filter(office=user.office, is_active=True,
                                role__in=(Role.STAFF, Role.AGENT, Role.DIRECTOR)).order_by(
        "role", "username")
    organisations = CollectionOrganisation.objects.filter(office=user.office)
    return EventForm(request.POST or None, initial=initial or {"held_on": today},
                     villages=villages, users=users, organisations=organisations)


@role_required("record_outreach")
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = _event_form(request, user, {"held_on": timezone.localdate(), "organisers": [user.pk]})
    status = 200
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            event = actions.create_event(
                actor=user, village=cd["village"], kind=cd["kind"], held_on=cd["held_on"],
                place=cd["place"], title=cd["title"], organisers=cd["organisers"],
                organisation=cd["organisation"], partners=cd["partners"],
                leaflets=cd["leaflets"], cost=cd["cost"], note=cd["note"])
        except Refused as exc:
            form.add_error(None, exc.message)
            status = refusal_status(exc)
        else:
            return redirect("outreach:event_detail", pk=event.pk)
    return render(request, "outreach/event_form.html", {"form": form, "event": None},
                  status=status)


@role_required("record_outreach")
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    event = get_scoped_or_404(user, Event.objects.all(), pk=pk)
    initial = {name: getattr(event, name) for name in actions.EVENT_FIELDS}
    initial["organisers"] = list(event.organisers.values_list("pk", flat=True))
    form = _event_form(request, user, initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        values = {name: cd[name] for name in actions.EVENT_FIELDS}
        try:
            actions.update_event(event, values, actor=user, organisers=cd["organisers"])
        except Refused as exc:
            form.add_error(None, exc.message)
            status = refusal_status(exc)
        else:
            return redirect("outreach:event_detail", pk=event.pk)
    return render(request, "outreach/event_form.html", {"form": form, "event": event},
                  status=status)


def _event_context(request: HttpRequest, user: User, event: Event) -> dict[str, Any]:
    attendees = list(event.contacts.select_related("person__village")
                     .order_by("person__name_folded"))
    stage_by_person = dict(stages.with_stage(
        Person.objects.filter(id__in=[a.person_id for a in attendees]), timezone.localdate(),
    ).values_list("id", "stage"))  # type: ignore[misc]
    for attendee in attendees:
        attendee.stage = stage_by_person[attendee.person_id]  # type: ignore[attr-defined]
    office_settings = settings_for(event.office_id)
    _rows, total = funnel.funnel(Contact.objects.filter(event=event),
                                Event.objects.filter(pk=event.pk), "event",
                                as_of=timezone.localdate(),
                                window_days=office_settings.attribution_days)
    return {
        "event": event, "attendees": attendees, "funnel": total,
        "window_days": office_settings.attribution_days,
        "outcome_form": AttendanceOutcomeForm(), "new_form": NewPersonForm(),
        "stage_labels": stages.STAGE_LABELS,
    }


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    event = get_scoped_or_404(user, Event.objects.select_related(
        "village__commune", "organisation", "created_by"), pk=pk)
    return render(request, "outreach/event_detail.html", _event_context(request, user, event))


@login_required
def event_search(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """HTMX: register persons matching the query, the event's village first."""
    user = _user(request)
    event = get_scoped_or_404(user, Event.objects.all(), pk=pk)
    query = fold(text_param(request.GET.get("q")))
    persons: QuerySet[Person] | list[Person] = []
    if len(query) >= 2:
        found = scoped(user, Person.objects.select_related("village"))
        if query.replace(" ", "").isdigit():
            found = found.filter(personal.digits_match(
                user, query.replace(" ", ""), ids=("national_id",), phones=("phone",)))
        else:
            found = found.filter(name_folded__contains=query)
        already = event.contacts.values("person_id")
        persons = list(found.exclude(id__in=already).order_by("name_folded")[:60])
        persons.sort(key=lambda p: (p.village_id != event.village_id, p.name_folded))
        persons = persons[:20]
    return render(request, "outreach/_search_results.html", {"event": event, "persons": persons,
                                                              "q": request.GET.get("q", "")})


def _event_refresh(request: HttpRequest, user: User, event: Event) -> HttpResponse:
    if getattr(request, "htmx", False):
        return render(request, "outreach/_attendance.html", _event_context(request, user, event))
    return redirect("outreach:event_detail", pk=event.pk)


@role_required("record_outreach")
@require_POST
def event_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    event = get_scoped_or_404(user, Event.objects.all(), pk=pk)
    raw = request.POST.get("person", "")
    person = get_scoped_or_404(user, Person.objects.all(), pk=id_param(raw) or 0)
    outcome = request.POST.get("outcome") or Outcome.INTERESTED
    try:
        actions.record_contact(actor=user, person=person, on=event.held_on, channel="event",
                               outcome=outcome, event=event)
    except actions.OutreachError as exc:
        messages.error(request, exc.message)
    return _event_refresh(request, user, event)


@role_required("record_outreach")
@require_POST
def event_new_person(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A person not found in the register: checked for duplicates before being added."""
    user = _user(request)
    event = get_scoped_or_404(user, Event.objects.select_related("village"), pk=pk)
    form = NewPersonForm(request.POST)
    context: dict[str, Any] = {"event": event, "new_form": form}
    if form.is_valid():
        cd = form.cleaned_data
        found = duplicates.candidates(event.village, cd["full_name"], cd["birth_year"],
                                      cd["national_id"])
        visible = set(scoped(user, Person.objects.filter(
            id__in=[c.person.pk for c in found])).values_list("id", flat=True))
        found = [c for c in found if c.person.pk in visible]
        if found and not cd["confirm_new"]:
            context["candidates"] = found
            return render(request, "outreach/_new_person.html", context)
        try:
            person = actions.add_new_attendee(
                actor=user, event=event, full_name=cd["full_name"],
                birth_date=date(cd["birth_year"], 1, 1), birth_year_only=True, sex=cd["sex"],
                ethnicity=cd["ethnicity"], phone=cd["phone"],
                national_id=cd["national_id"]).person
        except actions.OutreachError as exc:
            form.add_error(None, exc.message)
            return render(request, "outreach/_new_person.html", context)
        messages.success(request, _("Đã thêm %(name)s vào sổ đối tượng và danh sách tham dự")
                         % {"name": person.full_name})
        if request.htmx:
            response = HttpResponse()
            response["HX-Redirect"] = event_url(event)
            return response
        return redirect("outreach:event_detail", pk=event.pk)
    return render(request, "outreach/_new_person.html", context)


def event_url(event: Event) -> str:
    from django.urls import reverse

    return reverse("outreach:event_detail", args=[event.pk])


@role_required("record_outreach")
@require_POST
def attendance_outcome(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    contact = get_scoped_or_404(user, Contact.objects.select_related("event"), pk=pk,
                                event__isnull=False)
    form = AttendanceOutcomeForm(request.POST)
    if form.is_valid():
        try:
            actions.update_attendance(
                contact, actor=user, outcome=form.cleaned_data["outcome"],
                objection=form.cleaned_data["objection"],
                next_follow_up_on=form.cleaned_data["next_follow_up_on"])
        except actions.OutreachError as exc:
            messages.error(request, exc.message)
    assert contact.event is not None
    return _event_refresh(request, user, contact.event)


# --------------------------------------------------------------------------------------------
# Contacts


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    user = _user(request)
    person = get_scoped_or_404(user, Person.objects.select_related("village__commune"),
                               pk=person_pk)
    today = timezone.localdate()
    if request.method == "POST" and not may(user, "record_outreach"):
        raise PermissionDenied
    form = ContactForm(request.POST or None, initial={"on": today, "channel": "visit"})
    status = 200
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            actions.record_contact(
                actor=user, person=person, on=cd["on"], channel=cd["channel"],
                outcome=cd["outcome"], objection=cd["objection"], note=cd["note"],
                next_follow_up_on=cd["next_follow_up_on"], uuid=cd["uuid"])
        except Refused as exc:
            form.add_error(None, exc.message)
            status = refusal_status(exc)
        else:
            messages.success(request, _("Đã ghi lần tiếp xúc với %(name)s")
                             % {"name": person.full_name})
            return redirect(safe_next(request, request.POST.get("next"),
                                      reverse("outreach:worklist")))
    history = person.contacts.select_related("by", "event").order_by("-on", "-id")[:10]
    return render(request, "outreach/contact_form.html", {
        "form": form, "person": person, "history": history,
        "stage": stages.STAGE_LABELS[stages.stage_of(person, today)],
        "quick_dates": [(label, today + timedelta(days=d)) for label, d in (
            (_("Ngày mai"), 1), (_("3 ngày"), 3), (_("1 tuần"), 7), (_("2 tuần"), 14))],
        "next": safe_next(request, request.GET.get("next"), ""),
    }, status=status)


@role_required("record_outreach")
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    contact = get_scoped_or_404(user, Contact.objects.all(), pk=pk)
    actions.close_follow_up(contact, actor=user, note=request.POST.get("note", ""))
    return redirect(safe_next(request, request.POST.get("next"), reverse("outreach:worklist")))


# --------------------------------------------------------------------------------------------
# Worklist, funnel, prospects


def _agents_visible(user: User, today: date) -> QuerySet[User]:
    villages = visible_villages(user, today)
    return User.objects.filter(
        office=user.office, role=Role.AGENT, is_active=True,
    ).filter(Q(assignments__commune__in=villages.values("commune"))
             | Q(assignments__village__in=villages)).distinct().order_by("username")


# The lines of a page (25, or up to 500 printed) as markup built here, once per line, rather
# than node by node: the template engine took half of the page's CPU on its ~20 nodes a line
# (docs/scale.md, "The worklist under load"). Every value is escaped as a template escapes it.
def _work_lines_html(groups: list[worklist.Group], *, may_collect: bool, may_contact: bool,
                     here: str) -> SafeString:
    """The page's village groups and their lines: who, why (points and reasons), and the
    actions the user may take (collect, record a contact and come back ``here``, call)."""
    points_word, collect_word, contact_word, call_word = (
        escape(_("điểm")), escape(pgettext("nút: thu tiền một kỳ", "Thu tiền")),
        escape(_("Ghi tiếp xúc")), escape(_("Gọi")))
    receipt_url = escape(reverse("collection:receipt_new"))
    back = escape(quote(here, safe="/"))

    def line_html(line: worklist.Line) -> str:
        collect = may_collect and line.collect
        phone = escape(line.phone)
        actions = [
            f'<a class="button primary" href="{receipt_url}?participation='
            f'{line.participation_id}&amp;due=1">{collect_word}</a>' if collect else "",
            f'<a class="button{"" if collect else " primary"}" href="{escape(line.contact_url)}'
            f'?next={back}">{contact_word}</a>' if may_contact else "",
            f'<a class="button" href="tel:{phone}">{call_word}</a>' if phone else "",
        ]
        reasons = "".join(f'<li><span class="pts">+{points}</span><span>{escape(reason)}</span>'
                          f'</li>' for points, reason in line.reasons)
        return (f'  <div class="work-line" data-person="{line.person_id}">\n'
                f'    <div class="score">{line.score}<small>{points_word}</small></div>\n'
                f'    <div>\n'
                f'      <a class="who" href="{escape(line.person_url)}">{escape(line.name)}</a> '
                f'<span class="muted">{line.birth_year}{f" · {phone}" if phone else ""}</span>\n'
                f'      <ul class="reasons">{reasons}</ul>\n'
                f'      <div class="line-actions">'
                f'{"".join(a for a in actions if a)}</div>\n'
                f'    </div>\n'
                f'  </div>\n')

    return mark_safe("".join(  # every value escaped above
        f'<section class="village-group">\n'
        f'  <h2><span>{escape(group.village.name)} <span class="muted">· '
        f'{escape(group.village.commune_name)}</span></span></h2>\n'
        f'{"".join(line_html(line) for line in group.lines)}</section>\n'
        for group in groups))


WORKLIST_PAGE_SIZE = 25
WORKLIST_WHOLE_MAX = 500


def _id_param(raw: str | None) -> int | None:
    """A record id from the query string, or None for anything else (a word, a sign, a number
    no database holds: 20 digits would overflow SQLite's integer)."""
    if (number := id_param(raw)) is not None:
        return number
    return None


@login_required
def worklist_view(request: HttpRequest) -> HttpResponse:
    """Today's (or the week's) list, narrowed by village and by kind of reason, in pages.

    Every parameter is checked against what the user may see: an unknown span, kind or page,
    and a village outside the list's territory, are ignored (the page shows what it would
    without them); another agent than one the user supervises is refused (403)."""
    user = _user(request)
    today = timezone.localdate()
    span = request.GET.get("span", "today")
    span = span if span in worklist.SPANS else "today"
    target = user
    agents = list(_agents_visible(user, today)) if may(user, "supervise_agents") else []
    if (agent_id := _id_param(request.GET.get("agent"))) is not None:
        chosen = next((agent for agent in agents if agent.pk == agent_id), None)
        if chosen is None:
            raise PermissionDenied
        target = chosen
    village_id = _id_param(request.GET.get("village"))
    kind = request.GET.get("kind")
    kind = kind if kind in worklist.KINDS else None
    # "all": the whole filtered list on one page, to print as a walking list (at most
    # WORKLIST_WHOLE_MAX lines: choose a village for a longer one)
    whole = request.GET.get("page") == "all"
    listing = priority.read(target, today, span, viewer=user, village_id=village_id, kind=kind)
    villages = listing.villages
    village_id = village_id if village_id in villages else None
    shown = listing.shown
    page = Paginator(range(shown), max(min(shown, WORKLIST_WHOLE_MAX), 1) if whole
                     else WORKLIST_PAGE_SIZE).get_page(1 if whole else request.GET.get("page"))
    lines = listing.between(page.start_index() - 1, page.end_index()) if shown else []
    base: dict[str, str | int] = {"span": span}
    if target != user:
        base["agent"] = target.pk
    filters = dict(base)
    if village_id:
        filters["village"] = village_id
    if kind:
        filters["kind"] = kind
    # where "Ghi tiếp xúc" comes back to: this page, rebuilt from the checked parameters
    here = f"{request.path}?{urlencode({**filters, 'page': 'all' if whole else page.number})}"
    return render(request, "outreach/worklist.html", {
        "work": {"end": worklist.span_end(today, span)}, "target": target, "agents": agents,
        "span": span, "today": today, "page": page,
        "lines_html": _work_lines_html(
            worklist.regroup(worklist.with_links(lines), villages),
            may_collect=may(user, "record_receipts"), may_contact=may(user, "record_outreach"),
            here=here),
        "shown": shown, "total": listing.total,
        "kind": kind,
        "kinds": [(k, KIND_LABELS[k], listing.kind_counts[k]) for k in worklist.KINDS],
        "all_kinds": listing.in_village,
        "village": villages.get(village_id) if village_id else None,
        # the options as markup: a territory has hundreds of villages (escaped here once, not
        # rendered node by node)
        "village_options": format_html_join("", '<option value="{}"{}>{} · {} ({})</option>', (
            (v.pk, " selected" if v.pk == village_id else "", v.name, v.commune_name,
             format_count(listing.village_counts.get(v.pk, 0))) for v in villages.values())),
        "all_villages": sum(listing.village_counts.values()),
        "base_query": urlencode(base),
        "filter_query": urlencode(filters), "whole": whole,
        "kind_query": urlencode({k: v for k, v in filters.items() if k != "kind"}),
    })


@login_required
@reads_from_replica
def funnel_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    by = request.GET.get("by", "kind")
    by = by if by in funnel.DIMENSIONS else "kind"
    start = _date(request.GET.get("from"), today - timedelta(days=365))
    end = _date(request.GET.get("to"), today)
    office_settings = settings_for(user.office_id)
    days_raw = request.GET.get("days", "")
    days = int_param(days_raw, None, low=1, high=730) or office_settings.attribution_days
    contacts = scoped(user, Contact.objects.filter(on__gte=start, on__lte=end))
    events = scoped(user, Event.objects.filter(held_on__gte=start, held_on__lte=end))
    if (kind := request.GET.get("kind")) in EventKind.values:
        contacts = contacts.filter(event__kind=kind)
        events = events.filter(kind=kind)
    rows, total = funnel.funnel(contacts, events, by, as_of=today, window_days=days)
    return render(request, "outreach/funnel.html", {
        "rows": rows, "total": total, "by": by, "dimensions": funnel.DIMENSIONS.items(),
        "start": start, "end": end, "days": days, "kinds": EventKind.choices, "kind": kind,
    })


@login_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    """Persons of the user's villages with their stage (one annotated query per page)."""
    user = _user(request)
    today = timezone.localdate()
    persons = stages.with_stage(scoped(user, Person.objects.select_related("village")), today)
    stage = request.GET.get("stage")
    if stage in stages.STAGE_LABELS:
        persons = persons.filter(**{"stage": stage})
    if village := request.GET.get("village"):
        persons = persons.filter(village__code=village)
    page = Paginator(persons.order_by("village__code", "name_folded", "id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "outreach/prospect_list.html", {
        "page": page, "stages": stages.STAGES, "stage": stage, "labels": stages.STAGE_LABELS,
        "villages": scoped(user, Village.objects.select_related("commune")),
        "village": village, "query_string": _without_page(request),
    })


# --------------------------------------------------------------------------------------------
# Leaflets


@login_required
def leaflet_pdf(request: HttpRequest) -> HttpResponse:
    """The A5 leaflet for a day, in a language the office has written (Vietnamese is built in),
    with the agent's name and phone. Any other language is refused: no pretend translation."""
    user = _user(request)
    on = _date(request.GET.get("on"), timezone.localdate())
    language = request.GET.get("lang", LeafletLanguage.VI)
    title, body, version = leaflets.template_for(user.office_id, language)
    facts = leaflets.facts(on, current_tree(user.office))
    return pdf_response(request, "outreach/leaflet/leaflet.html", {
        "title": title, "body": leaflets.render_body(body, facts, user.display_name, user.phone),
        "facts": facts, "version": version, "language": language, "user": user,
        "html_lang": leaflets.HTML_LANG[language],
    }, f"to-roi-{language}-{on:%Y%m%d}")


@login_required
@require_http_methods(["GET", "POST"])
def leaflet_templates(request: HttpRequest) -> HttpResponse:
    """The office's leaflet texts, each version kept; every user reads them, the director
    edits them and adds a language by writing its text."""
    user = _user(request)
    office = working_office(request, user)
    language = request.GET.get("lang", LeafletLanguage.VI)
    language = language if language in LeafletLanguage.values else LeafletLanguage.VI
    options = leaflets.languages(office.pk)
    written = next(option.available for option in options if option.code == language)
    # A language not yet written starts empty: the Vietnamese text is shown beside it to
    # translate from, never saved in its place.
    title, body, version = (leaflets.template_for(office.pk, language) if written
                            else ("", "", 0))
    form = LeafletTemplateForm(request.POST or None,
                               initial={"language": language, "title": title, "body": body})
    if request.method == "POST":
        if not may(user, "edit_templates"):
            raise PermissionDenied
        if form.is_valid():
            cd = form.cleaned_data
            try:
                saved = actions.save_leaflet_template(office, actor=user,
                                                      language=cd["language"],
                                                      title=cd["title"], body=cd["body"])
            except Refused as refused:
                if refusal_status(refused) == 403:
                    raise
                form.add_error("body", refused.message)
            else:
                messages.success(request, _("Đã lưu phiên bản %(v)d") % {"v": saved.version})
                return redirect(f"{request.path}?lang={saved.language}&office={office.code}")
    versions = LeafletTemplate.objects.filter(office=office).order_by(
        "language", "-version")
    return render(request, "outreach/leaflet_templates.html", {
        "form": form, "versions": versions, "language": language, "version": version,
        "written": written, "options": options,
        "source": None if written else leaflets.template_for(office.pk, LeafletLanguage.VI),
        "blocks": leaflets.BLOCKS, "inline": leaflets.INLINE,
        "office": office, "offices": office_choices(user),
    })
