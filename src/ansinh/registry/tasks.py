"""Work the worker runs (django-q2); also callable inline."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.scoping import writable_villages

from .exporting import write_error_report
from .importing import UnusableFile, import_persons
from .models import ImportJob, ImportStatus


def run_import_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(stage: str, done: int, total: int) -> None:
        status = ImportStatus.VALIDATING if stage == "validate" else ImportStatus.WRITING
        ImportJob.objects.filter(pk=job.pk).update(status=status, processed=done, total=total)

    try:
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
    job.save()
