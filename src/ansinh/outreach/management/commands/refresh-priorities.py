"""`ansinh refresh-priorities [--office CODE] [--as-of DATE] [--full] [--jobs N] [--json]`:
bring the precomputed worklists (`outreach.priority`) to the day, as the nightly schedule does
(the kept rows carried forward, each office in full on its turn), or every village in full."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ansinh.core.models import Office
from ansinh.core.offices import each_office, largest_first
from ansinh.outreach.priority import refresh_office, vacuum_after


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done:,}/{total:,}", end="" if done < total else "\n", file=sys.stderr)


class Command(BaseCommand):
    help = ("Tính lại thứ tự ưu tiên của danh sách việc cần làm / "
            "Recompute the precomputed worklist priorities")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", default=None, help="mã cơ quan / office code "
                                                           "(mặc định: mọi cơ quan / default: all)")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="YYYY-MM-DD (mặc định hôm nay / default today)")
        parser.add_argument("--full", action="store_true",
                            help="tính lại toàn bộ / recompute every village in full")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--jobs", type=int, default=1,
                            help="số tiến trình song song / offices side by side (PostgreSQL)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date = options["as_of"] or timezone.localdate()
        offices = Office.objects.order_by("code")
        if options["office"]:
            offices = offices.filter(code=options["office"])
            if not offices.exists():
                raise CommandError(f"Không có cơ quan {options['office']} / no such office")
        full: bool = options["full"]
        if options["jobs"] > 1:
            results = each_office(refresh_office, largest_first(offices), options["jobs"],
                                  as_of, full)
        else:
            results = [refresh_office(office.pk, as_of, full=full,
                                      progress=_progress if options["verbosity"] > 1 else None)
                       for office in offices]
        vacuum_after(results)  # once, whatever the number of offices
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False))
            return
        for row in results:
            self.stdout.write(
                f"{row['office']} {row['as_of']}: {row['villages']:,} thôn / villages "
                f"({row['full']:,} tính lại toàn bộ / in full), {row['recomputed']:,} người "
                f"tính lại / persons recomputed, {row['rows']:,} dòng ưu tiên / priority rows "
                f"written, {row['seconds']:.1f} s")
