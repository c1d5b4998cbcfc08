"""``ansinh calc-cases [--out FILE] [--check]``: regenerate the shared case file.

The Python engine's answers (the shipped parameter files, no office override) that the
JavaScript port must reproduce; see ``ansinh.calculator.cases``. Run it after changing a
parameter file or a formula, and commit the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ansinh.calculator.cases import CASES_FILE, dumps, generate_cases


class Command(BaseCommand):
    help = ("Sinh tệp ca kiểm thử chung cho máy tính Python và JavaScript / "
            "write the case file shared by the Python engine and its JavaScript port")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--out", type=Path, default=CASES_FILE,
                            help=f"where to write (default {CASES_FILE})")
        parser.add_argument("--check", action="store_true",
                            help="write nothing; fail if the file is not up to date")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        content = generate_cases()
        text = dumps(content)
        if options["check"]:
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                raise CommandError(f"{out} is out of date: run `ansinh calc-cases`")
            self.stdout.write(f"{out}: {len(content['cases'])} cases, up to date")
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        self.stdout.write(f"{out}: {len(content['cases'])} cases")
