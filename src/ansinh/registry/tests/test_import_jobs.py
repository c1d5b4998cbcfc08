"""Import jobs: a hostile file ends failed with a message, a dead worker's job is marked failed,
uploaded files are deleted after the retention, the error report downloads for its owner (and
the office's director) only, and the CLI refuses a hostile file with exit status 2."""

from __future__ import annotations

import importlib
import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule, Task
from openpyxl import Workbook, load_workbook

from ansinh.core.models import Role, User
from ansinh.registry.exporting import template_headers
from ansinh.registry.models import ImportJob, ImportStatus, Person
from ansinh.registry.tasks import fail_stale_jobs, housekeeping, purge_uploads, run_import_job

BAD_ROW = "Họ và tên,Ngày sinh,Giới tính,Thôn,Xã\n,01/01/1990,Nam,A Ka,A Lưới 1\n"


def _huge_xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(template_headers())
    workbook.active["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _client(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _upload(client: Client, name: str, content: bytes) -> ImportJob:
    response = client.post("/so-doi-tuong/nhap/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    return ImportJob.objects.latest("pk")


@pytest.mark.parametrize(("name", "content", "says"), [
    ("huge.xlsx", _huge_xlsx(), "XFD1048576"),
    ("noise.csv", bytes(range(256)) * 64, "not a CSV or XLSX"),
    ("cut.xlsx", _huge_xlsx()[:900], "damaged"),
])
def test_a_hostile_upload_ends_failed_with_a_message(client: Client, staff_al2: User,
                                                     name: str, content: bytes,
                                                     says: str) -> None:
    count = Person.objects.count()
    job = _upload(_client(client, staff_al2), name, content)
    assert job.status == ImportStatus.FAILED and says in job.message
    assert not job.running and job.finished_at is not None
    page = client.get(f"/so-doi-tuong/nhap/{job.pk}/")
    assert says.encode() in page.content and b"hx-trigger" not in page.content
    assert Person.objects.count() == count


def test_a_too_large_upload_is_refused_by_the_form(client: Client, staff_al2: User,
                                                  settings: Any) -> None:
    settings.ANSINH_IMPORT_MAX_MB = 1
    response = _client(client, staff_al2).post("/so-doi-tuong/nhap/", {
        "file": SimpleUploadedFile("big.csv", b"a," * (600 * 1024))})
    assert response.status_code == 200 and b"at most 1 MB" in response.content
    assert not ImportJob.objects.exists()


def test_the_error_report_downloads_for_its_owner_and_the_director_only(
        client: Client, staff_al2: User, director: User, director_elsewhere: User,
        world: dict[str, Any]) -> None:
    job = _upload(_client(client, staff_al2), "bad.csv", BAD_ROW.encode())
    assert job.status == ImportStatus.REFUSED
    page = client.get(f"/so-doi-tuong/nhap/{job.pk}/")
    link = f"/so-doi-tuong/nhap/{job.pk}/loi.xlsx"
    assert link.encode() in page.content  # the page links to the view, not to MEDIA_URL
    response = client.get(link)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert [cell.value for cell in sheet[2]][:2] == ["2", "Họ và tên"]
    assert _client(Client(), director).get(link).status_code == 200
    other_staff = world["users"]["canbo1"]
    for outsider in (other_staff, director_elsewhere, world["users"]["xa1"]):
        outside = _client(Client(), outsider)
        assert outside.get(link).status_code == 404
        assert outside.get(f"/so-doi-tuong/nhap/{job.pk}/").status_code == 404
    assert Client().get(link).status_code == 302  # to the sign-in page


def _job(user: User, status: str, **fields: Any) -> ImportJob:
    job = ImportJob.objects.create(office=user.office, created_by=user, status=status,
                                   original_name="a.csv", **fields)
    job.file.save("a.csv", ContentFile(b"x"), save=True)
    return job


def test_a_job_whose_worker_died_is_marked_failed(client: Client, staff_al2: User) -> None:
    now = timezone.now()
    dead = _job(staff_al2, ImportStatus.WRITING, started_at=now - timedelta(minutes=30),
                heartbeat_at=now - timedelta(minutes=20), total=10, processed=10)
    alive = _job(staff_al2, ImportStatus.WRITING, started_at=now - timedelta(minutes=30),
                 heartbeat_at=now - timedelta(minutes=1))
    page = _client(client, staff_al2).get(f"/so-doi-tuong/nhap/{dead.pk}/",
                                         headers={"HX-Request": "true"})
    assert b"hx-trigger" not in page.content and b"stopped" in page.content
    dead.refresh_from_db()
    assert dead.status == ImportStatus.FAILED and "nothing was written" in dead.message
    alive.refresh_from_db()
    assert alive.status == ImportStatus.WRITING
    assert fail_stale_jobs() == 0  # the alive one is left alone


def test_never_started_overtime_and_failed_task_jobs_are_marked_failed(
        staff_al2: User) -> None:
    now = timezone.now()
    never = _job(staff_al2, ImportStatus.PENDING)
    ImportJob.objects.filter(pk=never.pk).update(created_at=now - timedelta(hours=2))
    waiting = _job(staff_al2, ImportStatus.PENDING)
    overtime = _job(staff_al2, ImportStatus.VALIDATING, started_at=now - timedelta(hours=2),
                    heartbeat_at=now)
    killed = _job(staff_al2, ImportStatus.VALIDATING, started_at=now, heartbeat_at=now)
    Task.objects.create(id="t1", name=f"import-{killed.pk}", func="x", started=now,
                        stopped=now, success=False, result="Task exceeded timeout")
    assert fail_stale_jobs(now=now) == 3
    states = dict(ImportJob.objects.values_list("pk", "status"))
    assert states[waiting.pk] == ImportStatus.PENDING
    assert {states[never.pk], states[overtime.pk], states[killed.pk]} == {ImportStatus.FAILED}
    assert "timeout" in ImportJob.objects.get(pk=killed.pk).message
    # the worker coming back late does not run a job already failed
    run_import_job(never.pk)
    assert ImportJob.objects.get(pk=never.pk).status == ImportStatus.FAILED


def test_uploads_are_deleted_after_the_retention_and_the_job_says_so(
        client: Client, staff_al2: User, settings: Any) -> None:
    settings.ANSINH_UPLOAD_RETENTION_DAYS = 30
    job = _upload(_client(client, staff_al2), "bad.csv", BAD_ROW.encode())
    recent = _upload(client, "bad2.csv", BAD_ROW.encode())
    files = [Path(job.file.path), Path(job.error_report.path)]
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=31))
    orphan = Path(settings.MEDIA_ROOT) / "imports" / "2020" / "01" / "left.csv"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("046190001111")
    old = (timezone.now() - timedelta(days=40)).timestamp()
    os.utime(orphan, (old, old))
    assert purge_uploads() == 3
    assert not any(path.exists() for path in [*files, orphan])
    job.refresh_from_db()
    assert job.file_deleted_at is not None and not job.file and not job.error_report
    assert job.counts["invalid"] == 1 and job.status == ImportStatus.REFUSED
    assert Path(ImportJob.objects.get(pk=recent.pk).file.path).exists()
    page = client.get(f"/so-doi-tuong/nhap/{job.pk}/")
    assert "đã được xoá".encode() in page.content
    assert client.get(f"/so-doi-tuong/nhap/{job.pk}/loi.xlsx").status_code == 404
    assert purge_uploads() == 0


def test_the_purge_command_and_the_hourly_schedule(staff_al2: User,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    job = _job(staff_al2, ImportStatus.DONE)
    call_command("purge-uploads", "--days", "0")
    assert "deleted 1" in capsys.readouterr().out
    assert ImportJob.objects.get(pk=job.pk).file_deleted_at is not None
    # the migration's rows may have gone with another test's flush: its function makes them
    migration = importlib.import_module(
        "ansinh.registry.migrations.0005_import_housekeeping_schedule")
    migration.create(apps, None)
    schedule = Schedule.objects.get(func="ansinh.registry.tasks.housekeeping")
    assert schedule.schedule_type == Schedule.HOURLY and schedule.repeats == -1
    assert callable(housekeeping)


def test_the_cli_refuses_a_hostile_file_with_status_2(world: dict[str, Any], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.xlsx"
    path.write_bytes(_huge_xlsx())
    with pytest.raises(SystemExit) as exited:
        call_command("import", "persons", str(path), "--json")
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "XFD1048576" in err and "Traceback" not in err


def test_an_admin_of_no_office_may_see_any_job(client: Client, staff_al2: User) -> None:
    job = _job(staff_al2, ImportStatus.DONE)
    admin = User.objects.create_user("quantri", role=Role.ADMIN, is_superuser=True)
    assert _client(client, admin).get(f"/so-doi-tuong/nhap/{job.pk}/").status_code == 200
