"""gunicorn's configuration for ansinh (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py`.

Every number can be set from the environment, so one file serves an office's single server and a
province's app servers behind a load balancer. The application is Django's WSGI handler.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


wsgi_app = "ansinh.wsgi:application"

# An address: 127.0.0.1:8000 behind nginx on the same host, 0.0.0.0:8000 behind a load
# balancer, unix:/run/ansinh/gunicorn.sock; several: comma-separated. Started by systemd with
# deploy/systemd/ansinh.socket, gunicorn takes the socket systemd passes (LISTEN_FDS) instead.
bind = [part.strip() for part in
        os.environ.get("ANSINH_BIND", "127.0.0.1:8000").split(",") if part.strip()]

# Sync workers: the pages are short database reads and writes, so a process per core and one
# more keeps the CPU busy while one waits on PostgreSQL (gunicorn's own 2n+1 assumes more
# waiting than ansinh does; each worker holds ~120 MB, see docs/deploy.md). Threads stay 1:
# Django's connections are per thread, and more threads means more PostgreSQL connections.
workers = _int("ANSINH_WORKERS", multiprocessing.cpu_count() + 1)
threads = _int("ANSINH_THREADS", 1)
worker_class = "sync"

# A page that takes longer than this is a bug or a lock: the worker is killed and replaced,
# and the request answers 502. Long work (imports, large exports) runs in the qcluster worker,
# never in a request, so 60 s is generous. The proxy's timeout should be a little longer.
timeout = _int("ANSINH_TIMEOUT", 60)
# On SIGTERM (systemctl stop / restart, a deploy) a worker finishes the request in hand for up
# to this long before it is killed.
graceful_timeout = _int("ANSINH_GRACEFUL_TIMEOUT", 30)
# Keep-alive between the proxy and gunicorn (nginx on the same host reuses connections).
keepalive = _int("ANSINH_KEEPALIVE", 5)

# Each worker is replaced after this many requests (plus a random 0..jitter, so the workers do
# not all restart at once): a slow leak in a library never grows into an outage.
max_requests = _int("ANSINH_MAX_REQUESTS", 2000)
max_requests_jitter = _int("ANSINH_MAX_REQUESTS_JITTER", 200)

# Load the application once in the master and fork the workers from it: less memory (pages are
# shared copy-on-write) and a broken settings file stops the start at once, before any worker
# forks. Safe here: importing ansinh opens no database connection, thread or file that a fork
# would share (Django connects lazily, in each worker, on its first request). A reload
# (SIGHUP) then re-reads the code only in new workers if preload is off: a deployment restarts
# the service instead. ANSINH_PRELOAD=0 turns it off.
preload_app = os.environ.get("ANSINH_PRELOAD", "1").lower() not in {"0", "false", "no", "off"}

# Request bodies: the register upload is capped by ANSINH_IMPORT_MAX_MB in Django; these are
# gunicorn's limits on the request line and headers (its defaults, stated).
limit_request_line = 4094
limit_request_fields = 100

# Logs to stdout/stderr: journald (systemd) keeps them. The access log names the client the
# proxy saw (X-Forwarded-For), the status, the size, the time taken in microseconds and the
# user agent, one line per request; no query string (it can hold a name or an ID searched).
accesslog = os.environ.get("ANSINH_ACCESS_LOG", "-") or None
errorlog = os.environ.get("ANSINH_ERROR_LOG", "-")
loglevel = os.environ.get("ANSINH_LOG_LEVEL", "info").lower()
access_log_format = ('%({x-forwarded-for}i)s %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s '
                     '%(D)sus "%(a)s"')
# The proxy in front passes the client's scheme; trust only the proxy on this host.
forwarded_allow_ips = os.environ.get("ANSINH_FORWARDED_ALLOW_IPS", "127.0.0.1")

proc_name = "ansinh"
# Temporary files of the workers' heartbeat in memory (a disk stall would kill workers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn 25+ opens a control socket in the user's home (~/.gunicorn/gunicorn.ctl); two
# instances on one host would share it, and systemd's signals (deploy/ansinh.service) are the
# control that ansinh uses. Older gunicorns ignore the name.
control_socket_disable = True
