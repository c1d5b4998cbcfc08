"""The offline field app's pages on the server: the shell, its manifest and the service worker."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.staticfiles import finders
from django.test import Client


def test_an_agent_opens_the_field_app_with_its_words_and_scripts(agent_al3: Any) -> None:
    client = Client()
    client.force_login(agent_al3)
    response = client.get("/thuc-dia/")
    assert response.status_code == 200
    html = response.content.decode()
    for script in ("vendor/idb/umd.js", "field/store.js", "field/sync.js", "field/app.js"):
        assert script in html
    assert 'rel="manifest"' in html
    assert "csrftoken" in response.cookies  # the phone registers itself with it
    texts = json.loads(html.split('id="field-texts" type="application/json">')[1]
                       .split("</script>")[0])
    assert texts["queued_paid"] == "đã thu, chờ đồng bộ"
    assert ["not_interested", "Không quan tâm"] in texts["choices"]["outcome"]


def test_the_field_app_speaks_english_too(agent_al3: Any) -> None:
    client = Client()
    client.force_login(agent_al3)
    client.cookies["django_language"] = "en"
    html = client.get("/thuc-dia/").content.decode()
    assert "collected, waiting to sync" in html
    assert '"To fix"' in html


def test_who_may_not_do_field_work_is_refused(viewer_al1: Any, db: None) -> None:
    client = Client()
    assert client.get("/thuc-dia/").status_code == 302  # to sign in
    client.force_login(viewer_al1)
    assert client.get("/thuc-dia/").status_code == 403


def test_the_manifest_installs_the_app(db: None) -> None:
    response = Client().get("/thuc-dia/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/thuc-dia/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"any", "192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_the_service_worker_precaches_the_app(db: None) -> None:
    response = Client().get("/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    shell = body.split("const SHELL = ")[1].split(";")[0]
    for url in ("/thuc-dia/", "/thuc-dia/manifest.webmanifest", "vendor/idb/umd.js",
                "field/app.js", "field/store.js", "field/sync.js", "field/app.css"):
        assert url in shell
    assert "vendor/htmx/htmx.min.js" in body.split("const OPTIONAL = ")[1].split(";")[0]
    assert 'const CACHE = "ansinh-field-' in body


def test_the_first_load_stays_under_100_kb_as_served(agent_al3: Any) -> None:
    """The page and every file it asks for, gzipped as the site serves them (whitenoise's
    compressed files, the HTML through GZipMiddleware): at most 100 KB on the wire. `make bench`
    measures the same in chromium on emulated slow 3G."""
    import gzip
    import re

    client = Client()
    client.force_login(agent_al3)
    html = client.get("/thuc-dia/").content
    total = len(gzip.compress(html))
    names = re.findall(rb'(?:src|href)="/static/([^"?]+)"', html)
    assert b"field/app.js" in names and b"calculator/engine.js" in names
    for name in names:
        found = finders.find(name.decode())
        assert isinstance(found, str), name
        with open(found, "rb") as file:
            total += len(gzip.compress(file.read()))
    assert total <= 100_000, f"{total:,} bytes"
