"""ansinh settings, read from the environment through small typed helpers.

A bad value stops the start with a clear message rather than running half-configured.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


DEBUG = env_bool("ANSINH_DEBUG", False)
# Production mode (docs/deploy-security.md): a real secret key or no start, HTTPS only (redirect,
# HSTS, secure cookies). Off for `make demo` and the tests, which serve plain http on localhost.
# ANSINH_REQUIRE_SECRET, the older switch, still requires the key and nothing else.
PRODUCTION = env_bool("ANSINH_PRODUCTION", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "ANSINH_DEBUG=true in production mode (ANSINH_PRODUCTION=true) would show tracebacks "
        "with personal data to anyone: unset one of them")
DEVELOPMENT_SECRET_KEY = "ansinh-insecure-development-key-change-me"
SECRET_KEY = env_str("ANSINH_SECRET_KEY", "")
# Django's own test of a strong key (check --deploy, security.W009): 50 characters, 5
# different ones, not the development key nor one Django generated as insecure.
WEAK_SECRET_KEY = (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
                   or SECRET_KEY == DEVELOPMENT_SECRET_KEY
                   or SECRET_KEY.startswith("django-insecure"))
if WEAK_SECRET_KEY and (PRODUCTION or (not DEBUG and os.environ.get("ANSINH_REQUIRE_SECRET"))):
    raise ImproperlyConfigured(
        "ANSINH_SECRET_KEY must be set to a random key of at least 50 characters in "
        "production (it signs sessions and password-reset links); make one with: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'")
if not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY  # development and the demo only (see above)
ALLOWED_HOSTS = env_list("ANSINH_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
# The site's own origins when a proxy changes them (https://ansinh.example.vn): CSRF checks
# the Origin header of every POST against the host, or against these.
CSRF_TRUSTED_ORIGINS = env_list("ANSINH_CSRF_TRUSTED_ORIGINS", [])

# HTTPS: on in production mode, each switch overridable (docs/deploy-security.md).
SECURE_SSL_REDIRECT = env_bool("ANSINH_SSL_REDIRECT", PRODUCTION)
# Behind a proxy that ends TLS, the header it sets for https ("HTTP_X_FORWARDED_PROTO=https"):
# without it Django sees http and the redirect above loops. Only when the proxy strips the
# header from the clients' own requests.
_PROXY_SSL_HEADER = env_str("ANSINH_PROXY_SSL_HEADER", "")
if _PROXY_SSL_HEADER:
    _header, _sep, _value = _PROXY_SSL_HEADER.partition("=")
    if not _sep or not _header.startswith("HTTP_") or not _value:
        raise ImproperlyConfigured(
            "ANSINH_PROXY_SSL_HEADER must read HTTP_<HEADER>=<value>, e.g. "
            f"HTTP_X_FORWARDED_PROTO=https; got {_PROXY_SSL_HEADER!r}")
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip())
# a year of "https only" remembered by browsers; subdomains and the preload list as choices
SECURE_HSTS_SECONDS = env_int("ANSINH_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ANSINH_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("ANSINH_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("ANSINH_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # a person's page address never leaves the site
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # no page is framed (the CSP's frame-ancestors says it again)
# A session lasts the office's `session_hours` from sign-in (core.signin); this is the
# fallback for a user without an office (administrators) and the server-side limit of a
# "shared computer" session, which also ends when the browser closes.
SESSION_COOKIE_AGE = env_int("ANSINH_SESSION_HOURS", 12, minimum=1) * 3600

VAR_DIR = Path(env_str("ANSINH_VAR_DIR", str(PROJECT_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_q",
    "ninja",
    "axes",  # sign-in throttling: failures and lockouts in the database (core.signin)
    "csp",  # its checks catch settings written for django-csp 3
    "ansinh.core",
    "ansinh.registry",
    "ansinh.network",
    "ansinh.rules",
    "ansinh.calculator",
    "ansinh.participation",
    "ansinh.collection",
    "ansinh.reminders",
    "ansinh.outreach",
    "ansinh.retention",
    "ansinh.reports",
    "ansinh.field",
    "ansinh.api",
    "ansinh.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # the Content-Security-Policy header (CONTENT_SECURITY_POLICY below) on every response but
    # PDFs (core.middleware.PageCSPMiddleware)
    "ansinh.core.middleware.PageCSPMiddleware",
    # Static files answer here, already compressed by collectstatic (gzip and brotli copies),
    # before any middleware below reads a session or compresses again.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed (the worklist: 194 KB of HTML, 12 KB gzipped; Django's
    # GZipMiddleware, minus downloads compressed already). Above every middleware that reads
    # or changes the body, so it compresses the final page. BREACH (a secret guessed from
    # compressed sizes, the attacker's text reflected in the same page, over many requests):
    # Django masks the CSRF token anew on every response, and since 4.2 GZipMiddleware pads
    # each response with random bytes ("Heal The Breach"); the session cookie never appears
    # in a body, and a device token is shown once, new each time.
    "ansinh.core.middleware.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ansinh.core.middleware.vietnamese_first",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ansinh.core.middleware.RefusalMiddleware",
    # last: turns a sign-in refused for a lockout into the lockout page (core.signin.locked_out)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ansinh.urls"
WSGI_APPLICATION = "ansinh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ansinh.core.permissions.context",
            ],
        },
    },
]


def _parse_database(variable: str, url: str) -> dict[str, object]:
    # A connection kept between requests: in production 60 s unless set (a new PostgreSQL
    # connection per page tripled the worklist's p95 under 50 agents on two cores,
    # docs/scale.md), checked before reuse so a restarted server is not an error page.
    max_age = env_int("ANSINH_CONN_MAX_AGE", 60 if PRODUCTION else 0)
    try:
        return dict(dj_database_url.parse(url, conn_max_age=max_age,
                                          conn_health_checks=max_age > 0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} is not a usable database URL: {exc}") from exc


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'ansinh.sqlite3'}"
    config = _parse_database("DATABASE_URL", url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while the worker writes; IMMEDIATE takes the write lock at BEGIN
        # so two writers queue instead of failing with "database is locked" half-way.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; "
                # bulk imports touch ~10 indexes: a 256 MB page cache keeps them in memory
                "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"
            ),
        }
        config["CONN_MAX_AGE"] = 0
        config["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")} if os.environ.get(
            "ANSINH_TEST_DB_FILE") else {}
    return config


POSTGRESQL = "django.db.backends.postgresql"


def _replica(primary: dict[str, object]) -> dict[str, object] | None:
    """A PostgreSQL streaming replica of the primary for dashboard, report and export reads
    (core.replica, docs/deploy-replica.md), or None."""
    url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    config = _parse_database("DATABASE_REPLICA_URL", url)
    if config["ENGINE"] != POSTGRESQL or primary["ENGINE"] != POSTGRESQL:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is a PostgreSQL streaming replica of DATABASE_URL: both must "
            "be postgres:// URLs")
    # a replica that does not answer costs a page this long once, then the guard's pause
    config["OPTIONS"] = {"connect_timeout": env_int("ANSINH_REPLICA_CONNECT_TIMEOUT", 2,
                                                     minimum=1)}
    # Test runs create no database on a standby (it is read-only, and gets the primary's
    # through the WAL): the alias reads the primary's test database.
    config["TEST"] = {"MIRROR": "default"}
    return config


DATABASES = {"default": _database()}
_REPLICA_DATABASE = _replica(DATABASES["default"])
if _REPLICA_DATABASE is not None:
    DATABASES["replica"] = _REPLICA_DATABASE
    DATABASE_ROUTERS = ["ansinh.core.replica.ReplicaRouter"]
# The freshness guard (core.replica): a replica further behind than this serves nothing (its
# pages read the primary); the check runs at most once per this many seconds per process.
ANSINH_REPLICA_MAX_LAG_SECONDS = env_int("ANSINH_REPLICA_MAX_LAG_SECONDS", 5)
ANSINH_REPLICA_CHECK_SECONDS = env_int("ANSINH_REPLICA_CHECK_SECONDS", 2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # core.landing decides by role
LOGOUT_REDIRECT_URL = "login"

# Axes first: it refuses a locked-out username and IP before any password is checked. It needs
# the request, so `authenticate(request, ...)`; the tests sign in with force_login.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# locked for AXES_COOLOFF_TIME (the site's sign-in page and /admin/ alike); a right password
# resets the count. Another address, or another username, is not locked by it.
AXES_FAILURE_LIMIT = env_int("ANSINH_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ANSINH_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# the lock ends AXES_COOLOFF_TIME after it began, as the page says, whatever is tried meanwhile
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "ansinh.core.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "ansinh.core.signin.client_ip"
# How many proxies in front of the site append to X-Forwarded-For (0: none, the address is
# REMOTE_ADDR). Only then is the header read, from the right, where clients cannot forge it.
PROXY_COUNT = env_int("ANSINH_PROXY_COUNT", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
# "English" with a context: Django's Vietnamese catalogue translates the bare msgid.
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", pgettext_lazy("tên ngôn ngữ", "English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Off: Django would group every integer a template prints, years and IDs included ("2,008" in
# English; Vietnamese has no grouping in Django's formats, so only English pages showed it).
# Counts, money and rates are written by our filters (`num`, `vnd`, `percent`, `years`) in the
# page's language.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when serving finders
STATICFILES_DIRS = [
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", PROJECT_DIR / "node_modules" / "chart.js" / "dist"),
    # idb's build/umd.js is a plain UMD file: a <script> tag gives window.idb, no bundler needed
    ("vendor/idb", PROJECT_DIR / "node_modules" / "idb" / "build"),
]
STATICFILES_DIRS = [entry for entry in STATICFILES_DIRS if entry[1].is_dir()]
MEDIA_ROOT = VAR_DIR / "media"
# Static files under hashed names (app.c9c831575adb.css), cached for a year as immutable, with
# gzip and brotli copies made once by `ansinh collectstatic` (`ansinh demo` runs it; so does a
# deployment). Without it the pages cannot name their files: the `static_manifest` check stops
# the start with the command to run. ANSINH_MANIFEST_STATIC=false serves the apps' files as they
# are, under their own names, uncompressed and barely cached: the tests (ansinh.settings_test)
# and development without collectstatic.
MANIFEST_STATIC = env_bool("ANSINH_MANIFEST_STATIC", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if MANIFEST_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# with the manifest, only the collected files (hashed and compressed) are served
WHITENOISE_USE_FINDERS = not MANIFEST_STATIC
# Source maps (Chart.js's and the API docs', a megabyte each) and TypeScript types are collected
# (the manifest rewrites the sourceMappingURL comments and wants the maps there) but never
# compressed: no phone loads them, and brotli on them was most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf",
    "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg",
    "webm", "wmv",  # whitenoise's own list, then ours:
    "map", "ts",
)

# Content-Security-Policy: scripts only from the site's own files, no inline script (data for a
# script travels in data- attributes or json_script), nothing framed, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Inline styles stay allowed, for styles only: the progress bars' widths are data
        # written as style="width: 62%" on every report, the printable receipt and the PDF
        # templates carry their own <style>, and the API docs' Swagger UI sets styles. A style
        # cannot run code; an injected one could restyle a page, which escaping prevents.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    },
}

Q_CLUSTER: dict[str, Any] = {
    "name": "ansinh",
    "orm": "default",
    "workers": env_int("ANSINH_WORKER_PROCESSES", 1, minimum=1),
    "timeout": 3600,
    "retry": 3700,
    "max_attempts": 1,
    "catch_up": False,
    # Tests run tasks inline so that an import started from a page finishes inside the test.
    "sync": env_bool("ANSINH_TASKS_SYNC", False),
}
# The queue on Redis in production (docs/deploy.md): ANSINH_REDIS_URL=redis://host:6379/1.
# Without it the queue is a database table (the ORM broker: no extra service, `make demo`).
# Either way the tasks' results and schedules stay in the database, and each job's progress
# in its own job table, so losing Redis loses only queued, not-yet-started tasks (the jobs'
# housekeeping marks them failed).
REDIS_URL = env_str("ANSINH_REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "ANSINH_REDIS_URL must be a redis://, rediss:// or unix:// URL, e.g. "
            f"redis://127.0.0.1:6379/1; got {REDIS_URL!r}")
    # django-q2 takes the ORM broker whenever "orm" is set, so it goes
    del Q_CLUSTER["orm"]
    Q_CLUSTER["redis"] = REDIS_URL
# A register export larger than this many rows is written by the worker (a progress bar, then
# a download); smaller ones are answered at once. The worker's files hold personal data and are
# deleted after ANSINH_EXPORT_RETENTION_DAYS (the hourly housekeeping, like uploads).
ANSINH_EXPORT_SYNC_MAX_ROWS = env_int("ANSINH_EXPORT_SYNC_MAX_ROWS", 5000, minimum=0)
ANSINH_EXPORT_RETENTION_DAYS = env_int("ANSINH_EXPORT_RETENTION_DAYS", 2, minimum=1)
# The nightly refresh rebuilds each office's summary cells in full once in this many nights
# (docs/summaries.md); 1: every office every night.
ANSINH_FULL_REBUILD_DAYS = env_int("ANSINH_FULL_REBUILD_DAYS", 7, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ANSINH_LOG_LEVEL", "WARNING")},
}

# The demo's reference date: the seed article's "early 2026" headline (1,805 of 3,229).
DEMO_AS_OF = env_str("ANSINH_DEMO_AS_OF", "2026-03-31")

# Personal data (Decree 13/2023; docs/personal-data.md, docs/imports-and-exports.md): uploaded
# register files hold national IDs and are deleted after this many days (the job keeps its
# counts); the access log of person pages and exports is kept this long.
ANSINH_UPLOAD_RETENTION_DAYS = env_int("ANSINH_UPLOAD_RETENTION_DAYS", 30, minimum=1)
ANSINH_ACCESS_LOG_DAYS = env_int("ANSINH_ACCESS_LOG_DAYS", 730, minimum=1)
# A register file uploaded through the page (the CLI allows larger: it is the operator's).
ANSINH_IMPORT_MAX_MB = env_int("ANSINH_IMPORT_MAX_MB", 256, minimum=1)
ANSINH_IMPORT_MAX_ROWS = env_int("ANSINH_IMPORT_MAX_ROWS", 1_000_000, minimum=1)
