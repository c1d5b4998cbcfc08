"""Work the worker runs (django-q2); also callable inline.

A job never stays pending or running for ever: the worker claims it (started_at) and beats on
each progress report (heartbeat_at); `fail_stale_jobs` marks failed a job the worker never
took, whose heartbeat stopped (the worker was killed: out of memory, a restart), that ran past
the worker's time limit, or whose django-q task is recorded as failed. The status page runs it
for the job it shows; the hourly `housekeeping` schedule for every job.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.scoping import writable_villages

from .exporting import write_error_report
from .importing import UnusableFile, import_persons
from .models import ImportJob, ImportStatus

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
        status = ImportStatus.VALIDATING if stage == "validate" else ImportStatus.WRITING
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
