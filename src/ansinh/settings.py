"""ansinh settings, read from the environment through small typed helpers.

A bad value stops the start with a clear message rather than running half-configured.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
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


DEBUG = env_bool("ANSINH_DEBUG", False)
SECRET_KEY = env_str("ANSINH_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("ANSINH_REQUIRE_SECRET"):
        raise ImproperlyConfigured("ANSINH_SECRET_KEY is required in production")
    # Development and demo only: a production deployment sets ANSINH_REQUIRE_SECRET.
    SECRET_KEY = "ansinh-insecure-development-key-change-me"
ALLOWED_HOSTS = env_list("ANSINH_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

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


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'ansinh.sqlite3'}"
    try:
        config: dict[str, object] = dict(
            dj_database_url.parse(url, conn_max_age=int(env_str("ANSINH_CONN_MAX_AGE", "0")))
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from exc
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


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # core.landing decides by role
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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

Q_CLUSTER = {
    "name": "ansinh",
    "orm": "default",
    "workers": 1,
    "timeout": 3600,
    "retry": 3700,
    "max_attempts": 1,
    "catch_up": False,
    # Tests run tasks inline so that an import started from a page finishes inside the test.
    "sync": env_bool("ANSINH_TASKS_SYNC", False),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ANSINH_LOG_LEVEL", "WARNING")},
}

# The demo's reference date: the seed article's "early 2026" headline (1,805 of 3,229).
DEMO_AS_OF = env_str("ANSINH_DEMO_AS_OF", "2026-03-31")
