from __future__ import annotations

import signal
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from ansinh.core.worker import start_worker, stop_worker
from ansinh.demo.seeding import DEFAULT_PERSONS, DEMO_PASSWORD, seed_reference


class Command(BaseCommand):
    help = "Chạy bản demo: migrate, dữ liệu mẫu, người dùng mẫu, máy chủ / Run the demo"
    # checked once the static files are collected (runserver checks again before serving)
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=DEFAULT_PERSONS)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare only")
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=None,
            help="the demo's reference date (default today, so that the served pages, which "
                 "show today, find 1,805 participants paying on time; seed-demo alone "
                 f"defaults to {settings.DEMO_AS_OF})")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if settings.MANIFEST_STATIC:
            # hashed, compressed static files for whitenoise (settings: MANIFEST_STATIC)
            self.stdout.write("collectstatic …")
            call_command("collectstatic", interactive=False, verbosity=0)
        as_of: date = options["as_of"] or timezone.localdate()
        call_command("seed-demo", persons=options["persons"], if_empty=True, as_of=as_of)
        _office, _villages, users = seed_reference(as_of)
        self.stdout.write("\nNgười dùng mẫu / demo users (mật khẩu / password: "
                          f"{DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(
                f"  {user.username:<10} {user.role:<9} {user.name} — {user.territory}"
            )
        if options["no_serve"]:
            return
        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write(f"\nansinh: {url}  (Ctrl+C để dừng / to stop)\n")
        # The worker runs imports and other long jobs; it stops with the server: SIGTERM ends
        # runserver as Ctrl+C does (KeyboardInterrupt), and the `finally` stops the worker and
        # waits for it. Should this process die without its `finally` (SIGKILL), the kernel
        # stops the worker (core.worker: PR_SET_PDEATHSIG, and a watchdog on the parent).
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        # and Ctrl+C interrupts even when whoever started us ignored SIGINT (a shell's
        # background job, nohup, a test runner): an ignored signal is inherited across exec
        signal.signal(signal.SIGINT, signal.default_int_handler)
        worker = start_worker()
        try:
            call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
        finally:
            # a second SIGTERM or Ctrl+C while the worker stops must not skip the wait
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            stop_worker(worker)
