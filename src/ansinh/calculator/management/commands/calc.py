"""``ansinh calc ...``: the policy CLI (``ansinh.policy.cli``) with the office overrides applied.

Arguments pass through untouched, so the contract of issue 3 §5 holds exactly (exit 2 with one
bilingual line on stderr for invalid input).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ansinh.policy import ParameterTree, load_default_tree
from ansinh.policy.cli import main
from ansinh.rules.tree import current_tree


def _tree(stderr: Any) -> ParameterTree:
    try:
        return current_tree()
    except DatabaseError:
        # A fresh checkout before `ansinh migrate`: the file values still answer, and say so.
        stderr.write(
            "Chưa có bảng giá trị của cơ quan (chạy `ansinh migrate`): dùng giá trị trong tệp / "
            "office overrides unavailable (run `ansinh migrate`): using the file values\n"
        )
        return load_default_tree()


class Command(BaseCommand):
    help = "Máy tính chính sách BHXH tự nguyện / voluntary social insurance calculator"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER)

    def run_from_argv(self, argv: list[str]) -> None:
        # argv = ["ansinh", "calc", ...]: Django's own options (--settings...) do not apply here.
        sys.exit(main(argv[2:], tree=_tree(sys.stderr), stdout=sys.stdout, stderr=sys.stderr))

    def handle(self, *args: str, **options: Any) -> None:
        """For ``call_command("calc", "contribution", "--on", ...)``."""
        code = main(list(args), tree=_tree(self.stderr), stdout=self.stdout,  # type: ignore[arg-type]
                    stderr=self.stderr)  # type: ignore[arg-type]
        if code:
            raise CommandError(f"ansinh calc exited {code}", returncode=code)
