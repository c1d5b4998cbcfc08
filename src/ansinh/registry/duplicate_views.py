"""The office's duplicate queue: pairs of records that may be one person (registry.dedup), the
two side by side, merge with a choice per field, "not the same person", and the merges done,
with their undo. Staff, the director and administrators, in their territory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Field, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_q.tasks import async_task

from ansinh.core import audit, permissions
from ansinh.core.errors import Refused
from ansinh.core.models import User
from ansinh.core.params import choice_param, id_param
from ansinh.core.permissions import refusal_status, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.scoping import get_scoped_or_404, scoped, writable, writable_villages
from ansinh.core.text import in_english

from . import actions, dedup, importing, merging, tasks
from .models import Commune, DuplicatePair, Merge, PairStatus, Person, Village

PAGE_SIZE = 30
# a territory of more persons is scanned by the worker (registry.tasks.scan_duplicates): about
# 6 s per 100,000 persons (make bench), too long for a request
SCAN_IN_REQUEST = 50_000
SHOWN = ("open", "not_same", "merged")


def _pairs(request: HttpRequest) -> QuerySet[DuplicatePair]:
    """The pairs the user may see: both records in their territory."""
    user = _user(request)
    villages = scoped(user, Village.objects.all()).values("id")
    return scoped(user, DuplicatePair.objects.all()).filter(
        Q(person_b__isnull=True) | Q(person_b__village__in=villages),
        person_a__village__in=villages)


def _still_two(pairs: QuerySet[DuplicatePair]) -> QuerySet[DuplicatePair]:
    """Open pairs neither of whose records was merged meanwhile (through another pair)."""
    return pairs.filter(person_a__merged_into__isnull=True).exclude(
        person_b__merged_into__isnull=False)


@role_required("merge_persons")
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    status = choice_param(request.GET.get("status"), SHOWN, "open")
    pairs = _pairs(request).filter(status=status)
    if status == PairStatus.OPEN:
        pairs = _still_two(pairs)
    pairs = pairs.select_related(
        "person_a__village__commune", "person_b__village", "village")
    communes = scoped(user, Commune.objects.all())
    commune = id_param(request.GET.get("commune"))
    if commune is not None:
        pairs = pairs.filter(village__commune_id=commune)
    page = Paginator(pairs.order_by("-score", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    merges = scoped(user, Merge.objects.filter(undone_at__isnull=True)).select_related(
        "survivor", "merged")
    return render(request, "registry/duplicate_queue.html", {
        "page": page, "status": status, "communes": communes, "commune": commune,
        "statuses": [(value, PairStatus(value).label) for value in SHOWN],
        "to_review": merges.filter(reviewed_by__isnull=True).exclude(flags=[])[:50],
        "recent": merges.order_by("-at")[:20],
        "counts": {value: (_still_two(_pairs(request)) if value == PairStatus.OPEN
                           else _pairs(request)).filter(status=value).count()
                   for value in SHOWN},
    })


@role_required("merge_persons")
@require_POST
def scan(request: HttpRequest) -> HttpResponse:
    """Look for pairs in the user's territory and put the new ones in the queue."""
    user = _user(request)
    communes = writable(user, Commune.objects.all())  # an admin: every office
    persons = Person.objects.filter(village__commune__in=communes).count()
    if persons > SCAN_IN_REQUEST:
        async_task("ansinh.registry.tasks.scan_duplicates", user.pk)
        messages.info(request, _("Đang tìm cặp trùng trong nền (%(n)s người); danh sách sẽ "
                                 "có các cặp mới khi xong. Tải lại trang sau ít phút.")
                      % {"n": f"{persons:,}".replace(",", ".")})
        return redirect("registry:duplicate_queue")
    counts = tasks.scan_duplicates(user.pk)
    found, added = counts["found"], counts["added"]
    messages.success(request, _("Đã tìm thấy %(found)s cặp có thể trùng, %(added)s cặp mới "
                                "vào danh sách.") % {"found": found, "added": added})
    return redirect("registry:duplicate_queue")


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    a: str
    b: str
    same: bool
    keep: str  # "a" | "b"


def _field(name: str) -> Field[Any, Any]:
    found = Person._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def _label(name: str) -> str:
    if name == "village":
        return _("Thôn, xã")
    if name == "household":
        return _("Hộ gia đình")
    return str(_field(name).verbose_name)


def _display(person: Person, name: str) -> str:
    value = getattr(person, name)
    if name == "birth_date":
        return str(person.birth_display)
    if name in ("sex", "ethnicity", "si_status"):
        return str(getattr(person, f"get_{name}_display")())
    if name == "birth_year_only":
        return _("Có") if value else _("Không")
    if value is None or value == "":
        return "—"
    if name == "household":
        return f"{value.code} — {value.head_name}"
    if name == "village":
        return f"{value.name}, {value.commune.name}"
    if name == "si_status_as_of":
        return str(value.strftime("%d/%m/%Y"))
    return str(value)


def _rows(a: Person, b: Person, survivor: str) -> list[Row]:
    first, second = (a, b) if survivor == "a" else (b, a)
    chosen = merging.default_choices(first, second)
    rows = []
    for name in merging.FIELDS:
        if name == "birth_year_only":
            continue  # follows the birth date
        keep_survivor = chosen[name] == "survivor"
        keep = survivor if keep_survivor else ("b" if survivor == "a" else "a")
        shown_a, shown_b = _display(a, name), _display(b, name)
        rows.append(Row(name, _label(name), shown_a, shown_b,
                        shown_a == shown_b, keep))
    return rows


def _history(person: Person) -> dict[str, int]:
    """How much each record holds, so staff keep the one with the history."""
    counts: dict[str, int] = {}
    for declared in merging.LINKS.values():
        if declared.derived:
            continue
        label = str(declared.model._meta.verbose_name_plural)
        counts[label] = counts.get(label, 0) + declared.model._base_manager.filter(
            **{f"{declared.field}_id": person.pk}).count()
    return counts


def _survivor_default(a: Person, b: Person) -> str:
    """The record with more history survives; the older one on a tie."""
    return "b" if sum(_history(b).values()) > sum(_history(a).values()) else "a"


@role_required("merge_persons")
@require_http_methods(["GET", "POST"])
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    pair = get_scoped_or_404(user, _pairs(request).select_related(
        "person_a__village__commune", "person_b__village__commune", "person_a__household",
        "person_b__household"), pk=pk)
    if pair.person_b is None:
        raise Http404  # an import row held back: its own page (the import's)
    a, b = pair.person_a, pair.person_b
    survivor = choice_param(request.POST.get("survivor") or request.GET.get("survivor"),
                            ("a", "b"), "")
    survivor = survivor or _survivor_default(a, b)
    status = 200
    if request.method == "POST" and pair.status == PairStatus.OPEN:
        action = request.POST.get("action")
        try:
            if action == "not_same":
                merging.not_the_same(pair, actor=user)
                messages.success(request, _("Đã ghi nhận: hai hồ sơ là hai người khác nhau."))
                return redirect("registry:duplicate_queue")
            if action == "merge":
                kept, gone = (a, b) if survivor == "a" else (b, a)
                choices = {}
                for name in merging.FIELDS:
                    side = choice_param(request.POST.get(f"keep_{name}"), ("a", "b"), survivor)
                    choices[name] = "survivor" if side == survivor else "merged"
                done = merging.merge(pair, kept, gone, choices=choices, actor=user)
                messages.success(request, _("Đã gộp hai hồ sơ. Có thể hoàn tác trong danh sách "
                                            "các lần gộp."))
                if done.flags:
                    messages.warning(request, str(merging.FLAGS[done.flags[0]]))
                return redirect("registry:person_detail", pk=kept.pk)
        except Refused as exc:
            messages.error(request, exc.message)
            status = refusal_status(exc)
    kept, gone = (a, b) if survivor == "a" else (b, a)
    found = merging.plan(kept, gone)
    return render(request, "registry/duplicate_compare.html", {
        "pair": pair, "a": a, "b": b, "survivor": survivor, "rows": _rows(a, b, survivor),
        "plan": found, "refusals": [en if in_english() else vi for vi, en in found.refusals],
        "flags": [merging.FLAGS[flag] for flag in found.flags],
        "reasons": [dedup.REASONS.get(code, code) for code in pair.reasons],
        "history_a": _history(a), "history_b": _history(b),
    }, status=status)


# what a held-back import row may bring to the register person it probably is
INCOMING = ("full_name", "birth_date", "sex", "ethnicity", "local_group", "national_id",
            "si_number", "phone", "village", "si_status")


def _incoming_rows(person: Person, values: dict[str, Any]) -> list[Row]:
    rows = []
    villages: dict[Any, str] = dict(Village.objects.filter(pk__in=[values["village_id"]])
                                    .values_list("pk", "name"))
    for name in INCOMING:
        mine = _display(person, name)
        raw = values.get(f"{name}_id" if name == "village" else name)
        if name == "village":
            theirs = villages.get(raw, "—")
        elif name == "birth_date":
            born = date.fromisoformat(str(raw))
            theirs = str(born.year) if values.get("birth_year_only") else f"{born:%d/%m/%Y}"
        elif name in ("sex", "ethnicity", "si_status"):
            choices = dict(_field(name).flatchoices)
            theirs = str(choices.get(raw, raw))
        else:
            theirs = str(raw) if raw not in (None, "") else "—"
        # the row's value wins where the register has none
        keep = "b" if mine == "—" and theirs != "—" else "a"
        rows.append(Row(name, _label(name), mine, theirs,
                        mine == theirs, keep))
    return rows


def _incoming_values(values: dict[str, Any], chosen: list[str]) -> dict[str, Any]:
    """The register's fields from the held-back row for `chosen` (update_person's form)."""
    taken: dict[str, Any] = {}
    for name in chosen:
        if name == "village":
            taken["village"] = Village.objects.get(pk=values["village_id"])
        elif name == "birth_date":
            taken["birth_date"] = date.fromisoformat(values["birth_date"])
            taken["birth_year_only"] = bool(values.get("birth_year_only"))
        elif name == "national_id":
            taken[name] = values.get(name) or None
        else:
            taken[name] = values.get(name) or ""
    return taken


@role_required("merge_persons")
@require_http_methods(["GET", "POST"])
def incoming_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """An import row held back as probably a register person: the same person (the chosen
    values go to the register's record) or someone else (created now)."""
    user = _user(request)
    pair = get_scoped_or_404(user, _pairs(request).select_related(
        "person_a__village__commune", "import_job"), pk=pk)
    if pair.person_b_id is not None or pair.incoming is None:
        raise Http404
    person = pair.person_a
    status = 200
    if request.method == "POST" and pair.status == PairStatus.OPEN:
        action = request.POST.get("action")
        try:
            if action == "same":
                chosen = [name for name in INCOMING
                          if request.POST.get(f"keep_{name}") == "b"]
                with transaction.atomic():
                    actions.update_person(person, _incoming_values(pair.incoming, chosen),
                                          actor=user)
                    _decide(pair, PairStatus.MERGED, user)
                messages.success(request, _("Đã cập nhật hồ sơ có sẵn; không tạo hồ sơ mới."))
                return redirect("registry:person_detail", pk=person.pk)
            if action == "different":
                with transaction.atomic():
                    importing.create_held(pair, actor=user, territory=writable_villages(user))
                    _decide(pair, PairStatus.CREATED, user)
                messages.success(request, _("Đã thêm người mới vào sổ."))
                return redirect("registry:duplicate_queue")
        except Refused as exc:
            messages.error(request, exc.message)
            status = refusal_status(exc)
    return render(request, "registry/duplicate_incoming.html", {
        "pair": pair, "a": person, "rows": _incoming_rows(person, pair.incoming),
        "reasons": [dedup.REASONS.get(code, code) for code in pair.reasons],
    }, status=status)


def _decide(pair: DuplicatePair, status: str, user: User) -> None:
    permissions.authorise(user, "merge_persons", pair.person_a)
    DuplicatePair.objects.filter(pk=pair.pk, status=PairStatus.OPEN).update(
        status=status, decided_by=user, decided_at=timezone.now())
    audit.record(actor=user, office=pair.office, action=f"duplicate.{status}", obj=pair,
                 changes={"status": [PairStatus.OPEN, status]})


@role_required("merge_persons")
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    done = get_scoped_or_404(user, Merge.objects.all(), pk=pk)
    try:
        kept = merging.undo(done, actor=user)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("registry:duplicate_queue")
    messages.success(request, _("Đã hoàn tác lần gộp: hai hồ sơ lại tách riêng."))
    if kept:
        labels = ", ".join(_label(name) for name in kept)
        messages.warning(request, _("Giữ giá trị đã sửa sau khi gộp: %(fields)s")
                         % {"fields": labels})
    return redirect("registry:duplicate_queue")


@role_required("merge_persons")
@require_POST
def reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    done = get_scoped_or_404(user, Merge.objects.all(), pk=pk)
    try:
        merging.mark_reviewed(done, actor=user)
    except Refused as exc:
        messages.error(request, exc.message)
    return redirect("registry:duplicate_queue")

