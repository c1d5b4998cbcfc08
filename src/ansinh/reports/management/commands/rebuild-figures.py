from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.core.models import Office
from ansinh.reports import figures


class Command(BaseCommand):
    help = ("Tính lại bảng tổng hợp của báo cáo từ dữ liệu gốc / Rebuild the reports' summary "
            "tables from the raw rows")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", help="mã cơ quan / office code (default: every office)")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--nightly", action="store_true",
            help="việc hằng đêm: các ô của ngày, tính lại toàn bộ khi đến lượt / what the nightly "
                 "schedule "
                 "does: the cells of the day, the full rebuild on the office's turn")

    def handle(self, *args: Any, **options: Any) -> None:
        offices = Office.objects.order_by("code")
        if options["office"]:
            offices = offices.filter(code=options["office"])
            if not offices.exists():
                raise CommandError(f"Không có cơ quan {options['office']} / no such office")
        results = []
        for office in offices:
            result = (figures.nightly(office.pk) if options["nightly"]
                      else {**figures.rebuild(office.pk), "mode": "full"})
            result["office"] = office.code
            results.append(result)
            if not options["json"]:
                self.stdout.write(
                    f"{office.code} ({result['mode']}): {result['cells']:,} ô / cells, "
                    f"{result['differing']:,} ô khác / cells differed, {result['seconds']} s")
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False))
