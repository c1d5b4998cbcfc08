from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ansinh.core.worker import DEFAULT_STOP_TIMEOUT, run_cluster


class Command(BaseCommand):
    help = ("Chạy tiến trình nền (django-q2 qcluster), dừng khi nhận SIGTERM/SIGINT và khi tiến "
            "trình cha dừng / Run the background worker (django-q2's qcluster); it stops on "
            "SIGTERM/SIGINT within --stop-timeout seconds, and when its parent process dies")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parent-pid", type=int, default=None,
                            help="stop when this process is no longer the parent")
        parser.add_argument("--stop-timeout", type=float, default=DEFAULT_STOP_TIMEOUT,
                            help="seconds for a graceful stop before the processes are killed")

    def handle(self, *args: Any, **options: Any) -> None:
        code = run_cluster(parent_pid=options["parent_pid"], stop_timeout=options["stop_timeout"],
                           log=lambda line: self.stderr.write(line))
        if code:
            raise SystemExit(code)
