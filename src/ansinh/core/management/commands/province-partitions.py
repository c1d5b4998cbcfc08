from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from ansinh.core.partitions import ensure_partitions


class Command(BaseCommand):
    help = ("Tạo phân vùng theo tỉnh còn thiếu của các bảng nhật ký (PostgreSQL) / Create the "
            "missing per-province partitions of the log tables (PostgreSQL)")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic(durable=True):
            made = ensure_partitions()
        print(f"{made} phân vùng đã tạo / {made} partitions created", file=sys.stderr)
