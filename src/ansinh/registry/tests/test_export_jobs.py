"""A large register export runs in the worker: offered as a job, written with progress in the
job table, downloaded by the user who asked for it only, with the rows of that user's
territory; errors in the user's language; the files purged like uploads. Small exports stay
answered at once. (Tasks run inline in the tests.)"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from ansinh.core.models import AccessEntry, AccessKind
from ansinh.core.scoping import scoped
from ansinh.registry import tasks
from ansinh.registry.models import ExportJob, ExportStatus, Person


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start(client: Client, query: str = "", fmt: str = "xlsx") -> ExportJob:
    response = client.post(reverse("registry:export_start"), {"query": query, "format": fmt})
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == reverse("registry:export_status", args=[job.pk])
    return job


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _rows(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_small_export_is_answered_at_once(staff_al2: Any) -> None:
    response = _client(staff_al2).get(reverse("registry:person_export_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not ExportJob.objects.exists()


def test_large_export_is_offered_as_a_job_then_downloaded(staff_al2: Any,
                                                          settings: Any) -> None:
    settings.ANSINH_EXPORT_SYNC_MAX_ROWS = 10
    client = _client(staff_al2)
    offer = client.get(reverse("registry:person_export_xlsx"), {"commune": "AL2"})
    assert offer.status_code == 200
    assert offer["Content-Type"].startswith("text/html")
    assert reverse("registry:export_start") in offer.content.decode()
    assert 'value="commune=AL2"' in offer.content.decode()

    job = _start(client, "commune=AL2")
    job.refresh_from_db()
    expected = scoped(staff_al2, Person.objects.all()).filter(
        village__commune__code="AL2").count()
    assert job.status == ExportStatus.DONE
    assert (job.total, job.processed, job.percent) == (expected, expected, 100)
    page = client.get(reverse("registry:export_status", args=[job.pk])).content.decode()
    assert reverse("registry:export_download", args=[job.pk]) in page

    download = client.get(reverse("registry:export_download", args=[job.pk]))
    assert download.status_code == 200
    rows = _rows(_body(download))
    assert len(rows) == expected + 1
    assert {row[9] for row in rows[1:]} == {"A Lưới 2"}
    assert AccessEntry.objects.filter(kind=AccessKind.REGISTER_EXPORT, actor=staff_al2,
                                      rows=expected).count() == 2  # written, then downloaded


def test_the_job_holds_only_the_users_territory(staff_al2: Any, director: Any) -> None:
    """staff of A Lưới 2 asking for everything gets A Lưới 2's persons, not the office's."""
    job = _start(_client(staff_al2))
    job.refresh_from_db()
    mine = scoped(staff_al2, Person.objects.all()).count()
    assert job.total == mine < Person.objects.count()


def test_only_the_user_who_asked_sees_the_job(staff_al2: Any, director: Any,
                                              agent_al3: Any) -> None:
    job = _start(_client(staff_al2), fmt="csv")
    for other in (director, agent_al3):
        client = _client(other)
        assert client.get(reverse("registry:export_status", args=[job.pk])).status_code == 404
        assert client.get(reverse("registry:export_download", args=[job.pk])).status_code == 404
    download = _client(staff_al2).get(reverse("registry:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert _body(download).startswith("\ufeff".encode())


def test_a_failure_is_told_in_the_users_language(staff_al2: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(tasks, "write_table", broken)
    client = _client(staff_al2)
    client.cookies["django_language"] = "en"
    job = _start(client)
    job.refresh_from_db()
    assert job.language == "en"
    assert job.status == ExportStatus.FAILED
    assert job.message == "The export failed: disk full"
    folder = tasks.export_folder()  # no half-written file is left behind
    assert not folder.exists() or not [path for path in folder.rglob("*") if path.is_file()]


def test_a_job_is_run_once(staff_al2: Any) -> None:
    job = _start(_client(staff_al2))
    job.refresh_from_db()
    finished = job.finished_at
    tasks.run_export_job(job.pk)  # a retried task: the job is no longer pending
    job.refresh_from_db()
    assert (job.status, job.finished_at) == (ExportStatus.DONE, finished)


def test_a_job_the_worker_never_took_is_failed(staff_al2: Any) -> None:
    job = ExportJob.objects.create(created_by=staff_al2, office=staff_al2.office)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))
    page = _client(staff_al2).get(reverse("registry:export_status", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.message in page.content.decode()


def test_files_are_purged_like_uploads(staff_al2: Any) -> None:
    job = _start(_client(staff_al2))
    job.refresh_from_db()
    path = tasks.export_folder().parent / str(job.file.name)
    assert path.is_file()
    assert tasks.purge_exports() == 0  # younger than the retention
    assert tasks.purge_exports(now=timezone.now() + timedelta(days=3)) == 1
    job.refresh_from_db()
    assert not path.exists()
    assert job.file_deleted_at is not None and job.total > 0
    assert _client(staff_al2).get(
        reverse("registry:export_download", args=[job.pk])).status_code == 404
