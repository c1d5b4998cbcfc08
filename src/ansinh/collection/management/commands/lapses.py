from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ansinh.collection.lapses import run_lapses
from ansinh.core.models import Office


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done:,}/{total:,}", end="" if done < total else "\n", file=sys.stderr)


class Command(BaseCommand):
    help = ("Đánh dấu chậm đóng / tạm dừng tính đến một ngày, mở hồ sơ tư vấn và xếp lời nhắc / "
            "Mark late and paused participations as of a date, then open retention cases "
            "and queue reminders")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="YYYY-MM-DD (default today)")
        parser.add_argument("--office", default=None, help="office code (default: every office)")
        parser.add_argument("--no-reminders", "--no-follow-ups", action="store_true",
                            dest="no_follow_ups",
                            help="chỉ đánh dấu, không mở hồ sơ tư vấn hay xếp lời nhắc / "
                                 "only mark states: open no retention case, queue no reminder")
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
            results.append(run_lapses(
                office, as_of, follow_ups=not options["no_follow_ups"],
                progress=_progress if options["verbosity"] > 1 else None))
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

