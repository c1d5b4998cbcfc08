"""Page weight (issue 12): pages leave gzipped, static files under hashed names with gzip and
brotli copies and a year's immutable caching (whitenoise's compressed manifest storage, the
production path; the tests otherwise serve the apps' files as they are: ansinh.settings_test).
The figures on slow 3G come from `make bench` (ansinh.pages_bench)."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings


def test_pages_are_gzipped_with_a_fresh_csrf_mask_each_time(client: Any, agent_al3: Any) -> None:
    client.force_login(agent_al3)
    answers = [client.get("/van-dong/viec-can-lam/?span=week", HTTP_ACCEPT_ENCODING="gzip, br")
               for _ in range(2)]
    for response in answers:
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
    html = [gzip.decompress(response.content).decode() for response in answers]
    assert len(answers[0].content) < len(html[0]) / 3
    # BREACH: the CSRF token a page carries is masked anew on every response
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page) for page in html]
    assert tokens[0] and tokens[1] and tokens[0].group(1) != tokens[1].group(1)


def test_downloads_compressed_already_are_not_gzipped_again(client: Any, director: Any) -> None:
    client.force_login(director)
    response = client.get("/thu/xuat/danh-sach-thu.xlsx", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not response.has_header("Content-Encoding")


def test_the_field_pages_load_no_chart_library(client: Any, agent_al3: Any,
                                               paying_al3: Any) -> None:
    client.force_login(agent_al3)
    for path in ("/van-dong/viec-can-lam/", "/thu/", f"/thu/bien-lai/moi/?participation="
                 f"{paying_al3.pk}", "/so-doi-tuong/?q=ho", "/tinh/"):
        html = client.get(path).content.decode()
        assert "chart" not in html.lower(), path


@pytest.fixture(scope="module")
def collected(tmp_path_factory: Any) -> Path:
    """collectstatic as a deployment runs it (the admin's and the API docs' files left out to
    keep the test short), in its own process with the production settings."""
    var = tmp_path_factory.mktemp("var")
    env = dict(os.environ, ANSINH_VAR_DIR=str(var), ANSINH_MANIFEST_STATIC="true",
               DJANGO_SETTINGS_MODULE="ansinh.settings")
    done = subprocess.run(
        [sys.executable, "-m", "ansinh.cli", "collectstatic", "--noinput", "-v0",
         "-i", "admin", "-i", "ninja", "-i", "django_htmx", "-i", "*.d.ts", "-i", "*.cjs",
         "-i", "*.cjs.map"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return Path(var) / "static"


def _manifest_settings(root: Path) -> Any:
    return override_settings(
        STATIC_ROOT=root, WHITENOISE_USE_FINDERS=False, MANIFEST_STATIC=True,
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                  "staticfiles": {"BACKEND":
                                  "whitenoise.storage.CompressedManifestStaticFilesStorage"}})


def test_static_files_are_hashed_compressed_and_cached_for_good(
        collected: Path, agent_al3: Any) -> None:
    assert (collected / "staticfiles.json").exists()
    # Chart.js's source map is collected beside it: the manifest rewrites the reference
    assert list((collected / "vendor" / "chartjs").glob("chart.umd.*.js.map"))
    with _manifest_settings(collected):
        client = Client()  # a new handler: whitenoise reads the collected files
        client.force_login(agent_al3)
        html = client.get("/van-dong/viec-can-lam/").content.decode()
        css = re.search(r'href="(/static/ansinh/app\.[0-9a-f]{12}\.css)"', html)
        script = re.search(r'src="(/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js)"', html)
        assert css and script, html[:600]
        for url in (css.group(1), script.group(1)):
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            assert response.status_code == 200
            assert response["Content-Encoding"] == "gzip"
            assert "immutable" in response["Cache-Control"]
            assert "max-age=315360000" in response["Cache-Control"]
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            response.close()
        # the offline page's service worker names the same hashed files
        worker = client.get("/sw.js").content.decode()
        assert css.group(1) in worker


def test_a_missing_manifest_is_named_at_start(tmp_path: Path) -> None:
    from ansinh.core.checks import static_manifest

    with override_settings(MANIFEST_STATIC=True, STATIC_ROOT=tmp_path):
        found = static_manifest()
    assert [message.id for message in found] == ["ansinh.W001"]
    with override_settings(MANIFEST_STATIC=False):
        assert static_manifest() == []
