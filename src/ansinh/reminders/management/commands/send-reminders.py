from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.core.models import Office
from ansinh.reminders.outbox import requeue_failed, send_outbox


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done:,}/{total:,}", end="" if done < total else "\n", file=sys.stderr)


class Command(BaseCommand):
    help = ("Gửi các tin nhắc đang chờ (có thử lại) / "
            "Deliver queued reminders through their channel's sender, with retries")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", default=None, help="office code (default: every office)")
        parser.add_argument("--limit", type=int, default=None, help="at most N messages")
        parser.add_argument("--attempts", type=int, default=3,
                            help="attempts per message in all (default 3)")
        parser.add_argument("--pause", type=float, default=2.0,
                            help="seconds between two attempts of a message (default 2)")
        parser.add_argument("--retry-failed", action="store_true",
                            help="queue failed messages again first")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        office = None
        if options["office"]:
            office = Office.objects.filter(code=options["office"]).first()
            if office is None:
                raise CommandError(f"Không có cơ quan {options['office']} / no such office")
        if options["attempts"] < 1:
            raise CommandError("--attempts must be at least 1")
        requeued = requeue_failed(office) if options["retry_failed"] else 0
        result = send_outbox(office=office, limit=options["limit"],
                             max_attempts=options["attempts"], pause=options["pause"],
                             progress=_progress if options["verbosity"] > 0 else None)
        result["requeued"] = requeued
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{result['sent']} đã gửi / sent, {result['failed']} lỗi / failed, "
                f"{result['retried']} thử lại / retried, "
                f"{result['not_configured']} chờ cấu hình kênh / waiting for a sender")
            for channel, error in result["errors"].items():
                self.stderr.write(f"{channel}: {error}")
        if result["not_configured"] and not result["sent"]:
            raise CommandError("; ".join(result["errors"].values()))
