from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.core.models import Office
from ansinh.core.offices import each_office, largest_first
from ansinh.reports import figures


def _full(office_id: int) -> dict[str, Any]:
    return {**figures.rebuild(office_id, vacuum=False), "mode": "full"}


def _nightly(office_id: int) -> dict[str, Any]:
    return figures.nightly(office_id, vacuum=False)


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

        parser.add_argument("--jobs", type=int, default=1,
                            help="số tiến trình song song / offices side by side (PostgreSQL)")

    def handle(self, *args: Any, **options: Any) -> None:
        offices = Office.objects.order_by("code")
        if options["office"]:
            offices = offices.filter(code=options["office"])
            if not offices.exists():
                raise CommandError(f"Không có cơ quan {options['office']} / no such office")
        codes = dict(offices.values_list("pk", "code"))
        results = sorted(each_office(_nightly if options["nightly"] else _full,
                                     largest_first(offices), options["jobs"]),
                         key=lambda result: codes[result["office_id"]])
        figures.vacuum_after(results)  # once, whatever the number of offices
        for result in results:
            result["office"] = codes[result["office_id"]]
            if not options["json"]:
                self.stdout.write(
                    f"{result['office']} ({result['mode']}): {result['cells']:,} ô / cells, "
                    f"{result['differing']:,} ô khác / cells differed, {result['seconds']} s")
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False))
