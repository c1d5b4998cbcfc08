from __future__ import annotations

import json as jsonlib
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from ansinh.core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Khôi phục cơ sở dữ liệu từ một bản sao lưu, rồi so tổng kiểm từng bảng / "
            "Restore the database from a backup, then compare every table's checksum")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="thư mục bản sao lưu / the backup folder")
        parser.add_argument(
            "--yes", action="store_true",
            help="không hỏi lại (thay toàn bộ dữ liệu hiện có) / do not ask (replaces all "
                 "current data)")
        parser.add_argument(
            "--no-safety-copy", action="store_true",
            help="không sao lưu dữ liệu hiện có trước / skip the backup of the current data")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args: Any, backup: Path, yes: bool, no_safety_copy: bool, as_json: bool,
               **options: Any) -> None:
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(
                    "Khôi phục thay toàn bộ dữ liệu hiện có: thêm --yes để xác nhận / "
                    "A restore replaces all current data: add --yes to confirm")
            answer = input("Thay toàn bộ dữ liệu hiện có? Gõ 'yes' / "
                           "Replace all current data? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Đã huỷ / Cancelled")
        quiet = options["verbosity"] == 0
        say = (lambda _text: None) if quiet else (lambda text: print(text, file=sys.stderr))
        try:
            done = restore(backup, safety_copy=not no_safety_copy, progress=say)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        summary = done.summary()
        summary["unapplied_migrations"] = _unapplied()
        if as_json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(
                f"{backup}: {summary['tables']} bảng / tables, {summary['rows']} dòng / rows, "
                f"{summary['seconds']} s")
            if summary["safety_copy"]:
                self.stdout.write(
                    f"dữ liệu trước khi khôi phục / data before the restore: "
                    f"{summary['safety_copy']}")
            if summary["unapplied_migrations"]:
                self.stdout.write(
                    "bản sao lưu cũ hơn mã nguồn: chạy `ansinh migrate` / the backup is older "
                    "than the code: run `ansinh migrate`")
        if done.differences:
            raise CommandError("\n".join(
                ["Tổng kiểm không khớp sau khi khôi phục / Checksums differ after the restore",
                 *done.differences]))
        if not as_json:
            self.stdout.write("tổng kiểm khớp với bản sao lưu / checksums match the backup")


def _unapplied() -> list[str]:
    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _dumps(data: dict[str, Any]) -> str:
    return jsonlib.dumps(data, ensure_ascii=False)
