from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from ansinh.core import keepers
from ansinh.core.models import Office
from ansinh.demo import duplicates, money, outreach, retention, summaries, targets
from ansinh.demo.seeding import DEFAULT_PERSONS, seed_people, seed_reference
from ansinh.registry.models import Person

# Each app's demo data, in dependency order: money first, then what reads it.
DEMO_STEPS = (
    ("người tham gia, biên lai, nộp tiền / participations, receipts, remittances", money),
    ("chỉ tiêu, khen thưởng / targets, rewards", targets),
    ("vận động / outreach", outreach),
    ("tư vấn giữ chân / retention", retention),
    ("hồ sơ trùng / duplicate records", duplicates),
    ("bảng tổng hợp, việc cần làm / summary tables, worklists", summaries),
)


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done:,}/{total:,}", end="" if done < total else "\n", file=sys.stderr)


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu A Lưới (tất định) / Build the deterministic A Lưới demo data"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=DEFAULT_PERSONS)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help=f"reference date YYYY-MM-DD (default {settings.DEMO_AS_OF})")
        parser.add_argument("--register-only", action="store_true",
                            help="only places, users, households and persons (no money, "
                                 "targets or outreach)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the office already has persons")

    def handle(self, *args: Any, **options: Any) -> None:
        persons: int = options["persons"]
        if not 1 <= persons <= 5_000_000:
            raise CommandError("--persons phải từ 1 đến 5.000.000 / must be 1..5,000,000")
        as_of: date = options["as_of"] or date.fromisoformat(settings.DEMO_AS_OF)
        office = Office.objects.filter(code="AL").first()
        if office and Person.objects.filter(office=office).exists():
            if options["if_empty"]:
                self.stdout.write("Dữ liệu mẫu đã có / demo data already present")
                return
            raise CommandError(
                "Cơ quan A Lưới đã có dữ liệu; dùng cơ sở dữ liệu mới / "
                "The A Lưới office already has persons; use a fresh database"
            )
        if connection.vendor == "postgresql":
            # the demo records its money one action (one commit) at a time, as the office would;
            # a rebuildable data set need not wait for each commit to reach the disk
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        started = time.perf_counter()
        office, villages, _users = seed_reference(as_of)
        households, count = seed_people(
            office, villages, persons=persons, seed=options["seed"], as_of=as_of,
            progress=_progress if options["verbosity"] > 0 else None,
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{count:,} đối tượng, {households:,} hộ, {len(villages)} thôn trong {elapsed:.1f} s "
            f"({count / elapsed:,.0f} đối tượng/s) — as of {as_of}"
        )
        # the derived tables are built by the last step, not row by row on the way
        with keepers.deferred():
            for label, module in () if options["register_only"] else DEMO_STEPS:
                step_started = time.perf_counter()
                module.seed_demo(office, as_of, options["seed"])
                self.stdout.write(f"{label}: {time.perf_counter() - step_started:.1f} s")
