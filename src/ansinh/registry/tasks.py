"""Work the worker runs (django-q2); also callable inline.

A job never stays pending or running for ever: the worker claims it (started_at) and beats on
each progress report (heartbeat_at); `fail_stale_jobs` marks failed a job the worker never
took, whose heartbeat stopped (the worker was killed: out of memory, a restart), that ran past
the worker's time limit, or whose django-q task is recorded as failed. The status page runs it
for the job it shows; the hourly `housekeeping` schedule for every job.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ansinh.core import personal
from ansinh.core.models import AccessKind, User
from ansinh.core.scoping import writable, writable_villages

from . import dedup, merging
from .exporting import person_rows, template_headers, write_error_report, write_table
from .filters import filtered_persons
from .importing import UnusableFile, import_persons
from .models import Commune, ExportJob, ExportStatus, ImportJob, ImportStatus

RUNNING = (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.WRITING)
# No progress for this long: the worker is gone. Validation reports every 1 % of the rows; the
# write of 200,000 rows (the upload limit) takes about a minute, with no report inside its
# transaction, so 15 minutes is a dead worker, not a slow one.
HEARTBEAT_TIMEOUT = timedelta(minutes=15)
# Not taken by a worker within this long: the worker is not running.
PENDING_TIMEOUT = timedelta(hours=1)


def time_limit() -> timedelta:
    """django-q stops a task after Q_CLUSTER["timeout"] seconds; a little more is a job that
    will never finish."""
    seconds = getattr(settings, "Q_CLUSTER", {}).get("timeout") or 3600
    return timedelta(seconds=int(seconds)) + timedelta(minutes=5)


def retention_days() -> int:
    return settings.ANSINH_UPLOAD_RETENTION_DAYS


def run_import_job(job_id: int) -> None:
    now = timezone.now()
    # claim the job: one that the stale check already failed (the worker came back late)
    # or that another worker took is not run
    if not ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.VALIDATING, started_at=now, heartbeat_at=now):
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(stage: str, done: int, total: int) -> None:
        # the duplicate check (stage "dedup") is a check: the page says "checking"
        status = ImportStatus.WRITING if stage == "write" else ImportStatus.VALIDATING
        ImportJob.objects.filter(pk=job.pk).update(status=status, processed=done, total=total,
                                                   heartbeat_at=timezone.now())

    try:
        if job.file_deleted_at or not job.file:
            raise UnusableFile(_("Tệp đã bị xoá / The file was deleted"))
        result = import_persons(
            Path(job.file.path),
            actor=job.created_by,
            territory=writable_villages(job.created_by),
            dry_run=job.dry_run,
            skip_invalid=job.skip_invalid,
            progress=progress,
            job=job,
        )
    except UnusableFile as exc:
        job.status, job.message = ImportStatus.FAILED, str(exc)
    except Exception as exc:
        job.status = ImportStatus.FAILED
        job.message = _("Lỗi không mong muốn, không có gì được ghi / "
                        "Unexpected error, nothing was written: %(e)s") % {"e": exc}
    else:
        job.refresh_from_db(fields=["total", "processed"])
        job.counts = result.as_dict()
        if result.imported:
            job.status = ImportStatus.DONE
        elif result.invalid and not job.skip_invalid:
            job.status = ImportStatus.REFUSED
        else:
            job.status = ImportStatus.CHECKED
        if result.errors:
            report = Path(job.file.path).with_suffix(".errors.xlsx")
            write_error_report(report, result.errors)
            with report.open("rb") as handle:
                job.error_report.save(f"loi-{job.pk}.xlsx", File(handle), save=False)
            report.unlink()
    job.finished_at = timezone.now()
    job.heartbeat_at = job.finished_at
    job.save()


# ---------------------------------------------------------------------------------------------
# A job never stays pending


def fail_stale_jobs(jobs: QuerySet[ImportJob] | None = None,
                    now: datetime | None = None) -> int:
    """Mark failed, with a message, the running jobs of `jobs` (default all) that will never
    finish. Reads first and writes only a stale job, so that a status poll never waits for the
    lock of an import that is writing."""
    now = now or timezone.now()
    running = (jobs if jobs is not None else ImportJob.objects.all()).filter(status__in=RUNNING)
    silent = now - HEARTBEAT_TIMEOUT
    reasons = {
        _("Tiến trình nhập không được chạy (tiến trình nền có đang chạy không?); không có gì "
          "được ghi / The import was never started (is the worker running?); nothing was "
          "written"): running.filter(status=ImportStatus.PENDING,
                                     created_at__lt=now - PENDING_TIMEOUT),
        _("Tiến trình nhập đã dừng giữa chừng (không có tín hiệu trong %(m)s phút); không có "
          "gì được ghi / The import stopped (no sign of life for %(m)s minutes); nothing was "
          "written") % {"m": int(HEARTBEAT_TIMEOUT.total_seconds() // 60)}:
            running.exclude(status=ImportStatus.PENDING).filter(
                Q(heartbeat_at__lt=silent)
                | Q(heartbeat_at=None, started_at__lt=silent)
                | Q(heartbeat_at=None, started_at=None, created_at__lt=silent)),
        _("Tiến trình nhập chạy quá thời gian cho phép; không có gì được ghi / "
          "The import ran past its time limit; nothing was written"):
            running.exclude(status=ImportStatus.PENDING).filter(
                started_at__lt=now - time_limit()),
    }
    failed = 0
    for message, stale in reasons.items():
        failed += _fail(list(stale.values_list("pk", flat=True)), message, now)
    failed += _fail_failed_tasks(running, now)
    return failed


def _fail_failed_tasks(running: QuerySet[ImportJob], now: datetime) -> int:
    """Jobs whose django-q task is recorded as failed (a timeout, an error outside the job's
    own handling)."""
    from django_q.models import Task

    names = {f"import-{pk}": pk for pk in running.values_list("pk", flat=True)}
    if not names:
        return 0
    failed = 0
    for name, result in Task.objects.filter(name__in=names, success=False).values_list(
            "name", "result"):
        failed += _fail([names[name]], _(
            "Tiến trình nền báo lỗi, không có gì được ghi / The worker reported a failure, "
            "nothing was written: %(e)s") % {"e": str(result or "")[:300]}, now)
    return failed


def _fail(pks: list[int], message: str, now: datetime) -> int:
    if not pks:
        return 0
    try:
        return ImportJob.objects.filter(pk__in=pks, status__in=RUNNING).update(
            status=ImportStatus.FAILED, message=message, finished_at=now)
    except DatabaseError:  # SQLite busy: a live import holds the lock; the next check decides
        return 0


# ---------------------------------------------------------------------------------------------
# Uploaded files are not kept


def purge_uploads(now: datetime | None = None, days: int | None = None) -> int:
    """Delete the uploaded files and error reports of jobs older than `days` (default
    ANSINH_UPLOAD_RETENTION_DAYS), and any file left in the imports folder that old; the jobs
    keep their counts and say when their file was deleted. Returns the files deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days() if days is None else days)
    deleted = 0
    old = ImportJob.objects.filter(created_at__lt=cutoff, file_deleted_at=None).exclude(
        status__in=RUNNING)
    for job in old.iterator():
        for stored in (job.file, job.error_report):
            if stored and stored.name:
                if stored.storage.exists(stored.name):
                    deleted += 1
                stored.delete(save=False)
        job.file_deleted_at = now
        job.save(update_fields=["file", "error_report", "file_deleted_at"])
    # files no job names any more (a job deleted in the admin, a report left by a crash)
    folder = Path(settings.MEDIA_ROOT) / "imports"
    if folder.is_dir():
        kept = {name for pair in ImportJob.objects.filter(file_deleted_at=None).values_list(
            "file", "error_report") for name in pair if name}
        for path in folder.rglob("*"):
            name = path.relative_to(settings.MEDIA_ROOT).as_posix()
            if (path.is_file() and name not in kept
                    and datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo) < cutoff):
                path.unlink()
                deleted += 1
    return deleted


def housekeeping() -> None:
    """The hourly schedule (registry migration 0005)."""
    fail_stale_jobs()
    purge_uploads()
    fail_stale_exports()
    purge_exports()


# ---------------------------------------------------------------------------------------------
# Large register exports

EXPORTING = (ExportStatus.PENDING, ExportStatus.RUNNING)
# a progress report (and heartbeat) every this many rows: ~1 s of writing
EXPORT_CHUNK = 10_000


def export_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def run_export_job(job_id: int) -> None:
    """Write the register export of job `job_id`: the persons its user's territory holds now,
    through the filters the user chose, shown as that user may see them; progress every
    EXPORT_CHUNK rows. Idempotent: a job already taken (by another worker, or failed by the
    stale check) is not run again, and the file is written under a temporary name and moved
    into place at the end, so a killed run leaves no half file behind a "done" job."""
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
            status=ExportStatus.RUNNING, started_at=now, heartbeat_at=now):
        return
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    with translation.override(job.language):
        partial: Path | None = None
        try:
            if not user.is_active:
                raise PermissionError(_("Người dùng đã bị khoá"))
            persons = filtered_persons(user, QueryDict(job.query), timezone.localdate())
            total = persons.count()
            ExportJob.objects.filter(pk=job.pk).update(total=total)

            def rows() -> Iterator[list[str]]:
                for done, row in enumerate(person_rows(persons, personal.Shown.to(user)), 1):
                    yield row
                    if done % EXPORT_CHUNK == 0:
                        ExportJob.objects.filter(pk=job.pk).update(
                            processed=done, heartbeat_at=timezone.now())

            name = f"exports/{now:%Y/%m}/{job.filename}"
            final = Path(settings.MEDIA_ROOT) / name
            final.parent.mkdir(parents=True, exist_ok=True)
            partial = final.with_name(f".part-{final.name}")  # the suffix chooses the format
            count = write_table(partial, template_headers(), rows())
            partial.replace(final)
            partial = None
        except Exception as exc:
            job.status = ExportStatus.FAILED
            job.message = _("Không xuất được: %(e)s") % {"e": exc}
        else:
            job.status, job.file.name = ExportStatus.DONE, name
            job.total = job.processed = count
            personal.log_access(None, AccessKind.REGISTER_EXPORT, actor=user, rows=count,
                                object_id=job.pk,
                                description=f"{job.format} job {job.pk} {job.query}")
        finally:
            if partial is not None:
                partial.unlink(missing_ok=True)
    job.finished_at = job.heartbeat_at = timezone.now()
    job.save()


def fail_stale_exports(jobs: QuerySet[ExportJob] | None = None,
                       now: datetime | None = None) -> int:
    """Mark failed the export jobs that will never finish: never taken by a worker, silent
    (its heartbeat stopped: the worker died), past the worker's time limit, or whose django-q
    task is recorded as failed. The message is in the language of the user who asked."""
    now = now or timezone.now()
    running = (jobs if jobs is not None else ExportJob.objects.all()).filter(
        status__in=EXPORTING)
    failed = 0
    stale = running.filter(
        Q(status=ExportStatus.PENDING, created_at__lt=now - PENDING_TIMEOUT)
        | Q(status=ExportStatus.RUNNING, heartbeat_at__lt=now - HEARTBEAT_TIMEOUT)
        | Q(status=ExportStatus.RUNNING, started_at__lt=now - time_limit()))
    failed_tasks = _failed_task_names(running, "export")
    for job in running.filter(Q(pk__in=stale.values("pk")) | Q(pk__in=failed_tasks)):
        with translation.override(job.language):
            message = _("Tiến trình nền không hoàn thành việc xuất (tiến trình nền có đang chạy "
                        "không?); hãy xuất lại")
        failed += ExportJob.objects.filter(pk=job.pk, status__in=EXPORTING).update(
            status=ExportStatus.FAILED, message=message, finished_at=now)
    return failed


def _failed_task_names(running: QuerySet[ExportJob], prefix: str) -> list[int]:
    from django_q.models import Task

    names = {f"{prefix}-{pk}": pk for pk in running.values_list("pk", flat=True)}
    if not names:
        return []
    return [names[name] for name in Task.objects.filter(
        name__in=names, success=False).values_list("name", flat=True)]


def purge_exports(now: datetime | None = None, days: int | None = None) -> int:
    """Delete the files of export jobs older than `days` (default ANSINH_EXPORT_RETENTION_DAYS)
    and any file of that age left in the exports folder; the jobs keep their counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ANSINH_EXPORT_RETENTION_DAYS if days is None
                             else days)
    deleted = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff, file_deleted_at=None).exclude(
            status__in=EXPORTING).iterator():
        if job.file and job.file.name:
            if job.file.storage.exists(job.file.name):
                deleted += 1
            job.file.delete(save=False)
        job.file_deleted_at = now
        job.save(update_fields=["file", "file_deleted_at"])
    folder = export_folder()
    if folder.is_dir():
        kept = set(ExportJob.objects.filter(file_deleted_at=None).exclude(file="").values_list(
            "file", flat=True))
        for path in folder.rglob("*"):
            name = path.relative_to(settings.MEDIA_ROOT).as_posix()
            if (path.is_file() and name not in kept
                    and datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo) < cutoff):
                path.unlink()
                deleted += 1
    return deleted


# ---------------------------------------------------------------------------------------------
# The duplicate queue's scan, for a territory too large to scan within a request


def scan_duplicates(user_id: int) -> dict[str, int]:
    """Scan the communes the user may write and queue the new pairs (registry.dedup)."""
    user = User.objects.get(pk=user_id)
    found = added = 0
    for commune in writable(user, Commune.objects.select_related("office")):
        matches = dedup.scan(commune.office, commune=commune)
        found += len(matches)
        added += merging.enqueue(commune.office, matches)
    return {"found": found, "added": added}
