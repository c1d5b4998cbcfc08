"""`ansinh report progress --period P --by KIND [--metric M] [--as-of DATE] [--json|...]`.

Outputs: --json, --xlsx FILE or --pdf FILE; a plain table otherwise.
JSON rows: {unit_code, unit_name, metric, target, achieved, ratio}.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from ansinh.core.models import Office, Role, User
from ansinh.core.pdf import pdf_bytes
from ansinh.core.periods import Period, parse_period
from ansinh.core.replica import replica_reads
from ansinh.core.tables import table_context, xlsx_bytes
from ansinh.network.models import Metric
from ansinh.reports.progress import BY_CHOICES, progress_rows


class Command(BaseCommand):
    help = "Báo cáo tiến độ so với chỉ tiêu / progress against target"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        progress = sub.add_parser("progress", help="tiến độ theo đơn vị / progress by unit")
        progress.add_argument("--period", required=True, help="2026, 2026-Q3 hoặc/or 2026-07")
        progress.add_argument("--by", required=True, choices=BY_CHOICES)
        progress.add_argument("--metric", default=Metric.ACTIVE, choices=Metric.values)
        progress.add_argument("--as-of", type=date.fromisoformat, default=None,
                              help="YYYY-MM-DD (mặc định hôm nay / default today)")
        progress.add_argument("--office", default=None, help="mã cơ quan / office code")
        output = progress.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true")
        output.add_argument("--xlsx", type=Path)
        output.add_argument("--pdf", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        try:
            period = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        offices = Office.objects.order_by("code")
        office = (offices.filter(code=options["office"]).first() if options["office"]
                  else offices.first())
        if office is None:
            raise CommandError("Không có cơ quan / no such office")
        as_of: date = options["as_of"] or timezone.localdate()
        with replica_reads():
            self._report(office, period, as_of, options)

    def _report(self, office: Office, period: Period, as_of: date,
                options: dict[str, Any]) -> None:
        rows = progress_rows(office, period, options["metric"], options["by"], as_of)
        if options["json"]:
            self.stdout.write(json.dumps([row.as_json() for row in rows], ensure_ascii=False,
                                         indent=1))
            return
        if options["xlsx"] or options["pdf"]:
            from ansinh.reports.views import Params, progress_table

            reader = User(role=Role.DIRECTOR, office=office, is_superuser=True)
            table, _rows = progress_table(reader, Params(office, period, as_of,
                                                         options["metric"], options["by"]))
            path: Path = options["xlsx"] or options["pdf"]
            path.write_bytes(xlsx_bytes(table) if options["xlsx"]
                             else pdf_bytes("core/table_pdf.html", table_context(table)))
            self.stdout.write(f"{path} ({len(rows)} dòng / rows)")
            return
        width = max((len(row.unit.name) for row in rows), default=10)
        for row in rows:
            ratio = "—" if row.ratio is None else f"{row.ratio * 100:.1f} %"
            target = "—" if row.target is None else f"{row.target:,}"
            self.stdout.write(f"{row.unit.code:<10} {row.unit.name:<{width}} "
                              f"{row.achieved:>14,} / {target:>14} {ratio:>8}")
