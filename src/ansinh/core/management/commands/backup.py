from __future__ import annotations

import json as jsonlib
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.core.backup import BackupError, backup, prune, verify


class Command(BaseCommand):
    help = ("Sao lưu toàn bộ cơ sở dữ liệu, kèm tổng kiểm từng bảng / "
            "Back up the whole database, with every table's checksum")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=None, dest="folder",
            help="thư mục chứa bản sao lưu / folder for backups "
                 "(ANSINH_BACKUP_DIR, default var/backups)")
        parser.add_argument(
            "--keep", type=int, default=None,
            help="chỉ giữ N bản mới nhất / keep only the newest N backups")
        parser.add_argument(
            "--verify", type=Path, default=None, metavar="BACKUP", dest="check",
            help="kiểm tra một bản sao lưu với tổng kiểm của nó / check a backup against its "
                 "checksums, writing nothing")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args: Any, folder: Path | None, keep: int | None,
               check: Path | None, as_json: bool, **options: Any) -> None:
        quiet = options["verbosity"] == 0
        say = (lambda _text: None) if quiet else (lambda text: print(text, file=sys.stderr))
        if keep is not None and keep < 1:
            raise CommandError("--keep phải ≥ 1 / --keep must be at least 1")
        try:
            if check is not None:
                self._verify(check, as_json=as_json)
                return
            made = backup(folder, progress=say)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        summary = made.summary()
        if keep is not None:
            summary["pruned"] = [str(path) for path in prune(made.path.parent, keep)]
        if as_json:
            self.stdout.write(_json(summary))
        else:
            self.stdout.write(
                f"{made.path} — {summary['tables']} bảng / tables, {summary['rows']} dòng / "
                f"rows, {summary['bytes']:,} byte, {summary['seconds']} s")
            for path in summary.get("pruned", []):
                self.stdout.write(f"đã xoá bản cũ / removed old backup: {path}")

    def _verify(self, path: Path, *, as_json: bool) -> None:
        differences = verify(path)
        if as_json:
            self.stdout.write(_json({"path": str(path), "identical": not differences,
                                     "differences": differences}))
        elif not differences:
            self.stdout.write(f"{path}: khớp tổng kiểm / checksums match")
        if differences:
            raise CommandError("\n".join(
                [f"{path}: không khớp / does not match", *differences]))


def _json(data: dict[str, Any]) -> str:
    return jsonlib.dumps(data, ensure_ascii=False)


