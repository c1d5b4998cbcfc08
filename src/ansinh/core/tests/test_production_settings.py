"""Production mode (ANSINH_PRODUCTION=true, docs/deploy-security.md): the settings from the
environment pass `check --deploy` with no warning, the development secret key stops the start,
and the answers carry HTTPS-only headers. Each case starts `ansinh` in a process of its own,
since settings are read once, at start."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ANSINH = [sys.executable, "-m", "ansinh.cli"]
DEVELOPMENT_KEY = "ansinh-insecure-development-key-change-me"


def environment(var: Path, **values: str) -> dict[str, str]:
    """A deployment's environment: nothing of the test run's (settings_test, DEBUG...)."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ANSINH_", "DJANGO_", "DATABASE_URL"))}
    static = var / "static"
    static.mkdir(parents=True, exist_ok=True)
    # collectstatic's manifest, as a deployment has it (ansinh.W001 otherwise)
    (static / "staticfiles.json").write_text(json.dumps({"paths": {}, "version": "1.1"}))
    env.update({"ANSINH_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
                "DJANGO_SETTINGS_MODULE": "ansinh.settings"})
    env.update(values)
    return env


def production(var: Path, **values: str) -> dict[str, str]:
    return environment(var, **{"ANSINH_PRODUCTION": "true",
                               "ANSINH_SECRET_KEY": secrets.token_urlsafe(50),
                               "ANSINH_ALLOWED_HOSTS": "ansinh.example.vn", **values})


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ANSINH, *args], env=env, capture_output=True, text=True,
                          check=False, timeout=120)


def test_production_passes_check_deploy_with_no_warning(tmp_path: Path) -> None:
    done = run(production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "System check identified no issues" in done.stdout


def test_without_production_mode_check_deploy_names_what_is_missing(tmp_path: Path) -> None:
    """The demo's settings (http on localhost): the same check fails, so the test above is not
    passing by accident."""
    done = run(environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012",
                    "security.W016"):
        assert warning in done.stderr, warning


@pytest.mark.parametrize("key", ["", DEVELOPMENT_KEY, "short-key",
                                 "django-insecure-" + "x1y2z3" * 10, "ab" * 30])
def test_production_refuses_to_start_with_the_development_or_a_weak_key(
        tmp_path: Path, key: str) -> None:
    done = run(production(tmp_path, ANSINH_SECRET_KEY=key), "check")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "ANSINH_SECRET_KEY must be set to a random key of at least 50 characters" in (
        done.stderr)


def test_the_older_switch_still_requires_a_key(tmp_path: Path) -> None:
    done = run(environment(tmp_path, ANSINH_REQUIRE_SECRET="1"), "check")
    assert done.returncode != 0 and "ANSINH_SECRET_KEY must be set" in done.stderr
    assert run(environment(tmp_path), "check").returncode == 0  # the demo starts as before


def test_production_refuses_debug_and_a_malformed_proxy_header(tmp_path: Path) -> None:
    debug = run(production(tmp_path, ANSINH_DEBUG="true"), "check")
    assert debug.returncode != 0 and "ANSINH_DEBUG=true in production mode" in debug.stderr
    proxy = run(production(tmp_path, ANSINH_PROXY_SSL_HEADER="X-Forwarded-Proto: https"), "check")
    assert proxy.returncode != 0 and "ANSINH_PROXY_SSL_HEADER must read" in proxy.stderr
    hsts = run(production(tmp_path, ANSINH_HSTS_SECONDS="a year"), "check")
    assert hsts.returncode != 0 and "ANSINH_HSTS_SECONDS must be a whole number" in hsts.stderr


ANSWERS = """
from django.test import Client
client = Client()
plain = client.get("/dang-nhap/", HTTP_HOST="ansinh.example.vn")
print("plain", plain.status_code, plain.get("Location"))
secure = client.get("/dang-nhap/", HTTP_HOST="ansinh.example.vn", HTTP_X_FORWARDED_PROTO="https")
print("secure", secure.status_code)
for name in ("Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options",
             "Referrer-Policy", "X-Content-Type-Options"):
    print(name + ":", secure.get(name))
print("cookie", secure.cookies["csrftoken"]["secure"])
"""


def test_production_answers_https_only(tmp_path: Path) -> None:
    # (the page names its files without collectstatic's manifest, which this test skips)
    env = production(tmp_path, ANSINH_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https",
                     ANSINH_HSTS_PRELOAD="false", ANSINH_MANIFEST_STATIC="false")
    done = run(env, "shell", "-c", ANSWERS)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout
    assert "plain 301 https://ansinh.example.vn/dang-nhap/" in lines
    assert "secure 200" in lines
    assert "Strict-Transport-Security: max-age=31536000; includeSubDomains\n" in lines
    assert "X-Frame-Options: DENY" in lines and "Referrer-Policy: same-origin" in lines
    assert "X-Content-Type-Options: nosniff" in lines and "cookie True" in lines
    assert "frame-ancestors 'none'" in lines


@pytest.mark.django_db
def test_every_page_carries_the_csp(client: Client, agent_al3: Any) -> None:
    """The policy is on in the tests too, so a page that breaks it fails its browser test."""
    client.force_login(agent_al3)
    policy = client.get("/van-dong/viec-can-lam/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    # but not on a PDF, where it could stop the browser's own viewer
    pdf = client.get("/tinh/phieu-tu-van.pdf?sex=F&birth=1980&category=poor&paid_years=8")
    assert pdf["Content-Type"] == "application/pdf"
    assert not pdf.has_header("Content-Security-Policy")


@pytest.mark.parametrize(("values", "kept"), [
    ({}, "60 True"),  # production's default: a connection per worker, checked before reuse
    ({"ANSINH_CONN_MAX_AGE": "0"}, "0 False"),  # an operator's choice
    ({"ANSINH_CONN_MAX_AGE": "300"}, "300 True"),
])
def test_production_keeps_its_database_connections(tmp_path: Path, values: dict[str, str],
                                                   kept: str) -> None:
    """A new PostgreSQL connection per page costs the server more than the page (docs/scale.md,
    the worklist under load): production keeps them unless told otherwise; the development
    server and the tests do not (`environment` below: 0)."""
    show = ("from django.conf import settings; d = settings.DATABASES['default']; "
            "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])")
    url = "postgres://ansinh@127.0.0.1:5432/ansinh"  # read, not connected to
    done = run(production(tmp_path, DATABASE_URL=url, **values), "shell", "-v", "0", "-c", show)
    assert done.stdout.split() == kept.split(), done.stderr[-2000:]
    done = run(environment(tmp_path, DATABASE_URL=url), "shell", "-v", "0", "-c", show)
    assert done.stdout.split() == ["0", "False"], done.stderr[-2000:]
