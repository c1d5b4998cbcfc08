"""`ansinh dedup persons`: the register's likely duplicate pairs (registry.dedup), as a table or
as JSON; pairs staff already decided (not the same person, merged) are left out."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.core.models import Office
from ansinh.registry import dedup, merging
from ansinh.registry.models import Commune, Person


class Command(BaseCommand):
    help = ("Tìm các cặp đối tượng có thể trùng / List the register's likely duplicate pairs "
            "(score 0–100 with reasons)")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["persons"])
        parser.add_argument("--commune", help="commune code / mã xã")
        parser.add_argument("--office", help="office code / mã cơ quan BHXH cơ sở")
        parser.add_argument("--threshold", type=int, default=dedup.THRESHOLD,
                            help=f"lowest score listed (default {dedup.THRESHOLD})")
        parser.add_argument("--json", action="store_true",
                            help='print [{"a", "b", "score", "reasons"}]')
        parser.add_argument("--queue", action="store_true",
                            help="put the new pairs in the office's duplicate queue / đưa các "
                                 "cặp mới vào danh sách hồ sơ có thể trùng")

    def handle(self, *args: Any, **options: Any) -> None:
        threshold: int = options["threshold"]
        if not 0 <= threshold <= 100:
            raise CommandError("Ngưỡng phải từ 0 đến 100 / --threshold must be 0 to 100")
        commune = None
        if options["commune"]:
            commune = Commune.objects.select_related("office").filter(
                code=options["commune"]).first()
            if commune is None:
                raise CommandError(f"Không có xã mã {options['commune']} / "
                                   f"No commune with code {options['commune']}")
        offices = Office.objects.order_by("code")
        if options["office"]:
            offices = offices.filter(code=options["office"])
            if not offices.exists():
                raise CommandError(f"Không có cơ quan mã {options['office']} / "
                                   f"No office with code {options['office']}")
        if commune is not None:
            if options["office"] and commune.office.code != options["office"]:
                raise CommandError(
                    f"Xã {commune.code} không thuộc cơ quan {options['office']} / "
                    f"Commune {commune.code} is not served by office {options['office']}")
            offices = offices.filter(pk=commune.office_id)
        quiet = options["verbosity"] == 0
        matches: list[dedup.Match] = []
        for office in offices:
            started = time.perf_counter()
            found = dedup.scan(office, commune, threshold)
            queued = merging.enqueue(office, found) if options["queue"] else 0
            if not quiet:
                print(f"{office.code}: {len(found)} cặp / pairs "
                      f"({time.perf_counter() - started:.1f} s)"
                      + (f", {queued} cặp mới vào danh sách / new in the queue"
                         if options["queue"] else ""), file=sys.stderr)
            matches.extend(found)
        if options["json"]:
            print(json.dumps([match.as_dict() for match in matches]))
            return
        self._table(matches)

    def _table(self, matches: list[dedup.Match]) -> None:
        ids = {pk for match in matches for pk in (match.a, match.b)}
        persons = {person.pk: person for person in
                   Person.objects.filter(pk__in=ids).select_related("village")}
        print(f"{'điểm':>4}  {'người A / person A':<46}  {'người B / person B':<46}  "
              "lý do / reasons")
        for match in matches:
            a, b = persons[match.a], persons[match.b]
            reasons = ", ".join(str(dedup.REASONS[code]) for code in match.reasons)
            print(f"{match.score:>4}  {_person(a):<46}  {_person(b):<46}  {reasons}")
        print(f"{len(matches)} cặp / pairs", file=sys.stderr)


def _person(person: Person) -> str:
    return f"#{person.pk} {person.full_name}, {person.birth_display}, {person.village.name}"
