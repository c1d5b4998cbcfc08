"""``ansinh open-retention-cases [--on DATE]``: open a case for every lapsed participation and
every lump-sum payout without one (run after the lapse detection; the worker runs the same)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from ansinh.core.models import Office
from ansinh.retention.actions import open_lapse_cases


class Command(BaseCommand):
    help = "Mở hồ sơ tư vấn cho người chậm đóng, tạm dừng, đã rút một lần / open retention cases"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        on: date = options["on"] or timezone.localdate()
        for office in Office.objects.order_by("code"):
            opened = open_lapse_cases(office, on)
            self.stdout.write(f"{office.code}: {opened} hồ sơ mới / new cases")
