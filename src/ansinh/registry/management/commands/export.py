from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.core.models import AccessKind
from ansinh.core.personal import log_access
from ansinh.core.replica import replica_reads
from ansinh.registry.exporting import export_persons
from ansinh.registry.models import Commune, Person


class Command(BaseCommand):
    help = "Xuất sổ đối tượng theo mẫu nhập / Export the register in the import template"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["persons"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--commune", help="commune code / mã xã")

    def handle(
        self, *args: Any, what: str, file: Path, commune: str | None, **options: Any
    ) -> None:
        if file.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError("Tệp phải là .csv hoặc .xlsx / FILE must end in .csv or .xlsx")
        persons = Person.objects.all()
        office_id = None
        if commune:
            chosen = Commune.objects.filter(code=commune).first()
            if chosen is None:
                raise CommandError(f"Không có xã mã {commune} / No commune with code {commune}")
            persons = persons.filter(village__commune__code=commune)
            office_id = chosen.office_id
        started = time.perf_counter()
        with replica_reads():  # a streaming replica's copy when one is fresh (core.replica)
            count = export_persons(file, persons)
        # the operator's export, in full: logged like a page's, with no user
        log_access(None, AccessKind.REGISTER_EXPORT, office_id=office_id, rows=count,
                   description=f"CLI {file.name}" + (f" commune={commune}" if commune else ""))
        print(f"{count} dòng → {file} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
