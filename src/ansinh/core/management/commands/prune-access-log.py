from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ansinh.core.personal import prune_access_log, retention_days


class Command(BaseCommand):
    help = ("Xóa nhật ký truy cập cũ hơn thời hạn lưu (ANSINH_ACCESS_LOG_DAYS) / Delete access-log "
            "rows older than their retention (ANSINH_ACCESS_LOG_DAYS)")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="số ngày giữ lại / days to keep (default: the setting)")

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        if days is not None and days < 1:
            days = 1
        kept = days or retention_days()
        deleted = prune_access_log(days=kept)
        print(f"{deleted} dòng đã xóa, giữ {kept} ngày / {deleted} rows deleted, "
              f"{kept} days kept", file=sys.stderr)
