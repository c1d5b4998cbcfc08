from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ansinh.registry.exporting import write_error_report
from ansinh.registry.importing import UnusableFile, import_persons
from ansinh.registry.models import Village
from ansinh.registry.reading import OPERATOR


def _progress(stage: str, done: int, total: int) -> None:
    label = {"validate": "Kiểm tra / validating", "dedup": "Tìm hồ sơ trùng / duplicates",
             "write": "Ghi / writing"}[stage]
    print(f"\r{label}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr)


class Command(BaseCommand):
    help = (
        "Nhập sổ đối tượng từ CSV/XLSX / Import the register. Exit 0 imported, 1 refused "
        "(invalid rows), 2 unusable file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["persons"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="write the valid rows")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")
        parser.add_argument("--error-report", type=Path, help="where to write the error report")

    def handle(self, *args: Any, **options: Any) -> None:
        file: Path = options["file"]
        quiet = options["json"] or options["verbosity"] == 0
        try:
            # the operator's command: the whole installation is its territory
            result = import_persons(
                file, territory=Village.objects.all(),
                dry_run=options["dry_run"], skip_invalid=options["skip_invalid"],
                progress=None if quiet else _progress, limits=OPERATOR,
            )
        except UnusableFile as exc:
            print(f"ansinh import: {exc}", file=sys.stderr)
            sys.exit(2)
        if result.errors:
            report = options["error_report"] or file.with_name(f"{file.stem}.errors.csv")
            write_error_report(report, result.errors)
            result.error_report = str(report)
        if options["json"]:
            print(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            state = "đã nhập / imported" if result.imported else (
                "chỉ kiểm tra / dry run" if result.dry_run and not result.invalid
                else "từ chối / refused")
            print(
                f"{state}: đọc/read {result.read}, mới/created {result.created}, "
                f"cập nhật/updated {result.updated}, không đổi/unchanged {result.unchanged}, "
                f"lỗi/invalid {result.invalid}, "
                f"chờ xem trùng/held as probable duplicates {result.held}"
            )
            for error in result.errors[:20]:
                print(f"  dòng/row {error.row} [{error.column}]: {error.reason}")
            if result.error_report:
                print(f"  báo cáo lỗi / error report: {result.error_report}")
        refused = result.invalid > 0 and not options["skip_invalid"]
        sys.exit(1 if refused else 0)
