from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_q.tasks import async_task

from ansinh.core import personal
from ansinh.core.errors import Refused
from ansinh.core.middleware import HtmxHttpRequest
from ansinh.core.models import AccessKind, AuditEntry
from ansinh.core.pages import query_without_page as _without_page
from ansinh.core.params import text_param
from ansinh.core.permissions import may, refusal_status, role_required
from ansinh.core.permissions import signed_in as _user
from ansinh.core.replica import reads_from_replica
from ansinh.core.scoping import get_scoped_or_404, is_admin, scoped, writable_villages
from ansinh.core.spreadsheet import csv_writer
from ansinh.core.tables import XLSX

from . import actions
from .exporting import person_rows, template_headers, write_table, xlsx_bytes
from .filters import filtered_persons
from .forms import ImportForm, PersonForm
from .models import (
    Commune,
    ExportJob,
    ExportStatus,
    Household,
    ImportJob,
    Merge,
    Person,
    SIStatus,
    Village,
)
from .prospects import is_prospect
from .tasks import fail_stale_exports, fail_stale_jobs

PAGE_SIZE = 50

def _filtered_persons(request: HttpRequest, on: date) -> QuerySet[Person]:
    return filtered_persons(_user(request), request.GET, on)


@login_required
def person_list(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    on = timezone.localdate()
    persons = _filtered_persons(request, on).select_related("village__commune", "household")
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    communes = scoped(user, Commune.objects.all())
    villages = scoped(user, Village.objects.select_related("commune"))
    if commune_code := request.GET.get("commune"):
        villages = villages.filter(commune__code=commune_code)
    context = {
        "page": page,
        "communes": communes,
        "villages": villages,
        "statuses": SIStatus.choices,
        "filters": request.GET,
        "query_string": _without_page(request),
        "on": on,
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "registry/_person_results.html", context)
    return render(request, "registry/person_list.html", context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    survivor = Person.with_merged.filter(pk=pk, merged_into__isnull=False).values_list(
        "merged_into", flat=True).first()
    if survivor is not None:
        # a duplicate merged into another record (registry.merging): that record's page, which
        # is itself scoped
        messages.info(request, _("Hồ sơ này đã được gộp vào hồ sơ dưới đây."))
        return redirect("registry:person_detail", pk=survivor)
    person = get_scoped_or_404(
        user, Person.objects.select_related("village__commune", "household", "created_by"), pk=pk
    )
    on = timezone.localdate()
    members = (
        person.household.members.select_related("village").order_by("birth_date")
        if person.household else Person.objects.none()
    )
    history = AuditEntry.objects.filter(
        model="registry.Person", object_id=str(person.pk)
    ).select_related("actor").order_by("-at")[:50]
    poverty = person.household.poverty_statuses.all() if person.household else []
    personal.log_access(request, AccessKind.PERSON_PAGE, office_id=person.office_id,
                        person_id=person.pk, object_id=person.pk)
    return render(request, "registry/person_detail.html", {
        "person": person,
        "members": members,
        "history": history,
        "poverty": poverty,
        "prospect": is_prospect(person, on),
        "merges": Merge.objects.filter(survivor=person, undone_at__isnull=True)
        .select_related("merged", "by"),
        "age": person.age_on(on),
        "on": on,
    })


@role_required("edit_persons")
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    person = get_scoped_or_404(user, Person.objects.all(), pk=pk)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=pk),
                      territory=writable_villages(user))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_person(person, form.cleaned_data, actor=user)
        except Refused as exc:
            form.add_error(None, exc.message)
            status = refusal_status(exc)
        else:
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_edit.html", {"person": person, "form": form},
                  status=status)


@role_required("export_person_data")
def person_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything the system holds about one person, as JSON (or, with ?format=xlsx, a
    workbook to read): their right of access under Decree 13/2023/NĐ-CP
    (docs/personal-data.md). A read, logged in the access log."""
    user = _user(request)
    person = get_scoped_or_404(user, Person.objects.all(), pk=pk)
    as_xlsx = request.GET.get("format") == "xlsx"
    personal.log_access(request, AccessKind.PERSON_DATA, office_id=person.office_id,
                        person_id=person.pk, object_id=person.pk, rows=1,
                        description="xlsx" if as_xlsx else "json")
    data = {"exported_at": timezone.now().isoformat(), "exported_by": user.username,
            **personal.person_data(person)}
    name = f"du-lieu-ca-nhan-{person.pk}"
    if as_xlsx:
        response = HttpResponse(personal.person_data_xlsx(data), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    household = get_scoped_or_404(user, Household.objects.select_related("village__commune"),
                                  pk=pk)
    return render(request, "registry/household_detail.html", {
        "household": household,
        "members": household.members.order_by("birth_date"),
        "poverty": household.poverty_statuses.all(),
        "on": timezone.localdate(),
    })


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@reads_from_replica
def person_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered, scoped register as xlsx in the import template: the download for people.
    IDs and phones are text cells, so Excel keeps their leading 0."""
    persons = _filtered_persons(request, timezone.localdate())
    if (offer := _offer_background_export(request, persons, "xlsx")) is not None:
        return offer
    content, count = xlsx_bytes(template_headers(), person_rows(persons, personal.Shown.to(
        request.user)))
    personal.log_access(request, AccessKind.REGISTER_EXPORT, rows=count,
                        description=f"xlsx {personal.describe_query(request)}")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="so-doi-tuong.xlsx"'
    return response


@login_required
@reads_from_replica
def person_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered, scoped register as CSV in the import template (streamed, UTF-8 BOM), for
    other programs: Excel opening a CSV turns IDs into numbers and drops their leading 0."""
    persons = _filtered_persons(request, timezone.localdate())
    if (offer := _offer_background_export(request, persons, "csv")) is not None:
        return offer
    writer = csv_writer(_Echo())
    shown = personal.Shown.to(request.user)
    personal.log_access(request, AccessKind.REGISTER_EXPORT, rows=persons.count(),
                        description=f"csv {personal.describe_query(request)}")

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(template_headers())
        for row in person_rows(persons, shown):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="so-doi-tuong.csv"'
    return response


@login_required
def import_template(request: HttpRequest) -> FileResponse:
    path = Path(tempfile.mkdtemp()) / "mau-nhap-so-doi-tuong.xlsx"
    write_table(path, template_headers(), [])
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@role_required("import_register")
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            office=user.office, created_by=user, file=upload, original_name=upload.name[:200],
            dry_run=form.cleaned_data["dry_run"], skip_invalid=form.cleaned_data["skip_invalid"],
        )
        async_task("ansinh.registry.tasks.run_import_job", job.pk, task_name=f"import-{job.pk}")
        return redirect("registry:import_status", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=user)
    fail_stale_jobs(jobs)
    return render(request, "registry/import_start.html", {"form": form, "jobs": jobs[:10]})


def _job_or_404(request: HttpRequest, pk: int) -> ImportJob:
    """An import job for the user who started it, or a director or administrator of its office
    (an administrator without an office: any). The file and its error report hold national IDs
    of persons outside other users' territories, so anyone else gets a 404, as for a job that
    does not exist."""
    user = _user(request)
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    if job.created_by_id == user.pk:
        return job
    if may(user, "read_office_imports") and (
            user.office_id is None or user.office_id == job.office_id or is_admin(user)):
        return job
    raise Http404


@login_required
def import_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    if job.running and fail_stale_jobs(ImportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    template = "registry/_import_progress.html" if request.htmx else "registry/import_status.html"
    return render(request, template, {"job": job, "label": _("Nhập sổ đối tượng")})


@login_required
@require_GET
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    """The job's error report (xlsx), for those who may see the job."""
    job = _job_or_404(request, pk)
    if not job.error_report or not job.error_report.storage.exists(job.error_report.name or ""):
        raise Http404
    return FileResponse(job.error_report.open("rb"), as_attachment=True,
                        filename=f"loi-nhap-{job.pk}.xlsx", content_type=XLSX)


# ---------------------------------------------------------------------------------------------
# Large exports: the worker writes the file, the page shows progress, then the download

EXPORT_FILTERS = ("q", "commune", "village", "status", "prospect")


def _export_query(params: Any) -> str:
    kept = QueryDict(mutable=True)
    for name in EXPORT_FILTERS:
        if value := text_param(params.get(name), max_length=100):
            kept[name] = value
    return kept.urlencode()[:500]


def _offer_background_export(request: HttpRequest, persons: QuerySet[Person],
                             fmt: str) -> HttpResponse | None:
    """A page offering the export as a background job when it is larger than
    ANSINH_EXPORT_SYNC_MAX_ROWS rows; None for a small export, answered at once."""
    count = persons.count()
    if count <= settings.ANSINH_EXPORT_SYNC_MAX_ROWS:
        return None
    return render(request, "registry/export_offer.html", {
        "count": count, "format": fmt, "query": _export_query(request.GET),
        "limit": settings.ANSINH_EXPORT_SYNC_MAX_ROWS,
        "jobs": ExportJob.objects.filter(created_by=_user(request))[:5]})


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """Queue the register export the user asked for (the register page's filters, xlsx or
    csv) and show its progress."""
    user = _user(request)
    fmt = request.POST.get("format")
    if fmt not in {"xlsx", "csv"}:
        fmt = "xlsx"
    job = ExportJob.objects.create(
        office=user.office, created_by=user, query=_export_query(QueryDict(
            text_param(request.POST.get("query"), max_length=500))),
        format=fmt, language=translation.get_language() or settings.LANGUAGE_CODE)
    async_task("ansinh.registry.tasks.run_export_job", job.pk, task_name=f"export-{job.pk}")
    return redirect("registry:export_status", pk=job.pk)


def _export_or_404(request: HttpRequest, pk: int) -> ExportJob:
    """An export job for the user who asked for it, and no one else: its file holds the persons
    of that user's territory, shown as that user may see them."""
    job = get_object_or_404(ExportJob, pk=pk)
    if job.created_by_id != _user(request).pk:
        raise Http404
    return job


@login_required
def export_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = _export_or_404(request, pk)
    if job.running and fail_stale_exports(ExportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    template = ("registry/_export_progress.html" if request.htmx
                else "registry/export_status.html")
    return render(request, template, {"job": job})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _export_or_404(request, pk)
    if (job.status != ExportStatus.DONE or job.file_deleted_at or not job.file
            or not job.file.storage.exists(job.file.name or "")):
        raise Http404
    personal.log_access(request, AccessKind.REGISTER_EXPORT, rows=job.total, object_id=job.pk,
                        description=f"download {job.format} job {job.pk} {job.query}")
    content_type = XLSX if job.format == "xlsx" else "text/csv; charset=utf-8"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=content_type)
