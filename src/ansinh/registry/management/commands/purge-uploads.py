from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ansinh.registry.tasks import (
    fail_stale_exports,
    fail_stale_jobs,
    purge_exports,
    purge_uploads,
    retention_days,
)


class Command(BaseCommand):
    help = ("Xoá tệp nhập đã tải lên quá số ngày lưu (ANSINH_UPLOAD_RETENTION_DAYS) và đánh dấu "
            "lỗi các lượt nhập đã dừng; xoá tệp xuất quá ANSINH_EXPORT_RETENTION_DAYS / Delete "
            "uploaded import files older than the retention (ANSINH_UPLOAD_RETENTION_DAYS) and "
            "mark stopped import jobs failed; delete export files older than "
            "ANSINH_EXPORT_RETENTION_DAYS. The worker does the same every hour.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="số ngày lưu / days to keep (default: the setting)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = retention_days() if options["days"] is None else max(0, options["days"])
        failed = fail_stale_jobs()
        deleted = purge_uploads(days=days)
        self.stdout.write(f"đã xoá / deleted {deleted} tệp / files (> {days} ngày / days); "
                          f"lượt nhập đánh dấu lỗi / jobs marked failed: {failed}")
        failed = fail_stale_exports()
        deleted = purge_exports()
        self.stdout.write(f"tệp xuất đã xoá / export files deleted: {deleted}; lượt xuất đánh "
                          f"dấu lỗi / export jobs marked failed: {failed}")
