from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ansinh.core.models import Office
from ansinh.participation.lapses import detect_lapses


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done:,}/{total:,}", end="" if done < total else "\n", file=sys.stderr)


class Command(BaseCommand):
    help = ("Đánh dấu chậm đóng / tạm dừng và xếp lời nhắc tính đến một ngày / "
            "Mark late and paused participations and queue reminders as of a date")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="YYYY-MM-DD (default today)")
        parser.add_argument("--office", default=None, help="office code (default: every office)")
        parser.add_argument("--no-reminders", action="store_true",
                            help="only mark states, queue no reminder")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date = options["as_of"] or timezone.localdate()
        offices = Office.objects.all()
        if options["office"]:
            offices = offices.filter(code=options["office"])
            if not offices.exists():
                raise CommandError(f"Không có cơ quan {options['office']} / no such office")
        results = []
        for office in offices:
            run = detect_lapses(office, as_of,
                                progress=_progress if options["verbosity"] > 1 else None)
            summary = run.as_dict() | {"office": office.code}
            if not options["no_reminders"]:
                summary |= queue_reminders(office, run)
            results.append(summary)
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False))
            return
        for row in results:
            self.stdout.write(
                f"{row['office']} {row['as_of']}: {row['checked']:,} kiểm tra / checked, "
                f"{row['late']} chậm đóng / late, {row['paused']} tạm dừng / paused, "
                f"{row['active_again']} đóng lại / caught up, "
                f"{row.get('reminders', 0)} lời nhắc / reminders"
            )


def queue_reminders(office: Office, run: Any) -> dict[str, int]:
    """Queue the run's reminders when the reminders module is installed."""
    try:
        from ansinh.participation.reminders import queue_for_run
    except ImportError:
        return {}
    return dict(queue_for_run(office, run))
